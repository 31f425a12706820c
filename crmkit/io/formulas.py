"""Which formulas of a patched workbook still hold the value a spreadsheet saved for them.

openpyxl saves a formula without its value; io/cells.keep_saved_values gives the copy the
original's values back. A value is only still true when nothing the formula reads changed:
a formula reading a written cell — or a formula whose value is not kept — would show a value
that is no longer true (LibreOffice does not compute an xlsx again on opening), so it is left
without one, for a spreadsheet to compute and for crmkit's reader to name.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

_MAX_ROW = 1_048_576
_MAX_COLUMN = 16_384
# Functions whose reference is made while computing: what they read cannot be told.
_DYNAMIC = ("INDIRECT(", "OFFSET(")

Range = tuple[str, int, int, int, int]  # sheet, first row, first column, last row, last column


def kept_formulas(workbook: Any, written: Iterable[tuple[str, int, int]]) -> set[tuple[str, str]]:
    """(sheet, coordinate) of the formula cells whose saved value still holds after the cells
    `written` ((sheet, row, column) each) changed: those that read none of them, nor any
    formula whose value does not hold."""
    formulas: dict[tuple[str, int, int], list[Range] | None] = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    text = getattr(cell.value, "text", cell.value)  # an ArrayFormula's text
                    formulas[sheet.title, cell.row, cell.column] = _ranges(str(text), sheet.title)
    changed = _Cells(written)
    stale: set[tuple[str, int, int]] = set()
    while True:
        new = [
            cell
            for cell, ranges in formulas.items()
            if cell not in stale and (ranges is None or any(changed.within(r) for r in ranges))
        ]
        if not new:
            break
        stale.update(new)
        changed.add(new)
    from openpyxl.utils import get_column_letter

    return {
        (sheet, f"{get_column_letter(column)}{row}")
        for sheet, row, column in formulas
        if (sheet, row, column) not in stale
    }


def _ranges(formula: str, sheet: str) -> list[Range] | None:
    """The ranges a formula reads; None when that cannot be told (a defined name, a table,
    another workbook, INDIRECT or OFFSET)."""
    from openpyxl.formula import Tokenizer
    from openpyxl.utils.cell import range_boundaries

    try:
        items = Tokenizer(formula).items
    except Exception:
        return None
    found: list[Range] = []
    for item in items:
        if item.type == "FUNC" and item.subtype == "OPEN" and item.value.upper() in _DYNAMIC:
            return None
        if item.type != "OPERAND" or item.subtype != "RANGE":
            continue
        where, _, reference = item.value.rpartition("!")
        if "[" in item.value or "#REF" in reference:
            return None
        try:
            first_column, first_row, last_column, last_row = range_boundaries(
                reference.replace("$", "")
            )
        except ValueError:
            return None  # a defined name
        name = where.strip("'").replace("''", "'") if where else sheet
        found.append((name, first_row or 1, first_column or 1, last_row or _MAX_ROW,
                      last_column or _MAX_COLUMN))  # fmt: skip
    return found


class _Cells:
    """Cells by sheet and column, rows sorted: whether a range holds one of them."""

    def __init__(self, cells: Iterable[tuple[str, int, int]]):
        self._rows: dict[str, dict[int, list[int]]] = {}
        self.add(cells)

    def add(self, cells: Iterable[tuple[str, int, int]]) -> None:
        for sheet, row, column in cells:
            self._rows.setdefault(sheet, {}).setdefault(column, []).append(row)
        for columns in self._rows.values():
            for rows in columns.values():
                rows.sort()

    def within(self, found: Range) -> bool:
        sheet, first_row, first_column, last_row, last_column = found
        for column, rows in self._rows.get(sheet, {}).items():
            if first_column <= column <= last_column:
                at = bisect_left(rows, first_row)
                if at < len(rows) and rows[at] <= last_row:
                    return True
        return False
