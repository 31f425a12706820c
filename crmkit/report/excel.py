"""Lay out computed report metrics as an Excel workbook: real tables and native charts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from crmkit.report.definitions import report_definitions, service_definitions
from crmkit.report.labels import (
    BLANK,
    COUNT_KEYS,
    MONEY_KEYS,
    PERCENT_KEYS,
    column_label,
    for_reader,
    format_change,
    funnel_by_title,
    label,
)
from crmkit.report.metrics import ReportData
from crmkit.report.service import ServiceData

_FORMATS = {**dict.fromkeys(PERCENT_KEYS, "0.0%"), **dict.fromkeys(MONEY_KEYS, "#,##0")}
_INT_KEYS = COUNT_KEYS
_CHART_HEIGHT, _CHART_WIDTH = 7.5, 13.0  # cm: a chart fits the first printed page beside its table
_WIDE = 6  # columns from which a sheet prints landscape


def _cell_value(value: Any, lang: str = "zh") -> Any:
    if isinstance(value, str) and value == BLANK:
        return label(lang, "blank")
    if (
        value is None
        or (isinstance(value, float) and value != value)
        or value is pd.NaT
        or value is pd.NA
    ):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def _write_table(
    sheet: Worksheet,
    frame: pd.DataFrame,
    name: str,
    lang: str,
    *,
    top: int = 1,
    by: str | None = None,
) -> tuple[int, int]:
    """Write a frame as an Excel table at row `top`; returns (first data row, last data row).
    The header row repeats on every printed page."""
    keys = list(frame.columns)
    for position, key in enumerate(keys, 1):
        cell = sheet.cell(row=top, column=position, value=column_label(lang, key, by))
        cell.font = Font(bold=True)
        if key in _FORMATS or key in _INT_KEYS or pd.api.types.is_numeric_dtype(frame[key]):
            cell.alignment = Alignment(horizontal="right")  # over its right-aligned numbers
    sheet.print_title_rows = f"{top}:{top}"
    for offset, record in enumerate(frame.itertuples(index=False), 1):
        for position, (key, value) in enumerate(zip(keys, record, strict=True), 1):
            cell = sheet.cell(row=top + offset, column=position, value=_cell_value(value, lang))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # user text is never a formula
            if key in _FORMATS:
                cell.number_format = _FORMATS[key]
            elif key in _INT_KEYS:
                cell.number_format = "0"
            elif key in ("last_activity", "due"):
                cell.number_format = "yyyy-mm-dd"
    last = top + max(len(frame), 0)
    if len(frame):
        ref = f"A{top}:{get_column_letter(len(keys))}{last}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)
    else:
        sheet.cell(row=top + 1, column=1, value=label(lang, "none"))
    for position, key in enumerate(keys, 1):
        texts = [column_label(lang, key, by), *(str(v) for v in frame[key].head(200).tolist())]
        width = max(len(t) + sum(1 for c in t if ord(c) > 0x2E80) for t in texts) + 2
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(
            sheet.column_dimensions[letter].width or 0, min(width, 40)
        )
    return top + 1, last


def _sheet(workbook: Workbook, title: str) -> Worksheet:
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    return sheet


def _beside(frame: pd.DataFrame, after: int = 0) -> str:
    """The anchor of a table's chart, `after` columns right of the first chart: charts stand
    side by side at the top right of the table, so that none reaches down into a page break."""
    return f"{get_column_letter(len(frame.columns) + 2 + after)}2"


def _page_setup(workbook: Workbook, lang: str) -> None:
    """Every sheet prints readably: landscape when wide (or with charts), one page wide, the
    header row on each page, a footer with the sheet's name and the page number, A4."""
    for sheet in workbook.worksheets:
        wide = sheet.max_column >= _WIDE or bool(sheet._charts)
        sheet.page_setup.orientation = "landscape" if wide else "portrait"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
        sheet.print_options.horizontalCentered = False
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.oddFooter.center.text = label(lang, "page_footer")
        sheet.oddFooter.center.size = 9


def _definitions_sheet(workbook: Workbook, lang: str, lines: list[str]) -> None:
    """口径说明: one definition a row, wrapped in one wide column."""
    sheet = workbook.create_sheet(label(lang, "definitions")[:31])
    sheet["A1"] = label(lang, "definitions")
    sheet["A1"].font = Font(bold=True, size=13)
    width = 80
    sheet.column_dimensions["A"].width = width
    for row, line in enumerate(lines, 2):
        cell = sheet.cell(row=row, column=1, value=line)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # a wrapped cell's row does not grow by itself in every spreadsheet program: size it
        chars = len(line) + sum(1 for c in line if ord(c) > 0x2E80)
        sheet.row_dimensions[row].height = 15 * (chars // (width - 8) + 1)
    sheet.print_title_rows = "1:1"


def _bar(
    title: str,
    sheet: Worksheet,
    rows: tuple[int, int],
    categories: int,
    values: Sequence[int],
    *,
    horizontal: bool,
) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.height, chart.width = _CHART_HEIGHT, _CHART_WIDTH
    first, last = rows
    for column in values:
        chart.add_data(
            Reference(sheet, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True
        )
    chart.set_categories(Reference(sheet, min_col=categories, min_row=first, max_row=last))
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first stage on top, like a funnel
    return chart


def _pie(
    title: str, sheet: Worksheet, rows: tuple[int, int], categories: int, values: int
) -> PieChart:
    pie = PieChart()
    pie.title = title
    pie.height, pie.width = _CHART_HEIGHT, _CHART_WIDTH * 0.75
    first, last = rows
    pie.add_data(
        Reference(sheet, min_col=values, min_row=first - 1, max_row=last), titles_from_data=True
    )
    pie.set_categories(Reference(sheet, min_col=categories, min_row=first, max_row=last))
    return pie


def build_workbook(
    data: ReportData,
    *,
    lang: str = "zh",
    reports: Iterable[str] = ("funnel", "channel", "stage"),
    list_limit: int = 1000,
) -> Workbook:
    """The report workbook: a summary sheet, a sheet per report and per customer list (≤ list_limit rows)."""
    wanted = set(reports)
    workbook = Workbook()
    summary = workbook.active
    summary.title = label(lang, "summary")
    period = f"{data.period.since:%Y-%m-%d} {label(lang, 'to')} {data.period.until:%Y-%m-%d}"
    summary["A1"] = (
        f"{label(lang, 'title')} · {label(lang, 'period')} {period} · {label(lang, 'as_of')} {data.as_of:%Y-%m-%d}"
    )
    summary["A1"].font = Font(bold=True, size=14)
    summary["A1"].alignment = Alignment(vertical="center")
    rows = [
        {
            "metric": label(lang, f"h_{h.key}"),
            "value": h.value,
            "previous": h.previous,
            "change": format_change(h.key, h.value, h.previous, lang),
        }
        for h in data.headline
    ]
    top = 3
    _write_table(
        summary,
        pd.DataFrame(rows, columns=["metric", "value", "previous", "change"]),
        "Summary",
        lang,
        top=top,
    )
    for offset, headline in enumerate(data.headline, 1):
        for column in (2, 3):
            cell = summary.cell(row=top + offset, column=column)
            cell.number_format = _FORMATS.get(headline.key, "#,##0")
    summary.freeze_panes = f"A{top + 1}"
    if "funnel" in wanted:
        sheet = _sheet(workbook, label(lang, "funnel"))
        span = _write_table(sheet, data.funnel, "Funnel", lang)
        main = (span[0], span[0] + len(data.funnel) - 1 - sum(data.funnel["reached"].isna()))
        chart = _bar(label(lang, "funnel"), sheet, main, 1, [3], horizontal=True)
        sheet.add_chart(chart, _beside(data.funnel))
        if data.win_rate is not None:
            sheet.cell(row=span[1] + 2, column=1, value=label(lang, "win_rate")).font = Font(
                bold=True
            )
            rate = sheet.cell(row=span[1] + 2, column=2, value=data.win_rate)
            rate.number_format = "0.0%"
        if data.funnel_by is not None and data.by is not None:
            grouped = _sheet(workbook, funnel_by_title(lang, data.by))
            _write_table(grouped, data.funnel_by, "FunnelBy", lang, by=data.by)
    if "channel" in wanted:
        sheet = _sheet(workbook, label(lang, "channel"))
        span = _write_table(sheet, data.channel, "Channel", lang)
        if len(data.channel):
            pie = _pie(label(lang, "share"), sheet, span, 1, 2)
            sheet.add_chart(pie, _beside(data.channel))
            bars = _bar(label(lang, "channel"), sheet, span, 1, [2, 4], horizontal=False)
            sheet.add_chart(bars, _beside(data.channel, 7))
    if "stage" in wanted:
        sheet = _sheet(workbook, label(lang, "stage"))
        span = _write_table(sheet, data.stages, "Stages", lang)
        chart = _bar(label(lang, "stage"), sheet, span, 1, [2, 5], horizontal=False)
        sheet.add_chart(chart, _beside(data.stages))
        for key, frame in (
            ("stalled", data.stalled),
            ("silent", data.silent),
            ("overdue", data.overdue),
        ):
            listing = _sheet(workbook, label(lang, key))
            shown = for_reader(frame.head(list_limit))
            _, last = _write_table(listing, shown, key.capitalize(), lang)
            if len(frame) > list_limit:
                note = f"… {len(frame) - list_limit} {label(lang, 'more_rows')}"
                listing.cell(row=last + 2, column=1, value=note).font = Font(italic=True)
    lines = report_definitions(lang, data.config, data.as_of, data.period, data.previous_as_of)
    if data.forecast is not None:
        from crmkit.report.forecast import forecast_definitions
        from crmkit.report.forecast_excel import add_forecast_sheets

        add_forecast_sheets(workbook, data.forecast, lang=lang, list_limit=list_limit)
        lines += forecast_definitions(lang, data.forecast)
    _definitions_sheet(workbook, lang, lines)
    _page_setup(workbook, lang)
    return workbook


def build_service_workbook(
    data: ServiceData, *, lang: str = "zh", list_limit: int = 1000
) -> Workbook:
    """The service workbook: a summary, task sheets (by person, department, time to close,
    overdue list) and feedback sheets (by type, by month), each table with its chart."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = label(lang, "summary")
    summary["A1"] = f"{label(lang, 'service_title')} · {label(lang, 'as_of')} {data.as_of:%Y-%m-%d}"
    summary["A1"].font = Font(bold=True, size=14)
    rows = pd.DataFrame(
        [{"metric": label(lang, f"h_{h.key}"), "value": h.value} for h in data.headline],
        columns=["metric", "value"],
    )
    _write_table(summary, rows, "Summary", lang, top=3)
    for offset, headline in enumerate(data.headline, 1):
        summary.cell(row=3 + offset, column=2).number_format = _FORMATS.get(headline.key, "0.0")
    keys = {h.key for h in data.headline}

    def sheet_with(key: str, frame: pd.DataFrame, name: str) -> tuple[Worksheet, tuple[int, int]]:
        sheet = _sheet(workbook, label(lang, key))
        return sheet, _write_table(sheet, frame, name, lang)

    right = _beside
    if "tasks" in keys:
        for key, frame, name, values in (
            ("tasks_by_person", data.by_person, "TasksByPerson", [4, 5]),
            ("tasks_by_department", data.by_department, "TasksByDepartment", [3, 4]),
        ):
            sheet, span = sheet_with(key, frame, name)
            if len(frame):
                chart = _bar(label(lang, key), sheet, span, 1, values, horizontal=True)
                sheet.add_chart(chart, right(frame))
        sheet, span = sheet_with("time_to_close", data.time_to_close, "TimeToClose")
        chart = _bar(label(lang, "time_to_close"), sheet, span, 1, [3], horizontal=False)
        sheet.add_chart(chart, right(data.time_to_close))
        listing = data.overdue_tasks
        shown = for_reader(listing.head(list_limit))
        sheet, (_, last) = sheet_with("overdue_task_list", shown, "OverdueTasks")
        if len(listing) > list_limit:
            note = f"… {len(listing) - list_limit} {label(lang, 'more_rows')}"
            sheet.cell(row=last + 2, column=1, value=note).font = Font(italic=True)
    if "feedback" in keys:
        sheet, span = sheet_with("feedback_by_type", data.by_type, "FeedbackByType")
        sheet.add_chart(_pie(label(lang, "feedback"), sheet, span, 1, 2), right(data.by_type))
        bars = _bar(label(lang, "satisfaction"), sheet, span, 1, [4], horizontal=False)
        sheet.add_chart(bars, _beside(data.by_type, 7))
        sheet, span = sheet_with("feedback_by_month", data.by_month, "FeedbackByMonth")
        if len(data.by_month):
            sheet.add_chart(
                _bar(label(lang, "feedback_by_month"), sheet, span, 1, [2, 3], horizontal=False),
                right(data.by_month),
            )
            line = LineChart()
            line.title = label(lang, "satisfaction")
            line.height, line.width = _CHART_HEIGHT, _CHART_WIDTH
            line.add_data(
                Reference(sheet, min_col=4, min_row=span[0] - 1, max_row=span[1]),
                titles_from_data=True,
            )
            line.set_categories(Reference(sheet, min_col=1, min_row=span[0], max_row=span[1]))
            line.y_axis.scaling.min, line.y_axis.scaling.max = 1, 5
            sheet.add_chart(line, _beside(data.by_month, 9))
    _definitions_sheet(workbook, lang, service_definitions(lang, data.as_of))
    _page_setup(workbook, lang)
    return workbook
