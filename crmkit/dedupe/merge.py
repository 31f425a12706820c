"""Merge each cluster into one customer row, and trace every input row to its output row.

Survivorship, field by field: the most recent valid non-empty value (recency: the later of
更新时间 and 创建时间, then 更新时间, then 创建时间, then the later row in input order); 创建时间
is the earliest and 更新时间 the latest of the cluster's; tags are the union; the survivor keeps
the oldest 客户编号 (earliest 创建时间 among the rows that have one). Nothing is lost: values not
kept are listed in `merge_conflicts`, every merged row in `merged_from`, the customers a
person said it is not (or whose places conflict with its cluster's) in `not_duplicate_of`, and the map gives each input row its output
客户编号. A 客户编号 found on two different customers stays with the earlier one (创建时间,
then input order); the other gets a new one, and says so in the map.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmkit.dedupe import DuplicateReport
from crmkit.dedupe.decisions import NOT_DUPLICATE_OF, listed_ids
from crmkit.dedupe.pool import OTHER_PHONES, Pool, give_back_memory
from crmkit.io.table import Table
from crmkit.io.write import date_column, iso_text
from crmkit.spec.fields import builtin_spec, header_language
from crmkit.spec.rulebook import Rulebook, load_rulebook
from crmkit.spec.tagcanon import TagReader
from crmkit.text import arrow
from crmkit.text.ids import generate_ids
from crmkit.text.normalize import normalize_id, phone_numbers
from crmkit.text.pii import mask_pii

MERGED_FROM = "merged_from"
CONFLICTS = "merge_conflicts"
OURS = (MERGED_FROM, CONFLICTS, NOT_DUPLICATE_OF)
EXCEL_CELL_LIMIT = 32_767  # characters an Excel cell holds; longer text is cut by Excel
_NO_CONFLICT = ("customer_id", "tags")


@dataclass
class Renumbered:
    """A 客户编号 that stood for two different customers: the one that keeps it and the one
    that got a new 客户编号 (file:row of the input rows carrying it)."""

    customer_id: str
    kept_by: str
    moved: str
    new_id: str


@dataclass
class MergeResult:
    """The merged table (one row per customer) and the map of every input row (made when
    first asked for: a million rows' map beside the merge's own peak took 150 MiB)."""

    frame: pd.DataFrame
    report: DuplicateReport = field(repr=False)  # what was merged, for the map
    survivor: np.ndarray  # output customer id of each pool row
    generated_ids: int
    renumbered: list[Renumbered]
    owners: dict[str, str]  # a 客户编号 two customers carried → the one of its owner
    id_label: str | None = None  # the 客户编号 header of `frame`

    @functools.cached_property
    def map(self) -> pd.DataFrame:
        """Every input row → its output 客户编号: file, row, customer_id, survivor_id,
        cluster_id, matched_with, rule, score, sheet (see _map)."""
        return _map(self.report, self.survivor)

    def long_lists(self) -> pd.DataFrame:
        """The items of every merged_from, merge_conflicts and not_duplicate_of cell longer than
        an Excel cell holds (EXCEL_CELL_LIMIT), one per row: customer_id, column, item."""
        parts: list[pd.DataFrame] = []
        ids = (
            self.frame[self.id_label]
            if self.id_label
            else pd.Series(range(1, len(self.frame) + 1), dtype=object)
        )
        for label in OURS:
            if label not in self.frame.columns:
                continue
            cells = self.frame[label]
            long = _too_long(cells)
            if not long.any():
                continue
            items = cells[long].astype(str).str.split("; ").explode()
            parts.append(
                pd.DataFrame(
                    {"customer_id": ids[items.index].to_numpy(), "column": label, "item": items}
                )
            )
        if not parts:
            return pd.DataFrame(columns=["customer_id", "column", "item"])
        return pd.concat(parts, ignore_index=True)

    def fitted(self, where: str) -> pd.DataFrame:
        """`frame` with each cell longer than an Excel cell holds cut after a whole item, ending
        with a note of how many items follow in `where`."""
        frame = self.frame.copy()
        for label in OURS:
            if label not in frame.columns:
                continue
            cells = frame[label]
            long = _too_long(cells)
            for index in np.flatnonzero(long.to_numpy()).tolist():
                items = str(cells.iat[index]).split("; ")
                kept: list[str] = []
                size = 0
                for item in items:
                    note = f"; … {len(items) - len(kept) - 1:,} more in {where}"
                    if size + len(item) + 2 + len(note) > EXCEL_CELL_LIMIT:
                        break
                    kept.append(item)
                    size += len(item) + 2
                rest = len(items) - len(kept)
                frame.loc[frame.index[index], label] = (
                    "; ".join(kept) + f"; … {rest:,} more in {where}"
                )
        return frame


def _too_long(cells: pd.Series) -> pd.Series:
    """Whether each cell is longer than an Excel cell holds, measured cell by cell: a text copy
    of the whole column (a million rows' merge_conflicts) cost hundreds of MiB."""
    if arrow.is_arrow_text(cells):  # characters counted in Arrow
        return pd.Series(arrow.lengths(cells) > EXCEL_CELL_LIMIT, index=cells.index)
    present = cells.notna().to_numpy(dtype=bool)
    long = present.copy()
    if present.any():
        long[present] = [len(str(value)) > EXCEL_CELL_LIMIT for value in cells[present]]
    return pd.Series(long, index=cells.index)


@dataclass
class _Column:
    label: str  # the header written out
    field: str | None  # canonical field, or None for a column the spec does not know

    @property
    def ours(self) -> bool:
        """merged_from or merge_conflicts, which crmkit writes (and reads back on a rerun)."""
        return self.field is None and self.label in OURS


def _plan(report: DuplicateReport) -> list[_Column]:
    """The output columns: the first input's, then those only later inputs have."""
    plan: list[_Column] = []
    seen: set[tuple[str, str]] = set()
    for pooled in report.pool.tables:
        table = pooled.table
        field_at = {position: name for name, position in table.fields.items()}
        for position, label in enumerate(table.labels()):
            name = field_at.get(position)
            key = ("field", name) if name else ("extra", str(label).strip())
            if key in seen or str(label).strip() in OURS:
                continue
            seen.add(key)
            plan.append(_Column(str(label), name))
    plan += [_Column(MERGED_FROM, None), _Column(CONFLICTS, None)]
    carried = any(NOT_DUPLICATE_OF in t.positions for t in report.pool.tables)
    if report.kept_apart or carried:
        plan.append(_Column(NOT_DUPLICATE_OF, None))
    return plan


def _concat(parts: list[pd.Series | None], lengths: list[int]) -> pd.Series:
    """Parts of one column from each input (None: the input lacks it) as one pool column."""
    present = [p for p in parts if p is not None]
    dtypes = {str(p.dtype) for p in present}
    mixed = len(dtypes) > 1
    dtype = object if mixed else present[0].dtype
    filled = [
        pd.Series(p.to_numpy(dtype=object) if mixed else p.array)
        if p is not None
        else pd.Series([None] * n, dtype=dtype)
        for p, n in zip(parts, lengths, strict=True)
    ]
    column = filled[0] if len(filled) == 1 else pd.concat(filled, ignore_index=True)
    if pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return column  # no blank text to find: a cell-by-cell look costs seconds at 1M rows
    blank = arrow.blank(column)
    if not blank.any():
        return column  # masking nothing copied the column
    if arrow.is_arrow_text(column):
        return arrow.blanked(column, blank)
    return column.mask(blank)


_POOL_TIMES = {"created_at": "created", "updated_at": "updated"}


def _column(report: DuplicateReport, column: _Column) -> tuple[pd.Series, pd.Series]:
    """One output column over the pool: the usable values (normalized when valid; as written
    for columns the spec does not know; missing otherwise) and the values as written."""
    good: list[pd.Series | None] = []
    written: list[pd.Series | None] = []
    for pooled in report.pool.tables:
        table = pooled.table
        if column.field is not None and table.has(column.field):
            normalized = pooled.columns[column.field]
            values = normalized.values
            if column.field in _POOL_TIMES and len(report.pool.tables) == 1:
                # the pool's records hold these times, read from the same normalized column
                times = report.pool.records[_POOL_TIMES[column.field]].to_numpy()
                values = pd.Series(times, index=values.index)
            elif table.spec is not None and table.spec.field(column.field).type == "datetime":
                values = pd.Series(pd.to_datetime(values, format="ISO8601", errors="coerce"))
            usable = normalized.mask("ok", "changed", "warn")
            if (values.notna() & ~usable).any():  # else nothing to take out: no copy
                values = values.where(usable)
            good.append(values)
            written.append(table.column(column.field))
            continue
        position = pooled.positions.get(column.label) if column.field is None else None
        if position is not None and position not in table.fields.values():
            cells = table.data.iloc[:, position]
            good.append(cells)
            written.append(cells)
        else:
            good.append(None)
            written.append(None)
    lengths = [t.table.rows for t in report.pool.tables]
    if all(p is None for p in good):
        empty = pd.Series([None] * len(report.pool), dtype=object)
        return empty, empty
    return _concat(good, lengths), _concat(written, lengths)


def _first_rows(
    present: np.ndarray, recent: np.ndarray, number: np.ndarray, count: int
) -> np.ndarray:
    """Per cluster (0…count-1): its first row in `recent` order (rows grouped by cluster, see
    _recency) where `present`, else -1."""
    at_present = np.flatnonzero(present[recent])
    clusters = number[recent[at_present]]
    first = np.ones(len(at_present), dtype=bool)
    first[1:] = clusters[1:] != clusters[:-1]
    at = np.full(count, -1, dtype=np.intp)
    at[clusters[first]] = recent[at_present[first]]
    return at


def _firsts(values: pd.Series, recent: np.ndarray, number: np.ndarray, count: int) -> pd.Series:
    """Per cluster (0…count-1): the first of its values that is not missing, in `recent`
    order (rows grouped by cluster, see _recency), else missing: a groupby's first(), without
    the groupby (two per column took a fifth of merging)."""
    # Each cluster's row (-1: none), taken at once: a reindex by cluster hashed its index.
    at = _first_rows(values.notna().to_numpy(dtype=bool), recent, number, count)
    out = pd.Series(pd.api.extensions.take(values.array, at, allow_fill=True), name=values.name)
    if values.dtype == object:  # a group of missing values only: None, as groupby says it
        empty = np.zeros(count, dtype=bool)
        empty[number[recent]] = True
        empty[at >= 0] = False
        if empty.any():
            out.iloc[np.flatnonzero(empty)] = None
    return out


def _chosen(
    good: pd.Series,
    written: pd.Series,
    shown: pd.Series,
    recent: np.ndarray,
    number: np.ndarray,
    count: int,
) -> pd.Series:
    """Per cluster: its most recent usable value, else its most recent value as written
    (_shown of the two _firsts). For text, one take from `shown` (its usable value where there
    is one, else its value as written) at each cluster's row instead of two and a where."""
    if not (arrow.is_arrow_text(good) and arrow.is_arrow_text(written)):
        return _shown(_firsts(good, recent, number, count), _firsts(written, recent, number, count))
    usable = _first_rows(good.notna().to_numpy(dtype=bool), recent, number, count)
    as_written = _first_rows(written.notna().to_numpy(dtype=bool), recent, number, count)
    at = np.where(usable >= 0, usable, as_written)
    return pd.Series(
        pd.array(arrow.arrow_array(shown).take(pa.array(at, mask=at < 0)), dtype=shown.dtype)
    )


def _shown(good: pd.Series, written: pd.Series) -> pd.Series:
    """The usable value, else the value as written (a value nothing could fix is kept)."""
    fallback = good.isna() & written.notna()
    if not fallback.any():
        return good
    if good.dtype == arrow.TEXT and written.dtype == arrow.TEXT:  # in Arrow: no text per cell
        return good.where(~fallback, written)
    return good.astype(object).where(~fallback, written.astype(object))


def _output(
    shown: pd.Series, chosen: pd.Series, rows: np.ndarray, merged: np.ndarray, clusters: np.ndarray
) -> pd.Series:
    """An output column: `shown` at the pool `rows` kept, but on the `merged` output rows the
    value `chosen` for their `clusters` (object when the two differ in type). Taken at once,
    in Arrow for text (each chosen value set as a Python object took a tenth of merging)."""
    if shown.dtype != chosen.dtype:
        shown, chosen = shown.astype(object), chosen.astype(object)
    if arrow.is_arrow_text(shown):
        # one take over both: chosen's cells numbered after shown's
        cells = arrow.arrow_array(shown)
        both = pa.chunked_array([*cells.chunks, *arrow.arrow_array(chosen).chunks], type=cells.type)
        at = rows.copy()
        at[merged] = len(shown) + clusters
        return pd.Series(pd.array(both.take(pa.array(at)), dtype=shown.dtype))
    if isinstance(shown.dtype, np.dtype):
        values = shown.to_numpy()[rows]
        values[merged] = chosen.to_numpy()[clusters]
        return pd.Series(values, dtype=shown.dtype)
    out = shown.iloc[rows].reset_index(drop=True)
    out.iloc[merged] = chosen.iloc[clusters].to_numpy()
    return out


def _recency(report: DuplicateReport, rows: np.ndarray) -> np.ndarray:
    """`rows` (pool indices) by cluster, the most recent first: by the later of 更新时间 and
    创建时间 (a row updated in 2021 is older than one created in 2024), then 更新时间, 创建时间,
    input order."""
    records = report.pool.records
    latest = np.iinfo(np.int64).max
    updated = records["updated"].to_numpy(dtype="datetime64[ns]")[rows]
    created = records["created"].to_numpy(dtype="datetime64[ns]")[rows]

    def descending(values: np.ndarray) -> np.ndarray:
        return np.where(np.isnat(values), latest, -values.astype(np.int64))

    later = np.where(np.isnat(updated) | (created > updated), created, updated)
    number = report.clusters.number[rows]
    keys = (-rows, descending(created), descending(updated), descending(later), number)
    return rows[np.lexsort(keys)]


_EXTREME = {"created_at": "min", "updated_at": "max"}
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONES = ("phone", OTHER_PHONES)


@dataclass
class _PhoneLists:
    """Every phone of each output row that has more than one, a row's in order: `outs` (the
    output rows, ascending) and `listed` (their phones), one entry per phone."""

    outs: np.ndarray
    listed: np.ndarray

    def __bool__(self) -> bool:
        return bool(len(self.outs))

    @functools.cached_property
    def lists(self) -> dict[int, list[str]]:
        """Output row → its phones."""
        outs = self.outs
        bounds = (np.flatnonzero(outs[1:] != outs[:-1]) + 1).tolist()
        starts, ends = [0, *bounds], [*bounds, len(outs)]
        return {int(outs[a]): self.listed[a:b].tolist() for a, b in zip(starts, ends, strict=True)}


def _phone_lists(
    report: DuplicateReport, recent: np.ndarray, output_of_row: np.ndarray
) -> _PhoneLists:
    """Every phone of each output row that has more than one: its rows' phones (Pool.phones),
    a cluster's most recent row's first, each once. Sorted and made unique as numbers (each
    phone's code): a frame sorted and made unique by its phones' texts took seconds at 1M."""
    entries = report.pool.phones
    if entries is None or not len(entries):
        return _PhoneLists(np.empty(0, dtype=np.int64), np.empty(0, dtype=object))
    rank = np.zeros(len(report.pool), dtype=np.int64)
    rank[recent] = np.arange(len(recent))
    rows = entries["row"].to_numpy(dtype=np.int64)
    codes, distinct = pd.factorize(entries["phone"].to_numpy(dtype=object))
    outs = output_of_row[rows]
    order = np.lexsort((rank[rows], outs))  # stable: a row's phones stay in their order
    outs, codes = outs[order], codes[order]
    first = ~pd.Series(outs * (len(distinct) + 1) + codes).duplicated().to_numpy(dtype=bool)
    order, outs = order[first], outs[first]
    several = np.zeros(len(outs), dtype=bool)  # an output row listed twice or more
    if len(outs) > 1:
        same = outs[1:] == outs[:-1]
        several[1:] |= same
        several[:-1] |= same
    listed = entries["phone"].to_numpy(dtype=object)[order[several]]
    return _PhoneLists(outs[several].astype(np.int64), listed)


def _has_other_phones(plan: list[_Column]) -> bool:
    return any(c.field == OTHER_PHONES for c in plan)


def _with_other_phones(
    report: DuplicateReport, plan: list[_Column], phones: _PhoneLists
) -> list[_Column]:
    """The plan with the spec's other_phones column (其他电话, headed in the tables' language)
    right after the phone column, when an output row has several phones and no input has it."""
    spec = report.pool.tables[0].table.spec if report.pool.tables else None
    if not phones or _has_other_phones(plan) or spec is None:
        return plan
    if OTHER_PHONES not in {f.name for f in spec.fields}:
        return plan
    at = next((i for i, c in enumerate(plan) if c.field == "phone"), None)
    if at is None:
        return plan
    headers = report.pool.tables[0].table.headers
    label = spec.field(OTHER_PHONES).header(header_language(headers))
    return [*plan[: at + 1], _Column(label, OTHER_PHONES), *plan[at + 1 :]]


def _without_kept_phones(
    shown: pd.Series, clustered: np.ndarray, output_of_row: np.ndarray, phones: _PhoneLists
) -> pd.Series:
    """`shown` with the phone cells of clustered rows blanked where their merged row keeps
    every phone they hold (in 联系电话 or 其他电话): no conflict to list. Each distinct text is
    read once (phone_numbers), and its phones looked up among its row's at once."""
    positions = clustered[np.isin(output_of_row[clustered], phones.outs)]
    if not len(positions):
        return shown
    values = shown.iloc[positions]
    if arrow.is_arrow_text(values):
        keys, distinct = pd.factorize(values)  # missing: -1, no text
        texts = distinct.to_numpy(dtype=object).tolist()
    else:
        keys, distinct = pd.factorize(pd.Series([_text(v) for v in values.tolist()], dtype=object))
        texts = distinct.tolist()
    # a mobile number as normalized holds itself alone (phone_numbers' answer)
    found = [([t] if _MOBILE.fullmatch(t) else phone_numbers(t)) if t else [] for t in texts]
    # (position, phone) pairs, phones as codes shared with the rows' lists
    sizes = np.array([len(f) for f in found] + [0], dtype=np.int64)
    per_key = np.concatenate(([0], np.cumsum(sizes)))
    codes, _ = pd.factorize(
        pd.Series([*phones.listed.tolist(), *(p for f in found for p in f)], dtype=object)
    )
    listed_codes, found_codes = codes[: len(phones.listed)], codes[len(phones.listed) :]
    count = sizes[keys]  # keys -1: the last size, 0
    at = np.repeat(np.arange(len(positions)), count)
    within = np.arange(len(at)) - np.repeat(np.cumsum(count) - count, count)
    pair_codes = found_codes[per_key[keys[at]] + within] if len(at) else np.empty(0, np.int64)
    width = int(codes.max()) + 1 if len(codes) else 1
    pairs = output_of_row[positions[at]] * width + pair_codes
    kept = pd.Series(pairs).isin(phones.outs * width + listed_codes).to_numpy(dtype=bool)
    held = np.bincount(at[kept], minlength=len(positions))
    blank = positions[(count > 0) & (held == count)]
    if not len(blank):
        return shown
    if arrow.is_arrow_text(shown):
        where = np.zeros(len(shown), dtype=bool)
        where[blank] = True
        return arrow.blanked(shown, where)
    shown = shown.astype(object).copy()
    shown.iloc[blank] = None
    return shown


def _fill_other_phones(merged: pd.DataFrame, plan: list[_Column], phones: _PhoneLists) -> None:
    """Each output row of several phones: one in 联系电话, the others appended to its
    其他电话 cell (once each, after what the cell already says)."""
    phone = next((c.label for c in plan if c.field == "phone"), None)
    other = next((c.label for c in plan if c.field == OTHER_PHONES), None)
    if phone is None or other is None or not phones:
        return
    cells = merged[other].to_numpy(dtype=object, copy=True)
    firsts = merged[phone].to_numpy(dtype=object)
    read: dict[str, list[str]] = {}  # phone_numbers of each text, once
    changed = False
    for out, listed in phones.lists.items():
        first = _text(firsts[out])
        before = _text(cells[out]).strip()
        if before and before not in read:
            read[before] = phone_numbers(before)
        held = read[before] if before else []
        if held and all(p in listed for p in held):
            before = ""  # phones only, all listed: written anew, without the one kept first
        new = [p for p in listed if p != first and p not in before]
        if new:
            cells[out] = ", ".join(([before] if before else []) + new)
            changed = True
    if changed:
        merged[other] = pd.Series(cells, index=merged.index, dtype=object)


def merge_duplicates(
    report: DuplicateReport, *, today: date | None = None, rulebook: Rulebook | None = None
) -> MergeResult:
    """One row per customer: each cluster merged by survivorship, every other row normalized
    (values nothing could fix are kept as written). Output rows follow their first input row.

    Tags are read with the tag rulebook (default: schemas/tags.toml), so that a cluster's tags
    are split and written with the team's separators. Raises RulebookError for a broken one."""
    today = today or date.today()
    reader = TagReader(rulebook or load_rulebook(None, builtin_spec("customers")))
    pool = report.pool
    number = report.clusters.number
    in_cluster = number >= 0
    clustered = np.flatnonzero(in_cluster)
    recent = _recency(report, clustered)
    # Output rows: rows without duplicates, and the first row of each cluster, in input order.
    first_of_cluster = np.full(report.cluster_count, len(pool), dtype=np.int64)
    np.minimum.at(first_of_cluster, number[clustered], clustered)
    keep = ~in_cluster
    keep[first_of_cluster] = True
    rows = np.flatnonzero(keep)
    at_cluster = number[rows]  # cluster of each output row, -1 for the others
    merged_rows = np.flatnonzero(at_cluster >= 0)
    # Every pool row's output row: its own, or its cluster's.
    output_of_cluster = np.empty(max(report.cluster_count, 1), dtype=np.int64)
    output_of_cluster[at_cluster[merged_rows]] = merged_rows
    output_of_row = np.empty(len(pool), dtype=np.int64)
    output_of_row[rows] = np.arange(len(rows))
    output_of_row[clustered] = output_of_cluster[number[clustered]]
    plan = _plan(report)
    phones = _phone_lists(report, recent, output_of_row)
    plan = _with_other_phones(report, plan, phones)
    frame: dict[str, pd.Series] = {}
    notes = _Notes(report, clustered, output_of_cluster[: report.cluster_count])
    for column in plan:
        good, written = _column(report, column)
        shown = _shown(good, written)
        if report.cluster_count and not column.ours:
            if column.field == "tags":
                chosen = pd.Series(_union_tags(good, recent, number, reader), dtype=object)
            else:
                chosen = _chosen(good, written, shown, recent, number, report.cluster_count)
            if column.field in _EXTREME and pd.api.types.is_datetime64_any_dtype(good):
                # 创建时间 is the first time the customer was entered, 更新时间 the last.
                extreme = good.iloc[clustered].groupby(number[clustered], sort=True)
                dates = getattr(extreme, _EXTREME[column.field])()
                dates = dates.reindex(range(report.cluster_count))
                if pd.api.types.is_datetime64_any_dtype(chosen):
                    chosen = dates  # kept as dates: written without a per-cell conversion
                else:
                    chosen = chosen.astype(object).where(dates.isna(), dates.astype(object))
            out = _output(shown, chosen, rows, merged_rows, at_cluster[merged_rows])
            if column.field not in _NO_CONFLICT:
                if column.field in _PHONES and _has_other_phones(plan):
                    shown = _without_kept_phones(shown, clustered, output_of_row, phones)
                notes.compare(column.label, shown, chosen)
        else:
            out = shown.iloc[rows].reset_index(drop=True)
            if report.cluster_count:
                notes.carry(column.label, good)
        frame[column.label] = out
        give_back_memory()
    # The columns go into `merged` as they are (each was made for it; a copy of the numbers
    # and times was alive through the notes' join, the merge's peak), and the notes are joined
    # into its cells: their lists (a million 创建时间 and 更新时间 notes at 1M rows) are let go
    # before the map is built.
    merged = pd.DataFrame(frame, columns=[c.label for c in plan], copy=False)
    del frame
    if report.cluster_count:
        merged[MERGED_FROM] = notes.merged_from(merged[MERGED_FROM])
        merged[CONFLICTS] = notes.conflicts(merged[CONFLICTS])
    del notes
    _fill_other_phones(merged, plan, phones)
    id_label = next((c.label for c in plan if c.field == "customer_id"), None)
    ids = _survivor_ids(report, merged, id_label, at_cluster, output_of_row, today)
    if id_label:
        merged[id_label] = ids.survivor_id
    survivor = ids.survivor_id[output_of_row]
    if NOT_DUPLICATE_OF in merged.columns:
        written = _column(report, _Column(NOT_DUPLICATE_OF, None))[0]
        merged[NOT_DUPLICATE_OF] = _not_duplicates(report, written, output_of_row, survivor)
    owners = {
        key: str(ids.survivor_id[out]) for key, out in ids.owner_of.items() if key in ids.shared
    }
    return MergeResult(merged, report, survivor, ids.generated, ids.renumbered, owners, id_label)


@dataclass
class _Ids:
    survivor_id: np.ndarray  # 客户编号 of each output row
    generated: int
    renumbered: list[Renumbered]
    owner_of: dict[str, int]  # an input 客户编号 carried by several customers → its owner's row
    shared: set[str]


def _survivor_ids(
    report: DuplicateReport,
    merged: pd.DataFrame,
    id_label: str | None,
    at_cluster: np.ndarray,
    output_of_row: np.ndarray,
    today: date,
) -> _Ids:
    """The 客户编号 of each output row: the oldest of a cluster's; a new one for a row that had
    none, and for a customer whose 客户编号 an earlier customer (创建时间, then input order)
    carries too."""
    pool = report.pool
    if id_label is None:
        return _Ids(np.full(len(merged), None, dtype=object), 0, [], {}, set())
    survivor_id = merged[id_label].astype(object).where(merged[id_label].notna(), None)
    merged_rows = np.flatnonzero(at_cluster >= 0)
    # Each row's 客户编号 as a number (-1: none): rows are sorted and counted by those.
    codes, written = _id_codes(pool.records["customer_id"])
    if len(merged_rows):
        number = report.clusters.number
        oldest = _oldest_ids(pool.records, codes, written, np.flatnonzero(number >= 0), number)
        ids = oldest[at_cluster[merged_rows]]
        survivor_id.iloc[merged_rows] = np.where(pd.isna(ids), survivor_id.iloc[merged_rows], ids)
    survivor = survivor_id.to_numpy(dtype=object, copy=True)
    owner_of, shared, owner_row = _owners(pool.records, codes, written, output_of_row)
    renumbered: list[tuple[str, int, int]] = []  # 客户编号, its owner's pool row, output row
    for out in (
        np.flatnonzero(pd.Series(survivor).isin(shared).to_numpy()).tolist() if shared else []
    ):
        key = str(survivor[out])
        if owner_of[key] != out:
            renumbered.append((key, owner_row[key], out))
            survivor[out] = None
    missing = pd.isna(survivor)
    spec = pool.tables[0].table.spec if pool.tables else None
    generated = 0
    if missing.any() and spec is not None:
        taken = {str(v) for v in pool.records["customer_id"].dropna()}
        taken |= {str(v) for v in merged[id_label].dropna()}
        new = generate_ids(taken, int(missing.sum()), prefix=spec.id_prefix, day=today)
        survivor[np.flatnonzero(missing)] = new
        generated = len(new)
    moved: list[Renumbered] = []
    for key, owner, out in renumbered:
        carriers = np.flatnonzero((output_of_row == out) & (codes == written.code(key)))
        at = pool.labels_at(np.array([owner, carriers[0]]))
        moved.append(Renumbered(key, str(at[0]), str(at[1]), str(survivor[out])))
    return _Ids(survivor, generated, moved, owner_of, shared)


@dataclass
class _DistinctIds:
    """The distinct 客户编号 of the pool's rows (Arrow text), each made a Python text only
    when asked for (a million of them were made to look up a few)."""

    distinct: pa.Array

    def __len__(self) -> int:
        return len(self.distinct)

    def code(self, key: str) -> int:
        """The code of a 客户编号 the rows carry."""
        return int(pc.index(self.distinct, pa.scalar(key, type=self.distinct.type)).as_py())

    def ids(self, codes: np.ndarray) -> np.ndarray:
        """The 客户编号 of each code, as Python texts."""
        return np.asarray(self.distinct.take(pa.array(codes)).to_pylist(), dtype=object)


def _id_codes(ids: pd.Series) -> tuple[np.ndarray, _DistinctIds]:
    """Each row's 客户编号 as a number (-1: none) and the distinct ones, by Arrow's
    dictionary (pandas' factorize made a Python text of each)."""
    if arrow.is_arrow_text(ids):
        encoded = pc.dictionary_encode(arrow.arrow_array(ids)).combine_chunks()
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.int64), _DistinctIds(encoded.dictionary)
    codes, distinct = pd.factorize(ids)
    return codes.astype(np.int64), _DistinctIds(pa.array(distinct.to_numpy(dtype=object)))


def _owners(
    records: pd.DataFrame, codes: np.ndarray, written: _DistinctIds, output_of_row: np.ndarray
) -> tuple[dict[str, int], set[str], dict[str, int]]:
    """The 客户编号 carried by rows of different customers: the output row of the customer each
    stands for (its earliest created row's, then the first in input order), and that row.
    `codes`: each row's 客户编号 as a number (-1: none), `written` the 客户编号 of each."""
    counts = np.bincount(codes[codes >= 0], minlength=len(written))
    repeated = (
        np.flatnonzero((codes >= 0) & (counts[np.maximum(codes, 0)] > 1))
        if len(counts)
        else codes[:0]
    )
    if not len(repeated):
        return {}, set(), {}
    carried = pd.DataFrame(
        {
            "id": written.ids(codes[repeated]),
            "created": records["created"].to_numpy()[repeated],
            "position": repeated,
            "out": output_of_row[repeated],
        }
    )
    distinct = carried.drop_duplicates(["id", "out"])
    shared_ids = distinct["id"][distinct["id"].duplicated()].unique()
    if not len(shared_ids):
        return {}, set(), {}
    carried = carried[carried["id"].isin(shared_ids)]
    carried = carried.sort_values(["created", "position"], na_position="last", kind="stable")
    first = carried.groupby("id", sort=False).first()
    owner_of = {str(k): int(v) for k, v in first["out"].items()}
    owner_row = {str(k): int(v) for k, v in first["position"].items()}
    return owner_of, set(owner_of), owner_row


def _not_duplicates(
    report: DuplicateReport, written: pd.Series, output_of_row: np.ndarray, survivor: np.ndarray
) -> list[str | None]:
    """Per output row: the 客户编号 of the customers it is not (the pairs a person rejected, and
    those blocked for conflicting places, that stayed apart), and any listed 客户编号 no input
    carries, kept as written."""
    lists: dict[int, set[str]] = {}
    listing = np.flatnonzero(written.notna().to_numpy())
    known = {str(v) for v in report.pool.records["customer_id"].dropna()} if len(listing) else set()
    for position in listing.tolist():
        unknown = [i for i in listed_ids(written.iat[position]) if i not in known]
        if unknown:
            lists.setdefault(int(output_of_row[position]), set()).update(unknown)
    for a, b in report.kept_apart:
        out_a, out_b = int(output_of_row[a]), int(output_of_row[b])
        if out_a != out_b and survivor[a] is not None and survivor[b] is not None:
            lists.setdefault(out_a, set()).add(str(survivor[b]))
            lists.setdefault(out_b, set()).add(str(survivor[a]))
    size = int(output_of_row.max()) + 1 if len(output_of_row) else 0
    return ["; ".join(sorted(lists[k])) if k in lists else None for k in range(size)]


def _oldest_ids(
    records: pd.DataFrame,
    codes: np.ndarray,
    written: _DistinctIds,
    clustered: np.ndarray,
    number: np.ndarray,
) -> np.ndarray:
    """Per cluster: the 客户编号 of its earliest created row that has one (None if none has);
    the rows sorted as numbers (创建时间, missing last, then input order), not as a frame."""
    result = np.full(int(number.max()) + 1 if len(number) else 0, None, dtype=object)
    rows = clustered[codes[clustered] >= 0]
    created = records["created"].to_numpy()[rows]
    when = np.where(np.isnat(created), np.iinfo(np.int64).max, created.view(np.int64))
    rows = rows[np.lexsort((rows, when))]
    clusters, first = np.unique(number[rows], return_index=True)
    result[clusters] = written.ids(codes[rows[first]])
    return result


def _union_tags(
    tags: pd.Series, recent: np.ndarray, number: np.ndarray, reader: TagReader
) -> list[str | None]:
    """Per cluster: every member's tags as written, the most recent row's first, each tag once
    (预算低 and 预算规模-10万以下 are one tag: the most recent spelling stays; `tags apply`
    writes it canonically)."""
    union: dict[int, dict[str, str]] = {}
    values = tags.to_numpy(dtype=object)
    for position in recent.tolist():
        value = values[position]
        if not isinstance(value, str) or not value.strip():
            continue
        bucket = union.setdefault(int(number[position]), {})
        for reading in reader.read_cell(value).readings:
            bucket.setdefault(reading.canonical or reading.written, reading.written)
    separator = reader.book.separator
    return [
        separator.join(union[k].values()) if k in union else None
        for k in range(int(number.max()) + 1)
    ]


class _Notes:
    """What the merged rows say about their clusters: merged_from and merge_conflicts."""

    def __init__(
        self, report: DuplicateReport, clustered: np.ndarray, output_of_cluster: np.ndarray
    ):
        self.report = report
        self.rows = clustered
        self.clusters = report.clusters.number[clustered]
        self.output_of_cluster = output_of_cluster  # the output row of each cluster
        self.earlier: dict[str, np.ndarray] = {}
        # by column: (clusters, `label: value` notes, the clustered rows they come from)
        self.parts: list[tuple[np.ndarray, pa.Array, np.ndarray]] = []

    def carry(self, label: str, good: pd.Series) -> None:
        """Keep what an earlier merge wrote in merged_from or merge_conflicts."""
        self.earlier[label] = good.to_numpy(dtype=object)[self.rows]

    def compare(self, label: str, shown: pd.Series, chosen: pd.Series) -> None:
        """Note the values of clustered rows that their merged row does not keep."""
        if arrow.is_arrow_text(shown) and arrow.is_arrow_text(chosen):
            self._compare_texts(label, shown, chosen)
            return
        dates = all(pd.api.types.is_datetime64_any_dtype(s) for s in (shown, chosen))
        if dates and _naive(shown) and _naive(chosen):
            self._compare_times(label, shown, chosen)
            return
        if all(s.dtype.kind in "iuf" for s in (shown, chosen)):
            self._compare_numbers(label, shown, chosen)
            return
        if dates:
            differ = _dates_text(shown.iloc[self.rows]) != ""
            differ &= _dates_text(shown.iloc[self.rows]) != _dates_text(chosen.iloc[self.clusters])
        else:
            values = shown.iloc[self.rows].to_numpy(dtype=object)
            kept = chosen.iloc[self.clusters].to_numpy(dtype=object)
            differ = ~pd.isna(values) & (values != kept)
            values, kept = values[differ], kept[differ]
        if not differ.any():
            return
        # Column-wise: a Python look at each differing cell (a million at 1M rows) was most
        # of merging. A value is noted once per cluster, unless blank or the kept value's text.
        at = np.flatnonzero(differ)  # places among the clustered rows
        keys = self.clusters[at]
        if dates:  # texts of the differing times only
            texts = _dates_text(shown.iloc[self.rows[at]])
            winners = _dates_text(chosen.iloc[keys])
        else:
            texts, winners = _texts(values), _texts(kept)
        blank = np.fromiter((not t.strip() for t in texts), dtype=bool, count=len(texts))
        wanted = ~blank & (texts != winners)
        texts, keys, at = texts[wanted], keys[wanted], at[wanted]
        first = ~pd.DataFrame({"key": keys, "text": texts}).duplicated().to_numpy(dtype=bool)
        texts, at = texts[first], at[first]
        # Joined in Arrow: a million Python texts (创建时间 and 更新时间 differ on most rows of
        # a cluster) were the peak of a million-row merge.
        text = pa.array(texts, type=pa.large_string())
        # A listing never shows a national ID or bank-card number (validate flags them).
        self._note(label, text if dates else _masked_pii(text), at)

    def _note(self, label: str, texts: pa.Array, at: np.ndarray) -> None:
        """Keep the notes `label: text` of the clustered rows at `at` (places among them),
        with their clusters; `(file:row)` is added as they are joined."""
        note = pc.binary_join_element_wise(_lit(f"{label}: "), texts, _lit(""))
        self.parts.append((self.clusters[at], note, at))

    @functools.cached_property
    def labels(self) -> pa.Array:
        """file:row of each clustered row, made once for every column's notes."""
        return self.report.pool.label_array(self.rows)

    def _compare_times(self, label: str, shown: pd.Series, chosen: pd.Series) -> None:
        """`compare` of two columns of times without a zone, as numbers: the text
        (_dates_text) of two times is the same when they fall in the same minute and both or
        neither are at midnight; a time not missing is never blank. Texts are made for the
        notes only."""
        differ = _dates_differ(shown.iloc[self.rows], chosen.iloc[self.clusters])
        if not differ.any():
            return
        at = np.flatnonzero(differ)
        nanos = np.asarray(shown.iloc[self.rows[at]].to_numpy(), dtype="datetime64[ns]")
        nanos = nanos.view(np.int64)
        first = ~pd.DataFrame(
            {"key": self.clusters[at], "minute": nanos // _MINUTE, "midnight": nanos % _DAY == 0}
        ).duplicated().to_numpy(dtype=bool)
        minutes = date_column(pd.Series(nanos[first].view("datetime64[ns]")), seconds=False)
        self._note(label, minutes, at[first])

    def _compare_numbers(self, label: str, shown: pd.Series, chosen: pd.Series) -> None:
        """`compare` of two columns of numbers (amounts), as numbers: `_texts` of two numbers
        is the same exactly when they are equal (-0.0 and 0.0 are both 0), and never blank.
        Texts are made for the notes only."""
        numbers = shown.to_numpy()[self.rows]
        others = chosen.to_numpy()[self.clusters]
        differ = numbers != others
        if numbers.dtype.kind == "f":
            differ &= ~np.isnan(numbers)
        if not differ.any():
            return
        at, numbers = np.flatnonzero(differ), numbers[differ]
        by = pd.DataFrame({"key": self.clusters[at], "number": numbers + 0})
        first = ~by.duplicated().to_numpy(dtype=bool)
        texts = pa.array(_texts(numbers[first].astype(object)), type=pa.large_string())
        self._note(label, _masked_pii(texts), at[first])

    def _compare_texts(self, label: str, shown: pd.Series, chosen: pd.Series) -> None:
        """`compare` of two text columns, in Arrow: the same notes as its way through Python
        objects (a text cell's `_text` is itself), without a Python text per cell (taking
        each column's cells out of Arrow as objects was most of comparing)."""
        values = arrow.arrow_array(shown).take(pa.array(self.rows))
        kept = arrow.arrow_array(chosen).take(pa.array(self.clusters))
        # Missing values are not noted; a kept value that is missing differs from any other.
        differ = pc.and_(pc.is_valid(values), pc.fill_null(pc.not_equal(values, kept), True))
        del kept
        wanted = differ.to_numpy(zero_copy_only=False).astype(bool, copy=False)
        if not wanted.any():
            return
        values = values.filter(differ).combine_chunks()
        # Blank as Python's str.strip() says (the Unicode white space Arrow's trim knows
        # differs), then each text once per cluster.
        blank = pc.match_substring_regex(values, _PYTHON_BLANK).to_numpy(zero_copy_only=False)
        keep = ~blank.astype(bool, copy=False)
        at = np.flatnonzero(wanted)[keep]
        values = values.filter(pa.array(keep))
        encoded = pc.dictionary_encode(values)
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        pair = self.clusters[at].astype(np.int64) * max(len(encoded.dictionary), 1) + codes
        first = ~pd.Series(pair).duplicated().to_numpy(dtype=bool)
        del encoded, codes, pair
        values = values.filter(pa.array(first))
        self._note(label, _masked_pii(values.cast(pa.large_string())), at[first])

    def _joined(
        self,
        label: str,
        keys: np.ndarray,
        chunks: list[pa.Array],
        before: pd.Series,
        places: np.ndarray | None = None,
    ) -> pd.Series:
        """The merged frame's column `label`: on a merged row, what an earlier merge wrote in
        it, then the items of its cluster (`chunks`: the text of each of `keys`, in order;
        `places`: the clustered row each came from, whose ` (file:row)` follows it), joined
        by "; " (missing: nothing); `before` on the other rows. In Arrow (pandas' str), each
        step's input let go as the next is made (`chunks` is emptied), and the items made
        whole and joined a slice of rows at a time: at 1M rows the notes are 150 MiB of
        text, and two whole copies alive at once were the merge's peak."""
        before_keys: list[int] = []
        before_items: list[str] = []
        earlier = self.earlier.get(label)
        if earlier is not None:
            seen: dict[int, list[str]] = {}
            for key, value in zip(self.clusters.tolist(), earlier.tolist(), strict=True):
                if value is None or pd.isna(value) or str(value) in seen.get(key, []):
                    continue
                seen.setdefault(key, []).append(str(value))
                before_keys.append(key)
                before_items.append(str(value))
        if before_items:
            chunks.insert(0, pa.array(before_items, type=pa.large_string()))
        # Grouped by output row with a stable sort (an earlier merge's items first).
        every = np.concatenate([np.asarray(before_keys, dtype=np.int64), keys.astype(np.int64)])
        rows = self.output_of_cluster[every]
        order = np.argsort(rows, kind="stable")
        counts = np.bincount(rows, minlength=len(before))
        del every, rows
        items = pa.concat_arrays(chunks) if len(chunks) != 1 else chunks[0]
        chunks.clear()
        items = items.take(pa.array(order))
        where = None  # each item's clustered row, -1: nothing follows it
        if places is not None:
            where = np.concatenate([np.full(len(before_items), -1, np.int64), places])[order]
        del order
        give_back_memory()
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        pieces = []
        step = max(1, -(-len(before) // 8))
        for start in range(0, max(len(before), 1), step):
            stop = min(start + step, len(before))
            first, last = int(offsets[start]), int(offsets[stop])
            part = items.slice(first, last - first)
            if where is not None:
                part = self._with_rows(part, where[first:last])
            lists = pa.LargeListArray.from_arrays(
                pa.array(offsets[start : stop + 1] - first),
                part,
                mask=pa.array(counts[start:stop] == 0),
            )
            pieces.append(pc.binary_join(lists, _lit("; ")))
        del items, part, lists
        column = pa.chunked_array(pieces, type=pa.large_string())
        del pieces
        give_back_memory()
        if before.notna().any():
            merged = np.zeros(len(before), dtype=bool)
            merged[self.output_of_cluster] = True
            kept = pa.array(before.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
            column = pc.if_else(pa.array(merged), column, kept)
        return pd.Series(pd.array(column, dtype=arrow.TEXT), index=before.index)

    def _with_rows(self, items: pa.Array, where: np.ndarray) -> pa.Array:
        """`items` with ` (file:row)` of their clustered row after each (`where`: -1 none)."""
        has = where >= 0
        if not has.any():
            return items
        labels = self.labels.take(pa.array(np.where(has, where, 0)))
        whole = pc.binary_join_element_wise(items, _lit(" ("), labels, _lit(")"), _lit(""))
        return whole if has.all() else pc.if_else(pa.array(has), whole, items)

    def merged_from(self, before: pd.Series) -> pd.Series:
        """The merged_from column: each merged row of a cluster as 客户编号 (file:row), in
        input order; a row that had no 客户编号 as (file:row) alone."""
        pool = self.report.pool
        ids = pool.records["customer_id"].iloc[self.rows].to_numpy(dtype=object)
        ids = pc.fill_null(pa.array(ids, type=pa.large_string(), from_pandas=True), "")
        named = pc.if_else(
            pc.equal(ids, ""), _lit(""), pc.binary_join_element_wise(ids, _lit(" "), _lit(""))
        )
        items = pc.binary_join_element_wise(named, _lit("("), self.labels, _lit(")"), _lit(""))
        del ids, named
        return self._joined(MERGED_FROM, self.clusters, [items], before)

    def conflicts(self, before: pd.Series) -> pd.Series:
        """The merge_conflicts column: the values a merged row does not keep, with where they
        came from."""
        keys = np.concatenate([k for k, _, _ in self.parts] or [np.empty(0, dtype=np.int64)])
        places = np.concatenate([a for _, _, a in self.parts] or [np.empty(0, dtype=np.int64)])
        chunks = [n for _, n, _ in self.parts] or [pa.array([], type=pa.large_string())]
        self.parts = []
        return self._joined(CONFLICTS, keys, chunks, before, places.astype(np.int64))


# The characters Python's str.strip() takes for white space (test_dedupe_merge8 checks the
# list against str.isspace), as an RE2 pattern of a text holding those only.
_PYTHON_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_PYTHON_BLANK = "^[" + "".join(f"\\x{{{ord(c):X}}}" for c in _PYTHON_SPACES) + "]*$"
# Texts that may hold a national ID or bank-card number (mask_pii): 16 digits, perhaps one
# space or dash between them; Python's \d is any Unicode digit, so any non-ASCII character
# counts as one here (a wider look, never a narrower one).
_MAYBE_PII = r"[0-9\x{80}-\x{10FFFF}](?:[ -]?[0-9\x{80}-\x{10FFFF}]){15}"


def _masked_pii(texts: pa.Array) -> pa.Array:
    """`texts` (none missing) with each national ID or bank-card number masked (mask_pii): a
    listing never shows one (validate flags them). Python looks only at the texts that may
    hold one."""
    maybe = pc.match_substring_regex(texts, _MAYBE_PII)
    at = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
    if not len(at):
        return texts
    before = texts.take(pa.array(at)).to_pylist()
    after = [mask_pii(t) for t in before]
    if after == before:
        return texts
    return pc.replace_with_mask(texts, maybe, pa.array(after, type=texts.type))


def _lit(text: str) -> pa.Scalar:
    """A text scalar in Arrow (large_string, as the columns)."""
    return pa.scalar(text, type=pa.large_string())


def _naive(values: pd.Series) -> bool:
    return getattr(values.dtype, "tz", None) is None


_MINUTE, _DAY = 60_000_000_000, 86_400_000_000_000  # in nanoseconds


def _dates_differ(values: pd.Series, kept: pd.Series) -> np.ndarray:
    """Where a time (not missing) would be written otherwise than the kept one (_dates_text):
    another minute, or midnight on one side only, or no kept time."""
    a = np.asarray(values.to_numpy(), dtype="datetime64[ns]")
    b = np.asarray(kept.to_numpy(), dtype="datetime64[ns]")
    x, y = a.view(np.int64), b.view(np.int64)
    other = (x // _MINUTE != y // _MINUTE) | ((x % _DAY == 0) != (y % _DAY == 0)) | np.isnat(b)
    return ~np.isnat(a) & other


def _dates_text(values: pd.Series) -> np.ndarray:
    """Dates as `_text` writes them ('' for missing), all at once: numpy's ISO text, cut
    (strftime twice over each date column was a tenth of merging)."""
    if getattr(values.dtype, "tz", None) is not None:  # local times: strftime says them
        day = values.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        minute = values.dt.strftime("%Y-%m-%d %H:%M").to_numpy(dtype=object)
        midnight = (values.dt.normalize() == values).to_numpy()
        text = np.where(midnight, day, minute)
        return np.where(values.isna().to_numpy(), "", text).astype(object)
    stamps = np.asarray(values.to_numpy(), dtype="datetime64[ns]")
    nanos = stamps.view(np.int64)
    if not len(stamps):
        return np.empty(0, dtype=object)
    if np.isnat(stamps).all():
        return np.full(len(stamps), "", dtype=object)
    text = iso_text((nanos // 60_000_000_000).astype("datetime64[m]"), "m")  # 2024-03-10 14:00
    midnight = nanos % 86_400_000_000_000 == 0
    out = np.where(midnight, text.astype("<U10"), text).astype(object)
    out[np.isnat(stamps)] = ""
    return out


def _texts(values: np.ndarray) -> np.ndarray:
    """`_text` of each value (an object array), text cells taken as they are."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        out = values.copy()
        out[pd.isna(values)] = ""
        return out
    if kind == "floating":  # amounts: the integral ones as ints at once
        numbers = values.astype(np.float64)
        missing = np.isnan(numbers)
        with np.errstate(invalid="ignore"):
            integral = ~missing & (numbers == np.floor(numbers)) & (np.abs(numbers) < 1e15)
        out = np.full(len(values), "", dtype=object)
        out[integral] = numbers[integral].astype(np.int64).astype(str).astype(object)
        rest = ~missing & ~integral
        out[rest] = [_text(v) for v in values[rest]]
        return out
    return np.array([_text(v) for v in values], dtype=object)


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    if isinstance(value, pd.Timestamp):
        midnight = (value.hour, value.minute, value.second) == (0, 0, 0)
        return value.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _map(report: DuplicateReport, survivor: np.ndarray) -> pd.DataFrame:
    """file, row, customer_id, survivor_id, cluster_id, what joined the row to its cluster,
    and the sheet of the file ("" for a CSV)."""
    pool = report.pool
    records = pool.records
    pairs = report.pairs
    joined = report.clusters.joined_by
    member = joined >= 0
    pair = np.where(member, joined, 0)
    left = pairs["left"].to_numpy()[pair] if len(pairs) else np.zeros(len(joined), dtype=np.int64)
    right = pairs["right"].to_numpy()[pair] if len(pairs) else left
    other = np.where(left == np.arange(len(joined)), right, left)
    rule = _rules(pairs, pair, member)
    score = pairs["score"].to_numpy()[pair] if len(pairs) else np.zeros(len(joined))
    source = records["source"].to_numpy()
    ids = records["customer_id"]
    return pd.DataFrame(
        {
            "file": _by_table([t.file for t in pool.tables], source),
            "row": records["row"].to_numpy(),
            # pandas' str as it is (its texts as objects were taken into Arrow again)
            "customer_id": ids.array if arrow.is_arrow_text(ids) else ids.to_numpy(dtype=object),
            "survivor_id": survivor,
            "cluster_id": report.cluster_ids(report.clusters.number),
            "matched_with": _labels_where(pool, member, other),
            "rule": rule,
            "score": np.where(member, score, np.nan),
            "sheet": _by_table([t.sheet for t in pool.tables], source),
        }
    )


def _rules(
    pairs: pd.DataFrame, pair: np.ndarray, member: np.ndarray
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The rule of each row's `pair` where `member`, else "" (pandas' str made in Arrow)."""
    if not len(pairs):
        return np.full(len(pair), "")
    if not arrow.is_arrow_text(pairs["rule"]):
        return np.where(member, pairs["rule"].to_numpy(dtype=object)[pair], "")
    rules = arrow.arrow_array(pairs["rule"]).take(pa.array(pair))
    return pd.array(
        pc.if_else(pa.array(member), rules, pa.scalar("", rules.type)), dtype=arrow.TEXT
    )


def _by_table(values: list[str], source: np.ndarray) -> pd.Categorical:
    """A value per input table on each pool row (its file, its sheet), each text held once."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object))
    return pd.Categorical.from_codes(codes[source], categories=pd.Index(distinct, dtype=object))


def _labels_where(pool: Pool, member: np.ndarray, other: np.ndarray) -> pd.Series:
    """The label (file:row) of `other` where `member`, else "" (pandas' str)."""
    labels = pool.label_array(other[member])
    at = np.cumsum(member) - 1  # each member's place among the members
    taken = labels.take(pa.array(at, mask=~member))
    return pd.Series(pd.array(pc.fill_null(taken, ""), dtype=arrow.TEXT))


def repoint_followups(table: Table, survivor_of: dict[str, str]) -> tuple[Table, int]:
    """A copy of a follow-up table whose 客户编号 cells point to the merged customers' survivors.

    Returns the copy and how many cells changed; every other cell is untouched.
    """
    if not table.has("customer_id"):
        return table, 0
    position = table.fields["customer_id"]
    cells = table.data[position]
    keys = cells.map(lambda v: normalize_id(v).value, na_action="ignore")
    target = keys.map(survivor_of)
    change = target.notna() & (target != cells.astype(object))
    data = table.data.copy()
    data[position] = cells.astype(object).where(~change, target)
    return table.with_data(data), int(change.sum())


def survivor_map(report: DuplicateReport, merged: MergeResult) -> tuple[dict[str, str], set[str]]:
    """Input 客户编号 of merged rows → their survivor's; and the ids that stood for different
    customers, whose follow-ups go to the customer that keeps them (the earliest created)."""
    ids = report.pool.records["customer_id"].to_numpy(dtype=object)
    mapping: dict[str, str] = {}
    for position, customer in enumerate(ids):
        if customer is not None:
            mapping.setdefault(str(customer), str(merged.survivor[position]))
    mapping.update(merged.owners)
    return {k: v for k, v in mapping.items() if k != v}, set(merged.owners)
