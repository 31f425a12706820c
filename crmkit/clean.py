"""Clean a table: write every cell in canonical form, keep what cannot be fixed as it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from crmkit.ids import generate_ids
from crmkit.io.table import Table
from crmkit.normalize import (
    OTHER_PHONES,
    SERIAL_DATES,
    SerialDates,
    is_empty,
    phone_numbers,
)
from crmkit.schema import is_generated
from crmkit.spec import LANGS, TableSpec, header_key
from crmkit.validate import CheckedTable, Issue, check_table, locate_issues


@dataclass
class CleanResult:
    """The cleaned table, the issues it still has, and what cleaning changed."""

    table: Table
    issues: list[Issue] = field(default_factory=list)
    changed_cells: int = 0
    generated_ids: dict[int, str] = field(default_factory=dict)
    unfixed_rows: list[int] = field(default_factory=list)
    other_phones: dict[int, str] = field(default_factory=dict)
    other_phones_header: str = OTHER_PHONES
    notes: list[str] = field(default_factory=list)  # what cleaning did beyond the cells

    @property
    def errors(self) -> list[Issue]:
        """The issues cleaning could not fix."""
        return [i for i in self.issues if i.severity == "error"]


def _to_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _with_key_column(table: Table, spec: TableSpec, key: str) -> tuple[Table, str]:
    """The table with an empty column for its generated key (客户编号), placed as the spec
    orders it (after the last column of a field the spec puts before it; else first) and
    headed in the table's language; and a note saying so."""
    names = [f.name for f in spec.fields]
    before = [table.fields[n] for n in names[: names.index(key)] if table.has(n)]
    position = max(before) + 1 if before else 0
    written = {header_key(table.header_of(n)) for n in table.fields}
    lang = max(
        LANGS, key=lambda lang: sum(header_key(f.header(lang)) in written for f in spec.fields)
    )
    header = spec.field(key).header(lang)
    widened = table.insert_column(position, header, field=key)
    note = f"{table.location()}: no {header} column; added it as column {position + 1}"
    return widened, note


def clean_table(
    table: Table, *, today: date | None = None, serial_dates: SerialDates = SERIAL_DATES
) -> CleanResult:
    """Normalize every field of a table read with a spec; generate missing 客户编号 (adding
    the column when the table has none, with a note).

    Rows with an error that cleaning cannot fix are kept exactly as they were and listed in
    the result's issues; extra columns are never touched. A phone cell holding several phones
    keeps the first; the others go to a 其他电话 column (added right after the phone column
    unless the table has one). `serial_dates` bounds the numbers read as Excel serial dates.
    """
    today = today or date.today()
    spec = table.spec
    if spec is None:
        raise ValueError("clean_table needs a table read with a field spec")
    notes: list[str] = []
    if spec.key and not table.has(spec.key) and is_generated(spec, spec.key):
        table, note = _with_key_column(table, spec, spec.key)
        notes.append(note)
    key = spec.key if spec.key and table.has(spec.key) else None
    generate = key is not None and spec.field(key).type == "id"
    checked = check_table(table, serial_dates=serial_dates)
    blocking = [i for i in checked.issues if i.severity == "error"]
    unfixed = sorted(
        {int(i.row) for i in blocking if i.row is not None and i.rule != "missing_column"}
    )
    keep = table.data.index.isin(unfixed)
    data = table.data.copy()
    changed = 0
    for name, column in checked.columns.items():
        position = table.fields[name]
        before = data[position]
        usable = column.mask("ok", "changed", "warn").to_numpy() & ~keep
        empty = column.mask("empty").to_numpy() & ~keep
        values = column.values
        if spec.field(name).type == "datetime":
            # Real date cells in a workbook (ISO text in CSV), so Excel sorts and filters them.
            values = values.map(_to_datetime, na_action="ignore")
        after = before.astype(object).where(~usable, values).where(~empty, None)
        changed += int((column.mask("changed", "warn").to_numpy() & usable).sum())
        data[position] = after
    generated: dict[int, str] = {}
    if generate and key is not None:
        position = table.fields[key]
        missing = data[position].isna() & ~keep
        existing = set(checked.columns[key].values.dropna().astype(str))
        existing |= set(table.column(key).dropna().astype(str))
        new = generate_ids(existing, int(missing.sum()), prefix=spec.id_prefix, day=today)
        rows = data.index[missing.to_numpy()]
        data.loc[rows, position] = np.array(new, dtype=object)
        generated = dict(zip((int(r) for r in rows), new, strict=True))
        changed += len(generated)
    cleaned = table.with_data(data)
    moved: dict[int, str] = {}
    label = OTHER_PHONES
    for name in [n for n in checked.columns if spec.field(n).type == "phone"]:
        cleaned, others, header = _move_other_phones(cleaned, checked, name, keep)
        if others:
            moved.update(others)
            label = header
    located = locate_issues(table, blocking)  # rows of later sheets as their sheet shows them
    return CleanResult(cleaned, located, changed, generated, unfixed, moved, label, notes)


_OTHER_HEADERS = {header_key(OTHER_PHONES), header_key("Other Phones")}


def _move_other_phones(
    table: Table, checked: CheckedTable, name: str, keep: np.ndarray
) -> tuple[Table, dict[int, str], str]:
    """Put the second and further phones of each cell of field `name` in a 其他电话 column.

    Returns the table (with the column added if it had none), the text written by row and
    the column's header.
    """
    assert table.spec is not None
    column = checked.columns[name]
    several = column.mask("warn").to_numpy() & ~keep
    label = "Other Phones" if table.header_of(name).isascii() else OTHER_PHONES
    if not several.any():
        return table, {}, label
    area = table.spec.field(name).default_area_code
    raw = checked.table.column(name)[several]
    others = {
        int(row): phone_numbers(value, default_area_code=area)[1:] for row, value in raw.items()
    }
    others = {row: phones for row, phones in others.items() if phones}
    if not others:
        return table, {}, label
    position = table.fields[name]
    taken = set(table.fields.values())
    found = [
        p
        for p, header in enumerate(table.headers)
        if p not in taken and header_key(str(header)) in _OTHER_HEADERS
    ]
    data = table.data
    written: dict[int, str] = {}
    if found:
        target = found[0]
        existing = data[target].astype(object).to_dict()
        for row, phones in others.items():
            before = "" if is_empty(existing[row]) else str(existing[row])
            new = [p for p in phones if p not in before]
            if new:
                existing[row] = written[row] = ", ".join(([before] if before else []) + new)
        data = data.copy()
        data[target] = pd.Series(existing, dtype=object)
        return table.with_data(data), written, str(table.headers[target])
    written = {row: ", ".join(phones) for row, phones in others.items()}
    cells = pd.Series(None, index=data.index, dtype=object)
    cells.loc[list(written)] = list(written.values())
    return table.insert_column(position + 1, label, cells), written, label


def cleaned_frame(result: CleanResult) -> pd.DataFrame:
    """The cleaned cells under the headers as the user wrote them, ready to write."""
    return result.table.to_frame()
