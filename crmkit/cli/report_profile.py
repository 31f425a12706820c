"""`crmkit report profile`: RFM value segments, key customers, churn risk and inquiry hot spots.

`report_command` (cli/report.py) calls `report_profile` when REPORT is profile.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crmkit.cli.common import (
    STATE,
    format_table,
    info,
    progress,
    specs_from,
    warn,
)
from crmkit.spec.config import ReportConfig

if TYPE_CHECKING:
    from crmkit.report.period import Period
    from crmkit.report.profile import ProfileData


def _path(given: str | None, configured: Path | None) -> str | None:
    return given or (str(configured) if configured else None)


def report_profile(
    settings: ReportConfig,
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
    lang: str | None,
    schema: Any,
    config: Path | None,
    delimiter: str | None,
    tag: str | None = None,
) -> None:
    """Compute the profile over the period `span`, write its outputs, print it as a table or JSON."""
    from crmkit.report import fill_output
    from crmkit.report.profile import ProfileInputs, run_profile, write_profile_report, write_tagged

    sources = ProfileInputs(
        customer_path,
        orders=_path(orders, settings.orders),
        followups=_path(followups, settings.followups),
        feedback=_path(feedback, settings.feedback),
        tasks=_path(tasks, settings.tasks),
        limits=STATE.limits,
        delimiter=delimiter,
    )
    language = lang or settings.lang
    specs = specs_from(schema, config)
    with progress() as step:
        data = run_profile(
            sources, specs, settings, as_of=day, period=span, lang=language, on_step=step
        )
    if data.basis == "followups":
        warn(data.basis_note(language))
    for note in data.notes:
        warn(note)
    inputs = [sources.customers, sources.orders, sources.followups, sources.feedback, sources.tasks]
    for target in outputs or []:
        path = fill_output(target, as_of=day, since=span.since, until=span.until)
        write_profile_report(
            data, path, lang=language, inputs=inputs, list_limit=settings.list_limit
        )
        info(f"Report written to {path}")
    if tag:
        written = write_tagged(data, customer_path, specs["customers"], tag, inputs=inputs,
                               limits=STATE.limits, delimiter=delimiter)  # fmt: skip
        info(f"Customer table with 客户价值 and 流失风险 tags written to {written}")
    if format == "json":
        import sys

        data.write_json(sys.stdout)
        sys.stdout.write("\n")
    elif format == "table" or not outputs:
        typer.echo(profile_text(data, language))


def profile_text(data: ProfileData, lang: str) -> str:
    """The profile as text tables: headline, segments, key customers, churn by owner, hot spots."""
    from crmkit.report.labels import cell_text, column_label, format_change, format_value, label
    from crmkit.report.profile import FEEDBACK_CATEGORY, NEED_CATEGORY

    def table(frame: Any) -> str:
        body = [
            [cell_text(lang, k, v) for k, v in zip(frame.columns, r, strict=True)]
            for r in frame.itertuples(index=False)
        ]
        return format_table([column_label(lang, c) for c in frame.columns], body)

    parts = [
        f"{label(lang, 'profile_title')} · {label(lang, 'as_of')} {data.as_of} · {data.basis_note(lang)}",
        "",
        format_table(
            [label(lang, k) for k in ("metric", "value", "previous", "change")],
            [
                [
                    label(lang, f"h_{h.key}"),
                    format_value(h.key, h.value),
                    format_value(h.key, h.previous),
                    format_change(h.key, h.value, h.previous, lang),
                ]
                for h in data.headline
            ],
        ),
    ]
    keys = data.pareto_view(len(data.key_customers)).drop(columns="key_customer")
    sections = [
        (label(lang, "segments"), data.segment_view()),
        (label(lang, "key_title").format(k=len(data.key_customers)), keys.head(20)),
        (label(lang, "churn_by_owner"), data.risk_by_owner),
        (f"{label(lang, 'churn')} ({len(data.risk)})", data.risk.head(20)),
        (f"{label(lang, 'hotspots')} · {NEED_CATEGORY}", data.hotspot_view(NEED_CATEGORY)),
        (f"{label(lang, 'hotspots')} · {FEEDBACK_CATEGORY}", data.hotspot_view(FEEDBACK_CATEGORY)),
    ]
    for title, frame in sections:
        parts += ["", title, table(frame)]
    return "\n".join(parts)
