"""Clean a table: write every cell in canonical form, keep what cannot be fixed as it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from crmkit.findings import Finding as Issue
from crmkit.frames.check import check_table, locate_issues
from crmkit.frames.columns import NormalizedColumn
from crmkit.frames.patch import cell_texts
from crmkit.frames.schema import is_generated
from crmkit.io.table import Table
from crmkit.text.ids import generate_ids
from crmkit.text.normalize import is_empty


@dataclass
class CleanResult:
    """The cleaned table, the issues it still has, and what cleaning changed."""

    table: Table
    issues: list[Issue] = field(default_factory=list)
    changed_cells: int = 0
    generated_ids: dict[int, str] = field(default_factory=dict)
    unfixed_rows: list[int] = field(default_factory=list)
    other_phones: dict[int, str] = field(default_factory=dict)
    other_phones_header: str = ""  # the header of the column they went to
    notes: list[str] = field(default_factory=list)  # what cleaning did beyond the cells
    key_note: str = ""  # the note of `notes` saying where a generated key column was added

    @property
    def errors(self) -> list[Issue]:
        """The issues cleaning could not fix."""
        return [i for i in self.issues if i.severity == "error"]


def _to_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _with_key_column(table: Table, key: str) -> tuple[Table, str]:
    """The table with an empty column for its generated key (客户编号), placed and headed as
    the spec says (`Table.add_field_column`); and a note saying so."""
    widened = table.add_field_column(key)
    note = (
        f"{table.location()}: no {widened.header_of(key)} column; "
        f"added it as column {widened.fields[key] + 1}"
    )
    return widened, note


def clean_table(table: Table, *, today: date | None = None) -> CleanResult:
    """Normalize every field of a table read with a spec; generate missing 客户编号 (adding
    the column when the table has none, with a note).

    Rows with an error that cleaning cannot fix are kept exactly as they were and listed in
    the result's issues; extra columns are never touched. A phone cell holding several phones
    keeps the first; the others go to the spec's other_phones column (其他电话, added as the
    spec places it unless the table has one). Numbers in date columns are read as Excel serial
    dates within each field's `serial_dates`.
    """
    today = today or date.today()
    spec = table.spec
    if spec is None:
        raise ValueError("clean_table needs a table read with a field spec")
    notes: list[str] = []
    key_note = ""
    if spec.key and not table.has(spec.key) and is_generated(spec, spec.key):
        table, key_note = _with_key_column(table, spec.key)
        notes.append(key_note)
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
    nowhere = OTHER_PHONES not in {f.name for f in spec.fields}
    for name, column in checked.columns.items():
        position = table.fields[name]
        before = data[position]
        usable = column.mask("ok", "changed", "warn").to_numpy() & ~keep
        if nowhere and column.others is not None:
            # A team's spec without other_phones: a cell of several phones stays as written.
            several = column.others.notna().to_numpy() & usable
            usable &= ~several
            if several.any():
                notes.append(
                    f"{table.location()}: {int(several.sum())} cells of {table.header_of(name)} "
                    f"hold several phones; kept as written (the spec has no {OTHER_PHONES} field)"
                )
        empty = column.mask("empty").to_numpy() & ~keep
        values = column.values
        written = usable | empty
        rewritten = column.mask("changed", "warn").to_numpy() & usable
        # A cell the normalizer passed as it was may still be written otherwise than read
        # (2024/3/20 14:00 → 2024-03-20 14:00, 120000.00 → 120000, "  " → blank).
        shown = before.astype(object).where(~usable, values).where(~empty, None)
        rewritten[written] |= cell_texts(before[written]) != cell_texts(shown[written])
        changed += int(rewritten.sum())
        if spec.field(name).type == "datetime":
            # Real date cells in a workbook (ISO text in CSV), so Excel sorts and filters them.
            values = values.map(_to_datetime, na_action="ignore")
            shown = before.astype(object).where(~usable, values).where(~empty, None)
        data[position] = shown
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
    label = ""
    for name in [n for n in checked.columns if spec.field(n).type == "phone"]:
        cleaned, others = _move_other_phones(cleaned, checked.columns[name], keep)
        if others:
            moved.update(others)
            label = cleaned.header_of(OTHER_PHONES)
    located = locate_issues(table, blocking)  # rows of later sheets as their sheet shows them
    return CleanResult(cleaned, located, changed, generated, unfixed, moved, label, notes, key_note)


OTHER_PHONES = "other_phones"  # the field the second and further phones of a cell go to


def _move_other_phones(
    table: Table, column: NormalizedColumn, keep: np.ndarray
) -> tuple[Table, dict[int, str]]:
    """Put the second and further phones of each cell of a phone column (`column`, as
    normalized) in the other_phones column, added when the table has none.

    Returns the table and the text written by row. Nothing when the spec has no other_phones.
    """
    assert table.spec is not None
    if column.others is None or OTHER_PHONES not in {f.name for f in table.spec.fields}:
        return table, {}  # cells of several phones were kept as written
    several = column.mask("warn").to_numpy() & ~keep & column.others.notna().to_numpy()
    others = {int(row): list(phones) for row, phones in column.others[several].items()}
    if not others:
        return table, {}
    if not table.has(OTHER_PHONES):
        written = {row: ", ".join(phones) for row, phones in others.items()}
        cells = pd.Series(None, index=table.data.index, dtype=object)
        cells.loc[list(written)] = list(written.values())
        return table.add_field_column(OTHER_PHONES, cells), written
    target = table.fields[OTHER_PHONES]
    existing = table.data[target].astype(object).to_dict()
    written = {}
    for row, phones in others.items():
        before = "" if is_empty(existing[row]) else str(existing[row])
        new = [p for p in phones if p not in before]
        if new:
            existing[row] = written[row] = ", ".join(([before] if before else []) + new)
    data = table.data.copy()
    data[target] = pd.Series(existing, dtype=object)
    return table.with_data(data), written
