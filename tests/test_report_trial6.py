"""What a new-user trial of `report profile` and `report forecast` found (session 6): numbers
worked out by hand on a small fixture.

Customers (as of 2024-03-25, month 2024-03), one workbook with a merged title row above the
header, probabilities 初步接触 10%, 需求分析 20%, 合同谈判 70%:

    C1 甲公司 需求分析 120,000 张敏 (备注 "=1+1")   C2 乙公司 初步接触 200,000 李四
    C3 丙公司 合同谈判  12,000 李四                  C4 丁公司 需求分析  −3,000 李四
    C5 戊公司 成交      50,000 张敏, no 更新时间

李四's pipeline leaves C4 out: 200,000 + 12,000 = 212,000, weighted 20,000 + 8,400 = 28,400;
需求分析 is C1 alone: 120,000, weighted 24,000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import explain, run, write_csv, write_xlsx

HEADERS = ["客户编号", "客户名称", "销售阶段", "客户标签", "预计成交金额", "负责人", "创建时间",
           "更新时间", "备注"]  # fmt: skip
ROWS = [
    ["C1", "甲公司", "需求分析", "需求类型-CRM", 120000, "张敏", "2024-03-01", None, "=1+1"],
    ["C2", "乙公司", "初步接触", None, 200000, "李四", "2024-01-05", None, None],
    ["C3", "丙公司", "合同谈判", None, 12000, "李四", "2024-02-01", None, None],
    ["C4", "丁公司", "需求分析", None, -3000, "李四", "2024-02-01", None, None],
    ["C5", "戊公司", "成交", None, 50000, "张敏", "2024-03-05", None, None],
]
ORDER_HEADERS = ["订单编号", "客户编号", "客户名称", "成交日期", "成交金额"]


@pytest.fixture
def customers(tmp_path: Path) -> Path:
    path = write_xlsx(tmp_path / "customers.xlsx", HEADERS, ROWS,
                      title_rows=[["表1:CRM客户基础信息表"]], sheet="客户")  # fmt: skip
    workbook = load_workbook(path)
    workbook["客户"].merge_cells("A1:I1")
    workbook["客户"]["I3"].data_type = "f"  # =1+1 as Excel holds it: a formula
    workbook.save(path)
    return path


@pytest.fixture
def targets(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "targets.xlsx", ["负责人", "期间", "目标金额"],
                      [["张敏", "2024-03", 100000], ["李四", "2024-03", 50000]], sheet="销售目标")  # fmt: skip


def test_tagging_an_xlsx_keeps_its_title_row_and_formulas(customers: Path, tmp_path: Path) -> None:
    out = tmp_path / "tagged.xlsx"
    result = run("report", "profile", "--customers", customers, "--as-of", "2024-03-25",
                 "--tag", out)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    sheet = load_workbook(out)["客户"]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:I1"]
    assert sheet["A1"].value == "表1:CRM客户基础信息表"
    assert [c.value for c in sheet[2]] == HEADERS
    assert sheet["A3"].value == "C1"
    assert sheet["I3"].value == "=1+1"  # the formula as it was, in its row
    tags = {sheet.cell(row, 1).value: sheet.cell(row, 4).value for row in range(3, 8)}
    assert tags["C1"].startswith("需求类型-CRM,客户价值-")  # the user's tag kept first
    assert all("流失风险-" in tags[c] for c in ("C1", "C2", "C3", "C4", "C5"))
    assert sheet.max_row == 7  # no row lost, none added
    assert not (tmp_path / "customers.xlsx.bak").exists()  # the input untouched, no backup made


def test_tagging_leaves_a_formula_tag_cell_as_it_was(customers: Path, tmp_path: Path) -> None:
    workbook = load_workbook(customers)
    workbook["客户"]["D4"] = '="需求类型-"&"ERP"'  # 乙公司's 客户标签, a formula
    workbook.save(customers)
    out = tmp_path / "tagged.xlsx"
    result = run("report", "profile", "--customers", customers, "--as-of", "2024-03-25",
                 "--tag", out)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    sheet = load_workbook(out)["客户"]
    assert sheet["D4"].value == '="需求类型-"&"ERP"'
    assert "流失风险-" in sheet["D5"].value
    assert f"{customers}, sheet 客户: D4 holds a formula; not tagged (kept as it was)" in (
        result.stderr
    )


def test_tagging_a_csv_still_writes_a_csv(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "customers.csv", HEADERS, ROWS)
    out = tmp_path / "tagged.csv"
    result = run("report", "profile", "--customers", source, "--as-of", "2024-03-25", "--tag", out)
    assert result.exit_code == 0, explain(result)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADERS)
    assert lines[1].startswith('C1,甲公司,需求分析,"需求类型-CRM,客户价值-')


def test_a_pipeline_amount_below_zero_is_left_out_with_a_note(
    customers: Path, targets: Path
) -> None:
    result = run("report", "forecast", "-c", customers, "--targets", targets,
                 "--as-of", "2024-03-25", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    payload = json.loads(result.stdout)
    owners = {row["owner"]: row for row in payload["owners"]}
    assert owners["李四"]["pipeline"] == 212000
    assert owners["李四"]["weighted_pipeline"] == pytest.approx(28400)
    stages = {row["stage"]: row for row in payload["stages"]}
    assert stages["需求分析"]["pipeline"] == 120000
    assert stages["需求分析"]["weighted_pipeline"] == pytest.approx(24000)
    assert stages["需求分析"]["customers"] == 1
    assert "1 open customers have a 预计成交金额 below 0" in result.stderr


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (["订单编号", "客户编号", "成交日期"], "no 成交金额 column (required for orders)"),
        (["订单编号", "客户编号", "成交金额"], "no 成交日期 column (required for orders)"),
        (["订单编号", "成交日期", "成交金额"],
         "no 客户编号 and no 客户名称 column (one is required for orders)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("report", ["profile", "forecast"])
def test_an_orders_table_missing_a_column_it_needs_is_refused(
    customers: Path, targets: Path, tmp_path: Path, headers: list[str], message: str, report: str
) -> None:
    values = {"订单编号": "O1", "客户编号": "C1", "成交日期": "2024-03-10", "成交金额": 1000}
    orders = write_csv(tmp_path / "orders.csv", headers, [[values[h] for h in headers]])
    first = ["--customers", customers] if report == "profile" else ["-c", customers,
                                                                    "--targets", targets]  # fmt: skip
    result = run("report", report, *first, "--orders", orders, "--as-of", "2024-03-25")
    assert result.exit_code == 2, explain(result)
    assert f"{orders}: {message}" in result.stderr


def test_a_profile_from_followups_names_follow_up_figures(customers: Path, tmp_path: Path) -> None:
    followups = write_xlsx(tmp_path / "followups.xlsx", ["客户编号", "跟进时间", "跟进方式"], [
        ["C1", "2024-03-10 10:00", "电话"], ["C1", "2024-03-12 10:00", "电话"],
        ["C2", "2024-03-11 10:00", "微信"],
    ], sheet="跟进记录")  # fmt: skip
    args = ["report", "profile", "--customers", customers, "--followups", followups,
            "--as-of", "2024-03-25"]  # fmt: skip
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, explain(result)
    head = json.loads(result.stdout)["headline"]
    assert head["followed_customers"]["value"] == 2  # C1, C2
    assert head["no_followups"]["value"] == 3  # C3, C4, C5
    assert head["repeat_followup_rate"]["value"] == pytest.approx(0.5)  # C1 of 2
    assert head["followups_per_customer"]["value"] == pytest.approx(1.5)  # 3 follow-ups
    assert "scored_customers" not in head and "repeat_rate" not in head
    text = run(*args).stdout
    assert "有跟进的客户" in text and "多次跟进率    50.0%" in text
    assert "有成交的客户" not in text and "复购率" not in text
    english = run(*args, "--lang", "en").stdout
    assert "Customers followed up" in english and "Repeat-purchase" not in english


@pytest.fixture
def left_out(tmp_path: Path) -> dict[str, Path]:
    """Customers C1 甲公司, C2 and C3 both 乙公司; an order, a follow-up, a task and a feedback
    row of each kind the profile leaves out (header in row 1: data from row 2)."""
    return {
        "customers": write_xlsx(tmp_path / "c.xlsx", ["客户编号", "客户名称", "销售阶段", "负责人", "创建时间"], [
            ["C1", "甲公司", "需求分析", "张敏", "2024-01-01"],
            ["C2", "乙公司", "需求分析", "张敏", "2024-01-01"],
            ["C3", "乙公司", "需求分析", "李四", "2024-01-01"],
        ]),
        "orders": write_xlsx(tmp_path / "o.xlsx", ORDER_HEADERS, [
            ["O1", "C1", None, "2024-03-10", 1000],
            ["O2", "C1", None, None, 500],  # row 3: no 成交日期
            ["O3", "C1", None, "2024-03-11", -5],  # row 4: below 0
            ["O4", "C9", None, "2024-03-12", 100],  # row 5: no such customer
        ], sheet="成交"),
        "followups": write_xlsx(tmp_path / "f.xlsx", ["客户编号", "跟进时间", "沟通方式"], [
            ["C1", "2024-03-10 10:00", "电话"],
            [None, "2024-03-11 10:00", "电话"],  # row 3: blank 客户编号
            ["C9", "2024-03-12 10:00", "电话"],  # row 4: no such customer
        ], sheet="跟进"),
        "tasks": write_xlsx(tmp_path / "t.xlsx", ["任务编号", "客户编号", "截止日期", "当前状态"], [
            ["T1", "C1", "2024-03-30", "待处理"],
            ["T2", "C8", "2024-03-30", "待处理"],  # row 3: no such customer
        ], sheet="任务"),
        "feedback": write_xlsx(tmp_path / "b.xlsx", ["反馈日期", "客户编号", "客户名称", "反馈类型"], [
            ["2024-03-20", None, "乙公司", "投诉"],  # row 2: a name C2 and C3 share
        ], sheet="反馈"),
    }  # fmt: skip


def test_every_row_the_profile_leaves_out_is_named(left_out: dict[str, Path]) -> None:
    pairs = [x for kind, path in left_out.items() for x in (f"--{kind}", path)]
    result = run("report", "profile", *pairs, "--as-of", "2024-03-25", "--format", "json")
    assert result.exit_code == 0, explain(result)
    payload = json.loads(result.stdout)
    found = {(Path(f["file"]).name, f["row"], f["column"], f["value"], f["rule"])
             for f in payload["findings"]}  # fmt: skip
    assert found == {
        ("o.xlsx", 3, "成交日期", "", "order_undated"),
        ("o.xlsx", 4, "成交金额", "-5", "order_amount_unusable"),
        ("o.xlsx", 5, "客户编号", "C9", "order_unknown_customer"),
        ("f.xlsx", 3, "客户编号", "", "followup_unknown_customer"),
        ("f.xlsx", 4, "客户编号", "C9", "followup_unknown_customer"),
        ("t.xlsx", 3, "客户编号", "C8", "task_unknown_customer"),
        ("b.xlsx", 2, "客户名称", "乙公司", "ambiguous_customer"),
    }
    assert all(f["sheet"] in ("成交", "跟进", "任务", "反馈") for f in payload["findings"])
    notes = payload["notes"]
    assert "1 orders have no 成交日期; they are left out (run crmkit validate)" in notes
    assert (
        "2 follow-ups have a blank 客户编号 or one the customer table does not have; they are left out"
        in notes
    )
    assert "1 tasks name no customer of the customer table; they are left out" in notes
    assert ("1 feedback rows name only a 客户名称 that more than one customer has; they are "
            "attributed to none of them (give them a 客户编号)") in notes  # fmt: skip
    lines = result.stderr.splitlines()
    assert f"{left_out['orders']} sheet 成交 row 4, column 成交金额: no usable 成交金额 (empty, " \
        "negative or not a number): the order is left out" in lines  # fmt: skip
    assert not any(line.startswith("… and") for line in lines)  # 7 findings: all shown


def test_more_than_ten_rows_left_out_are_counted_after_the_first_ten(
    left_out: dict[str, Path], tmp_path: Path
) -> None:
    orders = write_xlsx(tmp_path / "many.xlsx", ORDER_HEADERS,
                        [[f"O{i}", "C1", None, None, 10] for i in range(13)])  # fmt: skip
    result = run("report", "profile", "--customers", left_out["customers"], "--orders", orders,
                 "--as-of", "2024-03-25")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    shown = [line for line in result.stderr.splitlines() if "row " in line and str(orders) in line]
    assert len(shown) == 10
    assert "… and 3 more rows left out or not attributed (--format json lists them all)" in (
        result.stderr.splitlines()
    )


def test_forecast_names_won_customers_without_update_time(customers: Path, targets: Path) -> None:
    result = run("report", "forecast", "-c", customers, "--targets", targets,
                 "--as-of", "2024-03-25", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    found = {(f["sheet"], f["row"], f["column"], f["value"], f["rule"])
             for f in json.loads(result.stdout)["findings"]}  # fmt: skip
    assert found == {
        (
            "客户",
            6,
            "预计成交金额",
            "-3000",
            "pipeline_amount_below_zero",
        ),  # C4: title, header, C1…
        ("客户", 7, "更新时间", "", "won_undated"),  # C5
    }
    assert f"{customers} sheet 客户 row 7, column 更新时间: a won customer without 更新时间: not " \
        "counted as won" in result.stderr.splitlines()  # fmt: skip


def test_notes_follow_the_language_in_html_and_xlsx(
    customers: Path, targets: Path, tmp_path: Path
) -> None:
    for lang, note in (
        ("zh", "1 位在途客户的预计成交金额小于 0，不计入在途（crmkit validate 可列出）"),
        ("en", "1 open customers have a 预计成交金额 below 0; they are left out of the pipeline"),
    ):
        html, xlsx = tmp_path / f"{lang}.html", tmp_path / f"{lang}.xlsx"
        result = run("report", "forecast", "-c", customers, "--targets", targets, "--as-of",
                     "2024-03-25", "--lang", lang, "-o", html, "-o", xlsx)  # fmt: skip
        assert result.exit_code == 0, explain(result)
        assert note in html.read_text(encoding="utf-8")
        summary = load_workbook(xlsx).worksheets[0]
        assert any(str(c.value).startswith(note) for c in summary["A"] if c.value)
    zh = (tmp_path / "zh.html").read_text(encoding="utf-8")
    assert "open customers have" not in zh  # no English sentence in the Chinese page


def test_profile_notes_in_chinese_pages(left_out: dict[str, Path], tmp_path: Path) -> None:
    html, xlsx = tmp_path / "p.html", tmp_path / "p.xlsx"
    result = run("report", "profile", "--customers", left_out["customers"], "--orders",
                 left_out["orders"], "--as-of", "2024-03-25", "-o", html, "-o", xlsx)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    note = "1 笔成交记录没有成交日期，未计入（crmkit validate 可列出）"
    assert note in html.read_text(encoding="utf-8")
    sheet = load_workbook(xlsx)["口径说明"]
    assert note in [c.value for c in sheet["A"]]
    assert "they are left out" not in html.read_text(encoding="utf-8")


def test_a_duplicate_target_shows_its_cell_as_written(customers: Path, tmp_path: Path) -> None:
    targets = write_xlsx(tmp_path / "targets.xlsx", ["负责人", "期间", "目标金额"],
                         [["张敏", "2024-03", 100000], ["张敏", "2024年3月", 90000]],
                         sheet="销售目标")  # fmt: skip
    out = tmp_path / "fc.xlsx"
    result = run("report", "forecast", "-c", customers, "--targets", targets, "--as-of",
                 "2024-03-25", "-o", out)  # fmt: skip
    assert result.exit_code == 1, explain(result)  # a target row left out
    rows = list(load_workbook(out)["表格问题"].iter_rows(values_only=True))
    assert rows[0][:5] == ("文件", "工作表", "原表行号", "列", "单元格内容")
    assert ("targets.xlsx", "销售目标", 3, "期间", "2024年3月") in [r[:5] for r in rows]


def test_the_rfm_list_wraps_names_and_reasons_to_fit_the_page(
    left_out: dict[str, Path], tmp_path: Path
) -> None:
    page = tmp_path / "p.html"
    result = run("report", "profile", "--customers", left_out["customers"], "--orders",
                 left_out["orders"], "--as-of", "2024-03-25", "-o", page)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    html = page.read_text(encoding="utf-8")
    rfm = html[html.index("<h2>RFM 明细</h2>") :]
    assert '<td class="t">甲公司</td>' in rfm  # a name may wrap
    assert "td.t { white-space: normal; min-width: 6em; }" in html
    assert "html[lang=en] th { white-space: normal; }" in html
