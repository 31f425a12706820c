"""A copy of a workbook with a few cells changed: `report profile --tag` writes its tags so.

A stand-in for `crmkit.io.write.patch_workbook(..., output=)` (being added to io/write.py);
once that is on main this module goes and the caller uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crmkit.io.write import atomic_path, is_formula_like


def patch_copy(
    original: Path,
    output: Path,
    cells: Iterable[tuple[str, int, int, str, Any]],
    *,
    inputs: Iterable[str | Path | None] = (),
) -> bool:
    """Write `original` to `output` with the text cells (sheet, header row, row as the sheet
    shows it, header as written, text) changed, every other cell, sheet, merged title row,
    format, formula and comment kept. A header its sheet lacks is added after its last header.
    False, writing nothing, when a sheet is missing or openpyxl cannot rewrite the file (the
    caller then writes the whole table). Raises OutputError when `output` is an input."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(original, keep_vba=original.suffix.lower() == ".xlsm")
    except Exception:  # an old .xls …: the caller writes the table anew
        return False
    columns: dict[tuple[str, str], int] = {}
    for sheet, header_row, row, header, value in cells:
        if sheet not in workbook.sheetnames:
            return False
        worksheet = workbook[sheet]
        if (sheet, header) not in columns:
            found = {
                str(c.value).strip(): c.column for c in worksheet[header_row] if c.value is not None
            }
            if header not in found:  # a column the sheet lacked: after its last header
                column = max(found.values(), default=0) + 1
                worksheet.cell(row=header_row, column=column).value = header
                found[header] = column
            columns[sheet, header] = found[header]
        cell = worksheet.cell(row=row, column=columns[sheet, header])
        cell.value = value if value else None
        if is_formula_like(cell.value):
            cell.data_type = "s"  # text, shown as written, never run
    with atomic_path(output, inputs) as temp:
        workbook.save(temp)
    return True
