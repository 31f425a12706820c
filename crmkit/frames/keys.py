"""Rows that share a key made of several fields (a target per 负责人 and 期间)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from crmkit.findings import Finding
from crmkit.frames.columns import NormalizedColumn
from crmkit.io.table import Table


def shared_keys(columns: Mapping[str, pd.Series]) -> dict[int, list[int]]:
    """Each row whose canonical values in all `columns` (none missing) are also another row's:
    row index → the indexes of every row with that key, in order. Rows missing a value share
    no key."""
    frame = pd.DataFrame(dict(columns))
    frame = frame[frame.notna().all(axis=1)]
    repeated = frame[frame.duplicated(keep=False)]
    if not len(repeated):
        return {}
    groups: dict[int, list[int]] = {}
    for rows in repeated.groupby(list(frame.columns), sort=False).groups.values():
        indexes = [int(i) for i in rows]
        for index in indexes:
            groups[index] = indexes
    return groups


def duplicate_key_findings(
    table: Table, group: Sequence[str], columns: Mapping[str, NormalizedColumn]
) -> list[Finding]:
    """An error for each row whose values in a unique group (负责人 and 期间) another row repeats;
    it names the last field's column and the other rows."""
    present = [name for name in group if name in columns]
    if len(present) < len(group):
        return []
    shared = shared_keys({name: columns[name].values for name in group})
    header = table.header_of(group[-1])
    names = "+".join(table.header_of(name) for name in group)
    found = []
    for row, rows in shared.items():
        value = " ".join(str(columns[name].values[row]) for name in group)
        others = table.rows_text(r for r in rows if r != row)
        found.append(
            Finding(table.name, table.sheet, row, header, group[-1], value, "error", "unique",
                  f"duplicate {names} {value} (also in {others})")
        )  # fmt: skip
    return found
