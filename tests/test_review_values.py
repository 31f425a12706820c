"""Review of the values work: the [dates] range travels on the field spec, clean parses each
phone once, and every column crmkit adds comes from the spec, headed in the table's language."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

import crmkit.text.normalize
from crmkit.frames.canonical import canonical_frame
from crmkit.frames.columns import normalize_column
from crmkit.io import read_table
from crmkit.spec.fields import builtin_spec, header_language
from crmkit.spec.resources import data_dir
from crmkit.text.normalize import SerialDates, normalize_phone, phone_numbers

from .conftest import CUSTOMER_HEADERS, customer_row, explain, run, write_csv, write_xlsx

WIDE = "[dates]\nserial_from = 1950-01-01\n"


def sheet_rows(path: Path, sheet: str | None = None) -> list[tuple[Any, ...]]:
    workbook = load_workbook(path)
    return list((workbook[sheet] if sheet else workbook.active).iter_rows(values_only=True))


# ---------------------------------------------------------------- 1: the [dates] range


def serial_workbook(tmp_path: Path) -> Path:
    """20000 is 1954-10-03 as an Excel serial: a date only under a range from 1950 on."""
    rows = [
        customer_row(客户编号="CRM001", 创建时间=20000),
        customer_row(客户编号="CRM002", 创建时间="2024-03-10 14:00"),
    ]
    return write_xlsx(tmp_path / "serials.xlsx", CUSTOMER_HEADERS, rows)


def test_a_configured_serial_range_holds_for_validate_report_and_export(tmp_path: Path) -> None:
    source = serial_workbook(tmp_path)
    config = tmp_path / "crmkit.toml"
    config.write_text(WIDE, encoding="utf-8")

    checked = run("validate", source, "--format", "json", "--config", config)
    assert checked.exit_code == 0, explain(checked)
    dates = [i for i in json.loads(checked.stdout)["issues"] if i["field"] == "created_at"]
    assert [(i["row"], i["severity"], i["message"]) for i in dates] == [
        (2, "warning", "创建时间: date stored as an Excel serial number (20000 = 1954-10-03; "
         "numbers are read as dates from 1950-01-01 to 2100-12-31)"),
        (3, "warning", "创建时间: date stored as text (2024-03-10 14:00); valid after normalization"),
    ]  # fmt: skip

    period = ("--since", "1954-10-01", "--until", "1954-10-31", "--as-of", "2024-09-02")
    report = run("report", "funnel", "--customers", source, *period, "--format", "json",
                 "--config", config)  # fmt: skip
    assert report.exit_code == 0, explain(report)
    assert json.loads(report.stdout)["headline"]["new_customers"]["value"] == 1
    assert "cannot read" not in report.stderr

    out = tmp_path / "old.csv"
    exported = run("export", source, "--to", "csv", "-o", out, "--where", "创建时间<1960-01-01",
                   "--config", config)  # fmt: skip
    assert exported.exit_code == 0, explain(exported)
    frame = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert frame[["客户编号", "创建时间"]].values.tolist() == [["CRM001", "1954-10-03"]]


def test_without_the_config_every_command_refuses_the_same_number(tmp_path: Path) -> None:
    source = serial_workbook(tmp_path)
    assert run("validate", source).exit_code == 1
    period = ("--since", "1954-10-01", "--until", "1954-10-31", "--as-of", "2024-09-02")
    report = run("report", "funnel", "--customers", source, *period, "--format", "json")
    assert report.exit_code == 0, explain(report)
    assert json.loads(report.stdout)["headline"]["new_customers"]["value"] == 0
    assert "serials.xlsx: 1 rows hold values crmkit cannot read" in report.stderr


def test_the_range_is_read_from_crmkit_toml_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commands without --config (tags apply, export) still read ./crmkit.toml."""
    source = serial_workbook(tmp_path)
    (tmp_path / "crmkit.toml").write_text(WIDE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "old.csv"
    exported = run("export", source, "--to", "csv", "-o", out, "--where", "创建时间<1960-01-01")
    assert exported.exit_code == 0, explain(exported)
    assert pd.read_csv(out, dtype=str, encoding="utf-8-sig")["客户编号"].tolist() == ["CRM001"]


def test_the_range_travels_on_the_spec_to_every_column_normalizer() -> None:
    spec = builtin_spec("customers").with_serial_dates(SerialDates(date(1950, 1, 1)))
    assert spec.field("created_at").serial_dates == SerialDates(date(1950, 1, 1))
    assert spec.field("phone").serial_dates == builtin_spec("customers").field("phone").serial_dates
    cells = pd.Series([20000, "2024-03-10"], index=[2, 3], dtype=object)
    wide = normalize_column(cells, spec.field("created_at"), text_is_native=False)
    assert wide.values.tolist() == ["1954-10-03", "2024-03-10"]
    narrow = normalize_column(
        cells, builtin_spec("customers").field("created_at"), text_is_native=False
    )
    assert narrow.status.tolist() == ["invalid", "warn"]


def test_canonical_frames_read_dates_by_the_spec_of_the_table(tmp_path: Path) -> None:
    source = serial_workbook(tmp_path)
    spec = builtin_spec("customers").with_serial_dates(SerialDates(date(1950, 1, 1)))
    frame = canonical_frame(read_table(source, specs=[spec]), ["created_at"])
    assert frame.invalid_rows == 0
    assert str(frame.frame.loc[2, "created_at"].date()) == "1954-10-03"


# ---------------------------------------------------------------- 2: each phone parsed once


def test_the_phone_normalizer_carries_the_other_phones() -> None:
    result = normalize_phone("13812345678/010-62345678")
    assert (result.value, result.status, result.others) == (
        "13812345678",
        "warn",
        ("010-62345678",),
    )
    hidden = normalize_phone("\u200b13812345678、13987654321")
    assert (hidden.value, hidden.others) == ("13812345678", ("13987654321",))
    assert hidden.reason.endswith("; removed invisible characters (U+200B zero-width space)")
    assert normalize_phone(13812345678.0).others == ()
    assert normalize_phone("13812345678/12345").others == ()
    assert phone_numbers('="\u200b13812345678/010-62345678"') == ["13812345678", "010-62345678"]


def test_a_phone_column_gives_the_other_phones_by_row() -> None:
    field = builtin_spec("customers").field("phone")
    numbers = pd.Series([13812345678.0, 13987654321.0], index=[2, 3], dtype=object)
    assert normalize_column(numbers, field, text_is_native=False).others is None
    cells = pd.Series(
        ["13812345678", "13812345678/010-62345678", None, "13812345678/010-62345678"],
        index=[2, 3, 4, 5],
        dtype=object,
    )
    others = normalize_column(cells, field, text_is_native=True).others
    assert others is not None
    assert others.to_dict() == {2: None, 3: ("010-62345678",), 4: None, 5: ("010-62345678",)}


def test_a_repetitive_text_column_keeps_the_other_phones() -> None:
    field = builtin_spec("customers").field("phone")
    cells = pd.Series(["13812345678/13987654321", "13812345678"] * 1500, dtype="str")
    others = normalize_column(cells, field, text_is_native=True).others
    assert others is not None
    assert others.iloc[:3].tolist() == [("13987654321",), None, ("13987654321",)]


def test_clean_parses_each_distinct_phone_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []
    parts = crmkit.text.normalize._phone_parts

    def counted(value: Any, default_area_code: str) -> Any:
        seen.append(value)
        return parts(value, default_area_code)

    monkeypatch.setattr(crmkit.text.normalize, "_phone_parts", counted)
    phones = [13812345678, 13987654321, "13700001111/13600002222", 13812345678]
    rows = [customer_row(客户编号=f"CRM00{n}", 联系电话=p) for n, p in enumerate(phones, 1)]
    source = write_xlsx(tmp_path / "numbers.xlsx", CUSTOMER_HEADERS, rows)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    repeated = {value: n for value, n in Counter(map(repr, seen)).items() if n > 1}
    assert repeated == {}
    # A copy of the workbook: 其他电话 goes after its last column.
    at, other = CUSTOMER_HEADERS.index("联系电话"), len(CUSTOMER_HEADERS)
    assert [(r[at], r[other]) for r in sheet_rows(out)] == [
        ("联系电话", "其他电话"),
        ("13812345678", None),
        ("13987654321", None),
        ("13700001111", "13600002222"),
        ("13812345678", None),
    ]


# ---------------------------------------------------------------- 3: columns from the spec

TAIWAN = ["客戶編號", "客戶名稱", "所屬行業", "聯繫人姓名", "聯繫電話", "客戶來源", "建立日期"]
TAIWAN_ROW = ["CRM001", "台北星辰科技有限公司", "軟體", "張偉", "13812345678/01062345678",
              "官網", "2024-03-10"]  # fmt: skip


def test_clean_heads_the_other_phones_in_traditional_chinese(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "tw.csv", TAIWAN, [TAIWAN_ROW], encoding="big5")
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert "the others written to 其他電話" in result.stderr
    frame = read_table(out).to_frame()
    assert list(frame.columns) == [*TAIWAN[:5], "其他電話", *TAIWAN[5:]]
    assert frame["其他電話"].tolist() == ["010-62345678"]


def test_clean_adds_a_missing_key_column_in_traditional_chinese(tmp_path: Path) -> None:
    row = ["台北星辰科技有限公司", "軟體", "張偉", "13812345678", "官網", "2024-03-10"]
    source = write_csv(tmp_path / "tw.csv", TAIWAN[1:], [row], encoding="big5")
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out, "--as-of", "2024-09-02")
    assert result.exit_code == 0, explain(result)
    assert "no 客戶編號 column; added it as column 1" in result.stderr
    frame = read_table(out).to_frame()
    assert list(frame.columns) == TAIWAN
    assert frame["客戶編號"].tolist() == ["CRM20240902001"]


def test_an_other_phones_column_under_an_alias_is_filled_not_added(tmp_path: Path) -> None:
    headers = [*CUSTOMER_HEADERS, "备用电话"]
    rows = [customer_row(联系电话="13812345678/13987654321") + ["13700001111"]]
    source = write_csv(tmp_path / "p.csv", headers, rows, encoding="gb18030")
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert "the others written to 备用电话" in result.stderr
    frame = read_table(out).to_frame()
    assert list(frame.columns) == headers
    assert frame["备用电话"].tolist() == ["13700001111, 13987654321"]


def test_a_spec_without_other_phones_keeps_cells_of_several_phones(tmp_path: Path) -> None:
    text = (data_dir("schemas") / "customers.toml").read_text(encoding="utf-8")
    start = text.index('[[fields]]\nname = "other_phones"')
    end = text.index("[[fields]]", start + 1)
    schema = tmp_path / "customers.toml"
    schema.write_text(text[:start] + text[end:], encoding="utf-8")
    rows = [customer_row(联系电话="13812345678/13987654321")]
    source = write_xlsx(tmp_path / "p.xlsx", CUSTOMER_HEADERS, rows)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", source, "-o", out, "--schema", schema)
    assert result.exit_code == 0, explain(result)
    assert (
        "p.xlsx, sheet 客户信息: 1 cells of 联系电话 hold several phones; kept as written "
        "(the spec has no other_phones field)" in result.stderr
    )
    written = sheet_rows(out)
    assert written[0] == tuple(CUSTOMER_HEADERS)
    assert written[1][CUSTOMER_HEADERS.index("联系电话")] == "13812345678/13987654321"


ENGLISH = ["Customer ID", "Account Name", "Industry", "Contact Name", "Mobile", "Lead Source",
           "Stage", "Lead Owner", "Created Date"]  # fmt: skip


def test_tags_apply_adds_the_tags_column_where_the_spec_puts_it_on_every_sheet(
    tmp_path: Path,
) -> None:
    def row(n: int) -> list[Any]:
        return [f"CRM00{n}", "Acme Ltd", "Software", "Ann Lee", "13812345678", "Website",
                "Proposal", "Bob", "2024-03-10"]  # fmt: skip

    source = write_xlsx(tmp_path / "en.xlsx", ENGLISH, [row(1)], sheet="Bob",
                        more_sheets={"Ann": [ENGLISH, row(2)]})  # fmt: skip
    out = tmp_path / "tagged.xlsx"
    result = run("tags", "apply", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    expected = [*ENGLISH, "Tags"]  # a copy of the workbook: after each sheet's last column
    assert sheet_rows(out, "Bob")[0] == tuple(expected)
    assert sheet_rows(out, "Ann")[0] == tuple(expected)


def test_the_template_has_the_other_phones_column_as_text(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run("template", "customers", "-o", out, "--lang", "zh-Hant").exit_code == 0
    sheet = load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    at = headers.index("聯繫電話*")
    assert headers[at + 1] == "其他電話"
    assert sheet.cell(row=2, column=at + 2).number_format == "@"


def test_header_language() -> None:
    assert header_language(TAIWAN) == "zh-Hant"
    assert header_language(ENGLISH + ["微信号"]) == "en"
    assert header_language(CUSTOMER_HEADERS) == "zh"
    assert header_language([]) == "zh"
