"""Funnel, channel and stage metrics as data frames: the numbers every renderer lays out.

Definitions (README, "Report definitions"): a customer's furthest stage is the later of its
current stage and the furthest stage its follow-up history reached (through the config's
intent → stage map); reached(k) counts customers whose furthest stage is k or later;
conversion k-1→k = reached(k) / reached(k-1); win rate = reached(won) / reached(first).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import pandas as pd

from crmkit.frames.canonical import places_of
from crmkit.frames.period import Period, on_record_mask, previous_period
from crmkit.frames.pipeline import lost_mask, won_mask
from crmkit.frames.records import fill_texts, records, whole_texts
from crmkit.report.labels import BLANK, label
from crmkit.spec.config import ReportConfig
from crmkit.text import arrow
from crmkit.text.pii import mask_phone

if TYPE_CHECKING:
    from crmkit.report.forecast import ForecastData

__all__ = ["BLANK", "Headline", "ReportData", "compute_report", "mask_phones", "records"]


@dataclass
class Headline:
    """One number of the summary, with its value for the previous period when known."""

    key: str
    value: float | int | None
    previous: float | int | None = None


@dataclass
class ReportData:
    """All the computed metrics of one run."""

    as_of: date
    period: Period
    funnel: pd.DataFrame
    win_rate: float | None
    channel: pd.DataFrame
    stages: pd.DataFrame
    stalled: pd.DataFrame
    silent: pd.DataFrame
    overdue: pd.DataFrame
    headline: list[Headline] = field(default_factory=list)
    funnel_by: pd.DataFrame | None = None
    by: str | None = None
    config: ReportConfig = field(default_factory=ReportConfig)
    previous_as_of: date | None = None
    notes: list[str] = field(default_factory=list)
    forecast: ForecastData | None = None  # `report all` with inputs.targets: the forecast too

    def write_json(self, handle: TextIO) -> None:
        """Write the JSON of `to_dict` to a text stream; the (possibly million-row) lists go through pandas."""
        text = json.dumps(self._contract(lists=False), ensure_ascii=False, indent=2)
        for key, frame in (
            ("stalled", self.stalled),
            ("silent", self.silent),
            ("overdue", self.overdue),
        ):
            before, _, text = text.partition(json.dumps(_PLACEHOLDER + key))
            handle.write(before)
            out = frame.copy()
            out["last_activity"] = out["last_activity"].dt.strftime("%Y-%m-%d")
            out.to_json(handle, orient="records", force_ascii=False, double_precision=15)
        handle.write(text)

    def to_json(self) -> str:
        """The JSON text of `to_dict`."""
        buffer = io.StringIO()
        self.write_json(buffer)
        return buffer.getvalue()

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract of `report --format json`."""
        return self._contract(lists=True)

    def _contract(self, *, lists: bool) -> dict[str, Any]:
        def listed(key: str, frame: pd.DataFrame) -> Any:
            return records(frame) if lists else _PLACEHOLDER + key

        return {
            "as_of": self.as_of.isoformat(),
            "period": {
                "since": self.period.since.isoformat(),
                "until": self.period.until.isoformat(),
            },
            "headline": {h.key: {"value": h.value, "previous": h.previous} for h in self.headline},
            "funnel": {"stages": records(self.funnel), "win_rate": self.win_rate}
            | (
                {"by": self.by, "groups": records(self.funnel_by)}
                if self.funnel_by is not None
                else {}
            ),
            "channel": records(self.channel),
            "stage": {
                "stages": records(self.stages),
                "stalled": listed("stalled", self.stalled),
                "silent": listed("silent", self.silent),
                "overdue": listed("overdue", self.overdue),
            },
        } | ({"forecast": self.forecast.to_dict()} if self.forecast is not None else {})


_PLACEHOLDER = "\u0000list:"


def _end_of(day: date) -> np.datetime64:
    return np.datetime64(datetime.combine(day, time.max).replace(microsecond=999999), "ns")


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def _datetimes(series: pd.Series) -> np.ndarray:
    return pd.to_datetime(series).to_numpy(dtype="datetime64[ns]")


def _texts(series: pd.Series) -> np.ndarray:
    return series.astype(object).where(series.notna(), None).to_numpy(dtype=object)


@dataclass
class _Prepared:
    """The tables as arrays, each customer and follow-up keyed by a shared customer-id code."""

    customers: pd.DataFrame
    code: np.ndarray
    codes: int
    created: np.ndarray
    updated: np.ndarray
    due: np.ndarray
    stage: np.ndarray
    rank: np.ndarray
    won: np.ndarray
    lost: np.ndarray
    stall_limit: np.ndarray
    cadence: np.ndarray
    amount: np.ndarray
    owner: np.ndarray
    f_code: np.ndarray
    f_at: np.ndarray
    f_rank: np.ndarray


def _lookup(series: pd.Series, mapping: dict[str, Any]) -> np.ndarray:
    """mapping[cell] for each cell as floats (NaN where missing), looked up once per distinct value."""
    if arrow.is_arrow_text(series):
        keys, distinct = arrow.dictionary(series)
        table = np.append(distinct.map(mapping).astype(float).to_numpy(), np.nan)
        return table[keys]
    return series.map(mapping).astype(float).to_numpy()


def _prepare(
    customers: pd.DataFrame, followups: pd.DataFrame | None, config: ReportConfig
) -> _Prepared:
    ids = customers["customer_id"]
    other = followups["customer_id"] if followups is not None else ids.iloc[:0]
    keys, uniques = pd.factorize(pd.concat([ids, other], ignore_index=True), use_na_sentinel=True)
    stage = customers["stage"]
    order = {name: rank for rank, name in enumerate(config.stages)}
    if followups is not None:
        statuses = followups["status"]
        intents = (
            arrow.replace(statuses, "^.*→", "")
            if arrow.is_arrow_text(statuses)
            else statuses.astype(str).str.split("→").str[-1]
        )
        reach = {i: order[s] for i, s in config.intent_stage.items() if s in order}
        f_rank = _lookup(intents, reach)
        f_at = _datetimes(followups["at"])
    else:
        f_rank, f_at = np.empty(0), np.empty(0, dtype="datetime64[ns]")
    return _Prepared(
        customers=customers,
        code=keys[: len(ids)],
        codes=len(uniques),
        created=_datetimes(customers["created_at"]),
        updated=_datetimes(customers["updated_at"]),
        due=_datetimes(customers["next_followup"]),
        stage=_texts(stage),
        rank=_lookup(stage, order),
        won=won_mask(stage, customers["intent"], config),
        lost=lost_mask(stage, config),
        stall_limit=_lookup(stage, config.stall_days),
        cadence=_lookup(customers["intent"], config.cadence_days),
        owner=pd.factorize(customers["owner"], sort=True, use_na_sentinel=True)[0],
        amount=customers["amount"].astype(float).to_numpy(),
        f_code=keys[len(ids) :],
        f_at=f_at,
        f_rank=f_rank,
    )


def _per_customer(p: _Prepared, values: np.ndarray, selected: np.ndarray, empty: Any) -> np.ndarray:
    """The largest value of the selected follow-ups of each customer row (`empty` where none)."""
    chosen = selected & (p.f_code >= 0)
    out = np.full(p.codes + 1, empty, dtype=values.dtype)
    if chosen.any():
        grouped = pd.Series(values[chosen]).groupby(p.f_code[chosen]).max()
        out[grouped.index.to_numpy()] = grouped.to_numpy()
    return out[np.where(p.code >= 0, p.code, p.codes)]


def _funnel(
    p: _Prepared, rows: np.ndarray, history: np.ndarray, config: ReportConfig
) -> tuple[pd.DataFrame, float | None]:
    current = p.rank[rows]
    # Every customer in the table reached the first stage; lost ones got at least that far.
    furthest = np.nan_to_num(np.fmax(current, history[rows]), nan=0.0)
    reached = [int((furthest >= rank).sum()) for rank in range(len(config.stages))]
    records: list[dict[str, Any]] = []
    for rank, stage in enumerate(config.stages):
        conversion = _ratio(reached[rank], reached[rank - 1]) if rank else None
        records.append(
            {
                "stage": stage,
                "current": int((current == rank).sum()),
                "reached": reached[rank],
                "conversion": conversion,
            }
        )
    stages = p.stage[rows]
    for stage in [*config.lost, *_other_stages(stages, config)]:
        records.append(
            {
                "stage": stage,
                "current": int(_in_stage(stages, stage).sum()),
                "reached": None,
                "conversion": None,
            }
        )
    frame = pd.DataFrame(records, columns=["stage", "current", "reached", "conversion"])
    frame["reached"] = frame["reached"].astype("Int64")
    won = reached[config.stages.index(config.won)]
    return frame, _ratio(won, reached[0])


def _other_stages(stages: np.ndarray, config: ReportConfig) -> list[str]:
    """Stages found that the pipeline does not name, BLANK for none given: listed, never dropped."""
    named = {*config.stages, *config.lost}
    found = {BLANK if s is None else str(s) for s in pd.unique(stages)}
    return sorted(found - named, key=lambda s: (s == BLANK, s))


def _in_stage(stages: np.ndarray, stage: str) -> np.ndarray:
    return np.asarray(pd.isna(stages), dtype=bool) if stage == BLANK else stages == stage


def _channel(p: _Prepared, rows: np.ndarray, costs: pd.Series | None) -> pd.DataFrame:
    source = p.customers["source"].to_numpy(dtype=object, na_value=BLANK)[rows]
    picked = pd.DataFrame({"source": source, "won": p.won[rows], "amount": p.amount[rows]})
    grouped = picked.groupby("source", sort=False)
    frame = pd.DataFrame({
        "customers": grouped.size(),
        "won": grouped["won"].sum().astype(int),
        "amount": grouped["amount"].sum(min_count=1).fillna(0.0),
    })  # fmt: skip
    total = int(frame["customers"].sum())
    frame["share"] = frame["customers"] / total if total else np.nan
    frame["conversion"] = frame["won"] / frame["customers"]
    frame = frame.sort_values(["customers", "won"], ascending=False, kind="stable").reset_index()
    columns = ["source", "customers", "share", "won", "conversion", "amount"]
    if costs is not None:
        # a costs row whose source no customer has is listed with 0 customers, not dropped
        unmatched = [s for s in costs.index if s not in set(frame["source"])]
        extra = pd.DataFrame({"source": unmatched, "customers": 0, "won": 0, "amount": 0.0,
                              "share": 0.0 if total else np.nan, "conversion": np.nan})  # fmt: skip
        frame = pd.concat([frame, extra], ignore_index=True) if unmatched else frame
        frame["cost"] = frame["source"].map(costs)
        frame["cost_per_customer"] = frame["cost"] / frame["customers"].replace(0, np.nan)
        frame["cost_per_won"] = frame["cost"] / frame["won"].replace(0, np.nan)
        columns += ["cost", "cost_per_customer", "cost_per_won"]
    return frame[columns]


def _days_between(moments: np.ndarray, day: date) -> np.ndarray:
    """Whole days from each moment's date to `day` (NaN where no moment)."""
    dates = moments.astype("datetime64[D]")
    days = (np.datetime64(day, "D") - dates).astype("timedelta64[D]").astype(float)
    return np.where(np.isnat(dates), np.nan, days)


def _listing(
    p: _Prepared,
    positions: np.ndarray,
    last: np.ndarray,
    idle: np.ndarray,
    reason: np.ndarray,
    show_phones: bool,
) -> pd.DataFrame:
    """The customers at `positions` with their activity, by owner, longest idle first."""
    owners = p.owner[positions]
    owners = np.where(owners < 0, np.iinfo(owners.dtype).max, owners)
    days = np.nan_to_num(-idle[positions], nan=np.inf)
    positions = positions[np.lexsort((positions, days, owners))]
    picked = p.customers[["customer_id", "name", "owner", "phone", "stage", "intent"]].iloc[
        positions
    ]
    frame = picked.reset_index(drop=True)
    if not show_phones:
        phones = frame["phone"]
        frame["phone"] = (
            mask_phones(phones)
            if arrow.is_arrow_text(phones)
            else phones.map(mask_phone, na_action="ignore")
        )
    frame["last_activity"] = pd.to_datetime(last[positions]).normalize()
    frame["days_idle"] = idle[positions]
    frame["reason"] = reason[positions]
    sheets, rows = places_of(p.customers)
    frame["sheet"], frame["row"] = sheets[positions], rows[positions]
    return frame


def mask_phones(phones: pd.Series) -> pd.Series:
    """`mask_phone` over a text column: canonical mobiles and landlines by RE2, the rest one by one."""
    masked = arrow.replace(phones, r"^(\d{3})\d{4}(\d{4})$", r"\1****\2")
    masked = arrow.replace(masked, r"^(0\d{2,3}-)\d{4}(\d{4})$", r"\1****\2")
    masked = arrow.replace(masked, r"^(0\d{2,3}-)\d{3}(\d{4})$", r"\1***\2")
    untouched = (masked == phones).fillna(False).to_numpy(dtype=bool) & phones.notna().to_numpy()
    result = masked.astype(object).where(masked.notna(), None)
    result[untouched] = [mask_phone(v) for v in phones[untouched]]
    return result


def _stage_report(
    p: _Prepared,
    rows: np.ndarray,
    last_followup: np.ndarray,
    config: ReportConfig,
    day: date,
    show_phones: bool,
    lists: bool = True,
    lang: str = "zh",
) -> tuple[pd.DataFrame, dict[str, int], dict[str, pd.DataFrame]]:
    """Per-stage table, the sizes of the stalled, silent and overdue lists, and (with `lists`) the lists."""
    end = _end_of(day)
    edited = np.where(p.updated <= end, p.updated, np.datetime64("NaT"))
    fallback = np.fmax(edited, p.created)
    last_activity = np.where(np.isnat(last_followup), fallback, last_followup)
    idle = _days_between(last_activity, day)
    stalled = rows & ~np.isnan(p.stall_limit) & (idle > p.stall_limit)
    records = []
    for name in [*config.stages, *config.lost, *_other_stages(p.stage[rows], config)]:
        in_stage = rows & _in_stage(p.stage, name)
        days = idle[in_stage]
        days = days[~np.isnan(days)]
        records.append({
            "stage": name, "count": int(in_stage.sum()),
            "median_days_idle": float(np.median(days)) if len(days) else None,
            "max_days_idle": float(days.max()) if len(days) else None,
            "stalled": int((stalled & in_stage).sum()),
        })  # fmt: skip
    # silent and overdue count from the last follow-up (else creation): their lists show that date
    followed = np.where(np.isnat(last_followup), p.created, last_followup)
    since_followup = _days_between(followed, day)
    silent = rows & ~(p.won | p.lost) & (since_followup > config.silent_days)
    due = p.due.astype("datetime64[D]")
    past_due = rows & ~np.isnat(due) & (due < np.datetime64(day, "D")) & ~p.lost
    broken = rows & ~np.isnan(p.cadence) & (since_followup > p.cadence) & ~p.lost
    overdue = past_due | broken
    stall_reason = np.full(len(idle), "", dtype=object)
    stall_reason[stalled] = fill_texts(
        label(lang, "r_stalled"), n=whole_texts(p.stall_limit[stalled])
    )
    silent_reason = np.full(
        len(idle), label(lang, "r_silent").format(n=config.silent_days), dtype=object
    )
    due_text = np.full(len(idle), "", dtype=object)
    due_text[past_due] = fill_texts(
        label(lang, "r_next"), date=np.datetime_as_string(due[past_due], unit="D").astype(object)
    )
    cadence_text = np.full(len(idle), "", dtype=object)
    cadence_text[broken] = fill_texts(
        label(lang, "r_cadence"),
        every=whole_texts(p.cadence[broken]),
        since=whole_texts(since_followup[broken]),
    )
    both = past_due & broken
    overdue_reason = np.where(
        both, due_text + label(lang, "r_join") + cadence_text, due_text + cadence_text
    )
    stages = pd.DataFrame(records)
    masks = {"stalled": stalled, "silent": silent, "overdue": overdue}
    if not lists:
        return stages, {key: int(mask.sum()) for key, mask in masks.items()}, {}
    listed = {
        "stalled": _listing(
            p, np.flatnonzero(stalled), last_activity, idle, stall_reason, show_phones
        ),
        "silent": _listing(
            p, np.flatnonzero(silent), followed, since_followup, silent_reason, show_phones
        ),
        "overdue": _listing(
            p, np.flatnonzero(overdue), followed, since_followup, overdue_reason, show_phones
        ),
    }
    return stages, {key: len(frame) for key, frame in listed.items()}, listed


@dataclass
class _Snapshot:
    funnel: pd.DataFrame
    win_rate: float | None
    channel: pd.DataFrame
    stages: pd.DataFrame
    lists: dict[str, pd.DataFrame]
    headline: dict[str, float | int | None]


def _known(p: _Prepared, day: date) -> tuple[np.ndarray, np.ndarray]:
    """What was on record by the end of `day` (`on_record_mask`): customers by 创建时间 and
    follow-ups by 跟进时间; undated ones count."""
    return on_record_mask(p.created, day), on_record_mask(p.f_at, day)


def _on_record(p: _Prepared, rows: np.ndarray) -> np.ndarray:
    """Which follow-ups belong to a customer row selected by `rows`."""
    known = np.zeros(p.codes + 1, dtype=bool)
    known[p.code[rows & (p.code >= 0)]] = True
    return known[np.where(p.f_code >= 0, p.f_code, p.codes)]


def _snapshot(p: _Prepared, config: ReportConfig, day: date, period: Period, costs: pd.Series | None,
              show_phones: bool, lists: bool = True, lang: str = "zh") -> _Snapshot:  # fmt: skip
    rows, done = _known(p, day)
    history = _per_customer(p, p.f_rank, done & ~np.isnan(p.f_rank), np.nan)
    last_followup = _per_customer(p, p.f_at, done, np.datetime64("NaT", "ns"))
    funnel, win_rate = _funnel(p, rows, history, config)
    stages, sizes, listed = _stage_report(
        p, rows, last_followup, config, day, show_phones, lists, lang
    )
    start, end = np.datetime64(period.since, "ns"), _end_of(period.until)
    # follow-ups of customers not in the table (or not yet created) count nowhere; a note says so
    in_period = done & (p.f_at >= start) & (p.f_at <= end) & _on_record(p, rows)
    active = p.f_code[in_period]
    open_rows = rows & ~(p.won | p.lost)
    headline: dict[str, float | int | None] = {
        "customers": int(rows.sum()),
        "new_customers": int((rows & (p.created >= start) & (p.created <= end)).sum()),
        "followups": int(in_period.sum()),
        "active_customers": len(np.unique(active)),
        "won": int((rows & p.won).sum()),
        "win_rate": win_rate,
        "pipeline_amount": float(np.nansum(p.amount[open_rows])),
        **sizes,
    }
    return _Snapshot(funnel, win_rate, _channel(p, rows, costs), stages, listed, headline)


def _funnel_by(p: _Prepared, config: ReportConfig, day: date, by: str) -> pd.DataFrame:
    rows, done = _known(p, day)
    history = _per_customer(p, p.f_rank, done & ~np.isnan(p.f_rank), np.nan)
    groups = p.customers[by].to_numpy(dtype=object, na_value=BLANK)
    frames = []
    for group in sorted(set(groups[rows])):
        funnel, win_rate = _funnel(p, rows & (groups == group), history, config)
        funnel.insert(0, "group", group)
        funnel["win_rate"] = win_rate
        frames.append(funnel)
    if not frames:
        return pd.DataFrame(
            columns=["group", "stage", "current", "reached", "conversion", "win_rate"]
        )
    return pd.concat(frames, ignore_index=True)


def compute_report(
    customers: pd.DataFrame,
    followups: pd.DataFrame | None,
    config: ReportConfig,
    *,
    as_of: date,
    period: Period,
    costs: pd.Series | None = None,
    by: str | None = None,
    show_phones: bool = False,
    lang: str = "zh",
) -> ReportData:
    """Every metric of the funnel, channel and stage reports as of a day, with the previous
    period's headline; only rows on record by the end of `as_of` count. The list reasons are
    in `lang`; `notes` says what could not be counted (follow-ups of unknown customers,
    costs of sources no customer has)."""
    prepared = _prepare(customers, followups, config)
    now = _snapshot(prepared, config, as_of, period, costs, show_phones, lang=lang)
    before = previous_period(period)
    prior_day = as_of - (period.since - before.since)  # the same distance back as the periods
    then = _snapshot(prepared, config, prior_day, before, costs, show_phones, lists=False)
    headline = [Headline(key, value, then.headline[key]) for key, value in now.headline.items()]
    return ReportData(
        as_of=as_of,
        period=period,
        funnel=now.funnel,
        win_rate=now.win_rate,
        channel=now.channel,
        stages=now.stages,
        stalled=now.lists["stalled"],
        silent=now.lists["silent"],
        overdue=now.lists["overdue"],
        headline=headline,
        funnel_by=_funnel_by(prepared, config, as_of, by) if by else None,
        by=by,
        config=config,
        previous_as_of=prior_day,
        notes=_notes(prepared, now.channel, costs, lang),
    )


def _notes(
    p: _Prepared, channel: pd.DataFrame, costs: pd.Series | None, lang: str = "zh"
) -> list[str]:
    """What the user should hear about the data, naming the report's columns in `lang`."""
    notes = []
    everyone = np.ones(len(p.code), dtype=bool)
    stray = ~_on_record(p, everyone)
    if stray.any():
        notes.append(
            f"{int(stray.sum())} follow-ups name no customer of the customer table; they are not "
            f"counted in {label(lang, 'h_followups')} or {label(lang, 'h_active_customers')}"
        )
    if costs is not None:
        unmatched = [str(s) for s, n in zip(channel["source"], channel["customers"], strict=True)
                     if n == 0 and s in costs.index]  # fmt: skip
        if unmatched:
            notes.append(
                f"costs: no customer has the {label(lang, 'source')} {', '.join(unmatched)}; "
                "listed with 0 customers (a misspelt source?)"
            )
    return notes
