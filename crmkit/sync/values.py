"""The synced values of each customer row, written into its cells, and the changes listed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.findings import Finding
from crmkit.io.table import Table
from crmkit.spec.config import ReportConfig
from crmkit.sync.cells import cell_text, texts_of
from crmkit.text import arrow

CHANGE_COLUMNS = ["file", "row", "customer_id", "field", "before", "after", "reason",
                  "source_file", "source_row"]  # fmt: skip


SYNCED = ("intent", "stage", "updated_at", "next_followup")


def _lookup(
    values: pd.Series | np.ndarray, mapping: dict[str, object], missing: object
) -> np.ndarray:
    """`mapping` of each cell (`missing` for a blank or a value it lacks), each distinct
    value looked up once."""
    codes, distinct = pd.factorize(values)
    found = [mapping.get(v, missing) for v in distinct]
    dtype = float if isinstance(missing, float) else object
    return np.array([*found, missing], dtype=dtype)[codes]


def new_values(people: pd.DataFrame, latest: pd.DataFrame, config: ReportConfig) -> pd.DataFrame:
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


def won_kept(
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
        Finding(customers.name, cell_text(sheet) or None, int(row), column, "stage", config.won,
                "warning", "won_kept",
                f"{cell_text(key) or '(no 客户编号)'} stays {config.won}: its latest follow-up "
                f"({followups.name}{' sheet ' + cell_text(part) if cell_text(part) else ''} row "
                f"{int(source)}) matches {reason} → {stage}; a won customer is not moved back "
                "(a new deal goes in a new row or the orders table)")
        for sheet, row, key, part, source, reason, stage in zip(
            people.loc[held, "sheet"], people.loc[held, "row"], people.loc[held, "customer_id"],
            chosen["source_sheet"], chosen["source_row"], chosen["rule_reason"],
            chosen["rule_stage"], strict=True)
    ]  # fmt: skip


def _reasons(name: str, new: pd.DataFrame) -> np.ndarray:
    """Why each of these rows' `name` changed: the rule, the intent or the cadence."""

    def text(column: str) -> np.ndarray:
        return texts_of(new[column])

    if name == "intent":
        return "跟进状态 " + text("status")
    if name == "stage":
        by_intent = "intent " + text("intent") + " → " + text("target")
        return np.where(new["rule"].to_numpy(dtype=bool), text("rule_reason"), by_intent)
    if name == "updated_at":
        return np.full(len(new), "latest follow-up", dtype=object)
    days = texts_of(new["every"].astype(float).astype("Int64"))
    return "latest follow-up + " + days + " days (" + text("intent") + ")"


def _differs(before: pd.Series, after: pd.Series) -> np.ndarray:
    """Which cells get a new value (a value, different from the one they hold)."""
    present = after.notna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(before):
        return present & (before.to_numpy() != after.to_numpy())
    same = before == pd.Series(after.to_numpy(dtype=object), index=before.index, dtype=before.dtype)
    return present & ~same.fillna(False).to_numpy(dtype=bool)


def apply_values(
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
        written = texts_of(values)
        slots = which == k
        before[slots] = texts_of(data[position][mask])
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
