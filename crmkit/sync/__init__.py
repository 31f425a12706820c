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

import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from crmkit.findings import Finding
from crmkit.frames.canonical import canonical_frame
from crmkit.frames.columns import normalize_column
from crmkit.io.table import Table
from crmkit.io.write import date_texts
from crmkit.spec.config import ReportConfig, StageRule, SyncConfig, SyncTrigger
from crmkit.text import arrow
from crmkit.text.normalize import format_datetime

__all__ = ["CHANGE_COLUMNS", "KEY_HEADER", "SyncResult", "sync_customers"]

CHANGE_COLUMNS = ["file", "row", "customer_id", "field", "before", "after", "reason",
                  "source_file", "source_row"]  # fmt: skip
# The column of the task table where each triggered task keeps what triggered it (trigger,
# customer, follow-up time): the key that keeps a second run from adding it again.
KEY_HEADER = "触发来源"
SYNCED = ("intent", "stage", "updated_at", "next_followup")
_TEXT_FIELDS = ("content", "next_step", "feedback")


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
        return int(self.changes[["file", "row"]].drop_duplicates().shape[0])


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
    people = canonical_frame(customers, ["customer_id", "name", "intent", "stage", "owner",
                                         "updated_at", "next_followup"]).frame  # fmt: skip
    history = canonical_frame(followups, ["customer_id", "at", "status"]).frame
    # One integer code per 客户编号 (-1: blank), shared by both tables: sorting and grouping
    # millions of follow-ups on integers, not on text.
    codes = pd.factorize(pd.concat([people["customer_id"], history["customer_id"]],
                                   ignore_index=True))[0]  # fmt: skip
    people["code"], history["code"] = codes[: len(people)], codes[len(people) :].astype(np.int32)
    findings, usable = _usable(followups, history, people, as_of)
    findings += _shared_ids(customers, people)
    used = history.loc[usable, ["code", "at", "status", "sheet", "row"]]
    del history  # millions of rows: only the usable ones are kept
    # Each follow-up's intent as a code (-1: no valid 跟进状态), not as millions of strings;
    # at one time, a valid state is taken for the latest before an invalid one.
    findings += _unknown_states(followups, used)
    states, intents = pd.factorize(_intents(used["status"]))
    names = np.array([*intents, None], dtype=object)  # code -1 takes the last slot
    order = _latest_last(used["code"].to_numpy(), used["at"].to_numpy(), states >= 0)
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
    conflicted, conflict_findings = _conflicts(followups, ordered, last, names)
    findings += conflict_findings
    texts = _texts(followups, latest["_key"])
    latest = latest.assign(**{name: texts[name].to_numpy() for name in _TEXT_FIELDS})
    rule_stage, rule_reason = _rules(latest, sync.stage_rules, followups)
    latest = latest.drop(columns=["content", "next_step"]).assign(
        rule_stage=rule_stage, rule_reason=rule_reason
    )
    latest = latest[~conflicted]
    if customers.has("stage"):  # a stage no pipeline knows is never moved by intent
        people["stage_blank"] = arrow.blank(customers.column("stage"))
    new = _new_values(people, latest, config)
    findings += _won_kept(customers, people, new, followups, config)
    changes, table = _apply(customers, people, new, followups)
    result = SyncResult(table, changes, findings=findings, followups_used=int(usable.sum()))
    if tasks is not None:
        known = last.copy()  # the latest follow-ups the sync used, in the order of `latest`
        known[np.flatnonzero(last)[conflicted]] = False
        result.tasks, result.new_tasks, skipped = _triggered(
            tasks, people, ordered, known, latest, new, sync, followups, as_of
        )
        findings += skipped
    return result


def _unknown_states(followups: Table, used: pd.DataFrame) -> list[Finding]:
    """A warning for each follow-up used whose 跟进状态 is written but is no intent level (nor
    A→B of two): it sets no intent."""
    if not followups.has("status"):
        return []
    raw = followups.column("status").loc[used.index]
    bad = (used["status"].isna() & ~arrow.blank(raw)).to_numpy()
    return _findings(followups, used, bad, "status", "unknown_status",
                     "{value}: not an intent level (nor A→B of two); the follow-up sets no "
                     "intent")  # fmt: skip


def _won_kept(
    customers: Table,
    people: pd.DataFrame,
    new: pd.DataFrame,
    followups: Table,
    config: ReportConfig,
) -> list[Finding]:
    """A warning for each won customer a stage rule would have moved: it stays won."""
    held = new["held"].to_numpy(dtype=bool)
    if not held.any():
        return []
    column = customers.header_of("stage") if customers.has("stage") else ""
    chosen = new[held]
    return [
        Finding(customers.name, _text(sheet) or None, int(row), column, "stage", config.won,
                "warning", "won_kept",
                f"{_text(key) or '(no 客户编号)'} stays {config.won}: its latest follow-up "
                f"({followups.name} row {int(source)}) matches {reason} → {stage}; a won "
                "customer is not moved back (a new deal goes in a new row or the orders table)")
        for sheet, row, key, source, reason, stage in zip(
            people.loc[held, "sheet"], people.loc[held, "row"], people.loc[held, "customer_id"],
            chosen["source_row"], chosen["rule_reason"], chosen["rule_stage"], strict=True)
    ]  # fmt: skip


def _latest_last(code: np.ndarray, at: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The order that sorts follow-ups by customer, then time, then valid state last: one
    stable sort of one 64-bit key (customer code, seconds, valid), three times faster than a
    lexsort of the three; moments within one second keep the order they were written in."""
    seconds = at.astype("datetime64[s]").astype(np.int64)
    if not len(seconds):
        return np.zeros(0, dtype=np.intp)
    seconds = seconds - seconds.min()
    span = int(seconds.max()) + 1
    if (int(code.max()) + 1) * span * 2 >= 2**63:  # centuries of seconds: sort on three keys
        return np.lexsort((valid, at, code))
    key = (code.astype(np.int64) * span + seconds) * 2 + valid
    return np.argsort(key, kind="stable")


def _shared_ids(customers: Table, people: pd.DataFrame) -> list[Finding]:
    """A warning for each customer row whose 客户编号 another row has too: both follow the
    same follow-ups (crmkit dedupe merges them, or one is renumbered)."""
    ids = people["customer_id"]
    shared = ids.notna() & ids.duplicated(keep=False)
    if not shared.any():
        return []
    column = customers.header_of("customer_id")
    return [
        Finding(customers.name, _text(sheet) or None, int(row), column, "customer_id",
                str(code), "warning", "shared_customer_id",
                f"{code} is the 客户编号 of more than one row; each follows its follow-ups "
                "(merge them with crmkit dedupe, or renumber one)")
        for sheet, row, code in zip(people.loc[shared, "sheet"], people.loc[shared, "row"],
                                    ids[shared], strict=True)
    ]  # fmt: skip


def _usable(
    followups: Table, history: pd.DataFrame, people: pd.DataFrame, as_of: date
) -> tuple[list[Finding], np.ndarray]:
    """The follow-ups a sync may use, and a warning for each of the others."""
    present = np.zeros(int(max(people["code"].max(), history["code"].max(), 0)) + 2, dtype=bool)
    present[people["code"].to_numpy()] = True
    present[-1] = False  # code -1: a blank 客户编号
    known = present[history["code"].to_numpy()]
    dated = history["at"].notna().to_numpy()
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    future = dated & (history["at"] >= end).to_numpy()
    findings: list[Finding] = []
    say = {
        "unknown_customer": (~known, "customer_id",
                             "{value}: no customer of the customer table has this 客户编号; "
                             "the follow-up is not used"),
        "future_followup": (known & future, "at",
                            f"{{value}}: after --as-of {as_of}; the follow-up is not used yet"),
        "undated_followup": (known & ~dated, "at",
                             "no 跟进时间: the follow-up cannot be ordered and is not used"),
    }  # fmt: skip
    for rule, (mask, name, message) in say.items():
        findings += _findings(followups, history, mask, name, rule, message)
    return findings, known & dated & ~future


def _findings(
    table: Table, frame: pd.DataFrame, mask: np.ndarray, name: str, rule: str, message: str
) -> list[Finding]:
    chosen = frame[mask]
    if not len(chosen):
        return []
    raw = table.column(name).loc[chosen.index] if table.has(name) else chosen[name]
    column = table.header_of(name) if table.has(name) else ""
    return [
        Finding(table.name, _text(sheet) or None, int(row), column, name, _text(value), "warning", rule,
                message.format(value=_text(value) or "(blank)"))
        for sheet, row, value in zip(chosen["sheet"], chosen["row"], raw, strict=True)
    ]  # fmt: skip


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, datetime):
        return _when(value)
    return str(value)


def _when(moment: object) -> str:
    return format_datetime(pd.Timestamp(moment).to_pydatetime())  # type: ignore[arg-type]


def _texts_of(values: pd.Series) -> np.ndarray:
    """Cells as text for a listing and for a CSV's cells ('' where blank; dates as crmkit
    writes them: 2024-03-12, 2024-03-12 10:30), each distinct value converted once."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return date_texts(values)
    codes, distinct = pd.factorize(values.to_numpy(dtype=object))
    return np.array([_text(v) for v in distinct] + [""], dtype=object)[codes]


def _intents(status: pd.Series) -> pd.Series:
    """The intent a 跟进状态 reaches: B of A→B, or the status itself (NA where invalid)."""
    if arrow.is_arrow_text(status):
        return arrow.replace(status, "^.*→", "")
    text = status.astype(object)
    return text.where(text.isna(), text.astype(str).str.rsplit("→", n=1).str[-1])


def _conflicts(
    followups: Table, ordered: pd.DataFrame, last: np.ndarray, names: np.ndarray
) -> tuple[np.ndarray, list[Finding]]:
    """Follow-ups of one customer and one minute that reach different intents: a warning for
    each; and, for each latest follow-up, whether its minute is such (the customer is then
    left unchanged)."""
    code = ordered["code"].to_numpy()
    minute = ordered["at"].to_numpy().astype("datetime64[m]").astype(np.int64)
    states = ordered["state"].to_numpy()  # -1: no valid state
    if not len(code):
        return np.zeros(0, dtype=bool), []
    begins = np.append(True, (code[1:] != code[:-1]) | (minute[1:] != minute[:-1]))
    starts, run = np.flatnonzero(begins), np.cumsum(begins) - 1
    low = np.minimum.reduceat(np.where(states < 0, np.iinfo(np.int64).max, states), starts)
    high = np.maximum.reduceat(states, starts)
    clash = (high >= 0) & (low != high) & (low != np.iinfo(np.int64).max)
    rows = clash[run]
    stuck = rows[last]
    findings = []
    chosen = ordered[rows]
    decisive = np.zeros(len(starts), dtype=bool)
    decisive[run[last][stuck]] = True
    final = decisive[run[rows]]
    ids = followups.column("customer_id").loc[chosen.index]
    for sheet, row, key, when, intent, settled in zip(chosen["sheet"], chosen["row"],
                                                      ids, chosen["at"],
                                                      names[chosen["state"].to_numpy()], final,
                                                      strict=True):  # fmt: skip
        outcome = ("the customer is left unchanged until one is corrected" if settled
                   else "a later follow-up decides")  # fmt: skip
        findings.append(Finding(
            followups.name, _text(sheet) or None, int(row), followups.header_of("status"), "status",
            _text(intent), "warning", "same_minute_conflict",
            f"{key} has follow-ups at {_when(when)} with different 跟进状态; {outcome}"))  # fmt: skip
    return stuck, findings


def _texts(followups: Table, keys: pd.Index | pd.Series) -> pd.DataFrame:
    """沟通内容, 下一步计划 and 客户反馈 of some follow-ups (by their keys), normalized as text
    ('' where blank): only the follow-ups a rule or trigger reads are normalized."""
    index = pd.Index(keys)
    out = {}
    for name in _TEXT_FIELDS:
        if not followups.has(name) or followups.spec is None:
            out[name] = np.full(len(index), "", dtype=object)
            continue
        cells = followups.column(name).loc[index]
        values = normalize_column(cells, followups.spec.field(name),
                                  text_is_native=followups.format == "csv").values  # fmt: skip
        out[name] = values.astype(object).where(values.notna(), "").to_numpy(dtype=object)
    return pd.DataFrame(out, index=index)


def _matcher(words: tuple[str, ...], pattern: str) -> re.Pattern[str]:
    parts = [re.escape(w) for w in words] + ([f"(?:{pattern})"] if pattern else [])
    return re.compile("|".join(parts))


def _by_distinct(values: np.ndarray, test: re.Pattern[str]) -> np.ndarray:
    """Which cells match, each distinct text tested once."""
    return _Distinct(values).matches(test)


class _Distinct:
    """Cells as codes of their distinct texts: many rules test each text once."""

    def __init__(self, values: np.ndarray) -> None:
        self.codes, distinct = pd.factorize(values)
        self.texts = [str(v) for v in distinct]

    def matches(self, test: re.Pattern[str]) -> np.ndarray:
        found = [test.search(text) is not None for text in self.texts]
        return np.array([*found, False], dtype=bool)[self.codes]


def _rules(
    latest: pd.DataFrame, rules: tuple[StageRule, ...], followups: Table
) -> tuple[np.ndarray, np.ndarray]:
    """The stage of the first rule each latest follow-up matches (None: none) and why."""
    stage = np.full(len(latest), None, dtype=object)
    reason = np.full(len(latest), "", dtype=object)
    fields = {name: _Distinct(latest[name].to_numpy(dtype=object))
              for name in {name for rule in rules for name in rule.fields}}  # fmt: skip
    for rule in rules:
        matcher = _matcher(rule.words, rule.pattern)
        for name in rule.fields:
            hit = fields[name].matches(matcher) & pd.isna(stage)
            if hit.any():
                header = followups.header_of(name) if followups.has(name) else name
                stage[hit] = rule.stage
                reason[hit] = f"rule {rule.name} ({header})"
    return stage, reason


def _lookup(
    values: pd.Series | np.ndarray, mapping: dict[str, object], missing: object
) -> np.ndarray:
    """`mapping` of each cell (`missing` for a blank or a value it lacks), each distinct
    value looked up once."""
    codes, distinct = pd.factorize(values)
    found = [mapping.get(v, missing) for v in distinct]
    dtype = float if isinstance(missing, float) else object
    return np.array([*found, missing], dtype=dtype)[codes]


def _new_values(people: pd.DataFrame, latest: pd.DataFrame, config: ReportConfig) -> pd.DataFrame:
    """Each customer row's synced values, and what a reason is made of (NaN: no latest
    follow-up, unchanged)."""
    wanted = ["at", "intent", "status", "rule_stage", "rule_reason", "sheet", "row"]
    mine = latest[wanted].reindex(people["code"].to_numpy())
    mine.index = people.index
    seen = mine["at"].notna().to_numpy()
    rank: dict[str, object] = {name: float(k) for k, name in enumerate(config.stages)}
    stage = people["stage"].to_numpy(dtype=object)
    blank = people["stage_blank"] if "stage_blank" in people else pd.isna(stage)
    now = np.where(np.asarray(blank, dtype=bool), -1.0, _lookup(people["stage"], rank, np.nan))
    settled = _lookup(people["stage"], dict.fromkeys([config.won, *config.lost], True), False)
    settled = settled.astype(bool)
    latest_intent = mine["intent"].to_numpy(dtype=object)
    intent = np.where(
        pd.notna(latest_intent), latest_intent, people["intent"].to_numpy(dtype=object)
    )
    target = _lookup(intent, dict(config.intent_stage), None)
    target_rank = _lookup(intent, {k: rank.get(v, np.nan) for k, v in config.intent_stage.items()},
                          np.nan)  # fmt: skip
    forward = seen & ~settled & ~np.isnan(now) & (target_rank > now)
    rule_stage = mine["rule_stage"].to_numpy(dtype=object)
    rule = pd.notna(rule_stage)
    # A rule never moves a won customer away from won: a re-quote after a deal is a new deal.
    held = rule & (stage == config.won) & (rule_stage != config.won)
    rule &= ~held
    new_stage = np.where(rule, rule_stage, np.where(forward, target, stage))
    at = mine["at"]
    updated = people["updated_at"]
    new_updated = at.where(seen & (updated.isna() | (at > updated)).to_numpy(), updated)
    every = _lookup(intent, {k: float(v) for k, v in config.cadence_days.items()}, np.nan)
    planned = people["next_followup"]
    stale = seen & (planned.isna() | (planned < at)).to_numpy() & ~np.isnan(every)
    cadence = at.dt.normalize() + pd.to_timedelta(np.nan_to_num(every), unit="D")
    new_next = cadence.where(stale, planned)

    def kept(values: object) -> pd.Series:  # texts stay Python objects: no conversion
        return pd.Series(values, index=people.index, dtype=object)

    return pd.DataFrame({
        "intent": kept(np.where(seen, intent, people["intent"].to_numpy(dtype=object))),
        "stage": kept(new_stage), "updated_at": new_updated, "next_followup": new_next,
        "stage_entered": seen & (new_stage != stage) & pd.notna(new_stage),
        "status": kept(mine["status"].to_numpy(dtype=object)), "target": kept(target),
        "every": every, "rule": rule, "held": held, "rule_stage": kept(rule_stage),
        "rule_reason": kept(mine["rule_reason"].to_numpy(dtype=object)),
        "source_sheet": mine["sheet"], "source_row": mine["row"],
    }, index=people.index)  # fmt: skip


def _reasons(name: str, new: pd.DataFrame) -> np.ndarray:
    """Why each of these rows' `name` changed: the rule, the intent or the cadence."""

    def text(column: str) -> np.ndarray:
        return _texts_of(new[column])

    if name == "intent":
        return "跟进状态 " + text("status")
    if name == "stage":
        by_intent = "intent " + text("intent") + " → " + text("target")
        return np.where(new["rule"].to_numpy(dtype=bool), text("rule_reason"), by_intent)
    if name == "updated_at":
        return np.full(len(new), "latest follow-up", dtype=object)
    days = _texts_of(new["every"].astype(float).astype("Int64"))
    return "latest follow-up + " + days + " days (" + text("intent") + ")"


def _differs(before: pd.Series, after: pd.Series) -> np.ndarray:
    """Which cells get a new value (a value, different from the one they hold)."""
    present = after.notna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(before):
        return present & (before.to_numpy() != after.to_numpy())
    same = before == pd.Series(after.to_numpy(dtype=object), index=before.index, dtype=before.dtype)
    return present & ~same.fillna(False).to_numpy(dtype=bool)


def _apply(
    customers: Table, people: pd.DataFrame, new: pd.DataFrame, followups: Table
) -> tuple[pd.DataFrame, Table]:
    """The customer table with the new values in their cells (a missing column added where
    the spec places it), and one change row per cell changed, by row and then field. A CSV's
    cells get text, a workbook's dates get dates."""
    table = customers
    data = table.data.copy(deep=False)  # copy-on-write: only the columns set below are new
    changed = {name: _differs(people[name], new[name]) for name in SYNCED}
    names = [name for name in SYNCED if changed[name].any()]
    columns = ["file", *(["sheet"] if customers.parts else []), *CHANGE_COLUMNS[1:],
               *(["source_sheet"] if followups.parts else [])]  # fmt: skip
    if not names:
        return pd.DataFrame(columns=columns), customers
    # Row-major positions of the changed cells: by row, then in the order of SYNCED.
    at, which = np.nonzero(np.column_stack([changed[name] for name in names]))
    before, after, reason = (np.empty(len(at), dtype=object) for _ in range(3))
    headers = []
    for k, name in enumerate(names):
        mask = changed[name]
        if not table.has(name):
            table = table.with_data(data).add_field_column(name)
            data = table.data
        position = table.fields[name]
        headers.append(table.header_of(name))
        values = new[name][mask]
        written = _texts_of(values)
        slots = which == k
        before[slots] = _texts_of(data[position][mask])
        after[slots] = written
        reason[slots] = _reasons(name, new[mask])
        if table.format == "csv" and arrow.is_arrow_text(data[position]):
            column = data[position].copy()
            column[mask] = written
        elif table.format == "csv":  # a CSV's cells are text, also in a column sync adds
            column = data[position].astype(object)
            column[mask] = written
        else:
            column = data[position].astype(object)
            dated = name in ("updated_at", "next_followup")
            column[mask] = np.asarray(values.dt.to_pydatetime() if dated else written,
                                      dtype=object)  # fmt: skip
        data[position] = column
    sheets, rows = customers.places(people.index[at])
    constant = np.zeros(len(at), dtype=np.int8)
    changes = pd.DataFrame({
        "file": pd.Categorical.from_codes(constant, pd.Index([customers.name])),
        "sheet": sheets.array, "row": rows.to_numpy(),
        "customer_id": people["customer_id"].array.take(at),
        "field": pd.Categorical.from_codes(which, pd.Index(headers)),
        "before": before, "after": after, "reason": pd.Categorical(reason),
        "source_file": pd.Categorical.from_codes(constant, pd.Index([followups.name])),
        "source_sheet": new["source_sheet"].to_numpy()[at],
        "source_row": new["source_row"].to_numpy()[at].astype(np.int64),
    })  # fmt: skip
    return changes[columns], table.with_data(data)


def _triggered(
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
            hit = _by_distinct(newer["feedback"].to_numpy(dtype=object),
                               _matcher(trigger.feedback, ""))  # fmt: skip
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
        feedback[~mine] = _texts(followups, newer["_key"][~mine])["feedback"].to_numpy()
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
    ids = _texts_of(who["customer_id"])
    owners = _texts_of(who["owner"])
    if followups.has("by"):  # no 负责人: the one who made the follow-up
        by = _texts_of(followups.column("by").loc[source["_key"].to_numpy()])
        owners = np.where(owners == "", by, owners)
    names = _texts_of(who["name"])
    words = {"客户名称": np.where(names == "", ids, names), "客户编号": ids, "负责人": owners,
             "销售阶段": _texts_of(who["stage"])}  # fmt: skip
    contents = np.full(len(source), "", dtype=object)
    for literal, word, _, _ in string.Formatter().parse(trigger.task):
        contents = contents + literal + (words[word] if word is not None else "")
    at = pd.Series(pd.to_datetime(source["at"]).to_numpy())
    minute = np.datetime_as_string(at.to_numpy().astype("datetime64[m]"))  # 2024-03-10T14:00
    if len(minute):
        minute.view(np.uint32).reshape(len(minute), -1)[:, 10] = ord(" ")
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
