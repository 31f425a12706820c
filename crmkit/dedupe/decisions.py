"""A person's decisions on pairs: the pairs report with its decision column marked accept or reject."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

import pandas as pd

from crmkit.dedupe.names import compact, fold
from crmkit.dedupe.pool import Pool
from crmkit.errors import InputError
from crmkit.io.table import Table

ACCEPT = {"accept", "accepted", "yes", "y", "merge", "same", "是", "合并", "接受", "同意", "重复"}
REJECT = {"reject", "rejected", "no", "n", "keep", "different", "否", "不合并", "拒绝", "不同"}
_COLUMNS = ("left_file", "left_row", "right_file", "right_row", "decision")


@dataclass
class Decisions:
    """Pairs (pool indices, smaller first) a person accepted or rejected, and what was ignored."""

    accepted: set[tuple[int, int]] = field(default_factory=set)
    rejected: set[tuple[int, int]] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)


def _text(cell: object) -> str:
    return "" if cell is None or pd.isna(cell) else str(cell).strip()  # type: ignore[call-overload]


def _locator(pool: Pool) -> dict[tuple[str, int], int]:
    names = [t.table.name for t in pool.tables]
    base = [PurePath(n).name for n in names]
    where: dict[tuple[str, int], int] = {}
    for position, pooled in enumerate(pool.tables):
        aliases = {names[position]}
        if base.count(base[position]) == 1:
            aliases.add(base[position])
        for offset, row in enumerate(pooled.table.data.index):
            for alias in aliases:
                where[(alias, int(row))] = pooled.start + offset
    return where


def read_decisions(table: Table, pool: Pool, name_header: str) -> Decisions:
    """The accept/reject marks of a reviewed pairs file, matched to the pool by file and row.

    A mark whose row is not in the inputs, or whose name (`left_` / `right_` + `name_header`)
    no longer matches the row, is ignored and listed. Raises InputError when a column is missing.
    """
    headers = {h.strip(): i for i, h in enumerate(table.headers)}
    missing = [c for c in _COLUMNS if c not in headers]
    if missing:
        raise InputError(f"{table.name}: not a pairs report: no column {', '.join(missing)}")
    where = _locator(pool)
    names = pool.records["name"]
    result = Decisions()
    for row, cells in zip(
        table.data.index.tolist(), table.data.itertuples(index=False), strict=True
    ):
        mark = _text(cells[headers["decision"]]).casefold()
        verdict = "accept" if mark in ACCEPT else "reject" if mark in REJECT else None
        if verdict is None:
            continue
        ends: list[int] = []
        for side in ("left", "right"):
            file = _text(cells[headers[f"{side}_file"]])
            number = _text(cells[headers[f"{side}_row"]]).removesuffix(".0")
            index = where.get((file, int(number))) if number.isdigit() else None
            if index is None:
                result.ignored.append(
                    f"{table.location(row)}: {file}:{number} is not in the inputs"
                )
                break
            column = headers.get(f"{side}_{name_header}")
            written = compact(fold(_text(cells[column]))) if column is not None else ""
            if written and written != compact(fold(str(names.iat[index] or ""))):
                result.ignored.append(
                    f"{table.location(row)}: {pool.label(index)} has changed since the review"
                )
                break
            ends.append(index)
        if len(ends) == 2 and ends[0] != ends[1]:
            pair = (min(ends), max(ends))
            (result.accepted if verdict == "accept" else result.rejected).add(pair)
    return result
