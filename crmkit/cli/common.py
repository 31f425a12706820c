"""What every command shares: options declared once, input opening, messages and exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from crmkit.errors import CrmkitError
from crmkit.io import Limits, Source, Table, read_table
from crmkit.spec.fields import TableSpec, load_specs


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


def parse_date(text: str | None, option: str = "--as-of") -> date:
    """An ISO date from the command line; today when None. Exits 2 when malformed."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not an ISO date such as 2024-03-11")


def check_format(value: str, allowed: Sequence[str]) -> str:
    """The --format value, or exit 2 naming the choices."""
    if value not in allowed:
        fail(f"--format must be one of {', '.join(allowed)}, not {value!r}")
    return value


# ---------------------------------------------------------------- messages


def _colour() -> bool:
    return sys.stderr.isatty() and "NO_COLOR" not in os.environ


def info(message: str) -> None:
    """A message for people on stderr, unless --quiet."""
    if not STATE.quiet:
        typer.echo(message, err=True)


def warn(message: str) -> None:
    """A warning on stderr, unless --quiet."""
    if not STATE.quiet:
        typer.echo(typer.style(message, fg="yellow") if _colour() else message, err=True)


def alert(message: str) -> None:
    """Why a command exits 1 (overdue items under --check …): on stderr even with --quiet, so
    that cron, which mails any output, mails it."""
    typer.echo(typer.style(message, fg="yellow") if _colour() else message, err=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `Error: message` on stderr and exit with `code`."""
    text = f"Error: {message}"
    typer.echo(typer.style(text, fg="red") if _colour() else text, err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def progress() -> Iterator[Callable[[str], None]]:
    """A status line on stderr for long work, updated with each step; silent under cron or --quiet."""
    if STATE.quiet or not sys.stderr.isatty():
        yield lambda step: None
        return
    from rich.console import Console

    console = Console(stderr=True, no_color="NO_COLOR" in os.environ)
    with console.status("crmkit …") as status:
        yield lambda step: status.update(step)


@contextlib.contextmanager
def errors_handled() -> Iterator[None]:
    """Turn crmkit's exceptions into one line and an exit code; --debug shows the traceback."""
    try:
        yield
    except typer.Exit:
        raise
    except CrmkitError as exc:
        _traceback_if_debug()
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except BrokenPipeError:
        # The reader of stdout went away (`crmkit … | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(141) from None
    except OSError as exc:  # an output the system refused (a folder that is a file, no space …)
        if exc.filename is None:
            _traceback_if_debug()
            fail(
                f"unexpected failure: {type(exc).__name__}: {exc} (rerun with --debug for details)"
            )
        _traceback_if_debug()
        fail(f"{exc.filename}: {exc.strerror or exc}")
    except Exception as exc:
        _traceback_if_debug()
        fail(f"unexpected failure: {type(exc).__name__}: {exc} (rerun with --debug for details)", 2)


def _traceback_if_debug() -> None:
    """With --debug, the traceback of the exception being handled, on stderr; the exit code
    stays the one cron expects (2 for an unreadable input), with or without --debug."""
    if STATE.debug:
        traceback.print_exc(file=sys.stderr)


def command(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command body so that its errors map to exit codes."""
    import functools

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with errors_handled():
            return function(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- inputs


def specs_from(schema: Sequence[Path] | None, config: Path | None = None) -> dict[str, TableSpec]:
    """The field specs by kind, with the team's own --schema files applied, and the project
    config's settings of fields (its [dates] range): `config` is the --config option (None:
    ./crmkit.toml if present)."""
    from crmkit.spec.config import configure_specs, find_config

    return configure_specs(load_specs(schema or ()), find_config(config, Path.cwd()))


def open_table(
    path: str,
    specs: Sequence[TableSpec],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    forced: bool = False,
) -> Table:
    """Read a table from a path, or from stdin for '-' (CSV); say which sheets were not read.
    `forced`: the user named its kind (--kind), so it is read as that kind whatever it looks like."""
    stdin = path == "-"
    if stdin:
        data = sys.stdin.buffer.read(STATE.limits.max_file_bytes + 1)
        if len(data) > STATE.limits.max_file_bytes:
            fail(
                f"<stdin>: over the {STATE.limits.max_file_bytes / 2**20:.0f} MiB limit (--max-file-mib)"
            )
    table = read_table(
        Source(None, "<stdin>", data) if stdin else Path(path),
        specs=specs,
        sheet=None if stdin else sheet,
        encoding=encoding,
        delimiter=delimiter,
        limits=STATE.limits,
        forced=forced,
    )
    for note in table.notes:
        warn(note)
    return table


# ---------------------------------------------------------------- rendering


def text_width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    if text_width(text) <= width:
        return text + " " * (width - text_width(text))
    out = ""
    for char in text:
        if text_width(out + char) > width - 1:
            break
        out += char
    return out + "…" + " " * (width - text_width(out) - 1)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 40) -> str:
    """A plain aligned text table (no colour), fit for a terminal and a cron mail."""
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in row] for row in rows]
    widths = [
        min(max_width, max([text_width(h)] + [text_width(r[i]) for r in cells]))
        for i, h in enumerate(headers)
    ]
    lines = ["  ".join(_fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(_fit(v, w) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def echo_json(payload: Any) -> None:
    """Print JSON (UTF-8, not ASCII-escaped) on stdout."""
    from crmkit.io.write import json_text

    typer.echo(json_text(payload))
