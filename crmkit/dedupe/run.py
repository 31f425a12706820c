"""`dedupe` as one library call: pool the tables, honour the decisions, find the duplicates,
merge them, re-point the follow-ups — what `crmkit dedupe` does, as data.

    result = dedupe_tables([read_table("customers.xlsx")], followups=read_table("followups.xlsx"))
    result.merged.frame     # one row per customer
    result.map              # every input row → its output 客户编号
    result.pairs            # the pairs report, side by side
    result.followups        # the follow-ups, pointing to the merged customers
    result.findings         # what a person should know (ignored decisions, renumbered ids …)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

import pandas as pd

from crmkit.dedupe import DuplicateReport, build_pool, find_duplicates
from crmkit.dedupe.decisions import Decisions, load_decisions
from crmkit.dedupe.merge import (
    EXCEL_CELL_LIMIT,
    MergeResult,
    merge_duplicates,
    repoint_followups,
    survivor_map,
)
from crmkit.dedupe.pairs import pairs_frame
from crmkit.dedupe.pool import give_back_memory
from crmkit.dedupe.rules import describe
from crmkit.findings import Finding
from crmkit.io.guard import Limits
from crmkit.io.table import Table
from crmkit.spec.config import DedupeConfig
from crmkit.spec.fields import TableSpec, builtin_spec
from crmkit.spec.rulebook import Rulebook

__all__ = ["ClusterExample", "DedupeResult", "FittedFrame", "dedupe_tables", "fit_for_excel"]


@dataclass(frozen=True)
class ClusterExample:
    """One cluster as the summary shows it: its id, how many rows, their names, and why."""

    cluster: str
    rows: int
    names: str
    why: str


@dataclass
class DedupeResult:
    """Everything one dedupe run found and made.

    `found` holds the pool, the scored pairs and the clusters (a merged run lets go of the
    pool's match keys, see Pool.let_go_of_keys); `merged` the merged customers and the map
    (None when merging was not asked for); `followups` the follow-up table re-pointed to the
    merged customers (None without follow-ups), `repointed` how many of its cells changed,
    `ambiguous` the 客户编号 that stood for different customers (their follow-ups stay with
    the earliest); `ignored` the lines of the decisions file that could not be honoured.
    """

    found: DuplicateReport
    merged: MergeResult | None = None
    followups: Table | None = None
    repointed: int = 0
    ambiguous: set[str] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)
    decisions_file: str | None = None

    @functools.cached_property
    def pairs(self) -> pd.DataFrame:
        """The pairs report (see dedupe.pairs.PAIR_COLUMNS), one row per pair worth a look."""
        return pairs_frame(self.found)

    @property
    def map(self) -> pd.DataFrame | None:
        """Every input row → its output 客户编号 (None when not merged)."""
        return self.merged.map if self.merged is not None else None

    @property
    def rows_in(self) -> int:
        """How many input rows were pooled."""
        return len(self.found.pool)

    @property
    def review_count(self) -> int:
        """How many pairs wait for a person's review."""
        return int((self.found.pairs["decision"] == "review").sum())

    @property
    def findings(self) -> list[Finding]:
        """What a person should know about this run, one Finding each: decisions ignored,
        客户编号 renumbered, 客户编号 that stood for different customers."""
        out = [
            Finding(self.decisions_file or "", None, None, "decision", "", "", "warning",
                    "decision-ignored", f"{line}; decision ignored")
            for line in self.ignored
        ]  # fmt: skip
        for moved in self.merged.renumbered if self.merged is not None else []:
            out.append(
                Finding(moved.moved, None, None, "客户编号", "customer_id", moved.customer_id,
                        "warning", "id-renumbered",
                        f"客户编号 {moved.customer_id} stood for two customers ({moved.kept_by}, "
                        f"{moved.moved}): {moved.kept_by} keeps it, {moved.moved} gets "
                        f"{moved.new_id} (see --map)")
            )  # fmt: skip
        for customer in sorted(self.ambiguous):
            out.append(
                Finding("", None, None, "客户编号", "customer_id", customer, "warning",
                        "id-ambiguous", f"客户编号 {customer} stood for different customers; "
                        "its follow-ups stay with the earliest")
            )  # fmt: skip
        return out

    def examples(self, limit: int) -> list[ClusterExample]:
        """The `limit` largest clusters, as the summary shows them."""
        found = self.found
        if not found.cluster_count or limit <= 0:
            return []
        names = found.pool.records["name"]
        pairs = found.pairs
        joined = found.clusters.joined_by
        out = []
        for number, members in found.members(limit).items():
            reasons = sorted({describe(pairs.iloc[joined[m]]) for m in members if joined[m] >= 0})
            out.append(
                ClusterExample(
                    found.cluster_id(int(str(number))),
                    len(members),
                    " / ".join(dict.fromkeys(str(names.iat[m]) for m in members)),
                    "; ".join(reasons),
                )
            )
        return out


def dedupe_tables(
    tables: Sequence[Table],
    *,
    followups: Table | None = None,
    decisions: str | PurePath | None = None,
    config: DedupeConfig | None = None,
    spec: TableSpec | None = None,
    rulebook: Rulebook | None = None,
    today: date | None = None,
    merge: bool = True,
    limits: Limits | None = None,
    on_step: Callable[[str], None] | None = None,
) -> DedupeResult:
    """Find the duplicate customers of `tables` (pooled into one) and merge them.

    A table read from several sheets (one per salesperson) counts as one input per sheet.
    `decisions` is a reviewed pairs report (accept / reject), honoured on this run; `spec` the
    customer spec its name column is read by (default: the built-in one). With `merge` (or
    follow-ups to re-point) the merged table and the map are made, else only the pairs.
    Returns a DedupeResult; raises InputError when the decisions file cannot be read.
    """
    step = on_step or (lambda message: None)
    parts = [part for table in tables for part in table.split()]
    pool = build_pool(parts)
    give_back_memory()
    reviewed: Decisions | None = None
    if decisions is not None:
        spec = spec or builtin_spec("customers")
        reviewed = load_decisions(decisions, pool, spec.field("name").header(), limits=limits)
    found = find_duplicates(pool, config, reviewed, on_step=step)
    give_back_memory()
    result = DedupeResult(
        found,
        ignored=list(reviewed.ignored) if reviewed is not None else [],
        decisions_file=str(decisions) if decisions is not None else None,
    )
    if not (merge or followups is not None):
        return result
    step("merging")
    pool.let_go_of_keys()
    give_back_memory()
    result.merged = merge_duplicates(found, today=today, rulebook=rulebook)
    give_back_memory()
    if followups is not None:
        survivors, result.ambiguous = survivor_map(found, result.merged)
        result.followups, result.repointed = repoint_followups(followups, survivors)
    return result


def sheets_read(table: Table) -> list[str]:
    """The sheets a table was read from (none for a CSV)."""
    return [part.sheet for part in table.split() if part.sheet is not None]


@dataclass(frozen=True)
class FittedFrame:
    """The merged frame as it can be written to one output, and what did not fit.

    `lists` holds the items of every cell longer than an Excel cell (customer_id, column,
    item) when the output is a workbook, to be written beside it at `side`; `cells` counts
    those cells; `message` says what happened (empty when every cell fits).
    """

    frame: pd.DataFrame
    lists: pd.DataFrame | None = None
    side: str | None = None
    cells: int = 0
    message: str = ""


def fit_for_excel(merged: MergeResult, output: str, csv: bool) -> FittedFrame:
    """The merged frame as `output` can hold it: in a workbook (`csv` False), lists longer
    than a cell holds are cut, and go in full to <output>.lists.csv; a CSV holds them whole."""
    long = merged.long_lists()
    if not len(long):
        return FittedFrame(merged.frame)
    cells = long.drop_duplicates(["customer_id", "column"]).shape[0]
    too_long = (
        f"{output}: {cells} merged_from/merge_conflicts cells are longer than Excel's "
        f"{EXCEL_CELL_LIMIT:,} characters"
    )
    if csv:
        return FittedFrame(
            merged.frame,
            cells=cells,
            message=f"{too_long}; this CSV holds them whole, Excel would cut them",
        )
    side = PurePath(output).with_name(PurePath(output).name + ".lists.csv")
    return FittedFrame(
        merged.fitted(side.name),
        lists=long,
        side=str(side),
        cells=cells,
        message=f"{too_long}: cut there; the full lists are in {side}",
    )
