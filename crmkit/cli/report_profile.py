"""`crmkit report profile`: RFM value segments, key customers, churn risk and inquiry hot spots.

`report_command` (cli/report.py) calls `report_profile` when REPORT is profile.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

from crmkit.cli.inputs import open_table, read_canonical
from crmkit.cli.options import STATE
from crmkit.cli.output import info, progress, warn, warn_finding, warn_untouched, write_sheets

if TYPE_CHECKING:
    from datetime import date

    from crmkit.frames.period import Period
    from crmkit.spec.config import Config
    from crmkit.spec.fields import TableSpec


def report_profile(
    settings: Config,
    specs: dict[str, TableSpec],
    day: date,
    span: Period,
    customer_path: str,
    *,
    orders: str | None,
    followups: str | None,
    feedback: str | None,
    tasks: str | None,
    outputs: list[str] | None,
    format: str | None,
    lang: str,
    delimiter: str | None,
    tag: str | None = None,
) -> None:
    """Read the tables, compute the profile over the period `span`, write its outputs, print
    it as a table or JSON."""
    from pathlib import Path

    from crmkit.frames.canonical import reduce_table
    from crmkit.io.write import patch_workbook
    from crmkit.report import fill_output
    from crmkit.report.orders import read_orders
    from crmkit.report.profile import (
        FIELDS,
        compute_profile,
        tag_cells,
        tagged_table,
        write_profile_report,
    )
    from crmkit.report.text import profile_text

    paths = {
        "customers": customer_path,
        "orders": settings.input("orders", orders),
        "followups": settings.input("followups", followups),
        "feedback": settings.input("feedback", feedback),
        "tasks": settings.input("tasks", tasks),
    }
    table = None  # the customer table, kept when --tag writes a tagged copy of it
    with progress() as step:
        frames = {}
        for kind, path in paths.items():
            if path:
                step(f"Reading {path}")
                if kind == "customers" and tag:  # the table itself is tagged: read it once
                    table = open_table(path, [specs[kind]], delimiter=delimiter)
                    frames[kind], notes = reduce_table(table, FIELDS[kind])
                    for note in notes:
                        warn(note)
                    continue
                if kind == "orders":  # refused whole when a column it needs is missing
                    frames[kind], notes = read_orders(path, specs[kind], FIELDS[kind],
                                                      STATE.limits, delimiter=delimiter)  # fmt: skip
                    for note in notes:
                        warn(note)
                    continue
                # 客户反馈 as written: 5M cells only searched for 不满意 need no normalizing
                raw = ("feedback",) if kind == "followups" else ()
                frames[kind] = read_canonical(path, specs[kind], fields=FIELDS[kind], raw=raw,
                                              delimiter=delimiter)  # fmt: skip
        step(f"Computing the profile of {len(frames['customers']):,} customers")
        data = compute_profile(
            frames["customers"], frames.get("orders"), frames.get("followups"),
            frames.get("feedback"), frames.get("tasks"), config=settings.report, as_of=day,
            period=span, lang=lang, feedback_types=specs["feedback"].options_of("type"),
        )  # fmt: skip
    if data.basis == "followups":
        warn(data.basis_note(lang))
    for note in data.notes:
        warn(note)
    warn_some(data.findings)
    inputs = list(paths.values())
    for target in outputs or []:
        written = fill_output(target, as_of=day, since=span.since, until=span.until)
        write_profile_report(data, written, lang=lang, inputs=inputs,
                             list_limit=settings.report.list_limit)  # fmt: skip
        info(f"Report written to {written}")
    if tag:
        assert table is not None
        untouched: list[tuple[str, str, str]] = []  # formulas and merged cells: kept, named
        if table.format != "xlsx" or not patch_workbook(  # a copy, only 客户标签 changed
            Path(customer_path), tag_cells(data, table, frames["customers"]), inputs=inputs,
            output=Path(tag), untouched=untouched):  # fmt: skip
            tagged = tagged_table(data, table, keys=frames["customers"])
            write_sheets(tagged, tag, inputs=inputs, default="客户信息")
        info(f"Customer table with 客户价值 and 流失风险 tags written to {tag}")
        warn_untouched(table.name, untouched, 20, done="tagged")
    if format == "json":  # streamed: the customer list may hold a million rows
        data.write_json(sys.stdout)
        sys.stdout.write("\n")
    elif format == "table" or not outputs:
        typer.echo(profile_text(data, lang))


def warn_some(findings: list[Any], limit: int = 10) -> None:
    """The first `limit` findings as warnings, then how many more there are (the JSON
    `findings` and --report list them all)."""
    for finding in findings[:limit]:
        warn_finding(finding)
    if len(findings) > limit:
        warn(
            f"… and {len(findings) - limit:,} more rows left out or not attributed (--format json lists them all)"
        )
