"""sync writes into a copy of the workbook (or the workbook itself with --in-place): title rows,
other sheets, formulas, totals rows and formats stay, only the synced cells change; and what a
trial found besides: customers counted per sheet, a table of the wrong kind refused, follow-ups
dated before their customer was created left out with a warning."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook

from .conftest import FOLLOWUP_HEADERS, explain, run, write_xlsx
from .test_service import TASK_HEADERS, task
from .test_sync import HEADERS, customer, followup, sync


def _kept_workbook(path: Path) -> Path:
    """A customer workbook as teams keep it: a merged title row, a formula in 备注, a totals
    row, and a 说明 sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "客户信息"
    sheet.append(["表1:CRM客户基础信息表"])
    sheet.merge_cells("A1:K1")
    sheet.append(HEADERS)
    sheet.append(customer(1, 更新时间=None))
    sheet.append(customer(2, 备注="=1+1"))
    sheet.append(customer(3))
    sheet.append(["合计", None, None, None, None, None, None, None, None, None, "=COUNTA(A3:A5)"])
    sheet["G3"].number_format = "yyyy/m/d h:mm"
    book.create_sheet("说明").append(["意向等级按最近一次跟进填写"])
    book.save(path)
    return path


def _history(path: Path) -> Path:
    return write_xlsx(path, FOLLOWUP_HEADERS, [
        followup(1, datetime(2024, 3, 12, 10), "高意向客户"),
        followup(3, datetime(2024, 3, 14, 16, 30), "意向客户"),
    ], sheet="跟进记录")  # fmt: skip


def test_output_is_the_workbook_with_only_the_synced_cells_changed(tmp_path: Path) -> None:
    people = _kept_workbook(tmp_path / "customers.xlsx")
    history = _history(tmp_path / "followups.xlsx")
    sync(people, history, "-o", tmp_path / "out.xlsx")
    book, before = load_workbook(tmp_path / "out.xlsx"), load_workbook(people)
    assert book.sheetnames == ["客户信息", "说明"]
    out, was = book["客户信息"], before["客户信息"]
    assert out["A1"].value == "表1:CRM客户基础信息表" and "A1:K1" in out.merged_cells
    assert out["K4"].value == "=1+1" and out["K6"].value == "=COUNTA(A3:A5)"
    assert out["A6"].value == "合计" and book["说明"]["A1"].value == "意向等级按最近一次跟进填写"
    changed = {
        (cell.coordinate, cell.value)
        for row_out, row_was in zip(out.iter_rows(), was.iter_rows(), strict=True)
        for cell, old in zip(row_out, row_was, strict=True)
        if cell.value != old.value
    }
    assert changed == {
        ("D3", "高意向客户"), ("E3", "方案报价"), ("H3", datetime(2024, 3, 12, 10)),
        ("D5", "意向客户"), ("E5", "需求分析"), ("H5", datetime(2024, 3, 14, 16, 30)),
    }  # fmt: skip
    assert out["H3"].number_format == "yyyy-mm-dd hh:mm"  # a blank cell gets a date format
    assert out["H5"].is_date  # a date cell stays a date


def test_in_place_keeps_the_workbook_and_appends_tasks_below_a_title(tmp_path: Path) -> None:
    people = _kept_workbook(tmp_path / "customers.xlsx")
    history = _history(tmp_path / "followups.xlsx")
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [task()], sheet="任务",
                       title_rows=[["协作任务表（2024）"]])  # fmt: skip
    sync(people, history, "--in-place", "--tasks", tasks)
    out = load_workbook(people)["客户信息"]
    assert out["A1"].value == "表1:CRM客户基础信息表" and out["K4"].value == "=1+1"
    assert out["H3"].value == datetime(2024, 3, 12, 10) and out["H3"].is_date
    sheet = load_workbook(tasks)["任务"]
    assert sheet["A1"].value == "协作任务表（2024）"
    assert [c.value for c in sheet[2]][:13] == TASK_HEADERS and sheet.cell(
        2, 14
    ).value == "触发来源"
    assert sheet["A3"].value == "TASK0001"
    added = {h: c.value for h, c in zip([c.value for c in sheet[2]], sheet[4], strict=True)}
    assert (added["任务编号"], added["客户编号"], added["截止日期"]) == (
        "TASK0002", "CRM20240301001", datetime(2024, 3, 15))  # fmt: skip
    assert sheet["H4"].is_date and sheet.max_row == 4


def test_changed_customers_are_counted_per_sheet(tmp_path: Path) -> None:
    people = write_xlsx(tmp_path / "customers.xlsx", HEADERS, [customer(1)], sheet="张敏",
                        more_sheets={"李四": [HEADERS, customer(2)]})  # fmt: skip
    history = write_xlsx(tmp_path / "followups.xlsx", FOLLOWUP_HEADERS, [
        followup(1, datetime(2024, 3, 12, 10), "高意向客户"),
        followup(2, datetime(2024, 3, 12, 11), "高意向客户"),
    ], sheet="跟进记录")  # fmt: skip
    result = sync(people, history, "-o", tmp_path / "out.xlsx")
    assert "2 of 2 customers changed" in result.stderr  # both sheets' row 2
    assert "sheet  row  customer_id" in result.stderr  # the changes table names the sheet


def test_a_table_of_another_kind_as_followups_exits_2(tmp_path: Path) -> None:
    people = write_xlsx(tmp_path / "customers.xlsx", HEADERS, [customer(1)])
    orders = write_xlsx(tmp_path / "orders.xlsx", ["订单编号", "客户编号", "客户名称", "成交日期",
                        "成交金额", "产品/服务", "负责人", "付款状态", "备注"],
                        [["ORD1", "CRM20240301001", "客户1有限公司", datetime(2024, 3, 1), 100,
                          "CRM标准版", "李强", "已付款", None]], sheet="成交记录")  # fmt: skip
    result = run("sync", people, "--followups", orders, "--as-of", "2024-03-20", "-o",
                 tmp_path / "out.xlsx")  # fmt: skip
    assert result.exit_code == 2, explain(result)
    assert "orders.xlsx: no 跟进时间 column; sync needs the follow-ups' 客户编号 and 跟进时间" in (
        result.stderr)  # fmt: skip
    assert not (tmp_path / "out.xlsx").exists()


def test_a_follow_up_before_its_customer_was_created_is_not_used(tmp_path: Path) -> None:
    people = write_xlsx(tmp_path / "customers.xlsx", HEADERS, [
        customer(1, 创建时间=datetime(2024, 3, 10, 9), 更新时间=None, 下次跟进时间=None),
    ])  # fmt: skip
    history = write_xlsx(tmp_path / "followups.xlsx", FOLLOWUP_HEADERS, [
        followup(1, datetime(2019, 1, 1, 10), "高意向客户"),  # 2024 typed as 2019
        followup(1, datetime(2024, 3, 10, 8), "意向客户"),  # the creation day: used
    ], sheet="跟进记录")  # fmt: skip
    result = sync(people, history, "-o", tmp_path / "out.xlsx", "--limit", "0")
    assert ("followups.xlsx sheet 跟进记录 row 2, column 跟进时间: 2019-01-01 10:00: before its "
            "customer's 创建时间; the follow-up is not used (check the year)") in result.stderr  # fmt: skip
    row = dict(zip(HEADERS, [c.value for c in load_workbook(tmp_path / "out.xlsx")["客户信息"][2]],
                   strict=False))  # fmt: skip
    assert (row["意向等级"], row["更新时间"]) == ("意向客户", datetime(2024, 3, 10, 8))


def test_a_workbook_of_several_sheets_synced_to_csv_is_one_table(tmp_path: Path) -> None:
    people = write_xlsx(tmp_path / "customers.xlsx", HEADERS, [customer(1)], sheet="张敏",
                        more_sheets={"李四": [HEADERS, customer(2)]})  # fmt: skip
    history = write_xlsx(tmp_path / "followups.xlsx", FOLLOWUP_HEADERS, [
        followup(2, datetime(2024, 3, 12, 11), "高意向客户"),
    ], sheet="跟进记录")  # fmt: skip
    sync(people, history, "-o", tmp_path / "out.csv")
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",") == HEADERS  # one column per field, not two sets side by side
    assert [line.split(",")[0] for line in lines[1:]] == ["CRM20240301001", "CRM20240301002"]
    assert lines[2].split(",")[3:5] == ["高意向客户", "方案报价"]


def test_a_formula_or_a_merged_cell_is_kept_and_named(tmp_path: Path) -> None:
    """A cell sync would change that holds a formula stays the formula (a warning names it),
    and one under a merged cell is left as the merge shows it — never written over, never a
    crash."""
    people = _kept_workbook(tmp_path / "customers.xlsx")
    book = load_workbook(people)
    sheet = book["客户信息"]
    sheet["E3"] = '=IF(D3="","初步接触","需求分析")'  # 销售阶段 of customer 1, a formula
    sheet.merge_cells("H4:H5")  # 更新时间 of customers 2 and 3 merged into one cell
    book.save(people)
    history = _history(tmp_path / "followups.xlsx")
    result = sync(people, history, "-o", tmp_path / "out.xlsx")
    out = load_workbook(tmp_path / "out.xlsx")["客户信息"]
    assert out["E3"].value == '=IF(D3="","初步接触","需求分析")'
    assert out["D3"].value == "高意向客户" and out["E5"].value == "需求分析"
    assert "H4:H5" in out.merged_cells and out["H5"].value is None
    assert f"{people}, sheet 客户信息: E3 holds a formula; not synced (kept as it was)" in (
        result.stderr
    )
    assert "1 cells under a merged cell left as they were" in result.stderr
