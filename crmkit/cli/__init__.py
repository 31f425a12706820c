"""crmkit's command line: a thin layer that parses options, calls the library and exits."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from crmkit import __version__
from crmkit.cli import clean, dedupe, due, export, init, report, sync, tags, template, validate
from crmkit.cli.options import STATE
from crmkit.io.guard import Limits

DEFAULT_LIMITS = Limits()
# Global flags a user may also write after the command (crmkit dedupe FILE -q).
_ANYWHERE = ("--quiet", "-q", "--debug")


class _CrmkitGroup(TyperGroup):
    """The crmkit command group: --quiet/-q and --debug are read wherever they stand before a
    `--`, so they work after the command name too, on every command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        flags = [a for a in args[:end] if a in _ANYWHERE]
        rest = [a for a in args[:end] if a not in _ANYWHERE]
        return super().parse_args(ctx, flags + rest + args[end:])


app = typer.Typer(
    name="crmkit",
    cls=_CrmkitGroup,
    help="Check, clean, deduplicate, tag and report on customer workbooks (Excel/CSV).",
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
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of errors (here or after COMMAND).")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only errors on stderr (here or after COMMAND)."),
    ] = False,
    max_file_mib: Annotated[
        int, typer.Option("--max-file-mib", metavar="MIB", help="Largest input file read.", min=1)
    ] = DEFAULT_LIMITS.max_file_bytes // 2**20,
    max_unzipped_mib: Annotated[
        int,
        typer.Option(
            "--max-unzipped-mib", metavar="MIB", help="Largest a workbook may expand to.", min=1
        ),
    ] = DEFAULT_LIMITS.max_uncompressed_bytes // 2**20,
    max_cells: Annotated[
        int, typer.Option("--max-cells", metavar="N", help="Most cells in one sheet.", min=1)
    ] = DEFAULT_LIMITS.max_cells,
    max_cell_chars: Annotated[
        int,
        typer.Option("--max-cell-chars", metavar="N", help="Longest text in one cell.", min=1),
    ] = DEFAULT_LIMITS.max_cell_chars,
    max_columns: Annotated[
        int, typer.Option("--max-columns", metavar="N", help="Most named columns.", min=1)
    ] = DEFAULT_LIMITS.max_columns,
) -> None:
    """Check, clean, deduplicate, tag and report on customer workbooks (Excel/CSV)."""
    STATE.debug = debug
    STATE.quiet = quiet
    STATE.limits = Limits(
        max_file_bytes=max_file_mib * 2**20,
        max_uncompressed_bytes=max_unzipped_mib * 2**20,
        max_compression_ratio=DEFAULT_LIMITS.max_compression_ratio,
        max_cells=max_cells,
        max_cell_chars=max_cell_chars,
        max_columns=max_columns,
    )


app.command("validate", no_args_is_help=True)(validate.validate_command)
app.command("clean", no_args_is_help=True)(clean.clean_command)
app.command("dedupe", no_args_is_help=True)(dedupe.dedupe_command)
app.add_typer(tags.app, name="tags")
app.command("template", no_args_is_help=True)(template.template_command)
app.command("report")(report.report_command)
app.command("due")(due.due_command)
app.command("export", no_args_is_help=True)(export.export_command)
app.command("init", no_args_is_help=True)(init.init_command)
app.command("sync", no_args_is_help=True)(sync.sync_command)


def main() -> None:
    """Entry point of the `crmkit` console script."""
    app()
