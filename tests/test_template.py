"""template: headers, dropdowns, hints and formats from the spec; and the whole round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from crmkit.io import read_table
from crmkit.spec.fields import builtin_spec

from .conftest import explain, run


@pytest.mark.parametrize(
    ("lang", "name_header"),
    [("zh", "客户名称*"), ("zh-Hant", "客戶名稱*"), ("en", "Customer Name*")],
)
def test_template_layout(tmp_path: Path, lang: str, name_header: str) -> None:
    out = tmp_path / "t.xlsx"
    result = run("template", "customers", "--lang", lang, "-o", out)
    assert result.exit_code == 0, explain(result)
    workbook = load_workbook(out)
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    spec = builtin_spec("customers")
    assert len(headers) == len(spec.fields) and headers[1] == name_header
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=1, column=2).comment is not None
    phone = [f.name for f in spec.fields].index("phone") + 1
    assert sheet.cell(row=2, column=phone).number_format == "@"
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == sum(1 for f in spec.fields if f.type == "option")
    hidden = workbook["选项"]
    assert hidden.sheet_state == "hidden"
    sources = [hidden.cell(row=r, column=2).value for r in range(2, 11)]
    assert sources[0] in ("官网注册", "官網註冊")
    assert all(dv.prompt for dv in sheet.data_validations.dataValidation if dv.type != "list")


def test_round_trip_template_fill_validate_clean_read(tmp_path: Path) -> None:
    blank = tmp_path / "blank.xlsx"
    result = run("template", "customers", "--lang", "zh-Hant", "-o", blank)
    assert result.exit_code == 0, explain(result)
    workbook = load_workbook(blank)
    sheet = workbook.worksheets[0]
    values = {
        "customer_id": None, "name": "北京星辰科技有限公司", "industry": "軟件", "contact": "張偉",
        "phone": "138 1234 5678", "source": "客戶轉介紹", "intent": "意向客戶", "stage": "需求分析",
        "created_at": "2024/3/10", "amount": 120000,
    }  # fmt: skip
    names = [f.name for f in builtin_spec("customers").fields]
    for name, value in values.items():
        sheet.cell(row=2, column=names.index(name) + 1, value=value)
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    checked = run("validate", filled, "--format", "json")
    assert checked.exit_code == 0, explain(checked)
    assert (
        '"rule": "generated"' in checked.stdout
    )  # the blank 客户编号 is a warning: clean fills it
    cleaned = tmp_path / "cleaned.xlsx"
    result = run("clean", filled, "-o", cleaned, "--as-of", "2024-03-11")
    assert result.exit_code == 0, explain(result)
    again = run("validate", cleaned)
    assert again.exit_code == 0, explain(again)
    table = read_table(cleaned, specs=[builtin_spec("customers")])
    row = {
        name: table.column(name).iloc[0] for name in ("customer_id", "phone", "industry", "source")
    }
    assert row == {
        "customer_id": "CRM20240311001",
        "phone": "13812345678",
        "industry": "软件",
        "source": "客户转介绍",
    }


def test_template_errors(tmp_path: Path) -> None:
    result = run("template", "vendors", "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 2, explain(result)
    bad = run("template", "customers", "-o", tmp_path / "t.csv")
    assert bad.exit_code == 2, explain(bad)
    assert "a template is an .xlsx workbook" in bad.stderr
