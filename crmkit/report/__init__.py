"""The weekly reports: load the tables, compute the metrics, lay them out as Excel, HTML or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from crmkit.canonical import canonical_frame
from crmkit.config import ReportConfig
from crmkit.errors import InputError
from crmkit.io import Table, read_table
from crmkit.normalize import normalize_number, option_key
from crmkit.report.metrics import ReportData, compute_report
from crmkit.report.period import Period
from crmkit.spec import TableSpec

CUSTOMER_FIELDS = ["customer_id", "name", "phone", "industry", "source", "intent", "stage", "amount", "owner",
                   "created_at", "updated_at", "next_followup"]  # fmt: skip
FOLLOWUP_FIELDS = ["customer_id", "at", "by", "status"]
GROUPS = ("owner", "industry", "source")


@dataclass
class ReportRun:
    """The computed report and what the user should hear about the data behind it."""

    data: ReportData
    notes: list[str] = field(default_factory=list)


def load_costs(table: Table) -> pd.Series:
    """Channel costs by 客户来源 from a two-column table (来源/source, 成本/cost). InputError if unusable."""
    keys = {option_key(h): i for i, h in enumerate(table.headers)}
    source = next(
        (keys[k] for k in ("客户来源", "来源", "渠道", "source", "channel") if k in keys), None
    )
    cost = next(
        (keys[k] for k in ("成本", "费用", "投入", "渠道成本", "cost", "spend") if k in keys), None
    )
    if source is None or cost is None:
        raise InputError(
            f"{table.name}: a costs table needs the columns 客户来源 (source) and 成本 (cost)"
        )
    costs: dict[str, float] = {}
    for row, (name, amount) in zip(
        table.data.index, zip(table.data[source], table.data[cost], strict=True), strict=True
    ):
        value = normalize_number(amount)
        if name is None or name != name or value.value is None:
            raise InputError(
                f"{table.location(int(row), table.headers[cost])}: {amount!r} is not a cost"
            )
        costs[str(name).strip()] = float(value.value)
    return pd.Series(costs, dtype=float)


def run_report(
    customers: Table,
    followups: Table | None,
    config: ReportConfig,
    *,
    as_of: date,
    period: Period,
    costs: Table | None = None,
    by: str | None = None,
    show_phones: bool = False,
) -> ReportRun:
    """Compute every report from the tables read with their specs."""
    notes = []
    people = canonical_frame(customers, CUSTOMER_FIELDS)
    if people.invalid_rows:
        notes.append(
            f"{customers.name}: {people.invalid_rows} rows hold values crmkit cannot read; they count with "
            "those values missing (run crmkit validate)"
        )
    history = None
    if followups is not None:
        records = canonical_frame(followups, FOLLOWUP_FIELDS)
        history = records.frame
        if records.invalid_rows:
            notes.append(
                f"{followups.name}: {records.invalid_rows} rows hold values crmkit cannot read"
            )
    data = compute_report(
        people.frame,
        history,
        config,
        as_of=as_of,
        period=period,
        costs=load_costs(costs) if costs is not None else None,
        by=by,
        show_phones=show_phones,
    )
    return ReportRun(data, notes)


def read_inputs(customers: str | Path, followups: str | Path | None, specs: dict[str, TableSpec],
                costs: str | Path | None = None) -> tuple[Table, Table | None, Table | None]:  # fmt: skip
    """Read the customer, follow-up and costs tables a report needs."""
    people = read_table(customers, specs=[specs["customers"]])
    history = read_table(followups, specs=[specs["followups"]]) if followups else None
    spend = read_table(costs) if costs else None
    return people, history, spend
