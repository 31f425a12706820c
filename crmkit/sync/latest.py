"""Which follow-ups a sync may use, and each customer's latest of them."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from crmkit.findings import Finding
from crmkit.io.table import Table
from crmkit.sync.cells import cell_text, findings_at, moment_text
from crmkit.text import arrow


def usable_followups(
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
    # A follow-up days before its customer was created is a typo (of the year, mostly).
    created = people[people["code"] >= 0].groupby("code")["created_at"].min().dt.normalize()
    born = np.full(len(present), np.datetime64("NaT"), dtype="datetime64[ns]")
    born[created.index.to_numpy()] = created.to_numpy(dtype="datetime64[ns]")
    at = history["at"].to_numpy(dtype="datetime64[ns]")
    early = known & dated & (at < born[history["code"].to_numpy()])
    findings: list[Finding] = []
    say = {
        "unknown_customer": (~known, "customer_id",
                             "{value}: no customer of the customer table has this 客户编号; "
                             "the follow-up is not used"),
        "future_followup": (known & future, "at",
                            f"{{value}}: after --as-of {as_of}; the follow-up is not used yet"),
        "undated_followup": (known & ~dated, "at",
                             "no 跟进时间: the follow-up cannot be ordered and is not used"),
        "before_created": (early & ~future, "at",
                           "{value}: before its customer's 创建时间; the follow-up is not used "
                           "(check the year)"),
    }  # fmt: skip
    for rule, (mask, name, message) in say.items():
        findings += findings_at(followups, history, mask, name, rule, message)
    return findings, known & dated & ~future & ~early


def shared_ids(customers: Table, people: pd.DataFrame) -> list[Finding]:
    """A warning for each customer row whose 客户编号 another row has too: both follow the
    same follow-ups (crmkit dedupe merges them, or one is renumbered)."""
    ids = people["customer_id"]
    shared = ids.notna() & ids.duplicated(keep=False)
    if not shared.any():
        return []
    column = customers.header_of("customer_id")
    return [
        Finding(customers.name, cell_text(sheet) or None, int(row), column, "customer_id",
                str(code), "warning", "shared_customer_id",
                f"{code} is the 客户编号 of more than one row; each follows its follow-ups "
                "(merge them with crmkit dedupe, or renumber one)")
        for sheet, row, code in zip(people.loc[shared, "sheet"], people.loc[shared, "row"],
                                    ids[shared], strict=True)
    ]  # fmt: skip


def unknown_states(followups: Table, used: pd.DataFrame) -> list[Finding]:
    """A warning for each follow-up used whose 跟进状态 is written but is no intent level (nor
    A→B of two): it sets no intent."""
    if not followups.has("status"):
        return []
    bad = used["status"].isna().to_numpy().copy()  # blank or unreadable: only these cells looked at
    if bad.any():
        bad[bad] = ~np.asarray(arrow.blank(followups.column("status").loc[used.index[bad]]))
    return findings_at(followups, used, bad, "status", "unknown_status",
                     "{value}: not an intent level (nor A→B of two); the follow-up sets no "
                     "intent")  # fmt: skip


def latest_last(code: np.ndarray, at: np.ndarray, valid: np.ndarray) -> np.ndarray:
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


def intents_of(status: pd.Series) -> pd.Series:
    """The intent a 跟进状态 reaches: B of A→B, or the status itself (NA where invalid)."""
    if arrow.is_arrow_text(status):
        return arrow.replace(status, "^.*→", "")
    text = status.astype(object)
    return text.where(text.isna(), text.astype(str).str.rsplit("→", n=1).str[-1])


def conflicts(
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
            followups.name, cell_text(sheet) or None, int(row), followups.header_of("status"), "status",
            cell_text(intent), "warning", "same_minute_conflict",
            f"{key} has follow-ups at {moment_text(when)} with different 跟进状态; {outcome}"))  # fmt: skip
    return stuck, findings
