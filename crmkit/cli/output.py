"""What every command prints and how it ends: messages on stderr, plain tables, JSON on
stdout, output written to a file or to stdout, and crmkit's errors mapped to exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from crmkit.cli.options import STATE
from crmkit.errors import CrmkitError
from crmkit.text.layout import format_table as format_table  # the commands render with it

if TYPE_CHECKING:
    from crmkit.findings import Finding
    from crmkit.io.table import Table

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


def warn_untouched(
    name: str, untouched: list[tuple[str, str, str]], limit: int, done: str = "changed"
) -> None:
    """Warn of the cells a workbook patched by a command kept as they were (frames/patch): a
    formula is never overwritten (not `done`); `limit` formula cells named (0: all)."""
    formulas = [(sheet, cell) for sheet, cell, why in untouched if why == "formula"]
    shown = formulas if limit <= 0 else formulas[:limit]
    for sheet, cell in shown:
        warn(f"{name}, sheet {sheet}: {cell} holds a formula; not {done} (kept as it was)")
    if len(shown) < len(formulas):
        warn(f"… and {len(formulas) - len(shown)} more cells holding a formula, not {done} either")
    merged = len(untouched) - len(formulas)
    if merged:
        info(
            f"{name}: {merged} cells under a merged cell left as they were (the merge shows its first cell)"
        )


def warn_finding(finding: Finding) -> None:
    """A finding as one warning: file, sheet, row and column as the user sees them, then what."""
    where = finding.file + (f" sheet {finding.sheet}" if finding.sheet else "")
    warn(f"{where} row {finding.row}, column {finding.column}: {finding.message}")


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


def echo_json(payload: Any) -> None:
    """Print JSON (UTF-8, not ASCII-escaped) on stdout."""
    from crmkit.io.write import json_text

    typer.echo(json_text(payload))


def write_output(
    data: Any, output: str | Path, *, inputs: Sequence[str | Path | None] = ()
) -> None:
    """Write bytes (or chunks of bytes) to stdout ('-') or atomically to a file, never over
    one of the inputs."""
    if str(output) == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.buffer.writelines(data)
        sys.stdout.flush()
        return
    from crmkit.io.write import write_bytes

    write_bytes(data, Path(output), inputs=inputs)


def write_table(
    frames: Any,
    output: str | Path,
    *,
    inputs: Sequence[str | Path | None],
    sheet: str = "data",
    allow_formulas: bool = False,
    in_place: bool = False,
    bom: bool | None = None,
    replaces: Sequence[str] = (),
) -> None:
    """A table — one frame, or frames by sheet name — to .xlsx or .csv (atomically, never over
    an input unless `in_place`, then in place of the sheets `replaces` names, the others kept),
    or for '-' as CSV on stdout (sheets one after another). `bom`: start CSV with a UTF-8 BOM
    (default: in a file, for Excel, not on stdout)."""
    from crmkit.io.write import frame_to_csv_bytes, one_frame, write_frame

    if str(output) == "-":
        data = frame_to_csv_bytes(one_frame(frames), allow_formulas=allow_formulas, bom=bool(bom))
        write_output(data, "-")
        return
    write_frame(frames, Path(output), inputs=inputs, sheet=sheet, allow_formulas=allow_formulas,
                in_place=in_place, bom=bom is not False, replaces=replaces)  # fmt: skip


def write_sheets(
    table: Table,
    output: str | Path,
    *,
    inputs: Sequence[str | Path | None],
    default: str = "data",
    allow_formulas: bool = False,
    in_place: bool = False,
    replaces: Sequence[str] = (),
) -> None:
    """A table read from one or several sheets, written as `write_table` writes: to .xlsx a
    sheet per sheet read, each under its own headers; to CSV (or '-') one table, a column per
    field under the header the first sheet holding it wrote, unknown columns once per header,
    with a note naming the headers joined."""
    from crmkit.io.write import output_format

    sheet = table.sheet or default
    if table.parts and (str(output) == "-" or output_format(output) == "csv"):
        write_table(table.to_frame(), output, inputs=inputs, sheet=sheet,
                    allow_formulas=allow_formulas, in_place=in_place, replaces=replaces)  # fmt: skip
        joined: dict[str, list[str]] = {}
        for part, header, under in table.joined_headers():
            joined.setdefault(part, []).append(f"{header} → {under}")
        if joined:
            listed = "; ".join(
                f"sheet {part}: {', '.join(pairs)}" for part, pairs in joined.items()
            )
            info(
                f"{table.name}: {len(table.parts)} sheets written to {output} as one table, a "
                f"column per field; headers joined: {listed}"
            )
        return
    write_table(table.sheet_frames(sheet), output, inputs=inputs, sheet=sheet,
                allow_formulas=allow_formulas, in_place=in_place, replaces=replaces)  # fmt: skip


def echo_csv(frame: Any) -> None:
    """Print a frame as CSV (UTF-8, no BOM) on stdout."""
    from crmkit.io.write import frame_to_csv_bytes

    typer.echo(frame_to_csv_bytes(frame, bom=False).decode("utf-8"), nl=False)


def write_report_file(
    path: str | Path,
    *,
    payload: Callable[[], Any],
    frame: Callable[[], Any],
    inputs: Sequence[str | Path | None],
    sheet: str,
    allow_formulas: bool = False,
) -> None:
    """A --report FILE: `payload()` as JSON for .json, else `frame()` as .xlsx or .csv (the
    type from the suffix; anything else is refused before writing). Only the one asked for
    is built."""
    from crmkit.io.write import write_frame, write_json

    if Path(path).suffix.lower() == ".json":
        write_json(payload(), path, inputs=inputs)
        return
    write_frame(frame(), path, inputs=inputs, sheet=sheet, allow_formulas=allow_formulas)
