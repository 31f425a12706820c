"""The new-user trial's findings in reports, agendas and exports: rows named by sheet and row
as the spreadsheet shows them, one sheet for an export of several, readable empty lists,
--lang en without Chinese in its notes, output placeholders refused in one line."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from .conftest import CUSTOMER_HEADERS, FOLLOWUP_HEADERS, customer_row, explain, run, write_csv
from .test_service import TASK_HEADERS, task

AS_OF = "2024-08-20"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _customer(number: int, owner: str, **cells: Any) -> list[Any]:
    return customer_row(
        客户编号=f"CRM2024010{number:04d}",
        客户名称=f"客户{number}有限公司",
        负责人=owner,
        创建时间=datetime(2024, 1, number),
        **cells,
    )


@pytest.fixture
def per_salesperson(tmp_path: Path) -> Path:
    """One sheet per salesperson: 张三's header on row 1 (rows 2, 3); 李四's under a title row
    (header on row 2, rows 3, 4), the customer on 李四 row 4 with an invalid phone."""
    workbook = Workbook()
    first = workbook.active
    first.title = "张三"
    for row in ([*CUSTOMER_HEADERS], _customer(1, "张三"), _customer(2, "张三")):
        first.append(row)
    second = workbook.create_sheet("李四")
    for row in (
        ["李四的客户"],
        [*CUSTOMER_HEADERS],
        _customer(3, "李四"),
        _customer(4, "李四", 联系电话="12345"),
    ):
        second.append(row)
    path = tmp_path / "per_salesperson.xlsx"
    workbook.save(path)
    return path


def _ok(*args: Any) -> Any:
    result = run(*args)
    assert result.exit_code == 0, explain(result)
    return result


def _places(items: list[dict[str, Any]]) -> set[tuple[str, Any, int]]:
    return {(i["customer_id"], i["sheet"], i["row"]) for i in items}


EXPECTED = {
    ("CRM20240100001", "张三", 2),
    ("CRM20240100002", "张三", 3),
    ("CRM20240100003", "李四", 3),
    ("CRM20240100004", "李四", 4),
}


def _sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


# ---------------------------------------------------------------- 1: sheet and row


def test_report_lists_name_the_sheet_and_the_row_it_shows(
    per_salesperson: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    _ok("report", "all", "-c", per_salesperson, "--as-of", AS_OF, "-q",
        "-o", out.with_suffix(".json"), "-o", out.with_suffix(".xlsx"),
        "-o", out.with_suffix(".html"))  # fmt: skip
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert _places(data["stage"]["silent"]) == EXPECTED
    assert _places(data["stage"]["overdue"]) == EXPECTED
    rows = _sheet_rows(out.with_suffix(".xlsx"), "沉默客户")
    header = list(rows[0])
    sheet, row = header.index("工作表"), header.index("原表行号")
    assert header[sheet + 1 :] == ["原表行号"]
    assert {(r[0], r[sheet], r[row]) for r in rows[1:]} == EXPECTED
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert html.count("<th>工作表</th>") == 3  # stalled, silent, overdue
    assert "10000003" not in html and "10000004" not in html


def test_a_csv_listing_has_a_null_sheet_and_readers_see_no_sheet_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [_customer(1, "张三")],
                     encoding="gb18030")  # fmt: skip
    out = tmp_path / "r"
    _ok("report", "all", "-c", path, "--as-of", AS_OF, "-q",
        "-o", out.with_suffix(".json"), "-o", out.with_suffix(".xlsx"))  # fmt: skip
    silent = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["stage"]["silent"]
    assert [(s["sheet"], s["row"]) for s in silent] == [(None, 2)]
    header = _sheet_rows(out.with_suffix(".xlsx"), "沉默客户")[0]
    assert "工作表" not in header and header[-1] == "原表行号"


def test_due_items_name_the_sheet_and_the_row(per_salesperson: Path) -> None:
    text = _ok("due", "-c", per_salesperson, "--as-of", AS_OF, "--format", "csv", "-q").stdout
    items = list(csv.DictReader(io.StringIO(text)))
    assert list(items[0])[-3:] == ["file", "sheet", "row"]
    assert {(i["customer_id"], i["sheet"], int(i["row"])) for i in items} == EXPECTED
    assert {i["file"] for i in items} == {str(per_salesperson)}
    data = json.loads(
        _ok("due", "-c", per_salesperson, "--as-of", AS_OF, "--format", "json").stdout
    )
    assert _places(data["items"]) == EXPECTED


def test_overdue_tasks_name_their_sheet(tmp_path: Path) -> None:
    path = tmp_path / "tasks.xlsx"
    workbook = Workbook()
    workbook.active.title = "三月"
    workbook.active.append(TASK_HEADERS)
    workbook.active.append(task(任务编号="T1"))
    later = workbook.create_sheet("四月")
    later.append(TASK_HEADERS)
    later.append(task(任务编号="T2", 截止日期=datetime(2024, 4, 2), 创建时间=datetime(2024, 4, 1)))
    workbook.save(path)
    out = tmp_path / "s.json"
    _ok("report", "service", "--tasks", path, "--as-of", "2024-04-10", "-o", out, "-q")
    overdue = json.loads(out.read_text(encoding="utf-8"))["tasks"]["overdue"]
    assert {(t["task_id"], t["sheet"], t["row"]) for t in overdue} == {
        ("T1", "三月", 2),
        ("T2", "四月", 2),
    }


# ---------------------------------------------------------------- 2: export of several sheets


def test_export_of_several_sheets_is_one_sheet_named_by_its_kind(
    per_salesperson: Path, tmp_path: Path
) -> None:
    out = tmp_path / "e.xlsx"
    result = run("export", per_salesperson, "--to", "xlsx", "-o", out)
    assert result.exit_code == 1, explain(result)
    assert "sheet  row  reason" in result.stderr
    assert re.search(r"李四\s+4\s+联系电话", result.stderr)
    _ok("export", per_salesperson, "--to", "xlsx", "-o", out, "--skip-invalid", "-q")
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["客户信息表"]
    ids = [r[0] for r in list(workbook["客户信息表"].iter_rows(values_only=True))[1:]]
    assert ids == ["CRM20240100001", "CRM20240100002", "CRM20240100003"]
    with open(tmp_path / "e-rejects.csv", encoding="utf-8-sig", newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["file"], r["sheet"], r["row"], r["客户编号"]) for r in rejects] == [
        (str(per_salesperson), "李四", "4", "CRM20240100004")
    ]
    assert rejects[0]["reason"].startswith("联系电话")


def test_export_of_one_sheet_keeps_its_name(tmp_path: Path) -> None:
    path = tmp_path / "one.xlsx"
    workbook = Workbook()
    workbook.active.title = "我的客户"
    for row in ([*CUSTOMER_HEADERS], _customer(1, "张三")):
        workbook.active.append(row)
    workbook.save(path)
    _ok("export", path, "--to", "xlsx", "-o", tmp_path / "e.xlsx", "-q")
    assert load_workbook(tmp_path / "e.xlsx").sheetnames == ["我的客户"]


# ---------------------------------------------------------------- 3: empty lists


def test_an_empty_list_reads_none_in_words_in_both_languages(tmp_path: Path) -> None:
    # won customers: neither silent nor stalled
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS,
                     [_customer(1, "张三", 销售阶段="成交", 意向等级="成交客户")])  # fmt: skip
    for lang, word in (("en", "(none)"), ("zh", "（无）")):
        out = tmp_path / lang
        _ok("report", "all", "-c", path, "--as-of", "2024-01-10", "--lang", lang, "-q",
            "-o", out.with_suffix(".xlsx"), "-o", out.with_suffix(".html"))  # fmt: skip
        workbook = load_workbook(out.with_suffix(".xlsx"))
        silent = workbook["Silent" if lang == "en" else "沉默客户"]
        assert silent["A2"].value == word
        cells = [c.value for row in workbook.worksheets for r in row.iter_rows() for c in r]
        assert "None" not in cells
        html = out.with_suffix(".html").read_text(encoding="utf-8")
        assert f'<p class="none">{word}</p>' in html and ">None<" not in html


# ---------------------------------------------------------------- 4: --lang en


def test_the_note_on_follow_ups_of_unknown_customers_follows_lang(tmp_path: Path) -> None:
    customers = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [_customer(1, "张三")])
    talk = ["介绍产品功能与报价方案", "下周演示", "有兴趣", "意向客户"]
    followups = write_csv(tmp_path / "f.csv", FOLLOWUP_HEADERS, [
        ["CRM20249999999", "2024-08-01 10:00", "张三", "电话", *talk],
    ])  # fmt: skip
    common = ("report", "all", "-c", customers, "--followups", followups, "--as-of", AS_OF,
              "-o", tmp_path / "r.json")  # fmt: skip
    english = _ok(*common, "--lang", "en").stderr
    assert (
        "1 follow-ups name no customer of the customer table; they are not counted in "
        "Follow-ups or Customers followed up"
    ) in english
    assert not CJK.search(english)
    chinese = _ok(*common).stderr
    assert "they are not counted in 跟进次数 or 有跟进的客户" in chinese


def test_the_note_on_costs_of_unknown_sources_follows_lang(tmp_path: Path) -> None:
    customers = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [_customer(1, "张三")])
    costs = write_csv(
        tmp_path / "costs.csv", ["客户来源", "成本"], [["官网注册", 100], ["抖音", 50]]
    )
    english = _ok("report", "channel", "-c", customers, "--costs", costs, "--as-of", AS_OF,
                  "--lang", "en", "-o", tmp_path / "r.json").stderr  # fmt: skip
    assert "costs: no customer has the Source 抖音; listed with 0 customers" in english
    assert "客户来源" not in english


# ---------------------------------------------------------------- 5: output placeholders


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("x/{date[0]}.html", "unknown placeholder {date[0]}; use {date}, {since} or {until}"),
        ("x/{date.year}.html", "unknown placeholder {date.year}; use {date}, {since} or {until}"),
        ("x/{date!r}.html", "unknown placeholder {date!r}; use {date}, {since} or {until}"),
        ("x/{since:{until}}.html", "unknown placeholder {since:{until}}; use {date}"),
        (
            "x/{date:%Q}.html",
            "{date:%Q}: %Q is not a date format directive; use e.g. {date:%Y%m%d}",
        ),
        ("x/{date:%Y%}.html", "{date:%Y%}: % is not a date format directive"),
    ],
)
def test_output_placeholders_other_than_documented_fail_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [_customer(1, "张三")])
    result = run("report", "all", "-c", path, "--as-of", AS_OF, "-o", template)
    assert result.exit_code == 2, explain(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: -o {template!r}: {message}")
    assert not (tmp_path / "x").exists()


def test_strftime_directives_and_literal_text_fill_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [_customer(1, "张三")])
    _ok("report", "all", "-c", path, "--as-of", AS_OF, "-q",
        "-o", "x/{date:%Y年%m月%d日}-{date:%j%%}.json")  # fmt: skip
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["2024年08月20日-233%.json"]
