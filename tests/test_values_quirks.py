"""Values users write every day (issue 18): numbers in date columns, invisible characters,
phone extensions, notes and several phones in a cell, ="…" wrappers, English and Taiwan headers."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from crmkit.frames.columns import normalize_column
from crmkit.io import read_table
from crmkit.spec.fields import KINDS, builtin_spec, header_key
from crmkit.text.normalize import (
    Normalized,
    SerialDates,
    normalize_datetime,
    normalize_phone,
    phone_numbers,
)

from .conftest import CUSTOMER_HEADERS, customer_row, digest, explain, run, write_csv, write_xlsx

RANGE = "a number is read as an Excel serial date only from 1990-01-01 to 2100-12-31"
KEYS = "(dates.serial_from / dates.serial_until in crmkit.toml)"


def issues_of(path: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    result = run("validate", path, "--format", "json", *extra)
    return result.exit_code, json.loads(result.stdout)["issues"]


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    return list(load_workbook(path).active.iter_rows(values_only=True))


# ---------------------------------------------------------------- 1, 12: numbers in date columns


def dated_workbook(tmp_path: Path) -> Path:
    rows = [
        customer_row(客户编号="CRM001", 创建时间=2024),
        customer_row(客户编号="CRM002", 创建时间=3.1),
        customer_row(客户编号="CRM003", 创建时间=45361),
        customer_row(客户编号="CRM004", 创建时间=20240310),
    ]
    return write_xlsx(tmp_path / "dates.xlsx", CUSTOMER_HEADERS, rows)


def test_validate_refuses_a_year_alone_and_small_numbers_but_reads_serials_in_range(
    tmp_path: Path,
) -> None:
    code, issues = issues_of(dated_workbook(tmp_path))
    assert code == 1
    dates = [(i["row"], i["severity"], i["value"], i["message"]) for i in issues]
    assert dates == [
        (2, "error", "2024", f"创建时间: 2024 is not a date (a year alone is not a date; "
                             f"write the full date): {RANGE} {KEYS}"),
        (3, "error", "3.1", f"创建时间: 3.1 is not a date: {RANGE} {KEYS}"),
        (4, "warning", "45361", "创建时间: date stored as an Excel serial number (45361 = 2024-03-10;"
                                " numbers are read as dates from 1990-01-01 to 2100-12-31)"),
        (5, "warning", "20240310", "创建时间: date stored as a number (20240310); valid after "
                                   "normalization"),
    ]  # fmt: skip


def test_clean_keeps_a_year_alone_and_never_writes_a_1900s_date(tmp_path: Path) -> None:
    source = dated_workbook(tmp_path)
    before = digest(source)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 1, explain(result)
    assert "2024 is not a date" in result.stderr
    created = [row[CUSTOMER_HEADERS.index("创建时间")] for row in sheet_rows(out)[1:]]
    assert created == [2024, 3.1, datetime(2024, 3, 10), datetime(2024, 3, 10)]
    assert digest(source) == before


def test_a_year_alone_in_a_csv_is_an_error_and_clean_keeps_it(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "c.csv",
        CUSTOMER_HEADERS,
        [customer_row(创建时间="2024"), customer_row(客户编号="CRM002", 创建时间="45361")],
        encoding="gb18030",
    )
    code, issues = issues_of(source)
    assert code == 1
    assert [(i["row"], i["severity"]) for i in issues] == [(2, "error"), (3, "warning")]
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 1, explain(result)
    cleaned = read_table(out).to_frame()
    assert cleaned["创建时间"].tolist() == ["2024", "2024-03-10"]


def test_the_serial_date_range_is_set_in_crmkit_toml(tmp_path: Path) -> None:
    source = dated_workbook(tmp_path)
    config = tmp_path / "crmkit.toml"
    config.write_text("[dates]\nserial_from = 2025-01-01\n", encoding="utf-8")
    code, issues = issues_of(source, "--config", config)
    assert code == 1
    row4 = next(i for i in issues if i["row"] == 4)
    assert (row4["severity"], row4["message"]) == (
        "error",
        "创建时间: 45361 is not a date: a number is read as an Excel serial date only from "
        f"2025-01-01 to 2100-12-31 {KEYS}",
    )
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", source, "-o", out, "--config", config)
    assert result.exit_code == 1, explain(result)
    assert sheet_rows(out)[3][CUSTOMER_HEADERS.index("创建时间")] == 45361


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('serial_from = "soon"', "dates.serial_from must be a date such as 1990-01-01, not 'soon'"),
        ("serial_until = 1980-01-01", "dates.serial_from must be a day from 1900-01-01 on"),
        ("serial_to = 2000-01-01", "unknown key dates.serial_to"),
    ],
)
def test_a_bad_date_range_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "crmkit.toml"
    config.write_text(f"[dates]\n{text}\n", encoding="utf-8")
    result = run("validate", dated_workbook(tmp_path), "--config", config)
    assert result.exit_code == 2, explain(result)
    assert message in result.stderr


def test_serial_range_in_the_library() -> None:
    assert normalize_datetime(45361).value == "2024-03-10"
    assert normalize_datetime(45361, serial_dates=SerialDates(date(2025, 1, 1))).status == (
        "invalid"
    )
    assert normalize_datetime(20240310.0).value == "2024-03-10"
    assert normalize_datetime(20240230).reason == "impossible date (20240230)"
    assert normalize_datetime(12).status == "invalid"


# ---------------------------------------------------------------- 10: invisible characters


def test_invisible_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    headers = list(CUSTOMER_HEADERS)
    headers[headers.index("联系电话")] = "联系\u200b电话"
    rows = [
        customer_row(
            联系邮箱="zhang\u200bwei@example.com",
            所属行业="互联网\u2060",
            客户名称="北京\u00a0星辰科技有限公司",
            备注="已\ufeff报价",
            联系电话="138\u200c1234\u200d5678",
        )
    ]
    source = write_csv(tmp_path / "hidden.csv", headers, rows)
    code, issues = issues_of(source)
    assert code == 0
    found = {(i["column"], i["message"]) for i in issues}
    assert found == {
        ("联系\u200b电话", "header 联系电话: removed invisible characters (U+200B zero-width space)"),
        ("客户名称", "客户名称: removed invisible characters (U+00A0 no-break space, now a space)"),
        ("所属行业", "所属行业: removed invisible characters (U+2060 word joiner)"),
        ("联系\u200b电话", "联系\u200b电话: removed invisible characters "
                           "(U+200C zero-width non-joiner, U+200D zero-width joiner)"),
        ("联系邮箱", "联系邮箱: removed invisible characters (U+200B zero-width space)"),
        ("备注", "备注: removed invisible characters (U+FEFF byte-order mark)"),
    }  # fmt: skip
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    row = read_table(out).to_frame().iloc[0]
    assert (row["客户名称"], row["所属行业"], row["联系邮箱"], row["备注"], row.iloc[4]) == (
        "北京 星辰科技有限公司",
        "互联网",
        "zhangwei@example.com",
        "已报价",
        "13812345678",
    )


def test_the_column_normalizer_equals_the_cell_normalizer_on_quirky_values() -> None:
    spec = builtin_spec("customers")
    quirky = {
        "phone": ["13812345678", "138\u00a01234\u00a05678", '="13812345678"', "13812345678 微信同号",
                  "13812345678/010-62345678", "010-62345678-8001", "(0755)86001234-801", None],
        "notes": ["备注\u200b", '="x"', "plain", "\u00a0a", " b", None],
        "name": ["北京\u00a0星辰", '="星辰"', "星辰", None],
        "industry": ["互联网", "互联网\u200b", "軟體", "資訊科技", None],
        "customer_id": ["CRM001", '="CRM001"', "crm\u200b001", None],
        "created_at": ["2024-03-10", "2024", "3.1", "45361", "2024-03-10\u00a0", None],
    }  # fmt: skip
    for name, values in quirky.items():
        field = spec.field(name)
        series = pd.Series(values * 300, dtype="string[pyarrow]")
        column = normalize_column(series, field, text_is_native=True)
        for position, value in enumerate(values):
            cell = _cell(field.type, value, field)
            assert (column.values.iloc[position] if column.codes[position] not in (0, 4) else None,
                    column.status.iloc[position], column.reason.iloc[position]) == (
                cell.value if cell.status not in ("empty", "invalid") else None,
                cell.status, cell.reason), (name, value)  # fmt: skip


def _cell(kind: str, value: Any, field: Any) -> Any:
    from crmkit.text import normalize

    if kind == "phone":
        return normalize.normalize_phone(value)
    if kind == "datetime":
        return normalize.normalize_datetime(value, text_is_native=True)
    if kind == "option":
        return normalize.normalize_option(value, field.option_index)
    if kind == "id":
        return normalize.normalize_id(value)
    return normalize.normalize_text(value, strict=not field.pii)


# ---------------------------------------------------------------- 11: phones


@pytest.mark.parametrize(
    ("raw", "value", "status", "reason"),
    [
        ("010-62345678-8001", "010-62345678转8001", "changed", ""),
        ("(0755)86001234-801", "0755-86001234转801", "changed", ""),
        ("（0755）86001234-801", "0755-86001234转801", "changed", ""),
        ("13812345678 微信同号", "13812345678", "warn",
         "text beside the phone number (微信同号) is not kept"),
        ("手机：13812345678", "13812345678", "warn", "text beside the phone number (手机) is not kept"),
        ("13812345678/010-62345678", "13812345678", "warn",
         "the cell holds 2 phones (13812345678, 010-62345678); clean keeps the first here and "
         "moves the others to the other phones column"),
        ("13812345678，13987654321", "13812345678", "warn",
         "the cell holds 2 phones (13812345678, 13987654321); clean keeps the first here and "
         "moves the others to the other phones column"),
        ("13812345678/12345", None, "invalid",
         "12345 is not a valid phone number (the cell holds 2 phones; each must be valid)"),
    ],
)  # fmt: skip
def test_phone_extensions_notes_and_several_phones(
    raw: str, value: str | None, status: str, reason: str
) -> None:
    result = normalize_phone(raw)
    expected = Normalized(value, status, reason)  # type: ignore[arg-type]
    assert (result.value, result.status, result.reason) == (
        expected.value,
        expected.status,
        expected.reason,
    )


def test_phone_numbers_returns_every_phone_of_a_cell() -> None:
    assert phone_numbers("13812345678/010-62345678") == ["13812345678", "010-62345678"]
    assert phone_numbers("13812345678，139 8765 4321 微信同号") == ["13812345678", "13987654321"]
    assert phone_numbers(13812345678.0) == ["13812345678"]
    assert phone_numbers('="010-62345678-8001"') == ["010-62345678转8001"]
    assert phone_numbers("暂无") == []
    assert phone_numbers(None) == []


PHONES = [
    "010-62345678-8001",
    "(0755)86001234-801",
    "13812345678 微信同号",
    "13812345678/010-62345678",
    "13812345678，13987654321",
]


def test_validate_accepts_extensions_notes_and_several_phones(tmp_path: Path) -> None:
    rows = [customer_row(客户编号=f"CRM00{n}", 联系电话=p) for n, p in enumerate(PHONES, 1)]
    rows.append(customer_row(客户编号="CRM009", 联系电话="13812345678/12345"))
    code, issues = issues_of(write_xlsx(tmp_path / "p.xlsx", CUSTOMER_HEADERS, rows))
    assert code == 1
    phones = [(i["row"], i["severity"]) for i in issues if i["field"] == "phone"]
    assert phones == [(4, "warning"), (5, "warning"), (6, "warning"), (7, "error")]


def test_clean_writes_the_other_phones_next_to_the_phone_column(tmp_path: Path) -> None:
    rows = [customer_row(客户编号=f"CRM00{n}", 联系电话=p) for n, p in enumerate(PHONES, 1)]
    headers = [*CUSTOMER_HEADERS, "微信号"]
    source = write_xlsx(tmp_path / "p.xlsx", headers, [r + ["wx"] for r in rows])
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert (
        "several phones in 2 cells: the first kept, the others written to 其他电话" in result.stderr
    )
    written = sheet_rows(out)
    # Next to the phone column in a new table (CSV); in a copy of the workbook after its last
    # column, so that no cell of it moves.
    at, other = CUSTOMER_HEADERS.index("联系电话"), len(headers)
    assert written[0][other - 1 :] == ("微信号", "其他电话")
    assert [(r[at], r[other]) for r in written[1:]] == [
        ("010-62345678转8001", None),
        ("0755-86001234转801", None),
        ("13812345678", None),
        ("13812345678", "010-62345678"),
        ("13812345678", "13987654321"),
    ]
    result = run("validate", out)
    assert result.exit_code == 0, explain(result)


def test_clean_fills_an_existing_other_phones_column(tmp_path: Path) -> None:
    headers = [*CUSTOMER_HEADERS, "其他电话"]
    rows = [
        customer_row(联系电话="13812345678/010-62345678") + ["13700001111"],
        customer_row(客户编号="CRM002", 联系电话="13812345678、13987654321") + [None],
    ]
    source = write_csv(tmp_path / "p.csv", headers, rows, encoding="gb18030")
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    frame = read_table(out).to_frame()
    assert list(frame.columns) == headers
    assert frame["其他电话"].tolist() == ["13700001111, 010-62345678", "13987654321"]
    assert frame["联系电话"].tolist() == ["13812345678", "13812345678"]


# ---------------------------------------------------------------- 12: ="…" for ids and text


def test_excel_text_wrapper_works_for_ids_and_any_text_field(tmp_path: Path) -> None:
    rows = [customer_row(客户编号='="CRM001"', 联系人姓名='="张伟"', 联系电话='="13812345678"')]
    source = write_csv(tmp_path / "wrapped.csv", CUSTOMER_HEADERS, rows)
    code, issues = issues_of(source)
    assert (code, issues) == (0, [])
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    row = read_table(out).to_frame().iloc[0]
    assert (row["客户编号"], row["联系人姓名"], row["联系电话"]) == (
        "CRM001",
        "张伟",
        "13812345678",
    )


# ---------------------------------------------------------------- 13: English and Taiwan headers

ENGLISH = ["Customer ID", "Account Name", "Industry", "Contact Name", "Mobile", "Email",
           "Lead Source", "Stage", "Lead Owner", "Created Date", "Description", "Tags"]  # fmt: skip
TAIWAN = ["客戶編號", "公司名稱", "產業", "聯絡人", "聯絡電話", "電子郵件", "來源管道", "銷售階段",
          "業務", "建立日期", "備註", "標籤"]  # fmt: skip
FIELDS = ["customer_id", "name", "industry", "contact", "phone", "email", "source", "stage",
          "owner", "created_at", "notes", "tags"]  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "industry", "source", "stage", "expected"),
    [
        (ENGLISH, "Software", "Referral", "Closed Won", ("软件", "客户转介绍", "成交")),
        (TAIWAN, "軟體", "網路廣告", "報價", ("软件", "线上广告", "方案报价")),
        (TAIWAN, "資訊科技", "官網", "初步接觸", ("信息技术", "官网注册", "初步接触")),
    ],
)
def test_english_crm_and_taiwan_headers_are_recognized(
    tmp_path: Path,
    headers: list[str],
    industry: str,
    source: str,
    stage: str,
    expected: tuple[str, str, str],
) -> None:
    row = ["CRM001", "北京星辰科技有限公司", industry, "张伟", "13812345678", "a@example.com",
           source, stage, "李强", "2024-03-10", "", "行业-软件"]  # fmt: skip
    path = write_xlsx(tmp_path / "export.xlsx", headers, [row])
    table = read_table(path, specs=[builtin_spec(k) for k in KINDS])
    assert table.spec is not None and table.spec.kind == "customers"
    assert {n: table.headers[p] for n, p in table.fields.items()} == dict(
        zip(FIELDS, headers, strict=True)
    )
    result = run("validate", path)
    assert result.exit_code == 0, explain(result)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", path, "-o", out)
    assert result.exit_code == 0, explain(result)
    cleaned = sheet_rows(out)[1]
    assert (cleaned[2], cleaned[6], cleaned[7]) == expected


def test_clean_names_the_other_phones_column_in_english_under_english_headers(
    tmp_path: Path,
) -> None:
    row = ["CRM001", "Acme Ltd", "Software", "Ann Lee", "13812345678 / 13987654321",
           "a@example.com", "Website", "Proposal", "Bob", "2024-03-10", "", ""]  # fmt: skip
    path = write_csv(tmp_path / "export.csv", ENGLISH, [row])
    out = tmp_path / "cleaned.csv"
    result = run("clean", path, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert (
        "several phones in 1 cells: the first kept, the others written to "
        "Other Phones" in result.stderr
    )
    frame = read_table(out).to_frame()
    assert list(frame.columns[4:6]) == ["Mobile", "Other Phones"]
    assert frame.iloc[0, 4:6].tolist() == ["13812345678", "13987654321"]


def test_english_followup_headers_are_recognized(tmp_path: Path) -> None:
    headers = ["Customer ID", "Activity Date", "Owner", "Activity Type", "Description",
               "Next Steps", "Customer Feedback", "Lead Status"]  # fmt: skip
    row = ["CRM001", "2024-03-10 14:00", "李强", "Phone Call", "介绍了产品方案并约定下周演示",
           "下周二演示", "有兴趣", "潜在客户"]  # fmt: skip
    path = write_xlsx(tmp_path / "activities.xlsx", headers, [row])
    table = read_table(path, specs=[builtin_spec(k) for k in KINDS])
    assert table.spec is not None and table.spec.kind == "followups"
    assert len(table.fields) == len(headers)
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 0, explain(result)


@pytest.mark.parametrize("kind", KINDS)
def test_no_header_or_alias_names_two_fields(kind: str) -> None:
    spec = builtin_spec(kind)
    owner: dict[str, str] = {}
    for field in spec.fields:
        for text in [*field.headers.values(), field.name, *field.aliases]:
            key = header_key(text)
            assert owner.setdefault(key, field.name) == field.name, (kind, text)
        if field.options:
            index = field.option_index
            for synonym, target in field.synonyms.items():
                assert index.find(synonym) == target, (kind, field.name, synonym)
