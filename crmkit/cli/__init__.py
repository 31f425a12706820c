"""crmkit's command line: a thin layer that parses options, calls the library and exits."""

from __future__ import annotations

from typing import Annotated

import typer

from crmkit import __version__
from crmkit.cli import clean, dedupe, report, tags, template, validate
from crmkit.cli.common import STATE

app = typer.Typer(
    name="crmkit",
    help="Check, clean, deduplicate and report on customer workbooks (Excel/CSV).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crmkit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only errors on stderr.")
    ] = False,
) -> None:
    """Check, clean, deduplicate and report on customer workbooks (Excel/CSV)."""
    STATE.debug = debug
    STATE.quiet = quiet


app.command("validate", no_args_is_help=True)(validate.validate_command)
app.command("clean", no_args_is_help=True)(clean.clean_command)
app.command("dedupe", no_args_is_help=True)(dedupe.dedupe_command)
app.add_typer(tags.app, name="tags")
app.command("template", no_args_is_help=True)(template.template_command)
app.command("report")(report.report_command)
app.command("init", no_args_is_help=True)(report.init_command)


def main() -> None:
    """Entry point of the `crmkit` console script."""
    app()
