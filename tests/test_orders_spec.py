"""The orders table (成交记录表): its spec, validate, clean and template on it, and amounts as people type them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crmkit.io import read_table
from crmkit.spec.fields import KINDS, builtin_spec
from crmkit.text.normalize import normalize_number
from tests.conftest import EXAMPLES, digest, explain, run, write_csv, write_xlsx

ORDER_HEADERS = ["订单编号", "客户编号", "客户名称", "成交日期", "成交金额", "产品/服务", "数量", "负责人", "付款状态", "备注"]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "amount", "status"),
    [
        ("12000", 12000.0, "ok"),
        ("1.2万", 12000.0, "changed"),
        ("12,000.00", 12000.0, "changed"),
        ("¥12000", 12000.0, "changed"),
        ("￥12,000元", 12000.0, "changed"),
        (12000, 12000.0, "ok"),
    ],
)
def test_amounts_as_people_type_them_read_as_numbers(
    typed: object, amount: float, status: str
) -> None:
    result = normalize_number(typed)
    assert (result.value, result.status) == (amount, status)


def test_text_amount_is_refused() -> None:
    assert normalize_number("很多").status == "invalid"


def test_orders_is_a_kind_with_its_own_id_prefix() -> None:
    assert "orders" in KINDS
    spec = builtin_spec("orders")
    assert spec.key == "order_id" and spec.id_prefix == "ORD"
    names = [f.name for f in spec.fields]
    assert names == ["order_id", "customer_id", "customer_name", "date", "amount", "product",
                     "quantity", "owner", "payment", "notes"]  # fmt: skip
    assert [f.name for f in spec.fields if f.required] == ["order_id", "date", "amount"]


def test_example_orders_fit_the_example_customers() -> None:
    result = run(
        "validate", EXAMPLES / "customers.xlsx", EXAMPLES / "orders.xlsx", "--format", "json"
    )
    assert result.exit_code == 0, explain(result)
    report = json.loads(result.stdout)
    assert report["valid"] and report["errors"] == 0
    assert [t["kind"] for t in report["tables"]] == ["customers", "orders"]
    customers = load_workbook(EXAMPLES / "customers.xlsx").active
    owners = {r[0]: (r[1], r[12]) for r in customers.iter_rows(min_row=2, values_only=True)}
    orders = load_workbook(EXAMPLES / "orders.xlsx").active
    rows = list(orders.iter_rows(min_row=2, values_only=True))
    for order_id, customer_id, name, _, _, _, _, owner, _, _ in rows:
        assert order_id.startswith("ORD")
        if customer_id:
            assert owners[customer_id] == (name, owner)
    # the three ways people write 12000 are in the example, and read as 12000
    assert {"1.2万", "12,000.00", "¥12000"} <= {r[4] for r in rows}


def _bad_orders(tmp_path: Path) -> Path:
    rows = [
        [None, "CRM20240310001", None, "2024-03-12", "1.2万", None, None, "李强", "已付", None],
        ["ORD20240312009", "CRM99", None, datetime(2024, 3, 12), -5, None, None, "李强", "已付款", None],
        ["ORD20240312010", None, "不存在公司", datetime(2024, 3, 12), "很多", None, None, None, None, None],
        ["ORD20240312011", None, "北京星辰科技有限公司", None, "¥12000", None, None, None, "x", None],
    ]  # fmt: skip
    return write_xlsx(tmp_path / "orders.xlsx", ORDER_HEADERS, rows, sheet="成交")


def test_validate_refuses_bad_orders_naming_row_and_column(
    tmp_path: Path, customers_xlsx: Path
) -> None:
    orders = _bad_orders(tmp_path)
    result = run("validate", customers_xlsx, orders, "--format", "json")
    assert result.exit_code == 1, explain(result)
    errors = {
        (i["row"], i["column"], i["rule"])
        for i in json.loads(result.stdout)["issues"]
        if i["severity"] == "error"
    }
    assert errors == {
        (3, "客户编号", "reference"),  # unknown customer
        (3, "成交金额", "min"),  # negative amount
        (4, "客户名称", "reference"),
        (4, "成交金额", "number"),  # text that is no amount
        (5, "成交日期", "required"),
        (5, "付款状态", "option"),
    }


def test_clean_fills_order_ids_and_reads_amounts(tmp_path: Path) -> None:
    orders = _bad_orders(tmp_path)
    before = digest(orders)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", orders, "-o", out, "--as-of", "2024-03-20")
    assert digest(orders) == before
    assert out.exists(), explain(result)
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "ORD20240320001"  # generated: ORD + date + sequence
    assert rows[0][4] == 12000 and rows[0][8] == "已付款"  # 1.2万 and 已付 normalized
    assert rows[3][4] == "¥12000"  # a row with an unfixable error is kept exactly as written
    assert result.exit_code == 1, explain(result)


def test_traditional_and_english_headers_are_orders(tmp_path: Path) -> None:
    hant = write_csv(
        tmp_path / "hant.csv",
        ["訂單編號", "客戶名稱", "成交日期", "成交金額", "付款狀態"],
        [["ORD1", "北京星辰科技有限公司", "2024-03-12", "12,000.00", "已付款"]],
        encoding="gb18030",
    )
    english = write_csv(
        tmp_path / "en.csv",
        ["Order ID", "Customer Name", "Order Date", "Amount", "Payment"],
        [["ORD2", "北京星辰科技有限公司", "2024-03-12", "¥12000", "Paid"]],
    )
    for path in (hant, english):
        table = read_table(path, specs=[builtin_spec(k) for k in KINDS])
        assert table.spec is not None and table.spec.kind == "orders"
        result = run("validate", path, "--format", "json")
        assert result.exit_code == 0, explain(result)


def test_template_for_orders(tmp_path: Path) -> None:
    out = tmp_path / "orders.xlsx"
    result = run("template", "orders", "-o", out)
    assert result.exit_code == 0, explain(result)
    sheet = load_workbook(out).worksheets[0]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert [str(h).rstrip("*") for h in headers if h][:5] == [
        "订单编号",
        "客户编号",
        "客户名称",
        "成交日期",
        "成交金额",
    ]
    formulas = " ".join(str(v.formula1) for v in sheet.data_validations.dataValidation)
    assert "已付款" in formulas or any(
        "已付款" in str(c.value) for ws in load_workbook(out) for row in ws.iter_rows() for c in row
    )


def test_init_writes_an_orders_template_and_config_line(tmp_path: Path) -> None:
    from crmkit.spec.config import load_config

    folder = tmp_path / "crm"
    result = run("init", folder)
    assert result.exit_code == 0, explain(result)
    assert (folder / "成交记录表.xlsx").is_file()
    assert load_config(folder / "crmkit.toml").report.orders == folder / "成交记录表.xlsx"
