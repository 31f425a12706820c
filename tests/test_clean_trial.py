"""What a new user's trial found in clean, dedupe and date reading (session 6): a CSV of a
workbook's 简体 and 繁體 sheets, Excel serial times, the count of cells changed, and the
files a dedupe read."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from crmkit.text.normalize import normalize_datetime

from .conftest import FOLLOWUP_HEADERS, explain, run, write_csv

SIMPLIFIED = [
    "客户编号", "客户名称*", "所属行业", "联系人姓名", "联系电话*", "客户来源", "意向等级",
    "销售阶段", "预计成交金额", "负责人", "创建时间", "备注", "自定义列",
]  # fmt: skip
TRADITIONAL = [
    "客戶編號", "客戶名稱", "所屬行業", "聯繫人姓名", "聯繫電話", "客戶來源", "意向等級",
    "銷售階段", "預計成交金額", "負責人", "創建時間", "備註", "自定义列", "微信号",
]  # fmt: skip


def two_sheets(tmp_path: Path) -> Path:
    """A workbook of two salespeople's sheets: 张敏's in 简体 headers, 李四's in 繁體 ones
    with one more column of its own (微信号); both have the unknown column 自定义列."""
    workbook = Workbook()
    first = workbook.active
    first.title = "张敏"
    first.append(["表1:CRM客户基础信息表"])
    first.append(SIMPLIFIED)
    first.append(["CRM001", "北京星辰科技有限公司", "软件", "王伟", "13812345678", "官网注册",
                  "意向客户", "需求分析", 120000, "张敏", "2024-03-01 10:00", None, "a"])  # fmt: skip
    first.append(["CRM002", "上海甲公司", "制造业", "李娜", "13912345678", "行业展会",
                  "高意向客户", "方案报价", 50000, "张敏", "2024-03-05 09:00", None, "b"])  # fmt: skip
    second = workbook.create_sheet("李四")
    second.append(TRADITIONAL)
    second.append(["CRM005", "广州乙公司", "教育", "周八", "13500003333", "线上广告",
                   "潜在客户", "初步接触", 200000, "李四", "2024-02-01 09:00", "老客户", "c",
                   "wx_zhou"])  # fmt: skip
    path = tmp_path / "customers.xlsx"
    workbook.save(path)
    return path


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_clean_to_csv_writes_one_column_per_field_across_sheets(tmp_path: Path) -> None:
    source = two_sheets(tmp_path)
    out = tmp_path / "clean.csv"
    result = run("clean", source, "-o", out, "--as-of", "2024-03-25")
    assert result.exit_code == 0, explain(result)
    rows = read_csv(out)
    # One column per field under the first sheet's headers, 自定义列 once, 微信号 kept.
    assert rows[0] == [*SIMPLIFIED, "微信号"]
    assert len(rows) == 4
    assert rows[1][:2] == ["CRM001", "北京星辰科技有限公司"] and rows[1][-1] == ""
    assert rows[3] == ["CRM005", "广州乙公司", "教育", "周八", "13500003333", "线上广告",
                       "潜在客户", "初步接触", "200000", "李四", "2024-02-01 09:00", "老客户", "c",
                       "wx_zhou"]  # fmt: skip
    note = result.stderr
    assert "2 sheets written to" in note and "as one table" in note
    assert "sheet 李四: 客戶編號 → 客户编号, 客戶名稱 → 客户名称*," in note
    assert "備註 → 备注" in note and "自定义列 →" not in note and "微信号 →" not in note


def test_clean_to_stdout_is_one_table_too(tmp_path: Path) -> None:
    result = run("clean", two_sheets(tmp_path), "-o", "-", "--as-of", "2024-03-25")
    assert result.exit_code == 0, explain(result)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [*SIMPLIFIED, "微信号"] and len(rows) == 4


def test_clean_to_xlsx_keeps_a_sheet_per_sheet_under_its_own_headers(tmp_path: Path) -> None:
    out = tmp_path / "clean.xlsx"
    result = run("clean", two_sheets(tmp_path), "-o", out, "--as-of", "2024-03-25")
    assert result.exit_code == 0, explain(result)
    assert "headers joined" not in result.stderr
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["张敏", "李四"]
    first = [list(r) for r in workbook["张敏"].iter_rows(values_only=True)]
    second = [list(r) for r in workbook["李四"].iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(first) if r[0] == "客户编号")
    assert first[header_at] == SIMPLIFIED and len(first) == header_at + 3
    assert second[0] == TRADITIONAL and len(second) == 2
    assert second[1][:2] == ["CRM005", "广州乙公司"] and second[1][-1] == "wx_zhou"


def test_dedupe_names_one_workbook_of_two_sheets_as_one_file(tmp_path: Path) -> None:
    result = run("dedupe", two_sheets(tmp_path), "-o", tmp_path / "dd.csv")
    assert result.exit_code == 0, explain(result)
    assert "3 rows from 1 file (2 sheets):" in result.stderr
    assert read_csv(tmp_path / "dd.csv")[0][:2] == ["客户编号", "客户名称*"]


def test_dedupe_of_two_csv_files_says_files(tmp_path: Path) -> None:
    headers = ["客户编号", "客户名称", "联系电话"]
    a = write_csv(tmp_path / "a.csv", headers, [["CRM001", "北京星辰科技有限公司", "13812345678"]])
    b = write_csv(tmp_path / "b.csv", headers, [["CRM002", "上海甲公司", "13912345678"]])
    result = run("dedupe", a, b)
    assert result.exit_code == 0, explain(result)
    assert "2 rows from 2 files:" in result.stderr
    one = run("dedupe", a)
    assert "1 rows from 1 file:" in one.stderr


# ---------------------------------------------------------------- Excel serial times


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("45372.5833333", "2024-03-21 14:00"),  # 13:59:59.997 is 14:00, not 13:59:59
        (45372.5833333, "2024-03-21 14:00"),
        ("45372.58334", "2024-03-21 14:00:01"),  # 14:00:00.576
        ("45372.5", "2024-03-21 12:00"),
        (45372, "2024-03-21"),
        (datetime(2024, 3, 21, 13, 59, 59, 997000), "2024-03-21 14:00"),  # a workbook's cell
        (datetime(2024, 3, 21, 13, 59, 59, 499999), "2024-03-21 13:59:59"),
    ],
)
def test_serial_date_times_are_rounded_to_the_nearest_second(value: object, expected: str) -> None:
    assert normalize_datetime(value).value == expected


def followups_csv(tmp_path: Path, at: str) -> Path:
    rows = [
        ["CRM101", at, "张敏", "电话", "介绍了产品方案并约定演示", "周五上门演示", "对报价满意",
         "意向客户"],
        ["CRM102", "2024-03-22 09:30", "张敏", "微信", "发送了合同草案请客户确认", "下周签约",
         "同意条款", "高意向客户"],
    ]  # fmt: skip
    return write_csv(tmp_path / "fu.csv", FOLLOWUP_HEADERS, rows)


def test_clean_writes_a_serial_time_of_a_workbook_to_the_minute(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(FOLLOWUP_HEADERS)
    sheet.append(["CRM101", 45372.5833333, "张敏", "电话", "介绍了产品方案并约定演示",
                  "周五上门演示", "对报价满意", "意向客户"])  # fmt: skip
    sheet["B2"].number_format = "yyyy-mm-dd hh:mm"
    source = tmp_path / "fu.xlsx"
    workbook.save(source)
    out = tmp_path / "out.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert read_csv(out)[1][1] == "2024-03-21 14:00"
    assert "1 cells changed" in result.stderr  # 13:59:59.997 as read, 14:00 as written


# ---------------------------------------------------------------- cells changed


@pytest.mark.parametrize(
    ("at", "written", "changed"),
    [
        ("45372.5833333", "2024-03-21 14:00", 1),  # a serial time, to the minute
        ("2024/3/20 14:00", "2024-03-20 14:00", 1),  # rewritten in ISO form: a change
        ("2024-03-20 14:00", "2024-03-20 14:00", 0),  # every cell written as read
    ],
)
def test_clean_writes_a_csv_time_and_counts_it_when_its_text_changes(
    tmp_path: Path, at: str, written: str, changed: int
) -> None:
    out = tmp_path / "out.csv"
    result = run("clean", followups_csv(tmp_path, at), "-o", out)
    assert result.exit_code == 0, explain(result)
    assert read_csv(out)[1][1] == written
    assert f"2 rows of followups cleaned into {out}: {changed} cells changed" in result.stderr


def test_clean_counts_amounts_and_blanked_cells_whose_text_changes(tmp_path: Path) -> None:
    headers = ["客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源",
               "预计成交金额", "创建时间", "备注"]  # fmt: skip
    rows = [
        ["CRM001", "北京星辰科技有限公司", "软件", "王伟", "13812345678", "官网注册", "120000.00",
         "2024-03-01 10:00", "   "],
        ["CRM002", "上海甲公司", "制造业", "李娜", "13912345678", "行业展会", "50000",
         "2024-03-05", ""],
    ]  # fmt: skip
    source = write_csv(tmp_path / "c.csv", headers, rows)
    out = tmp_path / "out.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    written = read_csv(out)
    assert written[1][6] == "120000" and written[1][8] == "" and written[2][6] == "50000"
    assert "2 cells changed" in result.stderr  # 120000.00 → 120000, "   " → blank


def test_a_later_sheets_finding_names_its_column_as_that_sheet_wrote_it(tmp_path: Path) -> None:
    source = two_sheets(tmp_path)
    workbook = load_workbook(source)
    workbook["李四"]["I2"] = -3000  # 預計成交金額
    workbook.save(source)
    cleaned = run("clean", source, "-o", tmp_path / "out.csv", "--as-of", "2024-03-25")
    assert cleaned.exit_code == 1, explain(cleaned)
    assert "預計成交金額 must be at least 0, not -3000" in cleaned.stderr
    checked = run("validate", source, "--format", "json")
    assert checked.exit_code == 1, explain(checked)
    errors = [i for i in json.loads(checked.stdout)["issues"] if i["severity"] == "error"]
    assert [(i["sheet"], i["row"], i["column"], i["message"]) for i in errors] == [
        ("李四", 2, "預計成交金額", "預計成交金額 must be at least 0, not -3000")
    ]
