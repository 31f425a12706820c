"""Lay out computed report metrics as one self-contained HTML page (inline CSS and SVG, no script)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from crmkit.report.definitions import report_definitions, service_definitions
from crmkit.report.labels import (
    NUMERIC_KEYS,
    cell_text,
    column_label,
    for_reader,
    format_change,
    format_value,
    funnel_by_title,
    is_missing,
    label,
)
from crmkit.report.metrics import ReportData
from crmkit.report.service import ServiceData
from crmkit.spec.resources import data_dir


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        autoescape=True,  # every value is escaped: a customer called <script> stays text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _number(value: Any) -> float:
    return 0.0 if is_missing(value) else float(value)


def _chart(
    lang: str, frame: pd.DataFrame, category: str, value: str, second: str | None = None
) -> dict[str, Any] | None:
    """A horizontal bar chart of a frame's column `value` per `category`, with an inner bar
    for `second`: a legend names both, each bar shows its numbers, the caption the axis."""
    if not len(frame):
        return None
    numbers = [_number(v) for v in frame[value]]
    extra = [_number(v) for v in frame[second]] if second is not None else None
    top = max(numbers + (extra or [])) or 1.0  # an inner bar longer than its outer one fits too
    bars = []
    for i, (name, number) in enumerate(zip(frame[category], numbers, strict=True)):
        text = format_value(value, frame[value].iloc[i])
        if second is not None:
            text += f" / {format_value(second, frame[second].iloc[i])}"
        bars.append({
            "label": cell_text(lang, category, name),
            "width": round(100 * number / top, 1),
            "second": round(100 * extra[i] / top, 1) if extra is not None else None,
            "text": text,
        })  # fmt: skip
    legend = [{"cls": "b", "text": column_label(lang, value)}]
    if second is not None:
        legend.append({"cls": "a", "text": column_label(lang, second)})
    what = f"{column_label(lang, value)} (0–{format_value(value, top)})"
    return {"bars": bars, "legend": legend, "axis": label(lang, "chart_axis").format(what=what)}


def _is_numeric(column: pd.Series, key: str) -> bool:
    """A column of numbers (right-aligned, its header too), also when some cells are missing."""
    if key in NUMERIC_KEYS:
        return True
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_numeric_dtype(column):
        return True
    present = [v for v in column.tolist() if not is_missing(v)]
    return bool(present) and all(
        isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in present
    )


# IDs, phones and dates are never broken across lines when a printed list wraps
_WHOLE = {"customer_id", "task_id", "phone", "last_activity", "due", "month"}
# Long texts wrap on screen too, so that a list fits the page without scrolling sideways
_WRAP = {"reasons", "message"}
# Names wrap too, later (a shorter minimum), so that a list of many columns (RFM 明细) fits 980 px
_WRAP_NAMES = {"name"}


def _section(
    title: str,
    frame: pd.DataFrame,
    lang: str,
    chart: dict[str, Any] | None = None,
    note: str = "",
    by: str | None = None,
) -> dict[str, Any]:
    numeric = [_is_numeric(frame[c], c) for c in frame.columns]
    kinds = [
        "n" if n else "k" if c in _WHOLE else "w" if c in _WRAP else "t" if c in _WRAP_NAMES else ""
        for c, n in zip(frame.columns, numeric, strict=True)
    ]
    rows = [
        [{"text": cell_text(lang, k, v), "number": n, "cls": cls}
         for k, v, n, cls in zip(frame.columns, record, numeric, kinds, strict=True)]
        for record in frame.itertuples(index=False)
    ]  # fmt: skip
    return {
        "title": title,
        "headers": [
            {"text": column_label(lang, c, by), "number": n}
            for c, n in zip(frame.columns, numeric, strict=True)
        ],
        "rows": rows,
        "chart": chart,
        "note": note,
    }


def _list_section(
    key_title: str, listing: pd.DataFrame, lang: str, list_limit: int
) -> dict[str, Any]:
    more = len(listing) - list_limit
    note = f"… {more} {label(lang, 'more_rows')}" if more > 0 else ""
    shown = for_reader(listing.head(list_limit))
    return _section(f"{key_title} ({len(listing)})", shown, lang, note=note)


def render_html(
    data: ReportData,
    *,
    lang: str = "zh",
    reports: Iterable[str] = ("funnel", "channel", "stage"),
    list_limit: int = 1000,
) -> str:
    """The report page as a string; customer lists show at most `list_limit` rows."""
    wanted = set(reports)
    sections = []
    if "funnel" in wanted:
        main = data.funnel[data.funnel["reached"].notna()]
        note = f"{label(lang, 'win_rate')}: {format_value('win_rate', data.win_rate)}"
        chart = _chart(lang, main, "stage", "reached")
        sections.append(_section(label(lang, "funnel"), data.funnel, lang, chart, note))
        if data.funnel_by is not None and data.by is not None:
            title = funnel_by_title(lang, data.by)
            sections.append(_section(title, data.funnel_by, lang, by=data.by))
    if "channel" in wanted:
        chart = _chart(lang, data.channel, "source", "customers", "won")
        sections.append(_section(label(lang, "channel"), data.channel, lang, chart))
    if "stage" in wanted:
        chart = _chart(lang, data.stages, "stage", "count", "stalled")
        sections.append(_section(label(lang, "stage"), data.stages, lang, chart))
        for key, listing in (
            ("stalled", data.stalled),
            ("silent", data.silent),
            ("overdue", data.overdue),
        ):
            sections.append(_list_section(label(lang, key), listing, lang, list_limit))
    headline = [
        {
            "label": label(lang, f"h_{h.key}"),
            "value": format_value(h.key, h.value),
            "previous": format_value(h.key, h.previous),
            "change": format_change(h.key, h.value, h.previous, lang),
        }
        for h in data.headline
    ]
    period = f"{data.period.since:%Y-%m-%d} {label(lang, 'to')} {data.period.until:%Y-%m-%d}"
    definitions = report_definitions(
        lang, data.config, data.as_of, data.period, data.previous_as_of
    )
    if data.forecast is not None:
        from crmkit.report.forecast import forecast_definitions
        from crmkit.report.forecast_html import forecast_sections

        sections += forecast_sections(data.forecast, lang, list_limit)
        definitions += forecast_definitions(lang, data.forecast)
    return _page(lang, "title", period, data.as_of, headline, sections, definitions)


def _page(
    lang: str,
    title: str,
    period: str,
    as_of: date,
    headline: list[dict[str, Any]],
    sections: list[dict[str, Any]],
    definitions: list[str],
) -> str:
    """The page of a report: its title (a label key), period (may be empty), cards and sections."""
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            lang=lang,
            t=lambda key: label(lang, key),
            title=label(lang, title),
            period=period,
            as_of=f"{as_of:%Y-%m-%d}",
            headline=headline,
            sections=sections,
            definitions=definitions,
        )
    )


def render_service_html(data: ServiceData, *, lang: str = "zh", list_limit: int = 1000) -> str:
    """The service report page as a string: tasks and feedback, each table with its bar chart."""
    keys = {h.key for h in data.headline}
    sections = []

    if "tasks" in keys:
        for key, frame, name in (
            ("tasks_by_person", data.by_person, "person"),
            ("tasks_by_department", data.by_department, "department"),
        ):
            chart = _chart(lang, frame, name, "tasks", "overdue_tasks")
            sections.append(_section(label(lang, key), frame, lang, chart))
        frame = data.time_to_close
        chart = _chart(lang, frame, "priority", "median_days_to_close")
        sections.append(_section(label(lang, "time_to_close"), frame, lang, chart))
        sections.append(
            _list_section(label(lang, "overdue_task_list"), data.overdue_tasks, lang, list_limit)
        )
    if "feedback" in keys:
        frame = data.by_type
        chart = _chart(lang, frame, "type", "feedback")
        sections.append(_section(label(lang, "feedback_by_type"), frame, lang, chart))
        frame = data.by_month
        chart = _chart(lang, frame, "month", "feedback", "complaints")
        sections.append(_section(label(lang, "feedback_by_month"), frame, lang, chart))
    headline = [
        {
            "label": label(lang, f"h_{h.key}"),
            "value": format_value(h.key, h.value),
            "previous": None,
        }
        for h in data.headline
    ]
    definitions = service_definitions(lang, data.as_of)
    return _page(lang, "service_title", "", data.as_of, headline, sections, definitions)
