"""Options every command declares the same way, and what their values mean: --sheet,
--encoding, --config, --as-of, --kind, --lang … declared once, parsed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crmkit.errors import UsageError
from crmkit.io.guard import Limits
from crmkit.spec.fields import KINDS
from crmkit.text.words import LANGS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from crmkit.spec.config import Config


@dataclass
class State:
    """Global options: --debug shows tracebacks, --quiet keeps only errors on stderr, and the
    limits on what crmkit agrees to read (--max-file-mib and friends)."""

    debug: bool = False
    quiet: bool = False
    limits: Limits = field(default_factory=Limits)


STATE = State()

# ---------------------------------------------------------------- options declared once

SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        metavar="NAME|N",
        help="Sheet name or 1-based number (workbooks; default: every sheet of the kind).",
    ),
]
FollowupsSheetOption = Annotated[
    str | None,
    typer.Option(
        "--followups-sheet",
        metavar="NAME|N",
        help="Sheet of the follow-up workbook (default: every sheet whose headers are "
        "follow-ups').",
    ),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding", metavar="ENC", help="Text encoding of CSV input (default: detected)."
    ),
]
DelimiterOption = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        metavar="SEP",
        help="Separator of CSV input: , ; | or tab (default: guessed from the header row).",
    ),
]
SchemaOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--schema",
        metavar="FILE",
        help="A team's own field spec (TOML); its [table] kind says which it replaces.",
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format", "-f", metavar="FORMAT", help="table (for people), json or csv (for scripts)."
    ),
]
OutputOption = Annotated[
    Path, typer.Option("--output", "-o", metavar="FILE", help="Output file (.xlsx or .csv).")
]
AllowFormulasOption = Annotated[
    bool, typer.Option("--allow-formulas", help="Write text starting with = as live formulas.")
]
InPlaceOption = Annotated[
    bool,
    typer.Option("--in-place", help="Allow -o to be the input; the input is kept as <name>.bak."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", metavar="FILE", help="Project config (default: ./crmkit.toml if present)."
    ),
]
RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules", metavar="FILE", help="A team's own tag rulebook (default: schemas/tags.toml)."
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Today's date for this run, ISO (2024-03-11); default: today.",
    ),
]

KindOption = Annotated[
    str,
    typer.Option(
        "--kind",
        metavar="KIND",
        help=f"Kind of the FILES: auto (from their headers), {', '.join(KINDS)}.",
    ),
]
LangOption = Annotated[str | None, typer.Option("--lang", metavar="LANG", help="zh or en.")]


def parse_kind(kind: str) -> str | None:
    """The --kind value: None for auto (recognized from the headers), else a known kind."""
    if kind == "auto":
        return None
    if kind not in KINDS:
        raise UsageError(f"--kind must be auto, {', '.join(KINDS)}, not {kind!r}")
    return kind


def check_lang(lang: str | None) -> str | None:
    """The --lang value (None: the config's), UsageError (exit 2) naming the choices."""
    if lang is not None and lang not in LANGS:
        raise UsageError(f"--lang must be {' or '.join(LANGS)}, not {lang!r}")
    return lang


def project_config(option: Path | None) -> Config:
    """crmkit.toml, read once for the run: the --config file, else ./crmkit.toml if present,
    else the defaults. ConfigError (exit 2) names the file and the key."""
    from crmkit.spec.config import find_config, load_config

    return load_config(find_config(option, Path.cwd()))


def parse_date(text: str | None, option: str = "--as-of") -> date:
    """An ISO date from the command line; today when None. UsageError (exit 2) when malformed."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not an ISO date such as 2024-03-11") from None


def check_format(value: str, allowed: Sequence[str]) -> str:
    """The --format value; UsageError (exit 2) naming the choices."""
    if value not in allowed:
        raise UsageError(f"--format must be one of {', '.join(allowed)}, not {value!r}")
    return value
