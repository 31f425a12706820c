"""The service report: collaboration tasks and customer feedback as data frames.

Definitions (README, "Report definitions"): a task is open until its status is the config's
done status (已完成); it is overdue when open and its 截止日期 is before the day of the report;
time to close = 完成时间 − 创建时间 in days, for closed tasks with both dates. Only rows on
record by that day count (`period.on_record`: tasks by 创建时间, feedback by 反馈日期; a row
with no date counts, and is left out only of the feedback by month). Complaint share =
投诉 / all feedback; satisfaction is the mean of the 1–5 scores given (blank scores are left
out, not counted as zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from crmkit.frames.canonical import places_of
from crmkit.frames.period import on_record
from crmkit.frames.tasks import COMPLAINT, DONE, split_assignee
from crmkit.report.metrics import BLANK, Headline, records


@dataclass
class ServiceData:
    """The computed service metrics of one run."""

    as_of: date
    headline: list[Headline] = field(default_factory=list)
    by_person: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_department: pd.DataFrame = field(default_factory=pd.DataFrame)
    time_to_close: pd.DataFrame = field(default_factory=pd.DataFrame)
    overdue_tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_month: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract of `report service --format json`."""
        values = {h.key: h.value for h in self.headline}
        return {
            "as_of": self.as_of.isoformat(),
            "headline": {h.key: {"value": h.value} for h in self.headline},
            "tasks": {
                "by_person": records(self.by_person),
                "by_department": records(self.by_department),
                "time_to_close": records(self.time_to_close),
                "overdue": records(self.overdue_tasks),
            },
            "feedback": {
                "by_type": records(self.by_type),
                "by_month": records(self.by_month),
                "complaint_share": values.get("complaint_share"),
                "satisfaction": values.get("satisfaction"),
            },
        }


def _task_counts(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(keys, dropna=False, sort=True)
    counts = pd.DataFrame(
        {
            "tasks": grouped.size(),
            "open_tasks": grouped["open"].sum(),
            "overdue_tasks": grouped["overdue"].sum(),
        }
    ).reset_index()
    counts = counts.sort_values(
        ["overdue_tasks", "open_tasks", *keys], ascending=[False, False] + [True] * len(keys)
    )
    return counts.reset_index(drop=True).astype(
        {"tasks": int, "open_tasks": int, "overdue_tasks": int}
    )


def _in_order(values: pd.Series, options: tuple[str, ...]) -> list[str]:
    """The options in their spec's order, then any other value found, alphabetically."""
    order = {name: rank for rank, name in enumerate(options)}
    return sorted(set(values.dropna()) | set(options), key=lambda v: (order.get(v, len(order)), v))


def _tasks(
    tasks: pd.DataFrame, as_of: date, priorities: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, float | None]:
    frame = tasks.copy()
    for name in ("due", "created_at", "closed_at"):
        frame[name] = pd.to_datetime(frame[name])
    split = [split_assignee(v) for v in frame["assignee"]]
    frame["department"] = [d or BLANK for d, _ in split]
    frame["person"] = [p or BLANK for _, p in split]
    frame["open"] = (frame["status"] != DONE).fillna(True).to_numpy(dtype=bool)
    frame["overdue"] = frame["open"] & (frame["due"] < pd.Timestamp(as_of)).to_numpy(bool)
    by_person = _task_counts(frame, ["person", "department"])
    by_department = _task_counts(frame, ["department"])
    days = (frame["closed_at"] - frame["created_at"]).dt.total_seconds() / 86400
    closed = frame.assign(days=days)[~frame["open"] & days.notna() & (days >= 0)]
    rows = []
    for priority in _in_order(frame["priority"], priorities):
        chosen = closed[closed["priority"] == priority]["days"]
        rows.append(
            {
                "priority": priority,
                "closed": len(chosen),
                "median_days_to_close": float(chosen.median()) if len(chosen) else None,
            }
        )
    time_to_close = pd.DataFrame(rows, columns=["priority", "closed", "median_days_to_close"])
    late = frame[frame["overdue"]].copy()
    late["days_overdue"] = (pd.Timestamp(as_of) - late["due"].dt.normalize()).dt.days
    late["rank"] = late["priority"].map({p: rank for rank, p in enumerate(priorities)}).fillna(99)
    late = late.sort_values(["days_overdue", "rank"], ascending=[False, True])
    late_sheets, late_rows = places_of(late)
    overdue = pd.DataFrame(
        {
            "task_id": late["task_id"],
            "customer": late["customer_name"].where(
                late["customer_name"].notna(), late["customer_id"]
            ),
            "person": late["person"],
            "department": late["department"],
            "priority": late["priority"],
            "status": late["status"],
            "due": late["due"].dt.normalize(),
            "days_overdue": late["days_overdue"].astype(int),
            "content": late["content"],
            "sheet": late_sheets,
            "row": late_rows,
        }
    ).reset_index(drop=True)
    median = float(closed["days"].median()) if len(closed) else None
    return by_person, by_department, time_to_close, overdue, median


def _feedback(
    feedback: pd.DataFrame, as_of: date, types: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame, float | None, float | None, int]:
    frame = feedback.assign(date=pd.to_datetime(feedback["date"]))
    total = len(frame)
    rows = []
    for kind in _in_order(frame["type"], types):
        chosen = frame[frame["type"] == kind]
        scores = chosen["satisfaction"].dropna()
        rows.append(
            {
                "type": kind,
                "feedback": len(chosen),
                "share": len(chosen) / total if total else None,
                "satisfaction": float(scores.mean()) if len(scores) else None,
            }
        )
    by_type = pd.DataFrame(rows, columns=["type", "feedback", "share", "satisfaction"])
    months = frame["date"].dt.strftime("%Y-%m")
    grouped = frame.assign(month=months).dropna(subset=["month"]).groupby("month", sort=True)
    by_month = pd.DataFrame(
        {
            "feedback": grouped.size(),
            "complaints": grouped["type"].apply(lambda s: int((s == COMPLAINT).sum())),
            "satisfaction": grouped["satisfaction"].mean(),
        }
    ).reset_index()
    by_month = by_month.astype({"feedback": int, "complaints": int})
    complaints = int((frame["type"] == COMPLAINT).sum())
    scores = frame["satisfaction"].dropna()
    share = complaints / total if total else None
    return by_type, by_month, share, float(scores.mean()) if len(scores) else None, total


def compute_service(
    tasks: pd.DataFrame | None,
    feedback: pd.DataFrame | None,
    *,
    as_of: date,
    priorities: tuple[str, ...] = ("紧急", "重要", "一般"),
    types: tuple[str, ...] = ("咨询", "建议", "投诉", "表扬"),
) -> ServiceData:
    """Task and feedback metrics as of a day from canonical frames (either may be None); tasks
    created and feedback dated after the day do not count, undated ones do (`on_record`)."""
    data = ServiceData(as_of=as_of)
    tasks = on_record(tasks, "created_at", as_of)
    feedback = on_record(feedback, "date", as_of)
    if tasks is not None:
        by_person, by_department, time_to_close, overdue, median = _tasks(tasks, as_of, priorities)
        data.by_person, data.by_department = by_person, by_department
        data.time_to_close, data.overdue_tasks = time_to_close, overdue
        data.headline += [
            Headline("tasks", len(tasks)),
            Headline("open_tasks", int(by_department["open_tasks"].sum())),
            Headline("overdue_tasks", int(by_department["overdue_tasks"].sum())),
            Headline("median_days_to_close", median),
        ]
    if feedback is not None:
        by_type, by_month, share, satisfaction, total = _feedback(feedback, as_of, types)
        data.by_type, data.by_month = by_type, by_month
        data.headline += [
            Headline("feedback", total),
            Headline("complaint_share", share),
            Headline("satisfaction", satisfaction),
        ]
    return data
