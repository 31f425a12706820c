"""A person's decisions on pairs: the pairs report with its decision column marked accept or
reject, and the rejections carried forward in the merged output's `not_duplicate_of` column.

A rejected pair must stay rejected on every later run, also on the merged output (where the
file and row of the review no longer exist): the merged row of each side lists, in
NOT_DUPLICATE_OF, the 客户编号 of the customers a person said it is not; a rerun reads it back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from crmkit.dedupe.pool import Pool
from crmkit.errors import InputError
from crmkit.io.guard import Limits
from crmkit.io.read import read_json, read_table
from crmkit.io.table import Table
from crmkit.spec.names import compact, fold

ACCEPT = {"accept", "accepted", "yes", "y", "merge", "same", "是", "合并", "接受", "同意", "重复"}
REJECT = {"reject", "rejected", "no", "n", "keep", "different", "否", "不合并", "拒绝", "不同"}
_COLUMNS = ("left_file", "left_row", "right_file", "right_row", "decision")
NOT_DUPLICATE_OF = "not_duplicate_of"
_ID_SEPARATORS = re.compile(r"[;,，；、\s]+")


@dataclass
class Decisions:
    """Pairs (pool indices, smaller first) a person accepted or rejected, and what was ignored."""

    accepted: set[tuple[int, int]] = field(default_factory=set)
    rejected: set[tuple[int, int]] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)

    def then(self, later: Decisions) -> Decisions:
        """These decisions overridden by `later` ones (a later accept lifts an earlier reject)."""
        return Decisions(
            (self.accepted - later.rejected) | later.accepted,
            (self.rejected - later.accepted) | later.rejected,
            self.ignored + later.ignored,
        )


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


def load_decisions(
    path: str | PurePath, pool: Pool, name_header: str, *, limits: Limits | None = None
) -> Decisions:
    """The marks of a reviewed pairs report in any format --report writes (.xlsx, .csv, .json).

    Raises InputError when it cannot be read or is not a pairs report.
    """
    if PurePath(path).suffix.lower() == ".json":
        records = read_json(str(path), limits=limits)
        return read_decision_records(records, str(path), pool, name_header)
    return read_decisions(read_table(str(path), limits=limits), pool, name_header)


def read_decisions(table: Table, pool: Pool, name_header: str) -> Decisions:
    """The accept/reject marks of a reviewed pairs file, matched to the pool by file and row.

    A mark whose row is not in the inputs, or whose name (`left_` / `right_` + `name_header`)
    no longer matches the row, is ignored and listed. Raises InputError when a column is missing.
    """
    rows = zip(table.data.index.tolist(), table.data.itertuples(index=False), strict=True)
    return _read_marks(table.name, table.headers, rows, table.location, pool, name_header)


def read_decision_records(
    records: Sequence[dict[str, Any]], name: str, pool: Pool, name_header: str
) -> Decisions:
    """The marks of a pairs report written as JSON (`--report pairs.json`): a list of records.

    Raises InputError when it is not a list of records with the pairs report's keys.
    """
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{name}: not a pairs report: expected a list of records")
    headers = list(dict.fromkeys(key for record in records for key in record))
    rows = (
        (number, tuple(record.get(h) for h in headers))
        for number, record in enumerate(records, start=1)
    )
    return _read_marks(
        name, headers, rows, lambda number: f"{name}: record {number}", pool, name_header
    )


def _read_marks(
    name: str,
    header_row: Sequence[str],
    rows: Any,
    location: Callable[[int], str],
    pool: Pool,
    name_header: str,
) -> Decisions:
    headers = {str(h).strip(): i for i, h in enumerate(header_row)}
    missing = [c for c in _COLUMNS if c not in headers]
    if missing:
        raise InputError(f"{name}: not a pairs report: no column {', '.join(missing)}")
    where = _locator(pool)
    names = pool.records["name"]
    result = Decisions()
    for row, cells in rows:
        mark = _text(cells[headers["decision"]]).casefold()
        verdict = "accept" if mark in ACCEPT else "reject" if mark in REJECT else None
        if verdict is None:
            continue
        ends: list[int] = []
        for side in ("left", "right"):
            file = _text(cells[headers[f"{side}_file"]])
            number = _text(cells[headers[f"{side}_row"]]).removesuffix(".0")
            sheet_at = headers.get(f"{side}_sheet")
            sheet = _text(cells[sheet_at]) if sheet_at is not None else ""
            if sheet and number.isdigit() and (f"{file} (sheet {sheet})", int(number)) in where:
                file = f"{file} (sheet {sheet})"  # one sheet of a workbook of several
            index = where.get((file, int(number))) if number.isdigit() else None
            if index is None:
                result.ignored.append(f"{location(row)}: {file}:{number} is not in the inputs")
                break
            column = headers.get(f"{side}_{name_header}")
            written = compact(fold(_text(cells[column]))) if column is not None else ""
            if written and written != compact(fold(str(names.iat[index] or ""))):
                result.ignored.append(
                    f"{location(row)}: {pool.label(index)} has changed since the review"
                )
                break
            ends.append(index)
        if len(ends) == 2 and ends[0] != ends[1]:
            pair = (min(ends), max(ends))
            (result.accepted if verdict == "accept" else result.rejected).add(pair)
    return result


def carried_decisions(pool: Pool) -> Decisions:
    """The rejections an earlier run wrote in the inputs' NOT_DUPLICATE_OF column: each row
    against every row whose 客户编号 it lists."""
    result = Decisions()
    if not any(NOT_DUPLICATE_OF in pooled.positions for pooled in pool.tables):
        return result
    ids = pool.records["customer_id"].to_numpy(dtype=object)
    rows_of: dict[str, list[int]] = {}
    for index in np.flatnonzero(pd.notna(ids)).tolist():
        rows_of.setdefault(str(ids[index]), []).append(index)
    for pooled in pool.tables:
        position = pooled.positions.get(NOT_DUPLICATE_OF)
        if position is None:
            continue
        cells = pooled.table.data.iloc[:, position].tolist()
        for offset, cell in enumerate(cells):
            text = _text(cell)
            if not text:
                continue
            index = pooled.start + offset
            for other in filter(None, _ID_SEPARATORS.split(text)):
                for partner in rows_of.get(other, ()):
                    if partner != index:
                        result.rejected.add((min(index, partner), max(index, partner)))
    return result


def listed_ids(cell: object) -> list[str]:
    """The 客户编号 a NOT_DUPLICATE_OF cell lists."""
    return [i for i in _ID_SEPARATORS.split(_text(cell)) if i]
