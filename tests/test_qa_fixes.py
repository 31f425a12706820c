"""Defects a new user's trial found after the issue 16/18/19 work, each on a real file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .conftest import explain, run, write_csv, write_xlsx


def _strict(text: str) -> object:
    def refuse(token: str) -> None:
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_the_json_pairs_report_is_strict_json(tmp_path: Path) -> None:
    """Missing cells are null in the JSON pairs report (of crmkit's own merged CSV too), not the
    bare NaN token strict parsers refuse."""
    headers = [
        "客户编号",
        "客户名称",
        "所属行业",
        "联系人姓名",
        "联系电话",
        "客户来源",
        "创建时间",
        "地址",
    ]
    book = write_xlsx(tmp_path / "台账.xlsx", headers, [
        ["CRM2020000001", "中建八局有限公司", "建筑", "周总", "010-88886666", "官网注册",
         datetime(2020, 1, 1), "上海浦东"],
        ["CRM2021000002", "中建八局有限公司北京分公司", "建筑", "李工", "010-88886666", "行业展会",
         datetime(2021, 1, 1), "北京朝阳"],
        ["CRM2021000003", "中建八局有限公司上海分公司", "建筑", "王工", "010-88886666", "行业展会",
         datetime(2021, 2, 1), "上海徐汇"],
        ["CRM2021000010", "宁波港联物流有限公司", "物流", "陈港", "13811110000", "官网注册",
         datetime(2020, 6, 1), None],
        ["CRM2024000011", "宁波港联物流有限公司", "物流", "陈港", "13811110000", "行业展会",
         datetime(2024, 6, 1), "宁波北仑"],
    ])  # fmt: skip
    leads = write_csv(tmp_path / "展会.csv", ["客户编号", "客户名称", "所属行业", "联系人姓名",
                                             "联系电话", "客户来源", "创建时间", "展会名称"], [
        ["", "宁波港联物流(宁波)有限公司", "物流", "陈港", "+86 138-1111-0000", "行业展会",
         "2019-12-01", "宁波展"],
    ], encoding="gb18030")  # fmt: skip
    merged = tmp_path / "merged.csv"
    result = run("dedupe", book, leads, "-o", merged)
    assert result.exit_code == 0, explain(result)
    pairs = tmp_path / "pairs.json"
    result = run("dedupe", merged, "--report", pairs)
    assert result.exit_code == 0, explain(result)
    records = _strict(pairs.read_text(encoding="utf-8"))
    assert isinstance(records, list) and records
    assert all(value == value for record in records for value in record.values())


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_dedupe_refuses_tables_that_are_not_customers(tmp_path: Path) -> None:
    """A task list or a feedback table given to dedupe is not read as customers (which
    invented 客户编号 for tasks and renumbered real customers)."""
    out = tmp_path / "merged.csv"
    for other, kind in (("tasks.xlsx", "tasks"), ("feedback.xlsx", "feedback")):
        result = run("dedupe", EXAMPLES / "customers.xlsx", EXAMPLES / other, "-o", out)
        assert result.exit_code == 2, explain(result)
        assert result.stderr == (
            f"Error: {EXAMPLES / other}, sheet {_first_sheet(EXAMPLES / other)}: its headers are "
            f"those of {kind}, not customers\n"
        )
        assert not out.exists()


def test_an_explicit_kind_still_reads_a_table_as_that_kind(tmp_path: Path) -> None:
    result = run("validate", EXAMPLES / "tasks.xlsx", "--kind", "feedback", "--format", "json")
    assert result.exit_code == 1, explain(result)
    assert json.loads(result.stdout)["tables"][0]["kind"] == "feedback"
    refused = run("validate", EXAMPLES / "customers.xlsx", "--tasks", EXAMPLES / "feedback.xlsx")
    assert refused.exit_code == 2, explain(refused)
    assert "its headers are those of feedback, not tasks" in refused.stderr


def _first_sheet(path: Path) -> str:
    from openpyxl import load_workbook

    return str(load_workbook(path, read_only=True).sheetnames[0])


def test_a_second_column_naming_the_same_field_is_named_not_silently_ignored(
    tmp_path: Path,
) -> None:
    headers = ["客户编号", "客户名称", "所属行业", "联系人姓名", "手机", "联系邮箱", "客户来源",
               "创建时间", "电话"]  # fmt: skip
    rows = [["CRM20240101001", "星辰科技有限公司", "软件", "张伟", "13812345678", "", "官网注册",
             "2024-01-01", "010-62345678"]]  # fmt: skip
    source = write_csv(tmp_path / "c.csv", headers, rows)
    result = run("validate", source)
    assert result.exit_code == 0, explain(result)
    assert result.stderr.splitlines()[0] == (
        f"{source}: column I (电话) names 联系电话 as column E (手机) does; only column E is "
        "checked and used, 电话 is kept as it is"
    )


def test_a_missing_column_is_named_in_the_table_s_language(tmp_path: Path) -> None:
    headers = ["Customer ID", "Company Name", "Industry", "Contact Name", "Phone", "Created Date"]
    rows = [["CRM001", "Sunrise Hotel", "餐饮", "Li Lei", "13812345678", "2024-03-10"]]
    source = write_csv(tmp_path / "leads.csv", headers, rows)
    result = run("validate", source, "--format", "json")
    assert result.exit_code == 1, explain(result)
    missing = [(i["column"], i["message"]) for i in json.loads(result.stdout)["issues"]]
    assert missing == [("Source", "required column Source is missing")]
    traditional = write_csv(tmp_path / "客戶.csv", ["客戶編號", "客戶名稱", "所屬行業", "聯絡人",
                                                    "聯絡電話", "建立時間"],
                            [["CRM001", "星辰科技", "軟體", "王小明", "13812345678", "2024-03-10"]])  # fmt: skip
    result = run("validate", traditional, "--format", "json")
    assert result.exit_code == 1, explain(result)
    missing = [(i["column"], i["message"]) for i in json.loads(result.stdout)["issues"]]
    assert missing == [("客戶來源", "required column 客戶來源 is missing")]


def test_dates_written_month_or_day_first_are_read_only_when_unambiguous(tmp_path: Path) -> None:
    from .conftest import CUSTOMER_HEADERS, customer_row

    rows = [
        customer_row(客户编号="CRM001", 创建时间="06/15/2024"),  # US export: month first
        customer_row(客户编号="CRM002", 创建时间="15/06/2024 09:30"),  # day first
        customer_row(客户编号="CRM003", 创建时间="06/07/2024"),  # June 7 or July 6?
    ]
    source = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, rows)
    result = run("validate", source, "--format", "json")
    assert result.exit_code == 1, explain(result)
    dates = {(i["row"], i["severity"], i["message"]) for i in json.loads(result.stdout)["issues"]}
    assert dates == {
        (2, "warning", "创建时间: date written month first (06/15/2024); valid after normalization"),
        (3, "warning", "创建时间: date written day first (15/06/2024 09:30); valid after normalization"),
        (4, "error", "创建时间: ambiguous date (06/07/2024): day 6 of month 7, or month 6 day 7? "
                     "write it as 2024-MM-DD"),
    }  # fmt: skip
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 1, explain(result)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert "2024-06-15," in lines[1] and "2024-06-15 09:30," in lines[2]
    assert "06/07/2024" in lines[3]  # kept as written, listed as not fixable


def test_a_phone_written_twice_in_a_cell_is_not_another_phone(tmp_path: Path) -> None:
    from crmkit.text.normalize import normalize_phone

    assert normalize_phone("13812345678/13812345678").others == ()
    assert normalize_phone("13812345678/138-1234-5678/010-62345678").others == ("010-62345678",)


def test_merged_from_names_a_row_without_an_id_by_its_place_alone(tmp_path: Path) -> None:
    from .conftest import CUSTOMER_HEADERS, customer_row

    rows = [customer_row(客户编号="CRM20240101001", 客户名称="星辰科技有限公司"),
            customer_row(客户编号="", 客户名称="星辰科技")]  # fmt: skip
    source = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, rows)
    out = tmp_path / "merged.csv"
    result = run("dedupe", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    import csv

    with open(out, encoding="utf-8-sig", newline="") as handle:
        merged = list(csv.DictReader(handle))
    assert [row["merged_from"] for row in merged] == [f"CRM20240101001 ({source}:2); ({source}:3)"]


def test_a_decisions_file_that_is_not_json_or_missing_is_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    from .conftest import CUSTOMER_HEADERS, customer_row

    source = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row()])
    broken = tmp_path / "reviewed.json"
    broken.write_text("[{", encoding="utf-8")
    result = run("dedupe", source, "--decisions", broken)
    assert result.exit_code == 2, explain(result)
    assert result.stderr.startswith(f"Error: {broken}: not JSON (")
    assert len(result.stderr.splitlines()) == 1
    missing = tmp_path / "nothere.json"
    result = run("dedupe", source, "--decisions", missing)
    assert result.exit_code == 2, explain(result)
    assert result.stderr == f"Error: {missing}: no such file\n"
