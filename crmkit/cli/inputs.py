"""Opening what a command reads: the field specs with the team's own --schema files and the
config's field settings, and a table from a path or stdin, its read notes shown."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crmkit.cli.options import STATE
from crmkit.cli.output import fail, warn

if TYPE_CHECKING:
    import pandas as pd

    from crmkit.io.table import Table
    from crmkit.spec.config import Config
    from crmkit.spec.fields import TableSpec


def specs_from(schema: Sequence[Path] | None, config: Config) -> dict[str, TableSpec]:
    """The field specs by kind, with the team's own --schema files applied, and the project
    config's settings of fields (its [dates] range)."""
    from crmkit.spec.fields import load_specs

    return config.configure(load_specs(schema or ()))


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
    from crmkit.io.read import Source, read_table

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


def read_canonical(
    path: str,
    spec: TableSpec,
    *,
    fields: list[str] | None = None,
    raw: Sequence[str] = (),
    delimiter: str | None = None,
) -> pd.DataFrame:
    """The typed canonical frame of a table of `spec`'s kind, with `fields` (None: those the
    reports read of that kind, frames.canonical.FIELDS) and the `raw` fields as written; its
    notes shown as warnings."""
    from crmkit.frames.canonical import read_canonical as read

    frame, notes = read(path, spec, fields, STATE.limits, delimiter=delimiter, raw=raw)
    for note in notes:
        warn(note)
    return frame
