"""The customer profile (`report profile`): RFM value segments, key customers, churn risk and
inquiry hot spots, computed from the customer, order, follow-up, feedback and task tables.

Definitions (README, "report profile"):
- RFM over the customers with at least one order on record by the day of the report:
  R = days from the last 成交日期 to that day, F = orders, M = sum of 成交金额. Each is *high*
  when better than its mean over those customers (R: fewer days; F, M: more); a value equal to
  the mean is low. The eight segments follow from (R, F, M) high or low (`SEGMENTS`). Quintile
  scores: 1 + ⌊5 × (customers strictly worse) / (customers scored)⌋, so ties share a score.
  Customers without orders are counted apart (未成交). Without an orders table R and F come from
  follow-ups and M from won customers' 预计成交金额 (basis "followups").
- Key customers: the fewest customers, largest M first, whose M adds up to 80% of all M.
- Churn risk, for every customer whose stage is not a lost one (关闭: lost, or won and gone):
  one reason per rule met, and 0 reasons = 低, 1 = 中, 2 or more = 高. The rules: no order or
  follow-up for more than twice the customer's own median gap between them (customers with 3
  or more days of activity) or for more than silent_days; a complaint (投诉) or a 满意度评分 ≤ 2
  in the last 90 days; a latest follow-up whose 客户反馈 says 不满意; open tasks past 截止日期.
- Hot spots: 需求类型 tags of the customers active in a period (created, ordered, followed up
  or gave feedback), and feedback types by 反馈日期, this period and the one before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmkit.findings import Finding
from crmkit.frames.canonical import canonical_frame, places_of
from crmkit.frames.period import Period, on_record, previous_period
from crmkit.frames.records import fill_texts, records, records_json, whole_texts
from crmkit.frames.tasks import COMPLAINT, DONE
from crmkit.io.table import Table
from crmkit.report.metrics import BLANK, Headline
from crmkit.report.notes import Note, row_findings
from crmkit.report.profile_labels import profile_definitions
from crmkit.spec.config import ReportConfig
from crmkit.text import arrow

SEGMENTS: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "重要价值客户",
    (True, False, True): "重要发展客户",
    (False, True, True): "重要保持客户",
    (False, False, True): "重要挽留客户",
    (True, True, False): "一般价值客户",
    (True, False, False): "一般发展客户",
    (False, True, False): "一般保持客户",
    (False, False, False): "一般挽留客户",
}
NO_ORDERS = "未成交"
_CUSTOMERS_SLOT = "\u0000customers"  # where write_json streams the customer list
_KEYS_SLOT = "\u0000key_customers"  # and where it writes the key customers column-wise
RISK_LEVELS = ("高", "中", "低")
KEY_SHARE = 0.8
RECENT_DAYS = 90
LOW_SATISFACTION = 2
UNHAPPY = "不满意"
NEED_CATEGORY = "需求类型"
FEEDBACK_CATEGORY = "反馈类型"

# The canonical fields the profile reads of each table (and 客户反馈 of follow-ups as written:
# only searched for 不满意).
FIELDS = {
    "customers": ["customer_id", "name", "owner", "stage", "amount", "tags", "created_at"],
    "orders": ["customer_id", "customer_name", "date", "amount"],
    "followups": ["customer_id", "at"],
    "feedback": ["customer_id", "customer_name", "date", "type", "satisfaction"],
    "tasks": ["customer_id", "customer_name", "status", "due", "created_at"],
}

_REASONS = {
    "zh": {
        "gap": "已{idle}天无成交或跟进，超过平时间隔（中位{median}天）的两倍",
        "silent": "已{idle}天无成交或跟进（超过{limit}天）",
        "complaint": "近{days}天有投诉或低满意度评分（{count}次）",
        "unhappy": "最近一次跟进客户反馈不满意",
        "tasks": "{count}个协作任务已逾期",
        "join": "；",
    },
    "en": {
        "gap": "no order or follow-up for {idle} d, over twice the usual gap (median {median} d)",
        "silent": "no order or follow-up for {idle} d (over {limit} d)",
        "complaint": "complaint or low satisfaction score in the last {days} d ({count})",
        "unhappy": "latest follow-up: customer unhappy (不满意)",
        "tasks": "{count} collaboration tasks overdue",
        "join": "; ",
    },
}


@dataclass
class ProfileData:
    """The computed customer profile of one run (every frame as the outputs lay it out)."""

    as_of: date
    period: Period
    basis: str  # "orders" or "followups"
    headline: list[Headline] = field(default_factory=list)
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    customers: pd.DataFrame = field(default_factory=pd.DataFrame)
    key_customers: pd.DataFrame = field(default_factory=pd.DataFrame)
    pareto: pd.DataFrame = field(default_factory=pd.DataFrame)
    risk: pd.DataFrame = field(default_factory=pd.DataFrame)
    risk_by_owner: pd.DataFrame = field(default_factory=pd.DataFrame)
    hotspots: pd.DataFrame = field(default_factory=pd.DataFrame)
    means: dict[str, float | None] = field(default_factory=dict)
    silent_days: int = 90
    lost: tuple[str, ...] = ()
    won: str = "成交"
    notes: list[str] = field(default_factory=list)  # in English: JSON and the terminal
    findings: list[Finding] = field(default_factory=list)
    note_items: list[Note] = field(default_factory=list)  # the notes, for any language

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract of `report profile --format json` (README)."""
        return self._contract(records(self.customers))

    def write_json(self, handle: TextIO) -> None:
        """Write the JSON of `to_dict` to a text stream; the (possibly million-row) customer
        list goes through pandas."""
        from crmkit.io.write import json_text

        text = json_text(self._contract(_CUSTOMERS_SLOT, _KEYS_SLOT))
        before, _, after = text.partition(json.dumps(_CUSTOMERS_SLOT))
        handle.write(before)
        self.customers.to_json(handle, orient="records", force_ascii=False, double_precision=15)
        between, _, after = after.partition(json.dumps(_KEYS_SLOT))
        handle.write(between)
        handle.write(records_json(self.key_customers, level=1))  # what json_text would write
        handle.write(after)

    def _contract(self, customers: Any, key_customers: Any = None) -> dict[str, Any]:
        before = previous_period(self.period)
        return {
            "as_of": self.as_of.isoformat(),
            "basis": self.basis,
            "period": {"since": self.period.since.isoformat(), "until": self.period.until.isoformat()},
            "previous_period": {"since": before.since.isoformat(), "until": before.until.isoformat()},
            "headline": {
                h.key: {"value": h.value, **({"previous": h.previous} if h.previous is not None else {})}
                for h in self.headline
            },
            "means": self.means,
            "segments": records(self.segments),
            "customers": customers,
            "key_customers": records(self.key_customers) if key_customers is None else key_customers,
            "churn_by_owner": records(self.risk_by_owner),
            "hotspots": records(self.hotspots),
            "notes": list(self.notes),
            "findings": [f.as_dict() for f in self.findings],
        }  # fmt: skip

    def basis_note(self, lang: str) -> str:
        """What R, F and M were computed from (the first line of every output)."""
        from crmkit.report.labels import label

        return label(lang, f"basis_{self.basis}")

    def definitions(self, lang: str) -> list[str]:
        """口径说明 of this run, in the reader's language, after the notes on rows left out
        (orders without a usable amount, or naming a customer name several customers have …)."""
        before = previous_period(self.period)
        return [n.text(lang) for n in self.note_items] + profile_definitions(
            lang, as_of=f"{self.as_of}", since=f"{self.period.since}", until=f"{self.period.until}",
            before=(f"{before.since}", f"{before.until}"), silent_days=self.silent_days,
            lost="、".join(self.lost), means=self.means, basis=self.basis,
        )  # fmt: skip

    # The frames as a reader sees them (Excel, HTML and the text view lay out the same ones).

    def segment_view(self) -> pd.DataFrame:
        """Segments with their amount as 成交总额 (not the customer table's expected amount)."""
        return self.segments.rename(columns={"amount": "monetary"})

    def pareto_view(self, limit: int) -> pd.DataFrame:
        """The first `limit` customers by M, the key ones marked."""
        shown = self.pareto.head(limit).rename(columns={"amount": "monetary"})
        mark = np.where(np.arange(len(shown)) < len(self.key_customers), "✓", "")
        return shown.assign(key_customer=mark)[["key_customer", *shown.columns]]

    def hotspot_view(self, category: str) -> pd.DataFrame:
        """The hot spots of one category: topic, this period, previous."""
        chosen = self.hotspots[self.hotspots["category"] == category]
        return (
            chosen[["topic", "count", "previous"]]
            .rename(columns={"count": "mentions", "previous": "mentions_previous"})
            .reset_index(drop=True)
        )

    def customer_view(self, lang: str, limit: int) -> pd.DataFrame:
        """Every customer's RFM, segment and churn risk (scored ones first, by M), reasons as text."""
        join = _REASONS.get(lang, _REASONS["en"])["join"]
        shown = self.customers.sort_values(
            ["monetary", "customer_id"], ascending=[False, True], kind="stable"
        ).head(limit)
        return shown.assign(reasons=[join.join(r) for r in shown["reasons"]])


# ---------------------------------------------------------------- linking rows to customers


AMBIGUOUS = -2  # the code of a row naming only a 客户名称 that several customers have


class _Customers:
    """Finds the customer (its position in the customer frame) a row names by 客户编号, else by
    客户名称 (-1: none; AMBIGUOUS: a name, and no id, that more than one customer row has: the
    row is attributed to none of them). The first of duplicate ids wins. Lookups are pyarrow
    hash joins (a million follow-ups in well under a second)."""

    def __init__(self, people: pd.DataFrame):
        self.size = len(people)
        self._people = people
        positions = np.arange(self.size)
        self._ids, self._id_pos = self._index(people["customer_id"], positions)
        names = people["name"]
        shared = (names.notna() & names.duplicated(keep=False)).to_numpy()
        self._names, self._name_pos = self._index(names, np.where(shared, AMBIGUOUS, positions))

    @staticmethod
    def _index(values: pd.Series, positions: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        keep = (values.notna() & ~values.duplicated()).to_numpy()
        return _strings(values[keep]), positions[keep]

    @staticmethod
    def _look(keys: pa.Array, at: np.ndarray, values: pd.Series) -> np.ndarray:
        hit = pc.index_in(_strings(values), value_set=keys).fill_null(-1)
        found = hit.to_numpy(zero_copy_only=False).astype(np.int64)
        return np.where(found >= 0, at[np.maximum(found, 0)] if len(at) else -1, -1)

    def find(self, frame: pd.DataFrame) -> np.ndarray:
        found = np.full(len(frame), -1, dtype=np.int64)
        if "customer_id" in frame:
            found = self._look(self._ids, self._id_pos, frame["customer_id"])
        if "customer_name" in frame:
            by_name = self._look(self._names, self._name_pos, frame["customer_name"])
            # a row naming an id that is not in the table does not fall back on its name
            named_id = frame["customer_id"].notna().to_numpy() if "customer_id" in frame else False
            found = np.where((found < 0) & ~named_id, by_name, found)
        return found

    def ambiguous(self, frame: pd.DataFrame, mask: np.ndarray, what: str) -> list[Finding]:
        """A warning for each row of `frame` (a canonical frame) where `mask` is set, naming
        the customers its 客户名称 matches; `what` is the row's kind (order, task …)."""
        chosen = frame[mask]
        if not len(chosen):
            return []
        people = self._people
        holders = people[people["name"].isin(set(chosen["customer_name"]))]
        _, at = places_of(holders)
        ids = [
            c if isinstance(c, str) else f"row {r}"
            for c, r in zip(holders["customer_id"], at, strict=True)
        ]
        listed: dict[str, list[str]] = {}
        for name, code in zip(holders["name"], ids, strict=True):
            listed.setdefault(name, []).append(code)
        source = frame.attrs.get("source", {})
        column = source.get("headers", {}).get("customer_name", "客户名称")
        sheets, rows = places_of(chosen)
        return [
            Finding(source.get("file", ""), sheet, int(row), column, "customer_name", name,
                    "warning", "ambiguous_customer", f"{name} matches {len(listed[name])} "
                    f"customers: {' '.join(listed[name])}; the {what} is not attributed")
            for sheet, row, name in zip(sheets, rows, chosen["customer_name"], strict=True)
        ]  # fmt: skip


def _cells(values: pd.Series, positions: np.ndarray | None = None) -> Any:
    """A column's cells (at `positions`) for a new frame: Arrow text stays Arrow, never a round
    trip through a million Python strings; any other column as a numpy array."""
    if arrow.is_arrow_text(values):
        return values.array if positions is None else values.array.take(positions)
    cells = values.to_numpy()
    return cells if positions is None else cells[positions]


def _strings(values: pd.Series) -> pa.Array:
    """A text column as one pyarrow large_string array (nulls where missing)."""
    if arrow.is_arrow_text(values):  # as it is: no copy through pandas' other string type
        array = values.array.__arrow_array__()
    else:
        array = pa.array(values.astype("string"), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _days(moments: pd.Series, day: date) -> np.ndarray:
    """Whole days from each moment's date to `day` (NaN where no moment)."""
    stamps = pd.to_datetime(moments).dt.normalize()
    return ((pd.Timestamp(day) - stamps).dt.days).to_numpy(dtype=float)


def _in(moments: pd.Series, span: Period) -> np.ndarray:
    """Which moments fall on a day of the span (a moment's day is in [since, until] exactly
    when the moment is in [since 00:00, the day after until): no dates to work out)."""
    stamps = pd.to_datetime(moments)
    end = pd.Timestamp(span.until) + pd.Timedelta(days=1)
    inside = (stamps >= pd.Timestamp(span.since)) & (stamps < end)
    return inside.fillna(False).to_numpy(dtype=bool)


# ---------------------------------------------------------------- RFM


def _high(values: np.ndarray, mean: float, *, fewer_is_better: bool = False) -> np.ndarray:
    """Better than the mean (a value equal to it, within float rounding, is not)."""
    tie = np.isclose(values, mean, rtol=1e-12, atol=1e-9)
    better = values < mean if fewer_is_better else values > mean
    return better & ~tie


def quintile_scores(values: np.ndarray, *, fewer_is_better: bool = False) -> np.ndarray:
    """1–5: 1 + ⌊5 × (values strictly worse) / n⌋; equal values share a score."""
    n = len(values)
    if not n:
        return np.zeros(0, dtype=np.int64)
    keyed = -values if fewer_is_better else values
    worse = pd.Series(keyed).rank(method="min").to_numpy() - 1
    return (1 + np.floor(5 * worse / n)).astype(np.int64)


def _segment_table(scored: pd.DataFrame) -> pd.DataFrame:
    total = len(scored)
    amount = float(scored["monetary"].sum())
    rows = []
    for name in SEGMENTS.values():
        chosen = scored[scored["segment"] == name]
        m = float(chosen["monetary"].sum())
        rows.append({
            "segment": name,
            "customers": len(chosen),
            "amount": m,
            "share": len(chosen) / total if total else None,
            "amount_share": m / amount if amount else None,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["segment", "customers", "amount", "share", "amount_share"])


def _pareto(scored: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """All scored customers by M (largest first) with share and cumulative share; and how many
    of the first make the key customers (the fewest reaching 80% of all M)."""
    ranked = scored.sort_values(["monetary", "customer_id"], ascending=[False, True], kind="stable")
    total = float(ranked["monetary"].sum())
    share = ranked["monetary"] / total if total else ranked["monetary"] * np.nan
    cumulative = share.cumsum()
    frame = pd.DataFrame({
        "customer_id": _cells(ranked["customer_id"]),
        "name": _cells(ranked["name"]),
        "owner": _cells(ranked["owner"]),
        "amount": ranked["monetary"].to_numpy(),
        "share": share.to_numpy(),
        "cumulative_share": cumulative.to_numpy(),
    })  # fmt: skip
    if not total:
        return frame, 0
    reached = np.flatnonzero(cumulative.to_numpy() >= KEY_SHARE - 1e-9)
    return frame, int(reached[0]) + 1 if len(reached) else len(frame)


# ---------------------------------------------------------------- churn risk


def _activity(size: int, moments: list[tuple[np.ndarray, pd.Series]]) -> pd.DataFrame:
    """Per customer position: the days with an order or follow-up (distinct), the last such day
    and the median gap between them."""
    codes = np.concatenate([c for c, _ in moments]) if moments else np.zeros(0, np.int64)
    days = (
        np.concatenate([pd.to_datetime(m).dt.normalize().to_numpy("datetime64[D]") for _, m in moments])
        if moments else np.zeros(0, "datetime64[D]")
    )  # fmt: skip
    known = (codes >= 0) & ~np.isnat(days)
    # one sorted int64 key per distinct (customer, day): far cheaper than sorting a frame
    key = np.sort(codes[known] * _SPAN + days[known].astype(np.int64) + _EPOCH)
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    code, day = key // _SPAN, key % _SPAN - _EPOCH
    first = np.r_[True, code[1:] != code[:-1]] if len(code) else np.zeros(0, bool)
    gap = np.where(first, np.nan, np.diff(day, prepend=0).astype(float))
    last = np.r_[code[1:] != code[:-1], True] if len(code) else np.zeros(0, bool)
    out = pd.DataFrame(index=pd.RangeIndex(size))
    out["active_days"] = np.bincount(code, minlength=size)[:size]
    last_day = np.full(size, np.datetime64("NaT"), dtype="datetime64[D]")
    last_day[code[last]] = day[last].astype("datetime64[D]")
    out["last"] = pd.to_datetime(last_day)
    out["median_gap"] = pd.Series(gap).groupby(code).median().reindex(out.index)
    return out


_SPAN = 1 << 20  # days per customer in the key of _activity (about 2,870 years)
_EPOCH = 1 << 19  # days before 1970 still fit


def _count_by(codes: np.ndarray, selected: np.ndarray, size: int) -> np.ndarray:
    chosen = codes[selected & (codes >= 0)]
    return np.bincount(chosen, minlength=size)[:size]


@dataclass
class _Reason:
    """One churn rule's reason: where it is met, and its text there (`texts`, in the order of
    the rows where `mask` is set)."""

    mask: np.ndarray
    texts: np.ndarray

    def __or__(self, other: _Reason) -> _Reason:
        """Two rules that never meet on one row as one column of reasons."""
        mask = self.mask | other.mask
        out = np.empty(len(mask), dtype=object)
        out[self.mask], out[other.mask] = self.texts, other.texts
        return _Reason(mask, out[mask])

    def texts_at(self, rows: np.ndarray) -> np.ndarray:
        """The texts at these rows (each one where the rule is met)."""
        return self.texts[np.searchsorted(np.flatnonzero(self.mask), rows)]


def _reason(mask: np.ndarray, template: str, **values: Any) -> _Reason:
    """A rule's reason texts, filled (`fill_texts`) only where it is met: each of `values`
    gives the texts of a field at those rows."""
    at = np.flatnonzero(mask)
    filled = fill_texts(template, **{name: value(at) for name, value in values.items()})
    if np.ndim(filled) == 0:  # a text without fields: the same at every row
        return _Reason(mask, np.full(len(at), str(np.asarray(filled).item()), dtype=object))
    return _Reason(mask, np.asarray(filled, dtype=object))


def _latest(codes: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Each customer's latest row (by time; of rows at the same time, the last): the rows of a
    stable sort by customer then time that end each customer's run — without sorting when
    time and row number fit in one int64 (a maximum per customer instead)."""
    rows = np.flatnonzero((codes >= 0) & ~np.isnat(at))
    if not len(rows):
        return rows
    moments = at[rows].astype(np.int64)
    for unit in (60 * 10**9, 10**9, 10**6, 10**3):  # follow-ups are timed to the minute
        if not (moments % unit).any():
            moments = moments // unit
            break
    low, high = int(moments.min()), int(moments.max())
    shift = max(len(codes).bit_length(), 1)
    if (high - low).bit_length() + shift > 62:  # does not fit: sort
        order = rows[np.lexsort((at[rows], codes[rows]))]
        return order[np.r_[codes[order][1:] != codes[order][:-1], True]]
    key = ((moments - low) << shift) | rows
    best = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
    np.maximum.at(best, codes[rows], key)
    found = best[best >= 0]
    return found & ((1 << shift) - 1)


def _churn(
    people: pd.DataFrame,
    finder: _Customers,
    activity: pd.DataFrame,
    followed: tuple[pd.DataFrame | None, np.ndarray],
    feedback: pd.DataFrame | None,
    tasks: pd.DataFrame | None,
    config: ReportConfig,
    as_of: date,
    lang: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(level, reasons as lists, rated, reasons as one text) per customer position; level None
    where not rated.
    Each rule gives a column of reason texts (None where not met), filled vectorized."""
    size = len(people)
    words = _REASONS.get(lang, _REASONS["en"])
    rated = ~people["stage"].isin(config.lost).to_numpy()
    last = activity["last"].where(
        activity["last"].notna(), pd.to_datetime(people["created_at"]).dt.normalize().to_numpy()
    )
    idle = _days(last, as_of)
    median = activity["median_gap"].to_numpy(dtype=float)
    own = (activity["active_days"].to_numpy() >= 3) & (idle > 2 * median)
    silent = idle > config.silent_days
    gap, quiet = rated & own, rated & ~own & silent
    columns = [
        _reason(gap, words["gap"], idle=lambda at: whole_texts(idle[at]),
                median=lambda at: pd.Series(median[at]).map("{:g}".format).to_numpy(object))
        | _reason(quiet, words["silent"], idle=lambda at: whole_texts(idle[at]),
                  limit=lambda at: np.full(len(at), str(config.silent_days)))
    ]  # fmt: skip
    if feedback is not None and len(feedback):
        codes = finder.find(feedback)
        ago = _days(feedback["date"], as_of)
        bad = (feedback["type"] == COMPLAINT).fillna(False).to_numpy(bool) | (
            feedback["satisfaction"] <= LOW_SATISFACTION
        ).fillna(False).to_numpy(bool)
        counts = _count_by(codes, bad & (ago >= 0) & (ago <= RECENT_DAYS), size)
        columns.append(_reason(rated & (counts > 0), words["complaint"],
                               days=lambda at: np.full(len(at), str(RECENT_DAYS)),
                               count=lambda at: counts[at].astype(str)))  # fmt: skip
    followups, codes = followed
    if followups is not None and len(followups):
        at = followups["at"].to_numpy("datetime64[ns]")
        ends = _latest(codes, at)
        said = followups["feedback"].iloc[ends].astype("string")
        unhappy = np.zeros(size, dtype=bool)
        unhappy[codes[ends]] = said.str.contains(UNHAPPY, regex=False).fillna(False).to_numpy(bool)
        columns.append(_reason(rated & unhappy, words["unhappy"]))
    if tasks is not None and len(tasks):
        codes = finder.find(tasks)
        open_ = (tasks["status"] != DONE).fillna(True).to_numpy(bool)
        late = (pd.to_datetime(tasks["due"]) < pd.Timestamp(as_of)).fillna(False).to_numpy(bool)
        late_tasks = _count_by(codes, open_ & late, size)
        columns.append(_reason(rated & (late_tasks > 0), words["tasks"],
                               count=lambda at: late_tasks[at].astype(str)))  # fmt: skip
    met = np.stack([c.mask for c in columns], axis=1)
    number = met.sum(axis=1)
    level = np.where(
        number >= 2, RISK_LEVELS[0], np.where(number == 1, RISK_LEVELS[1], RISK_LEVELS[2])
    ).astype(object)
    level[~rated] = None
    listed = np.empty(size, dtype=object)
    listed[:] = [[]] * size
    joined = np.full(size, "", dtype=object)
    # the reasons of each customer in rule order: one pass per combination of rules met
    pattern = met @ (1 << np.arange(len(columns)))
    for combination in np.unique(pattern[number > 0]).tolist():
        rows = np.flatnonzero(pattern == combination)
        texts = [c.texts_at(rows) for i, c in enumerate(columns) if combination >> i & 1]
        listed[rows] = np.fromiter(
            map(list, zip(*texts, strict=True)), dtype=object, count=len(rows)
        )
        text = texts[0]
        for more in texts[1:]:
            text = text + words["join"] + more
        joined[rows] = text
    return level, listed, rated, joined


# ---------------------------------------------------------------- hot spots


def _need_tags(tags: pd.Series) -> pd.DataFrame:
    """(position, topic) for each 需求类型-… tag of each customer."""
    # only cells naming the category are split (most customers have no such tag, or no tags)
    text = tags.astype("string")
    text = text[text.str.contains(f"{NEED_CATEGORY}-", regex=False).fillna(False).to_numpy(bool)]
    split = text.str.split(",").explode().str.strip()
    split = split[split.str.startswith(f"{NEED_CATEGORY}-", na=False)]
    return pd.DataFrame(
        {
            "code": split.index.to_numpy(),
            "topic": split.str.slice(len(NEED_CATEGORY) + 1).to_numpy(),
        }
    )


def _hotspots(
    people: pd.DataFrame,
    touched: list[tuple[np.ndarray, pd.Series]],
    feedback: pd.DataFrame | None,
    period: Period,
    types: tuple[str, ...],
) -> pd.DataFrame:
    before = previous_period(period)
    needs = _need_tags(people["tags"].reset_index(drop=True))
    counts: dict[str, list[int]] = {}
    for slot, span in enumerate((period, before)):
        active = _in(people["created_at"], span).copy()
        for codes, moments in touched:
            hit = codes[_in(moments, span) & (codes >= 0)]
            active[hit] = True
        chosen = needs[active[needs["code"].to_numpy()]] if len(needs) else needs
        for topic, number in chosen["topic"].value_counts().items():
            counts.setdefault(str(topic), [0, 0])[slot] = int(number)
    rows = [
        {"category": NEED_CATEGORY, "topic": t, "count": c[0], "previous": c[1]}
        for t, c in counts.items()
    ]
    rows.sort(key=lambda r: (-int(str(r["count"])), -int(str(r["previous"])), str(r["topic"])))
    if feedback is not None:
        now = feedback["type"][_in(feedback["date"], period)].value_counts()
        then = feedback["type"][_in(feedback["date"], before)].value_counts()
        seen = [t for t in types if t in now or t in then or t in types]
        seen += sorted((set(now.index) | set(then.index)) - set(seen))
        rows += [
            {
                "category": FEEDBACK_CATEGORY,
                "topic": t,
                "count": int(now.get(t, 0)),
                "previous": int(then.get(t, 0)),
            }
            for t in seen
        ]
    return pd.DataFrame(rows, columns=["category", "topic", "count", "previous"])


# ---------------------------------------------------------------- the profile


def _order_events(
    orders: pd.DataFrame,
    finder: _Customers,
    as_of: date,
    notes: list[Note],
    findings: list[Finding],
) -> tuple[np.ndarray, pd.DataFrame]:
    """The usable orders (dated, amount ≥ 0, of a known customer, on record by as_of) with
    their customer positions; notes say how many were left out and why, and a finding names
    each order left out (no 成交日期, no usable 成交金额, no known customer, or only a 客户名称
    that several customers have)."""
    frame = on_record(orders, "date", as_of)
    assert frame is not None
    later = len(orders) - len(frame)
    codes = finder.find(frame)
    undated = frame["date"].isna().to_numpy()
    no_amount = frame["amount"].isna().to_numpy() | (frame["amount"] < 0).fillna(False).to_numpy()
    unknown = codes == -1
    ambiguous = (codes == AMBIGUOUS) & ~undated & ~no_amount
    if later:
        notes.append(Note("orders_later", {"n": later, "as_of": f"{as_of}"}))
    key = "customer_id" if "customer_id" in frame else "customer_name"
    for key_name, mask, field_name, rule, message in (
        ("orders_undated", undated, "date", "order_undated",
         "no 成交日期 (empty or not a date): the order is left out"),
        ("orders_no_amount", no_amount & ~undated, "amount", "order_amount_unusable",
         "no usable 成交金额 (empty, negative or not a number): the order is left out"),
        ("orders_unknown", unknown & ~undated & ~no_amount, key, "order_unknown_customer",
         "no customer of the customer table has this 客户编号 or 客户名称: the order is left out"),
    ):  # fmt: skip
        if mask.any():
            notes.append(Note(key_name, {"n": int(mask.sum())}))
            findings += row_findings(frame, mask, field_name, rule, message)
    if ambiguous.any():
        notes.append(Note("shared_name", {"n": int(ambiguous.sum()), "what": "order"}))
        findings += finder.ambiguous(frame, ambiguous, "order")
    keep = ~undated & ~no_amount & (codes >= 0)
    return codes[keep], frame[keep]


def compute_profile(
    customers: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    followups: pd.DataFrame | None = None,
    feedback: pd.DataFrame | None = None,
    tasks: pd.DataFrame | None = None,
    *,
    config: ReportConfig | None = None,
    as_of: date,
    period: Period,
    lang: str = "zh",
    feedback_types: tuple[str, ...] = ("咨询", "建议", "投诉", "表扬"),
) -> ProfileData:
    """The customer profile as of a day from canonical frames (the FIELDS of each
    kind); rows dated after the day do not count. Without orders, R and F come from
    follow-ups and M from won customers' 预计成交金额."""
    config = config or ReportConfig()
    notes: list[Note] = []
    findings: list[Finding] = []
    people = on_record(customers, "created_at", as_of)
    assert people is not None
    people = people.reset_index(drop=True)
    size = len(people)
    finder = _Customers(people)
    followups = on_record(followups, "at", as_of)
    feedback = on_record(feedback, "date", as_of)
    tasks = on_record(tasks, "created_at", as_of)
    follow_codes = finder.find(followups) if followups is not None else np.zeros(0, np.int64)
    if followups is not None and (follow_codes == -1).any():
        notes.append(Note("followups_unknown", {"n": int((follow_codes == -1).sum())}))
        findings += row_findings(
            followups, follow_codes == -1, "customer_id", "followup_unknown_customer",
            "the 客户编号 is blank or no customer of the customer table has it: the follow-up "
            "is left out",
        )  # fmt: skip
    touched: list[tuple[np.ndarray, pd.Series]] = []
    if orders is not None:
        basis = "orders"
        codes, kept = _order_events(orders, finder, as_of, notes, findings)
        events = pd.DataFrame(
            {"code": codes, "day": kept["date"].to_numpy(), "amount": kept["amount"].to_numpy()}
        )
        touched.append((codes, kept["date"]))
    else:
        basis = "followups"
        at = followups["at"] if followups is not None else pd.Series(dtype="datetime64[ns]")
        keep = (follow_codes >= 0) & at.notna().to_numpy()
        events = pd.DataFrame(
            {"code": follow_codes[keep], "day": at.to_numpy()[keep], "amount": 0.0}
        )
    if followups is not None:
        touched.append((follow_codes, followups["at"]))
    grouped = events.groupby("code")
    per = pd.DataFrame({
        "last": grouped["day"].max(), "frequency": grouped.size(), "monetary": grouped["amount"].sum(),
    })  # fmt: skip
    if basis == "followups":
        won = (people["stage"] == config.won).fillna(False).to_numpy(bool)
        amounts = people["amount"].fillna(0.0).to_numpy(float) * won
        per["monetary"] = amounts[per.index.to_numpy()]
    positions = per.index.to_numpy()
    recency = _days(per["last"], as_of)
    frequency = per["frequency"].to_numpy(dtype=float)
    monetary = per["monetary"].to_numpy(dtype=float)
    n = len(per)
    means = {
        "recency_days": float(recency.mean()) if n else None,
        "frequency": float(frequency.mean()) if n else None,
        "monetary": float(monetary.mean()) if n else None,
    }
    high = (
        _high(recency, means["recency_days"] or 0.0, fewer_is_better=True),
        _high(frequency, means["frequency"] or 0.0),
        _high(monetary, means["monetary"] or 0.0),
    )
    names = np.array([SEGMENTS[(r, f, m)] for r in (False, True) for f in (False, True)
                      for m in (False, True)], dtype=object)  # fmt: skip
    segment = names[high[0].astype(int) * 4 + high[1].astype(int) * 2 + high[2].astype(int)]
    scored = pd.DataFrame({
        "customer_id": _cells(people["customer_id"], positions),
        "name": _cells(people["name"], positions),
        "owner": _cells(people["owner"], positions),
        "recency_days": recency.astype(np.int64),
        "frequency": frequency.astype(np.int64),
        "monetary": monetary,
        "r": quintile_scores(recency, fewer_is_better=True),
        "f": quintile_scores(frequency),
        "m": quintile_scores(monetary),
        "segment": segment,
    }, index=positions)  # fmt: skip

    moments = [(c, m) for c, m in touched]
    if basis == "followups" and followups is not None:
        moments = [(follow_codes, followups["at"])]
    activity = _activity(size, moments)
    level, reasons, rated, reason_texts = _churn(
        people, finder, activity, (followups, follow_codes), feedback, tasks, config, as_of, lang
    )

    def spread(name: str, empty: Any) -> Any:
        """A scored column over every customer: `empty` where not scored (NA for Int64)."""
        if empty is pd.NA:
            values = np.zeros(size, dtype=np.int64)
            values[positions] = scored[name].to_numpy()
            missing = np.ones(size, dtype=bool)
            missing[positions] = False
            return pd.arrays.IntegerArray(values, missing)
        values = np.full(size, empty, dtype=object if isinstance(empty, str) else type(empty))
        values[positions] = scored[name].to_numpy()
        return values

    everyone = pd.DataFrame({
        "customer_id": _cells(people["customer_id"]),
        "name": _cells(people["name"]),
        "owner": _cells(people["owner"]),
        "recency_days": spread("recency_days", pd.NA),
        "frequency": spread("frequency", np.int64(0)),
        "monetary": spread("monetary", 0.0),
        "r": spread("r", pd.NA),
        "f": spread("f", pd.NA),
        "m": spread("m", pd.NA),
        "segment": spread("segment", NO_ORDERS),
        "churn_risk": level,
        "reasons": reasons,
    })  # fmt: skip

    pareto, key_count = _pareto(scored)
    risk = everyone[rated].assign(
        owner=lambda f: f["owner"].where(f["owner"].notna(), BLANK),
        rank=np.select([level == RISK_LEVELS[0], level == RISK_LEVELS[1]], [0, 1], 2)[rated],
    )
    by_owner = (
        risk.groupby(["owner", "churn_risk"]).size().unstack(fill_value=0)
        .reindex(columns=list(RISK_LEVELS), fill_value=0)
    )  # fmt: skip
    by_owner = by_owner.sort_values(list(RISK_LEVELS), ascending=False, kind="stable").reset_index()
    by_owner.columns = ["owner", "high", "medium", "low"]
    at_risk = risk[risk["churn_risk"] != RISK_LEVELS[2]]
    at_risk = at_risk.sort_values(
        ["owner", "monetary", "rank", "customer_id"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    risk_list = pd.DataFrame({
        "owner": _cells(at_risk["owner"]),
        "customer_id": _cells(at_risk["customer_id"]),
        "name": _cells(at_risk["name"]),
        "churn_risk": _cells(at_risk["churn_risk"]),
        "monetary": at_risk["monetary"].to_numpy(),
        "segment": _cells(at_risk["segment"]),
        "reasons": reason_texts[at_risk.index.to_numpy()],
    })  # fmt: skip

    data = ProfileData(as_of=as_of, period=period, basis=basis, means=means,
                       silent_days=config.silent_days, lost=config.lost, won=config.won)  # fmt: skip
    data.segments = _segment_table(scored)
    data.customers = everyone
    data.pareto = pareto
    data.key_customers = pareto.head(key_count).reset_index(drop=True)
    data.risk = risk_list
    data.risk_by_owner = by_owner
    if feedback is not None:
        touched.append((finder.find(feedback), feedback["date"]))
    for what, frame in (("feedback", feedback), ("task", tasks)):
        if frame is None:
            continue
        codes = finder.find(frame)
        if "customer_name" in frame and (codes == AMBIGUOUS).any():
            notes.append(Note("shared_name", {"n": int((codes == AMBIGUOUS).sum()), "what": what}))
            findings += finder.ambiguous(frame, codes == AMBIGUOUS, what)
        if what == "task" and (codes == -1).any():
            notes.append(Note("tasks_unknown", {"n": int((codes == -1).sum())}))
            key = "customer_id" if "customer_id" in frame else "customer_name"
            findings += row_findings(frame, codes == -1, key, "task_unknown_customer",
                                     "no customer of the customer table has this 客户编号 or "
                                     "客户名称: the task is left out")  # fmt: skip
    data.hotspots = _hotspots(people, touched, feedback, period, feedback_types)
    data.headline = _headline(people, events, scored, key_count, level, period, basis)
    data.note_items = notes
    data.notes = [n.text("en") for n in notes]
    data.findings = findings
    return data


def _headline(
    people: pd.DataFrame,
    events: pd.DataFrame,
    scored: pd.DataFrame,
    key_count: int,
    level: np.ndarray,
    period: Period,
    basis: str,
) -> list[Headline]:
    n = len(scored)
    orders = len(events)
    total = float(events["amount"].sum()) if basis == "orders" else None
    before = previous_period(period)
    now, then = _in(events["day"], period), _in(events["day"], before)
    # Without orders R and F count follow-ups: the figures are named for what they count.
    scored_key, none_key, repeat_key, per_key = (
        ("scored_customers", "no_orders", "repeat_rate", "orders_per_customer")
        if basis == "orders"
        else (
            "followed_customers",
            "no_followups",
            "repeat_followup_rate",
            "followups_per_customer",
        )
    )
    heads = [
        Headline("customers", len(people)),
        Headline(scored_key, n),
        Headline(none_key, len(people) - n),
        Headline(repeat_key, float((scored["frequency"] >= 2).sum() / n) if n else None),
        Headline(per_key, orders / n if n else None),
    ]
    if basis == "orders":
        heads += [
            Headline("avg_order_value", total / orders if orders and total is not None else None),
            Headline("period_orders", int(now.sum()), int(then.sum())),
            Headline(
                "period_amount",
                float(events["amount"][now].sum()),
                float(events["amount"][then].sum()),
            ),
        ]
    heads += [
        Headline("key_customers", key_count),
        Headline("risk_high", int((level == RISK_LEVELS[0]).sum())),
        Headline("risk_medium", int((level == RISK_LEVELS[1]).sum())),
    ]
    return heads


# ---------------------------------------------------------------- reading and writing


def write_profile_report(
    data: ProfileData,
    output: str | Path,
    *,
    lang: str = "zh",
    inputs: Iterable[str | Path | None] = (),
    list_limit: int = 1000,
) -> Path:
    """Write the profile as .xlsx, .html or .json (by suffix), atomically, creating its folder."""
    from crmkit.report import write_by_suffix
    from crmkit.report.profile_excel import build_profile_workbook
    from crmkit.report.profile_html import render_profile_html

    return write_by_suffix(
        output,
        inputs,
        workbook=lambda: build_profile_workbook(data, lang=lang, list_limit=list_limit),
        page=lambda: render_profile_html(data, lang=lang, list_limit=list_limit),
        stream=data.write_json,
    )


VALUE_CATEGORY = "客户价值"
RISK_CATEGORY = "流失风险"
_TAG_SPLIT = re.compile(r"\s*[,，、;；|｜/\n]\s*")
_OWN_TAG = re.compile(rf"^(?:{VALUE_CATEGORY}|{RISK_CATEGORY})\s*[-_:：－—–]")


def profile_tags(before: Any, segment: Any, level: Any) -> str:
    """A 客户标签 cell with this run's 客户价值-<segment> and 流失风险-<level> in place of any
    earlier ones (a re-run replaces them, never stacks them); the other tags kept in order."""
    text = "" if before is None or before != before else str(before)
    kept = [t for t in _TAG_SPLIT.split(text.strip()) if t and not _OWN_TAG.match(t)]
    if isinstance(segment, str) and segment:
        kept.append(f"{VALUE_CATEGORY}-{segment}")
    if isinstance(level, str) and level:
        kept.append(f"{RISK_CATEGORY}-{level}")
    return ",".join(kept)


def _new_tags(
    data: ProfileData, table: Table, keys: pd.DataFrame | None
) -> tuple[Table, list[Any], list[bool]]:
    """The table (with a 客户标签 column), each row's 客户标签 cell as tagged, and whether the
    profile knew the row (its cell then carries this run's tags)."""
    if not table.has("tags"):
        table = table.add_field_column("tags")
    if keys is None:
        keys = canonical_frame(table, ["customer_id", "name"]).frame
    customers = data.customers
    known = customers.dropna(subset=["customer_id"]).drop_duplicates("customer_id")
    by_id = dict(
        zip(
            known["customer_id"],
            zip(known["segment"], known["churn_risk"], strict=True),
            strict=True,
        )
    )
    named = customers[customers["customer_id"].isna()].drop_duplicates("name")
    by_name = dict(
        zip(named["name"], zip(named["segment"], named["churn_risk"], strict=True), strict=True)
    )
    cells = table.data[table.fields["tags"]].astype(object).tolist()
    tagged = [False] * len(cells)
    for i, (cid, name) in enumerate(zip(keys["customer_id"], keys["name"], strict=True)):
        found = by_id.get(cid) if isinstance(cid, str) else by_name.get(name)
        if found is not None:
            cells[i] = profile_tags(cells[i], *found)
            tagged[i] = True
    return table, cells, tagged


def tagged_table(data: ProfileData, table: Table, keys: pd.DataFrame | None = None) -> Table:
    """The customer table (read with the customers spec) whose 客户标签 carry each customer's
    客户价值 and 流失风险 tags (`profile_tags`; the categories are in schemas/tags.toml); every
    other cell as it was. A row the profile does not know (created after as_of) keeps its tags.
    `keys`: the table's canonical frame when already made (with customer_id and name)."""
    table, cells, _ = _new_tags(data, table, keys)
    frame = table.data.copy()
    frame[table.fields["tags"]] = cells
    return table.with_data(frame)


def tag_cells(
    data: ProfileData, table: Table, keys: pd.DataFrame | None = None
) -> list[tuple[str, int, int, str, str]]:
    """The 客户标签 cells `tagged_table` changes in a table read from a workbook, as (sheet,
    header row, row as the sheet shows it, header as written in that sheet, new text) — what a
    copy of the workbook needs patched, every other cell (title rows, formulas) left as it is."""
    original = table.data[table.fields["tags"]] if table.has("tags") else None
    table, cells, tagged = _new_tags(data, table, keys)
    position = table.fields["tags"]
    header = table.headers[position]
    parts = {part.sheet: part for part in table.parts}
    changed = []
    for i, index in enumerate(table.data.index):
        before = None if original is None else original.iloc[i]
        before = "" if before is None or before != before else str(before)
        if not tagged[i] or cells[i] == before:
            continue
        sheet, row = table.place(index)
        part = parts.get(str(sheet))
        if part is None:
            changed.append((str(sheet), table.header_row, row, header.strip(), cells[i]))
            continue
        written = part.headers[part.columns.index(position)] if position in part.columns else header
        changed.append((part.sheet, part.header_row, row, written.strip(), cells[i]))
    return changed


__all__ = [
    "NO_ORDERS",
    "RISK_LEVELS",
    "SEGMENTS",
    "ProfileData",
    "compute_profile",
    "profile_tags",
    "quintile_scores",
    "tag_cells",
    "tagged_table",
    "write_profile_report",
]
