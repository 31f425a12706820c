"""Funnel, channel and stage metrics as data frames: the numbers every renderer lays out.

Definitions (README, "Report definitions"): a customer's furthest stage is the later of its
current stage and the furthest stage its follow-up history reached (through the config's
intent → stage map); reached(k) counts customers whose furthest stage is k or later;
conversion k-1→k = reached(k) / reached(k-1); win rate = reached(won) / reached(first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from crmkit import arrow
from crmkit.config import ReportConfig
from crmkit.pii import mask_phone
from crmkit.report.period import Period, previous_period

BLANK = "(blank)"
LIST_COLUMNS = [
    "customer_id",
    "name",
    "owner",
    "phone",
    "stage",
    "intent",
    "last_activity",
    "days_idle",
    "reason",
]


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

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract of `report --format json`."""
        return {
            "as_of": self.as_of.isoformat(),
            "period": {
                "since": self.period.since.isoformat(),
                "until": self.period.until.isoformat(),
            },
            "headline": {h.key: {"value": h.value, "previous": h.previous} for h in self.headline},
            "funnel": {"stages": _records(self.funnel), "win_rate": self.win_rate}
            | (
                {"by": self.by, "groups": _records(self.funnel_by)}
                if self.funnel_by is not None
                else {}
            ),
            "channel": _records(self.channel),
            "stage": {
                "stages": _records(self.stages),
                "stalled": _records(self.stalled),
                "silent": _records(self.silent),
                "overdue": _records(self.overdue),
            },
        }


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    out = frame.astype(object).where(frame.notna(), None)
    return [{str(k): _plain(v) for k, v in row.items()} for row in out.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return (
            value.date().isoformat()
            if value.time() == time(0)
            else value.isoformat(sep=" ", timespec="minutes")
        )
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _end_of(day: date) -> pd.Timestamp:
    return pd.Timestamp(datetime.combine(day, time.max))


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def _stage_rank(stages: pd.Series, config: ReportConfig) -> pd.Series:
    order = {name: rank for rank, name in enumerate(config.stages)}
    return stages.map(order).astype(float)


def _history_rank(followups: pd.DataFrame | None, config: ReportConfig) -> pd.Series:
    """Per customer id, the furthest stage rank its follow-up statuses reached."""
    if followups is None or followups.empty:
        return pd.Series(dtype=float)
    order = {name: rank for rank, name in enumerate(config.stages)}
    statuses = followups["status"].dropna()
    intents = (
        arrow.replace(statuses, "^.*→", "")
        if arrow.is_arrow_text(statuses)
        else statuses.astype(str).str.split("→").str[-1]
    )
    ranks = intents.map({i: order[s] for i, s in config.intent_stage.items() if s in order})
    ranks = ranks.dropna()
    if ranks.empty:
        return pd.Series(dtype=float)
    ids = followups.loc[ranks.index, "customer_id"]
    return ranks.groupby(ids.to_numpy()).max()


def _funnel(
    customers: pd.DataFrame, history: pd.Series, config: ReportConfig
) -> tuple[pd.DataFrame, float | None]:
    current = _stage_rank(customers["stage"], config)
    seen = customers["customer_id"].map(history).astype(float)
    # Every customer in the table reached the first stage; lost ones got at least that far.
    furthest = pd.concat([current, seen], axis=1).max(axis=1).fillna(0)
    reached = [int((furthest >= rank).sum()) for rank in range(len(config.stages))]
    rows = []
    for rank, stage in enumerate(config.stages):
        conversion = _ratio(reached[rank], reached[rank - 1]) if rank else None
        rows.append(
            {
                "stage": stage,
                "current": int((current == rank).sum()),
                "reached": reached[rank],
                "conversion": conversion,
            }
        )
    for stage in config.lost:
        rows.append(
            {
                "stage": stage,
                "current": int((customers["stage"] == stage).sum()),
                "reached": None,
                "conversion": None,
            }
        )
    frame = pd.DataFrame(rows, columns=["stage", "current", "reached", "conversion"])
    won = reached[config.stages.index(config.won)]
    return frame, _ratio(won, reached[0])


def _channel(
    customers: pd.DataFrame, config: ReportConfig, costs: pd.Series | None
) -> pd.DataFrame:
    source = customers["source"].fillna(BLANK)
    won = customers["stage"] == config.won
    grouped = pd.DataFrame({"source": source, "won": won, "amount": customers["amount"]}).groupby(
        "source", sort=False
    )
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
        frame["cost"] = frame["source"].map(costs)
        frame["cost_per_customer"] = frame["cost"] / frame["customers"]
        frame["cost_per_won"] = frame["cost"] / frame["won"].replace(0, np.nan)
        columns += ["cost", "cost_per_customer", "cost_per_won"]
    return frame[columns]


def _activity(
    customers: pd.DataFrame, followups: pd.DataFrame | None, now: pd.Timestamp
) -> tuple[pd.Series, pd.Series]:
    """(last activity, last follow-up) per customer row."""
    if followups is not None and not followups.empty:
        last = followups.groupby("customer_id")["at"].max()
        last_followup = customers["customer_id"].map(last)
    else:
        last_followup = pd.Series(pd.NaT, index=customers.index, dtype="datetime64[ns]")
    edited = customers["updated_at"].where(customers["updated_at"] <= now)
    fallback = pd.concat([edited, customers["created_at"]], axis=1).max(axis=1)
    last_activity = pd.to_datetime(last_followup.where(last_followup.notna(), fallback))
    return last_activity, pd.to_datetime(last_followup)


def _days_since(moments: pd.Series, day: date) -> pd.Series:
    dates = moments.dt.normalize()
    return (pd.Timestamp(day) - dates).dt.days.astype(float)


def _listing(
    customers: pd.DataFrame,
    rows: pd.Series,
    last: pd.Series,
    idle: pd.Series,
    reason: pd.Series,
    show_phones: bool,
) -> pd.DataFrame:
    picked = customers[rows]
    phones = picked["phone"] if show_phones else picked["phone"].map(mask_phone, na_action="ignore")
    frame = pd.DataFrame({
        "customer_id": picked["customer_id"], "name": picked["name"], "owner": picked["owner"], "phone": phones,
        "stage": picked["stage"], "intent": picked["intent"], "last_activity": last[rows].dt.normalize(),
        "days_idle": idle[rows], "reason": reason[rows],
    })  # fmt: skip
    frame["row"] = picked.index
    return frame.sort_values(
        ["owner", "days_idle"], ascending=[True, False], na_position="last", kind="stable"
    ).reset_index(drop=True)


def _stage_report(
    customers: pd.DataFrame,
    followups: pd.DataFrame | None,
    config: ReportConfig,
    day: date,
    show_phones: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    now = _end_of(day)
    last_activity, last_followup = _activity(customers, followups, now)
    idle = _days_since(last_activity, day)
    stage = customers["stage"]
    closed = stage.isin([config.won, *config.lost])
    limit = stage.map(config.stall_days).astype(float)
    stalled = limit.notna() & (idle > limit)
    stall_reason = "> " + limit.map(lambda v: f"{v:g}", na_action="ignore").astype(object) + " d"
    rows = []
    for name in [*config.stages, *config.lost]:
        in_stage = stage == name
        days = idle[in_stage].dropna()
        rows.append({
            "stage": name, "count": int(in_stage.sum()),
            "median_days_idle": float(days.median()) if len(days) else None,
            "max_days_idle": float(days.max()) if len(days) else None,
            "stalled": int((stalled & in_stage).sum()),
        })  # fmt: skip
    stages = pd.DataFrame(rows)
    since_followup = _days_since(
        last_followup.where(last_followup.notna(), customers["created_at"]), day
    )
    silent = ~closed & (since_followup > config.silent_days)
    silent_reason = "> " + str(config.silent_days) + " d"
    due = customers["next_followup"]
    past_due = due.notna() & (due.dt.normalize() < pd.Timestamp(day)) & ~stage.isin(config.lost)
    cadence = customers["intent"].map(config.cadence_days).astype(float)
    broken = cadence.notna() & (since_followup > cadence) & ~stage.isin(config.lost)
    due_text = "next " + due.dt.strftime("%Y-%m-%d")
    cadence_text = (
        "every "
        + cadence.map(lambda v: f"{v:g}", na_action="ignore").astype(object)
        + " d, "
        + since_followup.map(lambda v: f"{v:g}", na_action="ignore").astype(object)
        + " d since"
    )
    overdue_reason = (
        due_text.where(past_due, "")
        .str.cat(cadence_text.where(broken, ""), sep="; ")
        .str.strip("; ")
    )
    return (
        stages,
        _listing(customers, stalled, last_activity, idle, stall_reason, show_phones),
        _listing(
            customers,
            silent,
            last_activity,
            since_followup,
            pd.Series(silent_reason, index=customers.index),
            show_phones,
        ),
        _listing(
            customers, past_due | broken, last_activity, since_followup, overdue_reason, show_phones
        ),
    )


def _known(
    customers: pd.DataFrame, followups: pd.DataFrame | None, day: date
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """What was on record by the end of `day`: customers created by then (or undated), follow-ups by then."""
    end = _end_of(day)
    created = customers["created_at"]
    known = customers[created.isna() | (created <= end)]
    if followups is None:
        return known, None
    return known, followups[followups["at"].notna() & (followups["at"] <= end)]


@dataclass
class _Snapshot:
    funnel: pd.DataFrame
    win_rate: float | None
    channel: pd.DataFrame
    stages: pd.DataFrame
    stalled: pd.DataFrame
    silent: pd.DataFrame
    overdue: pd.DataFrame
    headline: dict[str, float | int | None]


def _snapshot(customers: pd.DataFrame, followups: pd.DataFrame | None, config: ReportConfig, day: date,
              period: Period, costs: pd.Series | None, show_phones: bool) -> _Snapshot:  # fmt: skip
    known, done = _known(customers, followups, day)
    funnel, win_rate = _funnel(known, _history_rank(done, config), config)
    channel = _channel(known, config, costs)
    stages, stalled, silent, overdue = _stage_report(known, done, config, day, show_phones)
    start, end = pd.Timestamp(period.since), _end_of(period.until)
    created = known["created_at"]
    in_period = done is not None and not done.empty
    followup_count = (
        int(((done["at"] >= start) & (done["at"] <= end)).sum())
        if in_period and done is not None
        else 0
    )
    active = (
        int(done.loc[(done["at"] >= start) & (done["at"] <= end), "customer_id"].nunique())
        if in_period and done is not None
        else 0
    )
    headline: dict[str, float | int | None] = {
        "customers": len(known),
        "new_customers": int(((created >= start) & (created <= end)).sum()),
        "followups": followup_count,
        "active_customers": active,
        "won": int((known["stage"] == config.won).sum()),
        "win_rate": win_rate,
        "pipeline_amount": float(
            known.loc[~known["stage"].isin([config.won, *config.lost]), "amount"].sum()
        ),
        "stalled": len(stalled),
        "silent": len(silent),
        "overdue": len(overdue),
    }
    return _Snapshot(funnel, win_rate, channel, stages, stalled, silent, overdue, headline)


def _funnel_by(
    customers: pd.DataFrame,
    followups: pd.DataFrame | None,
    config: ReportConfig,
    day: date,
    by: str,
) -> pd.DataFrame:
    known, done = _known(customers, followups, day)
    history = _history_rank(done, config)
    frames = []
    for group, members in known.groupby(known[by].fillna(BLANK), sort=True):
        funnel, win_rate = _funnel(members, history, config)
        funnel.insert(0, "group", group)
        funnel["win_rate"] = win_rate
        frames.append(funnel)
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(
            columns=["group", "stage", "current", "reached", "conversion", "win_rate"]
        )
    )


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
) -> ReportData:
    """Every metric of the funnel, channel and stage reports as of a day, with the previous period's headline."""
    now = _snapshot(customers, followups, config, as_of, period, costs, show_phones)
    before = previous_period(period)
    prior_day = as_of - (period.since - before.since)  # the same distance back as the periods
    then = _snapshot(customers, followups, config, prior_day, before, costs, show_phones)
    headline = [Headline(key, value, then.headline[key]) for key, value in now.headline.items()]
    return ReportData(
        as_of=as_of,
        period=period,
        funnel=now.funnel,
        win_rate=now.win_rate,
        channel=now.channel,
        stages=now.stages,
        stalled=now.stalled,
        silent=now.silent,
        overdue=now.overdue,
        headline=headline,
        funnel_by=_funnel_by(customers, followups, config, as_of, by) if by else None,
        by=by,
    )
