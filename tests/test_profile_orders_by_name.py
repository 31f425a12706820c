"""`report profile`: orders that name only a 客户名称, the Pareto chart of the page, the churn
list's layout and `--tag` reading the customer table once.

Three customers as of 2024-06-30: CRM001 and CRM002 both named 甲公司, CRM003 乙公司. Orders:

    row 2  —       甲公司  2024-06-10  1000   two customers have the name: not attributed
    row 3  CRM001  甲公司  2024-06-12   500   by 客户编号: CRM001
    row 4  —       乙公司  2024-06-15   300   by name: CRM003
    row 5  —       甲公司  2024-06-16    -5   no usable amount (said as that, not as ambiguous)
    row 6  —       甲公司  2024-06-18   200   not attributed either

Scored: CRM001 M 500, CRM003 M 300 (total 800: neither ambiguous order counts); CRM002 none.
Pareto: 500 is 62.5%, then 100%: both are key customers.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import explain, run, write_xlsx

WARNING = (
    "sheet 成交记录 row {row}, column 客户名称: 甲公司 matches 2 customers: CRM001 CRM002; "
    "the order is not attributed"
)

CUSTOMERS = ["客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "销售阶段",
             "客户标签", "预计成交金额", "负责人", "创建时间"]  # fmt: skip


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    people = [
        [code, name, "软件", "张三", "13812345678", "官网注册", "成交", reasons, 10000, "李强",
         datetime(2024, 1, 1, 9)]
        for code, name, reasons in (("CRM001", "甲公司", None), ("CRM002", "甲公司", None),
                                    ("CRM003", "乙公司", "需求类型-数据管理"))
    ]  # fmt: skip
    orders = [
        ["ORD1", None, "甲公司", "2024-06-10", 1000],
        ["ORD2", "CRM001", "甲公司", "2024-06-12", 500],
        ["ORD3", None, "乙公司", "2024-06-15", 300],
        ["ORD4", None, "甲公司", "2024-06-16", -5],
        ["ORD5", None, "甲公司", "2024-06-18", 200],
    ]
    return {
        "customers": write_xlsx(
            tmp_path / "customers.xlsx",
            CUSTOMERS,
            people,
        ),
        "orders": write_xlsx(
            tmp_path / "orders.xlsx",
            ["订单编号", "客户编号", "客户名称", "成交日期", "成交金额"],
            orders,
            sheet="成交记录",
        ),
    }


def _profile(tables: dict[str, Path], *more: str) -> Any:
    return run(
        "report", "profile", "--customers", str(tables["customers"]), "--orders",
        str(tables["orders"]), "--as-of", "2024-06-30", *more,
    )  # fmt: skip


def test_a_name_several_customers_have_attributes_the_order_to_none(
    tables: dict[str, Path],
) -> None:
    result = _profile(tables, "--format", "json")
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    people = {c["customer_id"]: c for c in data["customers"]}
    assert (people["CRM001"]["frequency"], people["CRM001"]["monetary"]) == (1, 500.0)
    assert (people["CRM002"]["frequency"], people["CRM002"]["segment"]) == (0, "未成交")
    assert (people["CRM003"]["frequency"], people["CRM003"]["monetary"]) == (1, 300.0)
    assert sum(s["amount"] for s in data["segments"]) == 800.0
    assert data["headline"]["orders_per_customer"]["value"] == 1.0  # 2 orders, 2 customers
    said = (
        "2 orders name only a 客户名称 that more than one customer has; they are attributed "
        "to none of them (give them a 客户编号)"
    )
    assert said in data["notes"]
    assert "1 orders have no usable 成交金额" in " ".join(data["notes"])  # row 5, said once
    orders = str(tables["orders"])
    assert data["findings"][0]["row"] == 5  # the order left out for its amount is named too
    assert data["findings"][0]["rule"] == "order_amount_unusable"
    assert data["findings"][1:] == [
        {"file": orders, "sheet": "成交记录", "row": row, "column": "客户名称",
         "field": "customer_name", "value": "甲公司", "severity": "warning",
         "rule": "ambiguous_customer",
         "message": "甲公司 matches 2 customers: CRM001 CRM002; the order is not attributed"}
        for row in (2, 6)
    ]  # fmt: skip
    lines = result.stderr.splitlines()
    assert said in lines
    for row in (2, 6):
        assert f"{orders} {WARNING.format(row=row)}" in lines, result.stderr


@pytest.fixture
def page(tables: dict[str, Path], tmp_path: Path) -> str:
    out = tmp_path / "profile.html"
    result = _profile(tables, "-o", str(out))
    assert result.exit_code == 0, explain(result)
    return out.read_text(encoding="utf-8")


def test_the_page_draws_the_cumulative_share_with_an_80_percent_marker(page: str) -> None:
    figure = page[page.index('<figure class="chart pareto"') :]
    figure = figure[: figure.index("</figure>")]
    # plot 600 wide from x 70, 206 high above y 220: two bars of 300 each, centres 220 and 520;
    # 62.5% at 220 − 0.625 × 206 = 91.25, 100% at 14, the 80% marker at 220 − 164.8 = 55.2
    assert 'points="220.0,91.2 520.0,14.0"' in figure
    assert re.search(r'<line class="mark" x1="70" y1="55.2" x2="670" y2="55.2">', figure)
    assert re.findall(r'<rect class="b" x="[^"]+" y="([^"]+)"', figure) == [
        "14.0",  # 500: the tallest bar
        "96.4",  # 300: 220 − 206 × 300 / 500 = 96.4
    ]
    assert "成交总额" in figure and "累计占比" in figure and "80% · 关键客户" in figure
    assert "<title>甲公司: 500 · 62.5%</title>" in figure


def test_churn_reasons_wrap_so_the_list_fits_the_page(page: str) -> None:
    churn = page[page.index("<h2>流失风险 (") :]
    churn = churn[: churn.index("</table>")]
    # CRM002 has no order: silent for 181 days (created 2024-01-01), the one reason
    assert '<td class="w">已181天无成交或跟进（超过90天）</td>' in churn
    assert "td.w { white-space: normal;" in page


def test_tag_reads_the_customer_table_once(
    tables: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crmkit.io.read

    read = crmkit.io.read.read_table
    seen: list[str] = []

    def counted(source: Any, **options: Any) -> Any:
        seen.append(str(source))
        return read(source, **options)

    monkeypatch.setattr(crmkit.io.read, "read_table", counted)
    out = tmp_path / "tagged.xlsx"
    result = _profile(tables, "--tag", str(out))
    assert result.exit_code == 0, explain(result)
    assert seen.count(str(tables["customers"])) == 1, seen
    from openpyxl import load_workbook

    rows = list(load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert [r[7] for r in rows] == [
        "客户价值-重要挽留客户,流失风险-低",  # R 18 > mean 16.5, F 1 = mean (low), M 500 > 400
        "客户价值-未成交,流失风险-中",
        "需求类型-数据管理,客户价值-一般发展客户,流失风险-低",  # R 15 < 16.5, M 300 < 400
    ]
