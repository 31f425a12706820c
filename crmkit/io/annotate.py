"""Write a copy of a checked workbook with each bad cell filled and commented."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from crmkit.errors import InputError
from crmkit.io.guard import OLE
from crmkit.io.table import Table
from crmkit.io.write import atomic_path

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"


def annotate_workbook(
    table: Table,
    issues: Iterable[Any],
    output: str | Path,
    *,
    source: str | Path | None,
    inputs: Sequence[str | Path | None] = (),
) -> Path:
    """Copy the table's workbook (or lay out its CSV) into `output`, marking every issue's cell.

    Errors are filled red, warnings yellow; each cell gets a comment with its messages. The
    input is never touched. Returns the output path.
    """
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    output = Path(output)
    if table.format == "xlsx" and source is not None:
        with open(source, "rb") as handle:
            old = handle.read(len(OLE)) == OLE
        if old:
            raise InputError(
                f"{table.name}: an old .xls workbook cannot be copied with annotations; "
                "save it as .xlsx for an annotated copy"
            )
        try:
            workbook = load_workbook(source, keep_vba=str(source).lower().endswith(".xlsm"))
        except Exception as exc:
            raise InputError(f"{table.name}: cannot be opened for annotation ({exc})") from None
        sheet = workbook[table.sheet] if table.sheet in workbook.sheetnames else workbook.active
    elif table.parts:
        raise InputError(f"{table.name}: a workbook read from stdin cannot be annotated")
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "data"
        for position, header in enumerate(table.headers, 1):
            sheet.cell(row=table.header_row, column=position, value=header).data_type = "s"
        for row, values in zip(table.data.index, table.data.itertuples(index=False), strict=True):
            for position, value in enumerate(values, 1):
                if value is not None and value == value and value != "":
                    cell = sheet.cell(row=int(row), column=position, value=value)
                    cell.data_type = "s" if isinstance(value, str) else cell.data_type
    by_cell: dict[tuple[Any, int, int], list[Any]] = defaultdict(list)
    positions = {header: i for i, header in reversed(list(enumerate(table.headers)))}
    # A table read from several sheets: each sheet, its header row and its own columns.
    parts = {part.sheet: part for part in table.parts}
    for issue in issues:
        if issue.file != table.name or (issue.sheet != table.sheet and issue.sheet not in parts):
            continue
        column = table.fields.get(issue.field, positions.get(issue.column, 0))
        target, header_row = sheet, table.header_row
        part = parts.get(issue.sheet)
        if part is not None and table.format == "xlsx" and source is not None:
            target, header_row = workbook[part.sheet], part.header_row
            column = part.columns.index(column) if column in part.columns else 0
        if issue.rule == "missing_column":
            column = 0
        row, col = _top_left(target, int(issue.row or header_row), column + 1)
        by_cell[(target, row, col)].append(issue)
    fills = {
        "error": PatternFill("solid", start_color=ERROR_FILL, end_color=ERROR_FILL),
        "warning": PatternFill("solid", start_color=WARNING_FILL, end_color=WARNING_FILL),
    }
    for (target, row, column), found in by_cell.items():
        cell = target.cell(row=row, column=column)
        worst = "error" if any(i.severity == "error" for i in found) else "warning"
        cell.fill = fills[worst]
        text = "\n".join(f"[{i.severity}] {i.message}" for i in found)
        cell.comment = Comment(text, "crmkit", width=300, height=max(60, 20 * len(found) + 20))
    with atomic_path(output, inputs) as temp:
        workbook.save(temp)
    return output


def _top_left(sheet: Any, row: int, column: int) -> tuple[int, int]:
    """The cell that holds a merged cell's value (only it can be filled and commented)."""
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, column
