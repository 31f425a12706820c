"""Lay out the customer profile as an Excel workbook: a summary, a sheet per part, native charts
(segments bar, Pareto line, churn risk by owner stacked bars, hot spots)."""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font

from crmkit.report.excel import (
    _CHART_HEIGHT,
    _CHART_WIDTH,
    _FORMATS,
    _bar,
    _beside,
    _definitions_sheet,
    _page_setup,
    _sheet,
    _write_table,
)
from crmkit.report.labels import for_reader, label
from crmkit.report.profile import FEEDBACK_CATEGORY, NEED_CATEGORY, ProfileData

_PARETO_BARS = 50


def _more(sheet: object, last: int, total: int, limit: int, lang: str) -> None:
    if total > limit:
        note = f"… {total - limit} {label(lang, 'more_rows')}"
        sheet.cell(row=last + 2, column=1, value=note).font = Font(italic=True)  # type: ignore[attr-defined]


def _pareto_chart(lang: str, sheet: object, rows: tuple[int, int], title: str) -> BarChart:
    """Amount per customer as bars, cumulative share as a line on a second axis (0–100%)."""
    first, last = rows
    bars = BarChart()
    bars.title = title
    bars.height, bars.width = _CHART_HEIGHT, _CHART_WIDTH
    bars.add_data(
        Reference(sheet, min_col=5, min_row=first - 1, max_row=last), titles_from_data=True
    )
    categories = Reference(sheet, min_col=3, min_row=first, max_row=last)
    bars.set_categories(categories)
    bars.y_axis.title = label(lang, "monetary")
    line = LineChart()
    line.add_data(
        Reference(sheet, min_col=7, min_row=first - 1, max_row=last), titles_from_data=True
    )
    line.set_categories(categories)
    line.y_axis.axId = 200
    line.y_axis.title = label(lang, "cumulative_share")
    line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 1
    line.y_axis.number_format = "0%"
    line.y_axis.crosses = "max"
    bars += line
    return bars


def build_profile_workbook(
    data: ProfileData, *, lang: str = "zh", list_limit: int = 1000
) -> Workbook:
    """The profile workbook: 汇总, 价值细分, 关键客户, 流失风险, 流失风险-按负责人, 咨询热点,
    RFM 明细 (lists ≤ list_limit rows) and 口径说明."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = label(lang, "summary")
    summary["A1"] = f"{label(lang, 'profile_title')} · {label(lang, 'as_of')} {data.as_of:%Y-%m-%d}"
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = label(lang, f"basis_{data.basis}")
    summary["A2"].alignment = Alignment(vertical="center")
    rows = pd.DataFrame(
        [
            {"metric": label(lang, f"h_{h.key}"), "value": h.value, "previous": h.previous}
            for h in data.headline
        ],
        columns=["metric", "value", "previous"],
    )
    _write_table(summary, rows, "Summary", lang, top=4)
    for offset, headline in enumerate(data.headline, 1):
        for column in (2, 3):
            cell = summary.cell(row=4 + offset, column=column)
            cell.number_format = _FORMATS.get(headline.key, "#,##0.##")
    summary.freeze_panes = "A5"

    segments = data.segment_view()
    sheet = _sheet(workbook, label(lang, "segments"))
    span = _write_table(sheet, segments, "Segments", lang)
    sheet.add_chart(
        _bar(label(lang, "segments"), sheet, span, 1, [2], horizontal=True), _beside(segments)
    )

    pareto = data.pareto_view(list_limit)
    sheet = _sheet(workbook, label(lang, "key_customers"))
    title = label(lang, "key_title").format(k=len(data.key_customers))
    _, last = _write_table(sheet, pareto, "KeyCustomers", lang)
    if len(pareto):
        # the first customers only: a bar per customer stays readable up to about 50
        sheet.add_chart(
            _pareto_chart(lang, sheet, (2, min(last, 1 + _PARETO_BARS)), title), _beside(pareto)
        )
    _more(sheet, last, len(data.pareto), list_limit, lang)

    sheet = _sheet(workbook, label(lang, "churn"))
    _, last = _write_table(sheet, for_reader(data.risk.head(list_limit)), "ChurnRisk", lang)
    _more(sheet, last, len(data.risk), list_limit, lang)

    by_owner = data.risk_by_owner
    sheet = _sheet(workbook, label(lang, "churn_by_owner"))
    span = _write_table(sheet, by_owner, "ChurnByOwner", lang)
    if len(by_owner):
        chart = _bar(label(lang, "churn_by_owner"), sheet, span, 1, [2, 3, 4], horizontal=True)
        chart.grouping, chart.overlap = "stacked", 100
        sheet.add_chart(chart, _beside(by_owner))

    sheet = _sheet(workbook, label(lang, "hotspots"))
    top = 1
    for number, category in enumerate((NEED_CATEGORY, FEEDBACK_CATEGORY)):
        frame = data.hotspot_view(category)
        sheet.cell(row=top, column=1, value=category).font = Font(bold=True)
        span = _write_table(sheet, frame, f"Hotspots{number}", lang, top=top + 1)
        if len(frame):
            chart = _bar(
                f"{label(lang, 'hotspots')} · {category}", sheet, span, 1, [2, 3], horizontal=True
            )
            sheet.add_chart(chart, f"E{top + 1}")
        top = max(span[1], top + 1) + 16  # below the chart
    sheet.freeze_panes = None

    customers = data.customer_view(lang, list_limit)
    sheet = _sheet(workbook, label(lang, "rfm"))
    _, last = _write_table(sheet, customers, "Profile", lang)
    _more(sheet, last, len(data.customers), list_limit, lang)

    _definitions_sheet(workbook, lang, data.definitions(lang))
    _page_setup(workbook, lang)
    return workbook
