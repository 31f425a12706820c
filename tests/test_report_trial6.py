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
