"""`crmkit init`: start a project folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crmkit.cli.output import command, fail, info, warn


@command
def init_command(
    folder: Annotated[Path, typer.Argument(help="Folder for the project (created if missing).")],
    lang: Annotated[
        str, typer.Option("--lang", metavar="LANG", help="Template headers: zh, zh-Hant or en.")
    ] = "zh",
) -> None:
    """Start a project: a commented crmkit.toml, a blank template of each table and a crontab example.

    \b
    Example:
      crmkit init my-crm
    """
    from crmkit.init import init_project

    try:
        result = init_project(folder, lang)
    except ValueError as exc:
        fail(str(exc))
    for path, written in result.files:
        if written:
            info(f"Wrote {path}")
        else:
            warn(f"{path} exists; left as it is")
