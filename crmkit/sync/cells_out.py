"""The cells a sync writes into a workbook, so that only they change: the synced cells of the
customer table, and the rows the triggers add below the task table's last row. Each is (sheet,
header row, row as the sheet shows it, header as written, value), as io/write.patch_workbook
takes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pandas as pd

from crmkit.io.table import Table

Cell = tuple[str, int, int, str, Any]


def synced_cells(table: Table, synced: Table, changes: pd.DataFrame) -> Iterator[Cell]:
    """The changed cells of the customer table (dates as datetimes, for date cells), made as
    they are written."""
    header_rows = {part.sheet: part.header_row for part in table.parts}
    dates = {synced.header_of(n) for n in ("updated_at", "next_followup") if synced.has(n)}
    sheets = changes["sheet"] if "sheet" in changes else [table.sheet] * len(changes)
    return (
        (str(sheet), header_rows.get(sheet, table.header_row), int(row), str(field),
         datetime.fromisoformat(after) if str(field) in dates and after else after)
        for sheet, row, field, after in zip(sheets, changes["row"], changes["field"],
                                            changes["after"], strict=True)
    )  # fmt: skip


def added_cells(before: Table, after: Table) -> list[Cell]:
    """The cells of the rows `after` has beyond `before` (the tasks a sync added)."""
    header_rows = {part.sheet: part.header_row for part in after.parts}
    added = after.data.index.difference(before.data.index)
    sheets, rows = after.places(added)
    return [
        (str(sheet if sheet is not None else after.sheet), header_rows.get(sheet, after.header_row),
         int(row), header, value)
        for key, sheet, row in zip(added, sheets, rows, strict=True)
        for header, value in zip(after.headers, after.data.loc[key], strict=True)
        if value is not None and not (isinstance(value, float) and pd.isna(value))
    ]  # fmt: skip
