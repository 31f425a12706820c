"""`crmkit sync`: the customer table follows its follow-ups.

result = sync_customers(customers, followups, as_of=..., config=..., sync=..., tasks=...)
result.table      # the customer table, with 意向等级 / 销售阶段 / 更新时间 / 下次跟进时间 synced
result.changes    # one row per changed cell: where, before, after, and why (rule and follow-up)
result.tasks      # the task table with the tasks the triggers added (None without tasks)
result.findings   # follow-ups not used: unknown customer, after --as-of, undated, conflicting

For each customer, only its latest follow-up (by 跟进时间, up to the end of `as_of`) counts:
its 跟进状态 sets the intent, which moves the stage forward only (never a won or lost one);
the first stage rule its text matches sets the stage, forward or back. A second run changes
nothing: every new value is a function of the latest follow-up and of values it sets itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from crmkit.errors import InputError
from crmkit.findings import Finding
from crmkit.frames.canonical import canonical_frame
from crmkit.io.table import Table
from crmkit.spec.config import ReportConfig, SyncConfig
from crmkit.sync.latest import (
    conflicts,
    intents_of,
    latest_last,
    shared_ids,
    unknown_states,
    usable_followups,
)
from crmkit.sync.rules import TEXT_FIELDS, followup_texts, rule_stages
from crmkit.sync.tasks import KEY_HEADER, triggered
from crmkit.sync.values import CHANGE_COLUMNS, apply_values, new_values, won_kept
from crmkit.text import arrow

__all__ = ["CHANGE_COLUMNS", "KEY_HEADER", "SyncResult", "sync_customers"]


@dataclass
class SyncResult:
    """What a sync did: the synced customer table, its changes, the task table with the tasks
    added (None when no task table was given), the tasks added, and the findings."""

    table: Table
    changes: pd.DataFrame
    tasks: Table | None = None
    new_tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: list[Finding] = field(default_factory=list)
    followups_used: int = 0

    @property
    def up_to_date(self) -> bool:
        """True when the sync changes no cell and adds no task."""
        return not len(self.changes) and not len(self.new_tasks)

    @property
    def customers_changed(self) -> int:
        """How many customer rows have a changed cell."""
        where = [c for c in ("file", "sheet", "row") if c in self.changes]
        return int(self.changes[where].drop_duplicates().shape[0])


def sync_customers(
    customers: Table,
    followups: Table,
    *,
    as_of: date,
    config: ReportConfig | None = None,
    sync: SyncConfig | None = None,
    tasks: Table | None = None,
) -> SyncResult:
    """Bring the customer table up to date with its follow-ups up to the end of `as_of`.

    Returns a SyncResult; the input tables are not modified. Tables must be read with their
    field specs (customers, followups, tasks).
    """
    config = config or ReportConfig()
    sync = sync or SyncConfig()
    _require(customers, ("customer_id",), "customers")
    _require(followups, ("customer_id", "at"), "follow-ups")
    people = canonical_frame(customers, ["customer_id", "name", "intent", "stage", "owner",
                                         "created_at", "updated_at", "next_followup"]).frame  # fmt: skip
    history = canonical_frame(followups, ["customer_id", "at", "status"]).frame
    # One integer code per 客户编号 (-1: blank), shared by both tables: sorting and grouping
    # millions of follow-ups on integers, not on text.
    codes = pd.factorize(pd.concat([people["customer_id"], history["customer_id"]],
                                   ignore_index=True))[0]  # fmt: skip
    people["code"], history["code"] = codes[: len(people)], codes[len(people) :].astype(np.int32)
    findings, usable = usable_followups(followups, history, people, as_of)
    findings += shared_ids(customers, people)
    used = history.loc[usable, ["code", "at", "status", "sheet", "row"]]
    del history  # millions of rows: only the usable ones are kept
    # Each follow-up's intent as a code (-1: no valid 跟进状态), not as millions of strings;
    # at one time, a valid state is taken for the latest before an invalid one.
    findings += unknown_states(followups, used)
    states, intents = pd.factorize(intents_of(used["status"]))
    names = np.array([*intents, None], dtype=object)  # code -1 takes the last slot
    order = latest_last(used["code"].to_numpy(), used["at"].to_numpy(), states >= 0)
    status = used["status"].to_numpy(dtype=object)
    # Sorted follow-ups hold codes and places only (indexed by their row key in the table).
    ordered = used.drop(columns="status").iloc[order].assign(state=states[order].astype(np.int16))
    del used
    code = ordered["code"].to_numpy()
    last = np.append(code[1:] != code[:-1], True)[: len(code)]  # each customer's latest
    latest = ordered[last]
    latest = latest.assign(_key=latest.index, status=status[order[last]]).set_index("code")
    del status
    latest["intent"] = names[latest["state"].to_numpy()]
    conflicted, conflict_findings = conflicts(followups, ordered, last, names)
    findings += conflict_findings
    texts = followup_texts(followups, latest["_key"])
    latest = latest.assign(**{name: texts[name].to_numpy() for name in TEXT_FIELDS})
    rule_stage, rule_reason = rule_stages(latest, sync.stage_rules, followups)
    latest = latest.drop(columns=["content", "next_step"]).assign(
        rule_stage=rule_stage, rule_reason=rule_reason
    )
    latest = latest[~conflicted]
    if customers.has("stage"):  # a stage no pipeline knows is never moved by intent
        people["stage_blank"] = arrow.blank(customers.column("stage"))
    new = new_values(people, latest, config)
    findings += won_kept(customers, people, new, followups, config)
    changes, table = apply_values(customers, people, new, followups)
    result = SyncResult(table, changes, findings=findings, followups_used=int(usable.sum()))
    if tasks is not None:
        known = last.copy()  # the latest follow-ups the sync used, in the order of `latest`
        known[np.flatnonzero(last)[conflicted]] = False
        result.tasks, result.new_tasks, skipped = triggered(
            tasks, people, ordered, known, latest, new, sync, followups, as_of
        )
        findings += skipped
    return result


def _require(table: Table, names: tuple[str, ...], kind: str) -> None:
    """InputError unless the table has these fields (a table of another kind given)."""
    missing = [n for n in names if not table.has(n)]
    if missing and table.spec is not None:
        headers = " and ".join(table.spec.field(n).header("zh") for n in missing)
        raise InputError(
            f"{table.name}: no {headers} column; sync needs the {kind}' "
            f"{' and '.join(table.spec.field(n).header('zh') for n in names)} "
            f"(its headers: {', '.join(h for h in table.headers if h.strip())})"
        )
