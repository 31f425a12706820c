"""Lay out the forecast as an Excel workbook: the owner and stage tables with native charts,
the lists and the target table's problems, through the weekly report's sheet helpers."""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from crmkit.report.excel import (
    _FORMATS,
    _bar,
    _beside,
    _definitions_sheet,
    _page_setup,
    _sheet,
    _write_table,
)
from crmkit.report.forecast import (
    OWNER_COLUMNS,
    ForecastData,
    forecast_definitions,
    forecast_frame,
)
from crmkit.report.labels import for_reader, label

FINDING_COLUMNS = ["file", "sheet", "row", "column", "cell", "rule", "message"]
HEADLINE = (
    "target",
    "won_amount",
    "attainment",
    "weighted_pipeline",
    "expected_finish",
    "run_rate",
)


def headline(data: ForecastData) -> list[tuple[str, object]]:
    """The summary numbers: (key, value) of the total row."""
    return [(key, data.total.get(key)) for key in HEADLINE]


def finding_frame(data: ForecastData) -> pd.DataFrame:
    """The target table's problems and the rows the forecast left out or counted as 0, as a
    table (the cell's text in `cell`)."""
    found = [{**f.as_dict(), "file": PurePath(f.file).name, "cell": f.value} for f in data.findings]
    return pd.DataFrame(found, columns=FINDING_COLUMNS)


def forecast_title(data: ForecastData, lang: str) -> str:
    """销售预测 · 期间 2024-09 · 截至 2024-09-02."""
    return (
        f"{label(lang, 'forecast_title')} · {label(lang, 'period')} {data.period_name} · "
        f"{label(lang, 'as_of')} {data.as_of:%Y-%m-%d}"
    )


def add_forecast_sheets(
    workbook: Workbook, data: ForecastData, *, lang: str = "zh", list_limit: int = 1000
) -> None:
    """Add the forecast's sheets to a workbook: owners (target, won and weighted pipeline per
    owner as a column chart), stages (pipeline and weighted pipeline per stage), the customers
    whose owner has no target, and the target table's problems when there are any."""
    owners = forecast_frame(data, label(lang, "total"))
    sheet = _sheet(workbook, label(lang, "forecast_owners"))
    first, last = _write_table(sheet, owners, "ForecastOwners", lang)
    if len(data.owners):
        columns = [
            OWNER_COLUMNS.index(k) + 1 for k in ("target", "won_amount", "weighted_pipeline")
        ]
        chart = _bar(
            label(lang, "forecast_owners"),
            sheet,
            (first, first + len(data.owners) - 1),  # the total row would dwarf the owners
            1,
            columns,
            horizontal=False,
        )
        sheet.add_chart(chart, _beside(owners))
    sheet.cell(row=last, column=1).font = Font(bold=True)
    coverage = OWNER_COLUMNS.index("coverage") + 1
    for row in range(first, last + 1):
        sheet.cell(row=row, column=coverage).number_format = "0.0"  # times the gap
    if data.owners_without_customers:
        row = last + 2
        names = "、".join(data.owners_without_customers)
        note = sheet.cell(
            row=row, column=1, value=f"{label(lang, 'owners_without_customers')}: {names}"
        )
        note.data_type = "s"
        note.font = Font(italic=True)
    sheet = _sheet(workbook, label(lang, "forecast_stages"))
    span = _write_table(sheet, data.stages, "ForecastStages", lang)
    if len(data.stages):
        chart = _bar(label(lang, "forecast_stages"), sheet, span, 1, [3, 5], horizontal=False)
        sheet.add_chart(chart, _beside(data.stages))
    listing = data.customers_without_target
    sheet = _sheet(workbook, label(lang, "customers_without_target"))
    _, last = _write_table(sheet, for_reader(listing.head(list_limit)), "NoTarget", lang)
    if len(listing) > list_limit:
        note = f"… {len(listing) - list_limit} {label(lang, 'more_rows')}"
        sheet.cell(row=last + 2, column=1, value=note).font = Font(italic=True)
    if data.findings:
        frame = finding_frame(data)
        sheet = _sheet(workbook, label(lang, "target_findings"))
        _write_table(sheet, for_reader(frame), "TargetFindings", lang)


def build_forecast_workbook(
    data: ForecastData, *, lang: str = "zh", list_limit: int = 1000
) -> Workbook:
    """The forecast workbook: a summary, the forecast sheets and 口径说明."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = label(lang, "summary")
    summary["A1"] = forecast_title(data, lang)
    summary["A1"].font = Font(bold=True, size=14)
    summary["A1"].alignment = Alignment(vertical="center")
    numbers = headline(data)
    rows = pd.DataFrame(
        [{"metric": label(lang, f"h_{key}"), "value": value} for key, value in numbers],
        columns=["metric", "value"],
    )
    _write_table(summary, rows, "Summary", lang, top=3)
    for offset, (key, _) in enumerate(numbers, 1):
        summary.cell(row=3 + offset, column=2).number_format = _FORMATS.get(key, "#,##0")
    for row, note in enumerate(data.note_texts(lang), 5 + len(numbers)):
        summary.cell(row=row, column=1, value=note).data_type = "s"
    add_forecast_sheets(workbook, data, lang=lang, list_limit=list_limit)
    _definitions_sheet(workbook, lang, forecast_definitions(lang, data))
    _page_setup(workbook, lang)
    return workbook
