"""`crmkit template`: a blank workbook to fill in, built from the field spec."""

from __future__ import annotations

from typing import Annotated

import typer

from crmkit.cli.inputs import specs_from
from crmkit.cli.options import OutputOption, SchemaOption, project_config
from crmkit.cli.output import command, fail, info
from crmkit.spec.fields import KINDS, LANGS


@command
def template_command(
    kind: Annotated[str, typer.Argument(help=f"{', '.join(KINDS)}.")],
    output: OutputOption,
    lang: Annotated[
        str, typer.Option("--lang", metavar="LANG", help="Header language: zh, zh-Hant or en.")
    ] = "zh",
    schema: SchemaOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file (it may hold data).")
    ] = False,
) -> None:
    """Write a blank workbook with dropdowns, hints and text-formatted phone columns.

    \b
    Example:
      crmkit template customers -o 客户信息表.xlsx
    """
    if kind not in KINDS:
        fail(f"KIND must be one of {', '.join(KINDS)}, not {kind!r}")
    if lang not in LANGS:
        fail(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    from crmkit.io.template import write_template

    spec = specs_from(schema, project_config(None))[kind]
    write_template(spec, output, lang, overwrite=force)
    info(f"Template for {kind} written to {output}")
