"""Clean a table: write every cell in canonical form, keep what cannot be fixed as it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from crmkit.ids import generate_ids
from crmkit.io.table import Table
from crmkit.schema import is_generated
from crmkit.spec import LANGS, TableSpec, header_key
from crmkit.validate import Issue, check_table, locate_issues


@dataclass
class CleanResult:
    """The cleaned table, the issues it still has, and what cleaning changed."""

    table: Table
    issues: list[Issue] = field(default_factory=list)
    changed_cells: int = 0
    generated_ids: dict[int, str] = field(default_factory=dict)
    unfixed_rows: list[int] = field(default_factory=list)
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
    data = table.data.rename(columns=lambda c: c + 1 if c >= position else c)
    data.insert(position, position, pd.Series(None, index=data.index, dtype=object))
    written = {header_key(table.header_of(n)) for n in table.fields}
    lang = max(
        LANGS, key=lambda lang: sum(header_key(f.header(lang)) in written for f in spec.fields)
    )
    header = spec.field(key).header(lang)
    widened = table.with_data(data)
    widened.headers.insert(position, header)
    widened.fields = {n: p + 1 if p >= position else p for n, p in table.fields.items()}
    widened.fields[key] = position
    note = f"{table.location()}: no {header} column; added it as column {position + 1}"
    return widened, note


def clean_table(table: Table, *, today: date | None = None) -> CleanResult:
    """Normalize every field of a table read with a spec; generate missing 客户编号 (adding
    the column when the table has none, with a note).

    Rows with an error that cleaning cannot fix are kept exactly as they were and listed in
    the result's issues; extra columns are never touched.
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
    checked = check_table(table)
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
    located = locate_issues(table, blocking)  # rows of later sheets as their sheet shows them
    return CleanResult(table.with_data(data), located, changed, generated, unfixed, notes)


def cleaned_frame(result: CleanResult) -> pd.DataFrame:
    """The cleaned cells under the headers as the user wrote them, ready to write."""
    return result.table.to_frame()
