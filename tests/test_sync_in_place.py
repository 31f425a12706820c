"""sync --in-place over a workbook writes only the changed cells: formats, formulas, dropdowns,
comments and widths of everything else stay; and a new project's blank templates sync to
nothing (the cron line crmkit init writes does not fail before there is data)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from .conftest import explain, run
from .test_sync import HEADERS, customer, followup, sync, write_tables


def test_in_place_writes_only_the_changed_cells(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path, [customer(1), customer(2)],
        [followup(2, datetime(2024, 3, 12, 10, 30), "意向客户")],
    )  # fmt: skip
    book = load_workbook(customers)
    sheet = book["客户信息"]
    total = len(HEADERS) + 1
    sheet.cell(1, total, "合计公式")
    sheet.cell(2, total, "=ROW()*2")
    sheet.column_dimensions["B"].width = 33
    sheet["B2"].comment = Comment("大客户", "李强")
    sheet["B2"].number_format = "@"
    rule = DataValidation(type="list", formula1='"潜在客户,意向客户,高意向客户"')
    sheet.add_data_validation(rule)
    rule.add("D2:D100")
    book.save(customers)
    result = sync(customers, followups, "--in-place")
    assert "cells written into" in result.stderr, explain(result)
    book = load_workbook(customers)
    sheet = book["客户信息"]
    column = {c.value: c.column for c in sheet[1]}
    assert sheet.cell(2, total).value == "=ROW()*2"  # a formula stays a formula
    assert sheet.column_dimensions["B"].width == 33 and sheet["B2"].comment.text == "大客户"
    assert sheet["B2"].number_format == "@"
    assert len(sheet.data_validations.dataValidation) == 1
    assert sheet.cell(3, column["意向等级"]).value == "意向客户"
    assert sheet.cell(3, column["销售阶段"]).value == "需求分析"
    updated = sheet.cell(3, column["更新时间"])
    assert updated.value == datetime(2024, 3, 12, 10, 30) and updated.is_date  # a date, not text
    check = run("sync", customers, "--followups", followups, "--as-of", "2024-03-20", "--check")
    assert check.exit_code == 0, explain(check)  # in date after the patch


def test_a_new_project_syncs_to_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    assert run("init", folder).exit_code == 0
    result = run("sync", "--in-place", "--config", folder / "crmkit.toml")
    assert result.exit_code == 0, explain(result)
    assert "nothing to sync" in result.stderr


def test_a_customer_id_on_two_rows_is_a_warning(tmp_path: Path) -> None:
    twin = customer(1, 客户名称="另一家公司")
    customers, followups = write_tables(
        tmp_path, [customer(1), twin, customer(2)],
        [followup(1, datetime(2024, 3, 12, 10, 30), "意向客户")],
    )  # fmt: skip
    result = sync(customers, followups, "-o", tmp_path / "out.xlsx")
    warned = [line for line in result.stderr.splitlines() if "more than one row" in line]
    assert len(warned) == 2 and "row 2" in warned[0] and "row 3" in warned[1]
