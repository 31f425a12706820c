"""Triggered tasks: the rows a sync adds to the collaboration-task table."""

from __future__ import annotations

import re
import string
from datetime import date

import numpy as np
import pandas as pd

from crmkit.findings import Finding
from crmkit.io.table import Table
from crmkit.io.write import date_texts, iso_text
from crmkit.spec.config import SyncConfig, SyncTrigger
from crmkit.sync.cells import texts_of
from crmkit.sync.rules import by_distinct, followup_texts, matcher

# The column of the task table where each triggered task keeps what triggered it (trigger,
# customer, follow-up time): the key that keeps a second run from adding it again.
KEY_HEADER = "触发来源"


def triggered(
    tasks: Table,
    people: pd.DataFrame,
    used: pd.DataFrame,
    known: np.ndarray,
    latest: pd.DataFrame,
    new: pd.DataFrame,
    sync: SyncConfig,
    followups: Table,
    as_of: date,
) -> tuple[Table, pd.DataFrame, list[Finding]]:
    """The task table with a task for each trigger fired by this sync and not added before,
    the tasks added, and a note of the tasks not added because their follow-ups are older than
    sync.trigger_days before `as_of`."""
    first = people[people["code"] >= 0].drop_duplicates("code").set_index("code")
    fired: list[pd.DataFrame] = []
    newer: pd.DataFrame | None = None
    for trigger in sync.triggers:
        if trigger.stage:
            hit = new["stage_entered"].to_numpy(dtype=bool) & (new["stage"] == trigger.stage)
            source = latest.loc[people["code"][hit].drop_duplicates().to_numpy()]
        else:
            if newer is None:
                newer = _recent(followups, used, known, latest, first)
            hit = by_distinct(newer["feedback"].to_numpy(dtype=object),
                               matcher(trigger.feedback, ""))  # fmt: skip
            source = newer[hit]
        if len(source):
            fired.append(_task_rows(trigger, source, first, followups))
    existing = _keys(tasks)
    rows = pd.concat(fired) if fired else pd.DataFrame(columns=["key", "created_at"])
    rows = rows[~rows["key"].isin(existing)].drop_duplicates("key")
    notes = []
    if sync.trigger_days and len(rows):
        since = pd.Timestamp(as_of) - pd.Timedelta(days=sync.trigger_days)
        old = (pd.to_datetime(rows["created_at"]) < since).to_numpy()
        if old.any():
            notes.append(Finding(
                followups.name, None, None, followups.header_of("at") if followups.has("at") else "",
                "at", "", "note", "old_followup_trigger",
                f"{int(old.sum())} tasks not added: their follow-ups are more than "
                f"{sync.trigger_days} days before {as_of} (sync.trigger_days; 0 adds them all)"))  # fmt: skip
            rows = rows[~old]
    if not len(rows):
        return tasks, rows.reset_index(drop=True), notes
    rows = rows.assign(task_id=_task_ids(tasks, len(rows))).reset_index(drop=True)
    return _append_tasks(tasks, rows), rows, notes


def _recent(
    followups: Table,
    used: pd.DataFrame,
    known: np.ndarray,
    latest: pd.DataFrame,
    first: pd.DataFrame,
) -> pd.DataFrame:
    """The follow-ups a feedback trigger reads, indexed by customer code, with their 客户反馈:
    each customer's latest (`known`: where they are in `used`, in the order of `latest`), and
    those newer than its 更新时间 before this sync (several follow-ups logged between two
    runs)."""
    code = used["code"].to_numpy()
    customers = first.index.to_numpy()
    size = max(int(code.max(initial=0)), int(customers.max(initial=0))) + 1
    updated = np.full(size, np.datetime64("NaT"), dtype="datetime64[ns]")
    updated[customers] = first["updated_at"].to_numpy(dtype="datetime64[ns]")
    chosen = (used["at"].to_numpy() > updated[code]) | known
    newer = used[chosen]
    newer = newer.assign(_key=newer.index)
    feedback = np.empty(len(newer), dtype=object)
    mine = known[chosen]
    feedback[mine] = latest["feedback"].to_numpy(dtype=object)
    if (~mine).any():
        feedback[~mine] = followup_texts(followups, newer["_key"][~mine])["feedback"].to_numpy()
    return newer.assign(feedback=feedback).set_index("code")


def _keys(tasks: Table) -> set[str]:
    if KEY_HEADER not in tasks.headers:
        return set()
    cells = tasks.data[tasks.headers.index(KEY_HEADER)]
    return {str(v) for v in cells.dropna()}


def _task_rows(
    trigger: SyncTrigger, source: pd.DataFrame, first: pd.DataFrame, followups: Table
) -> pd.DataFrame:
    """One task per follow-up in `source` (indexed by customer code)."""
    who = first.reindex(source.index.to_numpy())
    ids = texts_of(who["customer_id"])
    owners = texts_of(who["owner"])
    if followups.has("by"):  # no 负责人: the one who made the follow-up
        by = texts_of(followups.column("by").loc[source["_key"].to_numpy()])
        owners = np.where(owners == "", by, owners)
    names = texts_of(who["name"])
    words = {"客户名称": np.where(names == "", ids, names), "客户编号": ids, "负责人": owners,
             "销售阶段": texts_of(who["stage"])}  # fmt: skip
    contents = np.full(len(source), "", dtype=object)
    for literal, word, _, _ in string.Formatter().parse(trigger.task):
        contents = contents + literal + (words[word] if word is not None else "")
    at = pd.Series(pd.to_datetime(source["at"]).to_numpy())
    minute = iso_text(at.to_numpy(), "m")  # 2024-03-10 14:00
    key = f"sync {trigger.name} " + ids + " " + minute.astype(object)
    return pd.DataFrame({
        "customer_id": ids, "customer_name": who["name"].to_numpy(), "initiator": trigger.initiator,
        "assignee": trigger.assignee or owners, "content": contents,
        "priority": trigger.priority, "due": (at.dt.normalize() + pd.Timedelta(days=trigger.days)),
        "status": "待处理", "created_at": at, "key": key,
    })  # fmt: skip


def _task_ids(tasks: Table, count: int) -> list[str]:
    """`count` new task ids following the table's largest TASK number, as wide as its ids."""
    prefix = tasks.spec.id_prefix if tasks.spec is not None and tasks.spec.id_prefix else "TASK"
    width, top = 4, 0
    if tasks.has("task_id"):
        found = tasks.column("task_id").dropna().astype(str).str.extract(
            f"^{re.escape(prefix)}(\\d+)$")[0].dropna()  # fmt: skip
        if len(found):
            top = int(found.astype(int).max())
            width = int(found.str.len().max())
    return [f"{prefix}{n:0{width}d}" for n in range(top + 1, top + count + 1)]


def _append_tasks(tasks: Table, rows: pd.DataFrame) -> Table:
    """The task table with `rows` added below its last row (columns it lacks added)."""
    table = tasks
    for name in ("task_id", "customer_id", "customer_name", "initiator", "assignee", "content",
                 "priority", "due", "status", "created_at"):  # fmt: skip
        if not table.has(name) and table.spec is not None:
            table = table.add_field_column(name)
    if KEY_HEADER not in table.headers:
        table = table.insert_column(len(table.headers), KEY_HEADER)
    start = int(table.data.index.max()) + 1 if len(table.data) else table.header_row + 1
    index = pd.RangeIndex(start, start + len(rows))
    cells: dict[object, object] = dict.fromkeys(table.data.columns)
    for name, position in table.fields.items():
        if name in rows:
            if name in ("due", "created_at"):  # a CSV's cells are text, a workbook's dates
                stamps = pd.to_datetime(rows[name])
                dated = date_texts(stamps) if table.format == "csv" else stamps.dt.to_pydatetime()
                cells[position] = np.asarray(dated, dtype=object)
            else:
                cells[position] = rows[name].to_numpy(dtype=object)
    cells[table.headers.index(KEY_HEADER)] = rows["key"].to_numpy(dtype=object)
    added = pd.DataFrame({position: pd.Series(values, index=index, dtype=object)
                          for position, values in cells.items()})  # fmt: skip
    data = pd.concat([table.data.astype(object), added])
    return table.with_data(data)
