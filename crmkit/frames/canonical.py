"""Typed frames of canonical values, for the commands that compute on the data (report, due …)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crmkit.errors import UsageError
from crmkit.frames.columns import EMPTY, INVALID, NormalizedColumn, normalize_column
from crmkit.io.table import Table

if TYPE_CHECKING:
    from crmkit.io.guard import Limits
    from crmkit.spec.fields import TableSpec

# The canonical fields each command reads of each kind of table.
FIELDS = {
    "customers": ["customer_id", "name", "phone", "industry", "source", "intent", "stage",
                  "amount", "owner", "created_at", "updated_at", "next_followup", "contract_end"],
    "followups": ["customer_id", "at", "by", "status"],
    "tasks": ["task_id", "customer_id", "customer_name", "assignee", "content", "priority", "due",
              "status", "created_at", "closed_at"],
    "feedback": ["date", "customer_id", "customer_name", "type", "satisfaction"],
    "orders": ["customer_id", "customer_name", "owner", "date", "amount"],
}  # fmt: skip

# Where each row of a canonical frame is, as the spreadsheet shows it: every listing, agenda and
# rejects file names these (the frame's index is only a key: see Table.places).
PLACE_COLUMNS = ("sheet", "row")


@dataclass
class CanonicalFrame:
    """One column per canonical field (NaN/NaT where empty or invalid), then `sheet` and `row`:
    where each row is, as the spreadsheet shows it. Indexed like the table's data (unique
    across the sheets of a table read from several)."""

    frame: pd.DataFrame
    invalid_rows: int

    def notes(self, name: str) -> list[str]:
        """What a reader of the table `name` is told about its values (none, or the rows
        holding values crmkit cannot read)."""
        if not self.invalid_rows:
            return []
        return [
            f"{name}: {self.invalid_rows} rows hold values crmkit cannot read; they "
            "count with those values missing (run crmkit validate)"
        ]


def canonical_frame(table: Table, fields: Iterable[str] | None = None) -> CanonicalFrame:
    """Normalize the fields of a table read with a spec into typed columns.

    Dates become datetime64, numbers float64, the rest text. A field the table lacks is all
    missing. The columns `sheet` (None for CSV) and `row` say where each row is, and
    `frame.attrs["source"]` the file and the headers as written ({"file", "headers": {field:
    header}}), so that a finding about a row can name them. `invalid_rows` counts rows with a
    value no normalizer could fix (they stay in the frame with that value missing).
    """
    spec = table.spec
    if spec is None:
        raise UsageError(
            f"{table.name}: read without a field spec; read it with "
            "crmkit.read_table(path, specs=list(crmkit.load_specs().values()))"
        )
    names = list(fields) if fields is not None else [f.name for f in spec.fields]
    frame = pd.DataFrame(index=table.data.index)
    invalid = np.zeros(len(table.data), dtype=bool)
    types = {f.name: f.type for f in spec.fields}
    for name in names:
        if not table.has(name):  # a field the table (or a team's spec) lacks: all missing
            frame[name] = pd.Series(
                pd.NaT if types.get(name) == "datetime" else np.nan, index=frame.index
            )
            continue
        field = spec.field(name)
        column = normalize_column(table.column(name), field, text_is_native=table.format == "csv")
        invalid |= column.mask("invalid").to_numpy()
        frame[name] = _typed(column, field.type)
    sheets, rows = table.places(table.data.index)
    frame["sheet"], frame["row"] = sheets, rows
    headers = {name: table.header_of(name) for name in names if table.has(name)}
    frame.attrs["source"] = {"file": table.name, "headers": headers}
    return CanonicalFrame(frame, int(invalid.sum()))


def places_of(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(sheet, row) of each row of a canonical frame as plain arrays (sheet None where there is
    none); a frame made without `canonical_frame` is placed by its index."""
    if "row" not in frame:
        return np.full(len(frame), None, dtype=object), frame.index.to_numpy()
    sheet = frame["sheet"] if "sheet" in frame else pd.Series(None, index=frame.index)
    return sheet.astype(object).where(sheet.notna(), None).to_numpy(), frame["row"].to_numpy()


def _typed(column: NormalizedColumn, field_type: str) -> pd.Series:
    """`typed_values` of a normalized column; of a date column whose cells the normalizer
    already parsed in bulk (millions of canonical 跟进时间), only the other cells are parsed."""
    typed = column.typed
    if field_type != "datetime" or typed is None:
        return typed_values(column.values, field_type)
    valued = ~np.isin(column.codes, (EMPTY, INVALID))
    redo = np.flatnonzero(valued & typed.isna().to_numpy())
    if len(redo):
        part = typed_values(column.values.iloc[redo], field_type)
        if part.dtype != typed.dtype:  # parsed whole, the column could have another unit
            return typed_values(column.values, field_type)
        typed = typed.copy()
        typed.iloc[redo] = part.to_numpy()
    return typed


def typed_values(values: pd.Series, field_type: str) -> pd.Series:
    """A field's canonical values typed for computing: datetime64, float64 or text (NA where
    missing)."""
    if field_type == "datetime":
        return pd.to_datetime(values, format="ISO8601", errors="coerce")
    if field_type == "number":
        return pd.to_numeric(values, errors="coerce").astype(float)
    return values.astype("str").where(values.notna())


def read_canonical(
    path: str | Path,
    spec: TableSpec,
    fields: list[str] | None = None,
    limits: Limits | None = None,
    *,
    delimiter: str | None = None,
    raw: Iterable[str] = (),
) -> tuple[pd.DataFrame, list[str]]:
    """Read a table with its spec and reduce it to typed canonical fields (None: the FIELDS
    the reports read of its kind; every field for a kind not listed); the table is dropped
    once reduced, so that 5M follow-up rows never sit in memory twice. The `raw` fields are
    added as written (not normalized: cheaper for long free text that is only searched).

    Returns the frame and the notes for the user (sheets not read, rows holding values crmkit
    cannot read). Raises InputError when the table cannot be read.
    """
    from crmkit.io.read import read_table

    table = read_table(path, specs=[spec], limits=limits, delimiter=delimiter)
    frame, notes = reduce_table(table, fields, raw=raw)
    return frame, [*table.notes, *notes]


def reduce_table(
    table: Table, fields: list[str] | None = None, *, raw: Iterable[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """The typed canonical frame of a table read with its spec (`read_canonical` without the
    reading: for a command that also needs the table itself), and the note on values crmkit
    cannot read (the table's own notes are not repeated)."""
    kind = table.spec.kind if table.spec is not None else ""  # canonical_frame says what is wrong
    reduced = canonical_frame(table, fields if fields is not None else FIELDS.get(kind))
    for name in raw:
        reduced.frame[name] = table.column(name) if table.has(name) else None
    return reduced.frame, reduced.notes(table.name)
