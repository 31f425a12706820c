"""Lay out computed report metrics as one self-contained HTML page (inline CSS and SVG, no script)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from crmkit.io.write import atomic_path
from crmkit.report.labels import column_label, format_change, format_value, label
from crmkit.report.metrics import ReportData
from crmkit.report.service import ServiceData
from crmkit.resources import data_dir

_BAR_SPACE = 380


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        autoescape=True,  # every value is escaped: a customer called <script> stays text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _chart(
    labels: Sequence[Any],
    values: Sequence[Any],
    texts: Sequence[str],
    second: Sequence[Any] | None = None,
) -> dict[str, Any] | None:
    numbers = [float(v) if v is not None and v == v else 0.0 for v in values]
    if not numbers:
        return None
    top = max(numbers) or 1.0
    extra = (
        [float(v) if v is not None and v == v else 0.0 for v in second]
        if second is not None
        else None
    )
    bars = [
        {
            "label": str(name)[:12],
            "y": 6 + 26 * i,
            "width": round(_BAR_SPACE * number / top, 1),
            "second": round(_BAR_SPACE * extra[i] / top, 1) if extra is not None else None,
            "text": text,
        }
        for i, (name, number, text) in enumerate(zip(labels, numbers, texts, strict=True))
    ]
    return {"bars": bars, "height": 12 + 26 * len(bars)}


def _rows(frame: pd.DataFrame) -> list[list[dict[str, Any]]]:
    rows = []
    for record in frame.itertuples(index=False):
        rows.append([
            {"text": format_value(key, value), "number": isinstance(value, int | float) and not isinstance(value, bool)}
            for key, value in zip(frame.columns, record, strict=True)
        ])  # fmt: skip
    return rows


def _section(
    title: str, frame: pd.DataFrame, lang: str, chart: dict[str, Any] | None = None, note: str = ""
) -> dict[str, Any]:
    return {
        "title": title,
        "headers": [column_label(lang, c) for c in frame.columns],
        "rows": _rows(frame),
        "chart": chart,
        "note": note,
    }


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
        chart = _chart(
            main["stage"].tolist(),
            main["reached"].tolist(),
            [format_value("reached", v) for v in main["reached"]],
        )
        note = f"{label(lang, 'win_rate')}: {format_value('win_rate', data.win_rate)}"
        sections.append(_section(label(lang, "funnel"), data.funnel, lang, chart, note))
        if data.funnel_by is not None:
            sections.append(_section(label(lang, "funnel_by"), data.funnel_by, lang))
    if "channel" in wanted:
        frame = data.channel
        texts = [
            f"{format_value('share', s)} ({c})"
            for s, c in zip(frame["share"], frame["customers"], strict=True)
        ]
        chart = _chart(
            frame["source"].tolist(), frame["customers"].tolist(), texts, frame["won"].tolist()
        )
        sections.append(_section(label(lang, "channel"), frame, lang, chart))
    if "stage" in wanted:
        frame = data.stages
        texts = [f"{c} / {s}" for c, s in zip(frame["count"], frame["stalled"], strict=True)]
        chart = _chart(
            frame["stage"].tolist(), frame["count"].tolist(), texts, frame["stalled"].tolist()
        )
        sections.append(_section(label(lang, "stage"), frame, lang, chart))
        for key, listing in (
            ("stalled", data.stalled),
            ("silent", data.silent),
            ("overdue", data.overdue),
        ):
            more = len(listing) - list_limit
            note = f"… {more} {label(lang, 'more_rows')}" if more > 0 else ""
            title = f"{label(lang, key)} ({len(listing)})"
            sections.append(_section(title, listing.head(list_limit), lang, note=note))
    headline = [
        {
            "label": label(lang, f"h_{h.key}"),
            "value": format_value(h.key, h.value),
            "previous": format_value(h.key, h.previous),
            "change": format_change(h.key, h.value, h.previous),
        }
        for h in data.headline
    ]
    period = f"{data.period.since:%Y-%m-%d} {label(lang, 'to')} {data.period.until:%Y-%m-%d}"
    return _page(lang, "title", period, data.as_of, headline, sections)


def _page(
    lang: str,
    title: str,
    period: str,
    as_of: date,
    headline: list[dict[str, Any]],
    sections: list[dict[str, Any]],
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
        )
    )


def write_html(data: ReportData, output: str | Path, *, lang: str = "zh", reports: Iterable[str] = ("funnel", "channel", "stage"),
               inputs: Iterable[str | Path | None] = (), list_limit: int = 1000) -> Path:  # fmt: skip
    """Write the report page atomically (UTF-8)."""
    output = Path(output)
    page = render_html(data, lang=lang, reports=reports, list_limit=list_limit)
    with atomic_path(output, inputs) as temp:
        temp.write_text(page, encoding="utf-8")
    return output


def render_service_html(data: ServiceData, *, lang: str = "zh", list_limit: int = 1000) -> str:
    """The service report page as a string: tasks and feedback, each table with its bar chart."""
    keys = {h.key for h in data.headline}
    sections = []

    def bars(frame: pd.DataFrame, key: str, value: str, second: str | None = None) -> Any:
        texts = [format_value(value, v) for v in frame[value]]
        if second is not None:
            texts = [
                f"{t} / {format_value(second, s)}"
                for t, s in zip(texts, frame[second], strict=True)
            ]
        return _chart(
            frame[key].tolist(),
            frame[value].tolist(),
            texts,
            frame[second].tolist() if second is not None else None,
        )

    if "tasks" in keys:
        for key, frame, name in (
            ("tasks_by_person", data.by_person, "person"),
            ("tasks_by_department", data.by_department, "department"),
        ):
            chart = bars(frame, name, "open_tasks", "overdue_tasks")
            sections.append(_section(label(lang, key), frame, lang, chart))
        frame = data.time_to_close
        chart = bars(frame, "priority", "median_days_to_close")
        sections.append(_section(label(lang, "time_to_close"), frame, lang, chart))
        listing = data.overdue_tasks
        more = len(listing) - list_limit
        note = f"… {more} {label(lang, 'more_rows')}" if more > 0 else ""
        title = f"{label(lang, 'overdue_task_list')} ({len(listing)})"
        sections.append(_section(title, listing.head(list_limit), lang, note=note))
    if "feedback" in keys:
        frame = data.by_type
        sections.append(
            _section(
                label(lang, "feedback_by_type"),
                frame,
                lang,
                bars(frame, "type", "feedback"),
            )
        )
        frame = data.by_month
        sections.append(
            _section(
                label(lang, "feedback_by_month"),
                frame,
                lang,
                bars(frame, "month", "feedback", "complaints"),
            )
        )
    headline = [
        {
            "label": label(lang, f"h_{h.key}"),
            "value": format_value(h.key, h.value),
            "previous": None,
        }
        for h in data.headline
    ]
    return _page(lang, "service_title", "", data.as_of, headline, sections)


def write_service_html(data: ServiceData, output: str | Path, *, lang: str = "zh",
                       inputs: Iterable[str | Path | None] = (), list_limit: int = 1000) -> Path:  # fmt: skip
    """Write the service report page atomically (UTF-8)."""
    output = Path(output)
    page = render_service_html(data, lang=lang, list_limit=list_limit)
    with atomic_path(output, inputs) as temp:
        temp.write_text(page, encoding="utf-8")
    return output
