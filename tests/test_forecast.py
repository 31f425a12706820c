"""The targets workbook and `crmkit report forecast`: numbers worked out by hand on a small
fixture, JSON equal to the library, charts read back, bad targets located."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

import crmkit
from crmkit.report.forecast import compute_forecast, targets_from_table
from crmkit.spec.fields import load_specs
from crmkit.text.period import normalize_period, period_bounds, period_containing

from .conftest import EXAMPLES, digest, explain, run, write_csv, write_xlsx

HEADERS = ["客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "销售阶段",
           "预计成交金额", "负责人", "创建时间", "更新时间"]  # fmt: skip
TARGET_HEADERS = ["负责人", "期间", "目标金额", "目标成交数", "备注"]
ORDER_HEADERS = ["订单编号", "客户编号", "客户名称", "成交日期", "成交金额", "负责人"]


def person(
    number: int, name: str, stage: str, amount: object, owner: str, **days: str
) -> list[object]:
    return [f"CRM00{number}", name, "软件", "张伟", f"1381234567{number}", "官网注册", stage, amount,
            owner, days.get("created", "2024-08-01 09:00"), days.get("updated", "2024-08-02 09:00")]  # fmt: skip


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    """Customers: 张敏 under target, 王芳 over it, 李强 won outside the month (inside the
    quarter) and an open customer with no amount, a lost one, one created after the day;
    targets for a month and a quarter, and 孙悦 with a target and no customers."""
    customers = write_xlsx(tmp_path / "customers.xlsx", HEADERS, [
        person(1, "甲公司", "方案报价", 100000, "张敏", updated="2024-09-05 10:00"),
        person(2, "乙公司", "合同谈判", 200000, "张敏"),
        person(3, "丙公司", "成交", 50000, "张敏", updated="2024-09-10 10:00"),
        person(4, "丁公司", "成交", 80000, "李强", updated="2024-08-20 10:00"),
        person(5, "戊公司", "初步接触", None, "李强"),
        person(6, "己公司", "关闭", 300000, "李强"),
        person(7, "庚公司", "需求分析", 50000, "王芳"),
        person(8, "辛公司", "成交", 120000, "王芳", updated="2024-09-15 10:00"),
        person(9, "壬公司", "初步接触", 100000, "王芳", created="2024-09-25 09:00"),
    ])  # fmt: skip
    targets = write_xlsx(tmp_path / "targets.xlsx", TARGET_HEADERS, [
        ["张敏", "2024-09", 100000, 2, ""],
        ["李强", "2024年9月", 60000, None, ""],
        ["王芳", "2024-09", "10万", 1, ""],
        ["孙悦", "2024-09", 30000, None, "新人"],
        ["张敏", "2024年第3季度", 300000, None, ""],
        ["李强", "2024Q3", 200000, None, ""],
    ], sheet="销售目标")  # fmt: skip
    orders = write_xlsx(tmp_path / "orders.xlsx", ORDER_HEADERS, [
        ["ORD001", "CRM001", "", "2024-09-03", 30000, ""],
        ["ORD002", "CRM002", "", "2024-08-30", 99999, ""],
        ["ORD003", "", "庚公司", "2024-09-12", 20000, ""],
        ["ORD004", "CRM004", "", "2024-09-18", None, "李强"],
        ["ORD005", "CRM001", "", "2024-09-21", 50000, ""],
    ], sheet="成交记录")  # fmt: skip
    return {"customers": customers, "targets": targets, "orders": orders}


def forecast_json(tables: dict[str, Path], *extra: object) -> dict:  # type: ignore[type-arg]
    result = run("report", "forecast", "-c", tables["customers"], "--targets", tables["targets"],
                 "--as-of", "2024-09-20", "--format", "json", *extra)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    return json.loads(result.stdout)


def by_owner(payload: dict) -> dict[str | None, dict]:  # type: ignore[type-arg]
    return {row["owner"]: row for row in payload["owners"]}


def test_periods_are_read_in_every_spelling() -> None:
    cases = {
        "2024-09": "2024-09", "2024年9月": "2024-09", "2024/9": "2024-09", "2024.09": "2024-09",
        "202409": "2024-09", "2024年十二月": "2024-12", "Sep 2024": "2024-09",
        "2024Q3": "2024Q3", "2024-Q3": "2024Q3", "Q3 2024": "2024Q3", "2024年第3季度": "2024Q3",
        "2024年第三季": "2024Q3", "2024年三季度": "2024Q3", "2024 q4": "2024Q4",
        "2024": "2024", "2024年": "2024", "2024年度": "2024", 2024: "2024",
    }  # fmt: skip
    for text, canonical in cases.items():
        assert normalize_period(text).value == canonical, text
    assert normalize_period(2024.0).value == "2024"  # a year typed into a number cell
    assert normalize_period("2024-09").status == "ok"
    assert normalize_period("2024年9月").status == "changed"
    for bad in ("2024-13", "2024Q5", "九月", "abc", "1850", 2024.5, True):
        assert normalize_period(bad).status == "invalid", bad
    excel_date = normalize_period(datetime(2024, 9, 1))
    assert (excel_date.value, excel_date.status) == ("2024-09", "warn")
    assert normalize_period(None).status == "empty"
    assert period_bounds("2024Q3") == (date(2024, 7, 1), date(2024, 9, 30))
    assert period_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("2024-12") == (date(2024, 12, 1), date(2024, 12, 31))
    assert period_bounds("2024") == (date(2024, 1, 1), date(2024, 12, 31))
    assert period_containing(date(2024, 11, 5), "quarter") == "2024Q4"
    with pytest.raises(ValueError):
        period_bounds("2024年9月")


def test_month_numbers_match_hand_computation(tables: dict[str, Path]) -> None:
    payload = forecast_json(tables)
    assert payload["period"] == {"name": "2024-09", "since": "2024-09-01", "until": "2024-09-30",
                                 "elapsed": pytest.approx(20 / 30)}  # fmt: skip
    assert payload["basis"] == "customers"
    owners = by_owner(payload)
    assert list(owners) == ["张敏", "李强", "王芳", "孙悦"]
    # 张敏: won 丙 50,000 on 09-10; open 甲 100,000 × 0.4 + 乙 200,000 × 0.7 = 180,000
    zhang = owners["张敏"]
    assert (zhang["target"], zhang["won"], zhang["attainment"], zhang["gap"]) == (
        100000,
        50000,
        0.5,
        50000,
    )
    assert (zhang["pipeline"], zhang["weighted_pipeline"]) == (300000, 180000)
    assert zhang["coverage"] == pytest.approx(3.6)
    assert zhang["expected_finish"] == pytest.approx(2.3)
    assert zhang["run_rate"] == pytest.approx(75000)  # 50,000 ÷ (20/30)
    assert (zhang["won_deals"], zhang["target_deals"]) == (1, 2)
    # 李强: 丁 was won on 08-20 (outside the month), 戊 has no amount (0), 己 is lost
    li = owners["李强"]
    assert (li["target"], li["won"], li["gap"], li["pipeline"], li["open_customers"]) == (
        60000,
        0,
        60000,
        0,
        1,
    )
    assert li["coverage"] == 0
    # 王芳: over target (10万 = 100,000); 壬 was created after the day and does not count
    wang = owners["王芳"]
    assert (wang["won"], wang["attainment"], wang["gap"], wang["coverage"]) == (
        120000,
        1.2,
        0,
        None,
    )
    assert (wang["weighted_pipeline"], wang["expected_finish"]) == (10000, 1.3)
    assert owners["孙悦"]["won"] == 0 and owners["孙悦"]["open_customers"] == 0
    assert payload["owners_without_customers"] == ["孙悦"]
    assert payload["customers_without_target"] == []
    total = payload["total"]
    assert (total["target"], total["won"], total["gap"], total["weighted_pipeline"]) == (
        290000,
        170000,
        140000,  # the owners' gaps: 50,000 + 60,000 + 0 + 30,000 (王芳's lead closes no one's)
        190000,
    )
    assert total["attainment"] == pytest.approx(170000 / 290000)
    stages = {s["stage"]: s for s in payload["stages"]}
    assert list(stages) == ["初步接触", "需求分析", "方案报价", "合同谈判"]
    assert [(s["customers"], s["pipeline"], s["weighted_pipeline"]) for s in stages.values()] == [
        (1, 0, 0), (1, 50000, 10000), (1, 100000, 40000), (1, 200000, 140000)]  # fmt: skip
    assert stages["合同谈判"]["probability"] == 0.7
    assert any("1 open customers have no 预计成交金额" in n for n in payload["notes"])


def test_quarter_counts_the_august_win_and_lists_owners_without_target(
    tables: dict[str, Path],
) -> None:
    payload = forecast_json(tables, "--period", "quarter")
    assert payload["period"]["name"] == "2024Q3"
    assert payload["period"]["elapsed"] == pytest.approx(82 / 92)
    owners = by_owner(payload)
    assert list(owners) == [
        "张敏",
        "李强",
        "王芳",
    ]  # the quarter's targets, then owners without one
    assert (owners["李强"]["target"], owners["李强"]["won"]) == (200000, 80000)
    assert owners["王芳"]["target"] is None and owners["王芳"]["won"] == 120000
    assert owners["王芳"]["attainment"] is None
    listed = {(c["customer_id"], c["owner"]) for c in payload["customers_without_target"]}
    assert listed == {("CRM007", "王芳"), ("CRM008", "王芳")}
    row = next(c for c in payload["customers_without_target"] if c["customer_id"] == "CRM007")
    assert (row["sheet"], row["row"]) == ("客户信息", 8)


def test_orders_give_the_won_amount(tables: dict[str, Path]) -> None:
    payload = forecast_json(tables, "--orders", tables["orders"])
    assert payload["basis"] == "orders"
    owners = by_owner(payload)
    # ORD001 → 张敏 by 客户编号; ORD003 → 王芳 by 客户名称; ORD004 has no amount (a deal of 0);
    # ORD002 is in August and ORD005 after the day
    assert (owners["张敏"]["won"], owners["张敏"]["won_deals"]) == (30000, 1)
    assert (owners["王芳"]["won"], owners["王芳"]["won_deals"]) == (20000, 1)
    assert (owners["李强"]["won"], owners["李强"]["won_deals"]) == (0, 1)
    assert payload["total"]["won"] == 50000
    assert any("orders in the period have no 成交金额" in n for n in payload["notes"])


def test_json_equals_the_library_result(tables: dict[str, Path]) -> None:
    payload = forecast_json(tables, "--orders", tables["orders"])
    specs = load_specs()
    people, _ = crmkit.read_canonical(tables["customers"], specs["customers"])
    orders, _ = crmkit.read_canonical(tables["orders"], specs["orders"])
    goals, findings = targets_from_table(
        crmkit.read_table(tables["targets"], specs=[specs["targets"]])
    )
    data = compute_forecast(people, goals, orders, as_of=date(2024, 9, 20))
    data.findings = findings + data.findings  # the target rows', then the rows left out
    assert payload == json.loads(json.dumps(data.to_dict(), ensure_ascii=False))


def test_bad_targets_are_findings_with_file_row_and_column(
    tmp_path: Path, tables: dict[str, Path]
) -> None:
    bad = write_csv(tmp_path / "bad.csv", ["負責人", "期間", "目標金額"], [
        ["张敏", "2024-09", "100000"],
        ["张敏", "2024年9月", "200000"],
        ["李强", "2024-15", "100000"],
        ["王芳", "2024-09", "-5"],
        ["赵磊", "2024-09", ""],
    ], encoding="gb18030")  # fmt: skip
    result = run("validate", bad, "--format", "json")
    assert result.exit_code == 1, explain(result)
    found = {(i["row"], i["column"], i["rule"]) for i in json.loads(result.stdout)["issues"]}
    assert found == {(2, "期間", "unique"), (3, "期間", "unique"), (4, "期間", "period"),
                     (5, "目標金額", "above"), (6, "目標金額", "required")}  # fmt: skip
    before = digest(bad)
    result = run("report", "forecast", "-c", tables["customers"], "--targets", bad,
                 "--as-of", "2024-09-20", "--format", "json")  # fmt: skip
    assert result.exit_code == 1, explain(result)
    payload = json.loads(result.stdout)
    assert [(f["row"], f["column"], f["rule"]) for f in payload["findings"]] == [
        (3, "期間", "unique"), (4, "期間", "period"), (5, "目標金額", "above"), (6, "目標金額", "required")]  # fmt: skip
    assert "the first row counts" in payload["findings"][0]["message"]
    assert f"{bad} row 4 期間: 2024-15 is not a period" in result.stderr
    assert by_owner(payload)["张敏"]["target"] == 100000  # the first row of the two
    assert digest(bad) == before


def test_excel_charts_and_html(tables: dict[str, Path], tmp_path: Path) -> None:
    xlsx, page = tmp_path / "out" / "forecast-{date}.xlsx", tmp_path / "forecast.html"
    result = run("report", "forecast", "-c", tables["customers"], "--targets", tables["targets"],
                 "--as-of", "2024-09-20", "-o", xlsx, "-o", page)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    book = load_workbook(tmp_path / "out" / "forecast-2024-09-20.xlsx")
    assert book.sheetnames == [
        "汇总",
        "目标达成-按负责人",
        "在途商机-按阶段",
        "无目标负责人的客户",
        "口径说明",
    ]
    owners = book["目标达成-按负责人"]
    assert [c.value for c in owners[1]][:4] == ["负责人", "目标金额", "已成交金额", "达成率"]
    assert [owners.cell(row=r, column=1).value for r in range(2, 7)] == [
        "张敏",
        "李强",
        "王芳",
        "孙悦",
        "合计",
    ]
    assert owners["C2"].value == 50000 and owners["D2"].number_format == "0.0%"
    assert (owners["H2"].value, owners["H2"].number_format) == (3.6, "0.0")  # coverage
    (chart,) = owners._charts
    assert len(chart.series) == 3  # target, won, weighted pipeline per owner
    assert chart.series[0].val.numRef.f.endswith("$B$2:$B$5")  # the total row is not a bar
    (bars,) = book["在途商机-按阶段"]._charts
    assert len(bars.series) == 2
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text and "<script" not in text
    for words in (
        "销售预测",
        "目标达成-按负责人",
        "有目标无客户: 孙悦",
        "230.0%",
        "120.0%",
        "口径说明",
    ):
        assert words in text, words


def test_examples_and_config(tmp_path: Path) -> None:
    config = tmp_path / "crmkit.toml"
    config.write_text(
        f'[inputs]\ncustomers = "{EXAMPLES / "customers.xlsx"}"\ntargets = "{EXAMPLES / "targets.xlsx"}"\n'
        '[pipeline.probability]\n"初步接触" = 0.0\n',
        encoding="utf-8",
    )
    result = run("report", "forecast", "--config", config, "--as-of", "2024-09-02", "-f", "json")
    assert result.exit_code == 0, explain(result)
    payload = json.loads(result.stdout)
    assert {s["stage"]: s["probability"] for s in payload["stages"]}["初步接触"] == 0.0
    assert payload["owners_without_customers"] == ["孙悦"]
    config.write_text('[pipeline.probability]\n"初步接触" = 10\n', encoding="utf-8")
    result = run("report", "forecast", "--config", config, "-c", EXAMPLES / "customers.xlsx",
                 "--targets", EXAMPLES / "targets.xlsx")  # fmt: skip
    assert (
        result.exit_code == 2
        and "pipeline.probability.初步接触 must be a number from 0 to 1" in result.stderr
    )
    result = run("report", "forecast", "-c", EXAMPLES / "customers.xlsx")
    assert result.exit_code == 2 and "no target table" in result.stderr
    result = run("validate", EXAMPLES / "targets.xlsx", EXAMPLES / "customers.xlsx")
    assert result.exit_code == 0, explain(result)


def test_orders_below_zero_or_of_no_known_customer_are_said(
    tmp_path: Path, tables: dict[str, Path]
) -> None:
    orders = write_xlsx(tmp_path / "bad-orders.xlsx", ORDER_HEADERS, [
        ["ORD001", "CRM001", "", "2024-09-03", 30000, ""],
        ["ORD002", "CRM001", "", "2024-09-04", -500, ""],  # validate refuses it: not counted
        ["ORD003", "CRM999", "", "2024-09-05", 5000, ""],  # no such customer, no 负责人
    ], sheet="成交记录")  # fmt: skip
    payload = forecast_json(tables, "--orders", orders)
    owners = by_owner(payload)
    assert owners["张敏"]["won"] == 30000  # not 29,500
    assert owners[None]["won"] == 5000  # the unknown customer's order: the empty owner's row
    assert payload["total"]["won"] == 30000  # which has no target: not in the total
    assert any("below 0; they are not counted" in n for n in payload["notes"])
    assert any("name no known customer and no 负责人" in n for n in payload["notes"])


def test_the_total_is_that_of_the_owners_with_a_target() -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    result = run("report", "forecast", "-c", examples / "customers.xlsx", "--targets",
                 examples / "targets.xlsx", "--orders", examples / "orders.xlsx", "--as-of",
                 "2024-09-20", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    payload = json.loads(result.stdout)
    owners = by_owner(payload)
    assert owners["陈静"]["target"] is None and owners["陈静"]["won"] == 96000
    with_target = [o for o in payload["owners"] if o["target"] is not None]
    assert payload["total"]["won"] == sum(o["won"] for o in with_target) == 289400
    assert round(payload["total"]["attainment"], 3) == round(289400 / 330000, 3)


def test_an_order_naming_a_name_two_owners_share_is_not_attributed(
    tmp_path: Path, tables: dict[str, Path]
) -> None:
    customers = write_xlsx(tmp_path / "twins.xlsx", HEADERS, [
        person(1, "甲公司", "方案报价", 100000, "张敏"),
        person(2, "甲公司", "合同谈判", 200000, "王芳"),  # same name, another owner
        person(3, "乙公司", "方案报价", 100000, "李强"),
        person(4, "乙公司", "需求分析", 100000, "李强"),  # same name, same owner: no doubt
    ])  # fmt: skip
    orders = write_xlsx(tmp_path / "named-orders.xlsx", ORDER_HEADERS, [
        ["ORD001", "", "甲公司", "2024-09-03", 30000, ""],
        ["ORD002", "", "乙公司", "2024-09-04", 40000, ""],
        ["ORD003", "", "甲公司", "2024-09-05", 5000, "王芳"],  # its own 负责人 decides
    ], sheet="成交记录")  # fmt: skip
    payload = forecast_json({**tables, "customers": customers}, "--orders", orders)
    owners = by_owner(payload)
    assert owners[None]["won"] == 30000  # not 张敏's: the name is 张敏's and 王芳's
    assert owners["李强"]["won"] == 40000
    assert owners["王芳"]["won"] == 5000
    assert "张敏" not in owners or owners["张敏"]["won"] == 0
    assert any(n.startswith("1 orders in the period name only a 客户名称 that customers of "
                            "different owners have") for n in payload["notes"])  # fmt: skip
    assert not any("name no known customer" in n for n in payload["notes"])
