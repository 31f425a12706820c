"""One table from the sheets of a workbook that hold the same kind of table (one per
salesperson or per month), each row keeping its sheet and row."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from crmkit.errors import InputError
from crmkit.io.table import ROW_STRIDE, SheetPart, Table


def why_not_read(error: InputError) -> str:
    """The reason in a reader's error about one sheet, without the file and sheet before it."""
    reason = str(error).split(": ", 1)[-1]
    return re.sub(r" \(expected headers such as .*\)$", "", reason)


def other_kind(first: Table, table: Table) -> str | None:
    """Why `table` (another sheet) is not of the same kind as `first`, or None when it is: its
    best spec is another one, or it names few of the fields the first sheet names."""
    assert first.spec is not None and table.spec is not None
    if table.spec.kind != first.spec.kind:
        return f"its headers are those of {table.spec.kind}, not {first.spec.kind}"
    shared = len(set(first.fields) & set(table.fields))
    if shared < max(2, (len(first.fields) + 1) // 2):
        return f"its headers name only {shared} of the {len(first.fields)} columns of sheet {first.sheet}"
    return None


def _keys(table: Table) -> list[tuple[str, int]]:
    """A key per column under which the same column of other sheets meets it: its field, else
    its header (and which repeat of it)."""
    fields = {position: name for name, position in table.fields.items()}
    seen: Counter[str] = Counter()
    keys = []
    for position, header in enumerate(table.headers):
        key = fields.get(position) or "\x00" + header.strip()
        keys.append((key, seen[key]))
        seen[key] += 1
    return keys


def combine_sheets(tables: Sequence[Table], skipped: Sequence[tuple[str, str]]) -> Table:
    """One table of the rows of every sheet read (columns matched by field, else by header);
    a note names the sheets not read and why."""
    first = tables[0]
    notes = []
    if skipped:
        listed = "; ".join(f"{sheet} ({reason})" for sheet, reason in skipped)
        kind = first.spec.kind if first.spec else "table"
        notes.append(f"{first.name}: sheets not read as {kind}: {listed}")
    if len(tables) == 1:
        first.notes.extend(notes)
        return first
    order: dict[tuple[str, int], int] = {}
    headers: list[str] = []
    parts: list[SheetPart] = []
    frames: list[pd.DataFrame] = []
    for ordinal, table in enumerate(tables):
        positions = []
        for position, key in enumerate(_keys(table)):
            if key not in order:
                order[key] = len(headers)
                headers.append(table.headers[position])
            positions.append(order[key])
        assert table.sheet is not None
        parts.append(
            SheetPart(table.sheet, table.header_row, tuple(positions), tuple(table.headers))
        )
        frame = table.data.copy()
        frame.columns = pd.Index(positions)
        frame.index = frame.index + ordinal * ROW_STRIDE
        frames.append(frame)
    width = len(headers)
    data = pd.concat([f.reindex(columns=range(width)) for f in frames])
    data = data.astype(object).where(data.notna(), None)
    assert first.spec is not None
    return Table(
        data=data,
        headers=headers,
        name=first.name,
        sheet=first.sheet,
        header_row=first.header_row,
        format=first.format,
        fields=first.spec.map_headers(headers),
        spec=first.spec,
        notes=[*(n for t in tables for n in t.notes), *notes],
        parts=parts,
    )
