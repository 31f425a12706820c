"""The reports as plain text: aligned tables for a terminal or a cron mail."""

from __future__ import annotations

import pandas as pd

from crmkit.frames.period import Period
from crmkit.report.forecast import ForecastData
from crmkit.report.labels import (
    cell_text,
    column_label,
    format_change,
    format_value,
    funnel_by_title,
    label,
)
from crmkit.report.metrics import ReportData
from crmkit.report.profile import ProfileData
from crmkit.report.service import ServiceData
from crmkit.text.layout import format_table


def service_text(data: ServiceData, lang: str) -> str:
    """The service report as plain text for a terminal or a cron mail."""
    parts = [f"{label(lang, 'service_title')} · {label(lang, 'as_of')} {data.as_of}", ""]
    rows = [[label(lang, f"h_{h.key}"), format_value(h.key, h.value)] for h in data.headline]
    parts.append(format_table([label(lang, "metric"), label(lang, "value")], rows))
    keys = {h.key for h in data.headline}
    frames = [
        ("tasks_by_person", data.by_person, "tasks"),
        ("tasks_by_department", data.by_department, "tasks"),
        ("time_to_close", data.time_to_close, "tasks"),
        ("overdue_task_list", data.overdue_tasks.head(20), "tasks"),
        ("feedback_by_type", data.by_type, "feedback"),
        ("feedback_by_month", data.by_month, "feedback"),
    ]
    for key, frame, needs in frames:
        if needs not in keys:
            continue
        parts += ["", label(lang, key), frame_text(frame, lang)]
    return "\n".join(parts)


def frame_text(frame: pd.DataFrame, lang: str, by: str | None = None) -> str:
    """A metrics frame as a text table: labelled columns, numbers as people read them."""
    body = [
        [cell_text(lang, k, v) for k, v in zip(frame.columns, r, strict=True)]
        for r in frame.itertuples(index=False)
    ]
    return format_table([column_label(lang, c, by) for c in frame.columns], body)


def weekly_text(data: ReportData, lang: str, reports: tuple[str, ...], span: Period) -> str:
    """The weekly report (headline, then each of `reports`) as plain text."""
    parts = [
        f"{label(lang, 'title')} · {span.since} {label(lang, 'to')} {span.until} · {label(lang, 'as_of')} {data.as_of}",
        "",
    ]
    rows = [
        [
            label(lang, f"h_{h.key}"),
            format_value(h.key, h.value),
            format_value(h.key, h.previous),
            format_change(h.key, h.value, h.previous, lang),
        ]
        for h in data.headline
    ]
    parts.append(
        format_table([label(lang, k) for k in ("metric", "value", "previous", "change")], rows)
    )
    for name in reports:
        frame = {"funnel": data.funnel, "channel": data.channel, "stage": data.stages}[name]
        parts += ["", label(lang, name), frame_text(frame, lang)]
        if name == "funnel" and data.funnel_by is not None and data.by is not None:
            parts += [
                "",
                funnel_by_title(lang, data.by),
                frame_text(data.funnel_by, lang, data.by),
            ]
    if "stage" in reports:
        counts = ", ".join(
            f"{label(lang, k)} {len(getattr(data, k))}" for k in ("stalled", "silent", "overdue")
        )
        parts += ["", counts]
    return "\n".join(parts)


def forecast_text(data: ForecastData, lang: str) -> str:
    """The forecast as text tables: the owners (with the total) and the stages."""
    from crmkit.report.forecast import forecast_definitions, forecast_frame
    from crmkit.report.forecast_excel import forecast_title, headline

    # where the won amount comes from (orders, or won customers dated by 更新时间)
    basis = forecast_definitions(lang, data)[1]
    parts = [forecast_title(data, lang), basis, ""]
    rows = [[label(lang, f"h_{k}"), format_value(k, v)] for k, v in headline(data)]
    parts.append(format_table([label(lang, "metric"), label(lang, "value")], rows))
    shown = ["owner", "target", "won_amount", "attainment", "gap", "weighted_pipeline",
             "coverage", "expected_finish", "run_rate"]  # fmt: skip
    for title, frame in (
        ("forecast_owners", forecast_frame(data, label(lang, "total"))[shown]),
        ("forecast_stages", data.stages),
    ):
        body = [
            [cell_text(lang, k, v) for k, v in zip(frame.columns, r, strict=True)]
            for r in frame.itertuples(index=False)
        ]
        headers = [column_label(lang, c) for c in frame.columns]
        parts += ["", label(lang, title), format_table(headers, body)]
    if data.owners_without_customers:
        names = "、".join(data.owners_without_customers)
        parts += ["", f"{label(lang, 'owners_without_customers')}: {names}"]
    parts += [
        "",
        f"{label(lang, 'customers_without_target')}: {len(data.customers_without_target)}",
    ]
    return "\n".join(parts)


def profile_text(data: ProfileData, lang: str) -> str:
    """The profile as text tables: headline, segments, key customers, churn by owner, hot spots."""
    from crmkit.report.profile import FEEDBACK_CATEGORY, NEED_CATEGORY

    def table(frame: pd.DataFrame) -> str:
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
