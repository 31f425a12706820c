"""The cells a command changed in a table read from a workbook, as io/write.patch_workbook
writes them into a copy of that workbook: only they change; every other cell, title row,
formula, sheet, width and dropdown stays as the user had it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmkit.io.table import SheetPart, Table
from crmkit.text.normalize import format_datetime

# (sheet, header row, row as the sheet shows it, column number (1 for A), value)
Cell = tuple[str, int, int, int, Any]


def cell_texts(cells: pd.Series) -> np.ndarray:
    """Cells as a CSV shows them: "" for none, integral numbers without .0, moments as
    format_datetime writes them; text cells compared as they are (most cells, done in bulk)."""
    if cells.dtype.kind == "f":
        return np.array([_text(v) for v in cells.tolist()], dtype=object)
    values = cells.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return np.where(pd.isna(values), "", values)
    return np.array([_text(v) for v in values], dtype=object)


def _text(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT or value != value:
        return ""  # a missing cell; a cell of spaces is text
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def changed_cells(before: Table, after: Table) -> list[Cell]:
    """The cells of the field columns of `after` whose text or type (number, date, text)
    differs from `before` (the same
    rows, as read from a workbook, columns added by `insert_column`), placed where `before`'s
    sheets hold them: a column by its number in its sheet, whatever its header row says. A
    field `before` (or one of its sheets) lacks gets a column of its own after the last column
    of that sheet, its header written in the header row, in the sheets where it has a value."""
    sheets, rows = before.places(after.data.index)
    named = sheets.to_numpy(dtype=object) if before.parts else None
    numbers = rows.to_numpy()
    parts = {part.sheet: part for part in before.parts}
    widths: dict[str, int] = {}  # each sheet's columns, with those added
    added: dict[tuple[str, str], int] = {}  # (sheet, field) → the column it was given
    cells: list[Cell] = []
    for name in sorted(after.fields, key=after.fields.__getitem__):
        values = after.data[after.fields[name]]
        texts = cell_texts(values)
        if before.has(name):
            old = before.data[before.fields[name]].reindex(values.index)
            differ = cell_texts(old) != texts
            _retyped(old, values, texts, differ)
        else:
            differ = texts != ""
        written = values.to_numpy(dtype=object)
        for index in np.flatnonzero(differ).tolist():
            sheet = str(named[index]) if named is not None else str(before.sheet)
            part = parts.get(sheet)
            header_row = part.header_row if part is not None else before.header_row
            column = _column(before, part, name)
            if column is None:
                if (sheet, name) not in added:
                    width = widths.get(sheet, len(part.columns) if part else len(before.headers))
                    widths[sheet] = added[sheet, name] = width + 1
                    header = after.header_at(int(after.data.index[index]), name)
                    cells.append((sheet, header_row, header_row, width + 1, header))
                column = added[sheet, name]
            cells.append((sheet, header_row, int(numbers[index]), column, written[index]))
    return cells


def _retyped(before: pd.Series, after: pd.Series, texts: np.ndarray, differ: np.ndarray) -> None:
    """Mark in `differ` the cells whose text is the same but not their type: a phone read as
    the number 13812345678 cleaned into text, a date written as text cleaned into a date."""
    if all(
        pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty")
        for cells in (before, after)
    ):
        return
    same = np.flatnonzero(~differ & (texts != ""))
    old, new = before.to_numpy(dtype=object)[same], after.to_numpy(dtype=object)[same]
    differ[same] = [_kind(a) != _kind(b) for a, b in zip(old.tolist(), new.tolist(), strict=True)]


def _kind(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.number):
        return "number"
    if isinstance(value, date | np.datetime64):
        return "date"
    return "text"


def _column(table: Table, part: SheetPart | None, name: str) -> int | None:
    """The number (1 for A) of the column of field `name` in the sheet read (one of its
    parts), None when that sheet has no such column."""
    if not table.has(name):
        return None
    position = table.fields[name]
    if part is None:
        return position + 1
    return part.columns.index(position) + 1 if position in part.columns else None


Untouched = tuple[str, str, str]  # (sheet, cell such as B7, "formula" or "merged")


def patch_changes(
    before: Table,
    after: Table,
    source: str,
    output: str,
    *,
    inputs: Iterable[str | Path | None],
    in_place: bool = False,
) -> list[Untouched] | None:
    """Write only the cells of `after` that differ from `before` (`changed_cells`) into a copy
    of the workbook `source` at `output`, or, `in_place` with `output` the source itself, into
    it (keeping `<name>.bak`; an unchanged table is left as it is). A cell holding a formula is
    never overwritten.

    Returns the cells left as they were (formulas, cells under a merged cell), or None, writing
    nothing, when `source` cannot be patched into `output` (a CSV, stdin, an .xls, an output
    of another kind): the caller then writes the table whole.
    """
    from crmkit.io.write import is_input, patch_workbook

    if before.format != "xlsx" or "-" in (source, output):
        return None
    target = Path(output)
    over = in_place and is_input(target, [source])
    cells = changed_cells(before, after)
    if over and not cells:
        return []
    untouched: list[Untouched] = []
    written = patch_workbook(Path(source), cells, inputs=inputs, output=None if over else target,
                             untouched=untouched, retype=True)  # fmt: skip
    return untouched if written else None
