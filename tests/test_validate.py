"""validate: every rule, its message and location, output formats, exit codes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crmkit.io import read_table
from crmkit.spec.fields import builtin_spec
from crmkit.validate import validate

from .conftest import (
    CUSTOMER_HEADERS,
    EXAMPLES,
    FOLLOWUP_HEADERS,
    customer_row,
    digest,
    explain,
    run,
    write_csv,
    write_xlsx,
)


def followup_row(**overrides: object) -> list[object]:
    row = {
        "客户编号": "CRM20240310001", "跟进时间": "2024-03-12 10:30", "跟进人": "李强", "沟通方式": "电话",
        "沟通内容": "介绍产品功能，客户关注数据导入", "下一步计划": "周五前发送方案", "客户反馈": "等内部评估",
        "跟进状态": "潜在客户→意向客户",
    }  # fmt: skip
    row.update(overrides)
    return [row[h] for h in FOLLOWUP_HEADERS]


def issues_of(path: Path, followups: Path | None = None) -> list[tuple[int | None, str, str, str]]:
    customers = read_table(path, specs=[builtin_spec("customers")])
    other = read_table(followups, specs=[builtin_spec("followups")]) if followups else None
    return [(i.row, i.field, i.rule, i.severity) for i in validate(customers, other).issues]


def test_examples_are_valid() -> None:
    result = run(
        "validate", EXAMPLES / "customers.xlsx", "--followups", EXAMPLES / "followups.xlsx"
    )
    assert result.exit_code == 0, explain(result)
    assert "0 errors, 0 warnings" in result.stderr


def test_every_error_rule_is_found_at_its_row(tmp_path: Path) -> None:
    rows = [
        customer_row(),
        customer_row(
            客户编号="CRM20240310001", 联系电话="1.38123E+10"
        ),  # duplicate id, lost digits
        customer_row(客户编号="CRM3", 客户名称="", 所属行业="航天", 联系邮箱="wang#example.com"),
        customer_row(客户编号="CRM4", 客户来源="朋友圈", 预计成交金额=-5, 创建时间="2024-02-30"),
        customer_row(客户编号="X5", 备注="身份证11010519491231002X"),
        customer_row(客户编号="CRM6", 备注="卡号6222021234567890128", 联系电话="62345678"),
    ]
    path = write_xlsx(
        tmp_path / "c.xlsx", CUSTOMER_HEADERS, rows, title_rows=[["表1:CRM客户基础信息表"]]
    )
    found = {
        (row, field, rule) for row, field, rule, severity in issues_of(path) if severity == "error"
    }
    assert found == {
        (3, "customer_id", "unique"), (4, "customer_id", "unique"), (4, "phone", "phone"),
        (5, "name", "required"), (5, "industry", "option"), (5, "email", "email"),
        (6, "source", "option"), (6, "amount", "min"), (6, "created_at", "date"),
        (7, "customer_id", "id_pattern"), (7, "notes", "pii_national_id"),
        (8, "notes", "pii_bank_card"), (8, "phone", "phone"),
    }  # fmt: skip


def test_normalization_fixes_are_warnings_not_errors(tmp_path: Path) -> None:
    rows = [
        customer_row(联系电话=13812345678.0, 创建时间="2024年3月10日"),
        customer_row(
            客户编号="CRM2",
            联系电话="+86 139-1234-5678",
            创建时间=datetime(2024, 3, 10),
            客户来源="客戶轉介紹",
        ),
        customer_row(
            客户编号="CRM3",
            联系电话="１３７１２３４５６７８",
            创建时间=45361,
            联系邮箱="ＬＩＵ＠example.com",
        ),
    ]
    path = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, rows)
    found = issues_of(path)
    assert all(severity == "warning" for *_, severity in found), found
    assert {(row, field) for row, field, *_ in found} == {
        (2, "phone"),
        (2, "created_at"),
        (4, "created_at"),
    }


def test_missing_required_column_is_one_issue(tmp_path: Path) -> None:
    headers = [h for h in CUSTOMER_HEADERS if h != "联系电话"]
    rows = [
        [v for h, v in zip(CUSTOMER_HEADERS, customer_row(), strict=True) if h != "联系电话"]
    ] * 3
    path = write_csv(tmp_path / "c.csv", headers, [[f"CRM{i}", *r[1:]] for i, r in enumerate(rows)])
    assert issues_of(path) == [(1, "phone", "missing_column", "error")]


def test_followups_vague_content_and_unknown_customer(tmp_path: Path) -> None:
    customers = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row()])
    followups = write_xlsx(
        tmp_path / "f.xlsx", FOLLOWUP_HEADERS,
        [followup_row(), followup_row(客户编号="CRM999"), followup_row(沟通内容="已沟通"),
         followup_row(沟通内容="打电话", 跟进状态="意向客户->成交客户"), followup_row(沟通方式="飞鸽传书", 跟进状态="老客户")],
    )  # fmt: skip
    found = [i for i in issues_of(customers, followups) if i[1] not in ("at", "created_at")]
    assert found == [
        (3, "customer_id", "reference", "error"),
        (4, "content", "vague", "warning"),
        (5, "content", "vague", "warning"),
        (6, "channel", "option", "error"),
        (6, "status", "transition", "error"),
    ]


def test_cli_table_json_and_csv_formats_match_the_library(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "客户.csv",
        CUSTOMER_HEADERS,
        [customer_row(联系电话="12345")],
        encoding="gb18030",
    )
    table = run("validate", path)
    assert table.exit_code == 1, explain(table)
    assert "联系电话" in table.stdout and "12345" in table.stdout
    assert "Invalid: 1 errors, 0 warnings" in table.stderr
    as_json = run("validate", path, "--format", "json")
    library = validate(read_table(path, specs=[builtin_spec("customers")])).to_dict()
    assert json.loads(as_json.stdout) == json.loads(json.dumps(library))
    issue = library["issues"][0]
    assert {k: issue[k] for k in ("file", "sheet", "row", "column", "field", "value", "severity", "rule")} == {
        "file": str(path), "sheet": None, "row": 2, "column": "联系电话", "field": "phone",
        "value": "12345", "severity": "error", "rule": "phone",
    }  # fmt: skip
    as_csv = run("validate", path, "--format", "csv")
    assert (
        as_csv.stdout.splitlines()[0] == "file,sheet,row,column,field,value,severity,rule,message"
    )
    assert len(as_csv.stdout.splitlines()) == 2


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row(联系电话=13812345678)])
    result = run("validate", path)
    assert result.exit_code == 0, explain(result)
    strict = run("validate", path, "--strict")
    assert strict.exit_code == 1, explain(strict)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_report_files(tmp_path: Path, suffix: str) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row(所属行业="航天")])
    report = tmp_path / f"issues{suffix}"
    result = run("validate", path, "--report", report)
    assert result.exit_code == 1, explain(result)
    if suffix == ".json":
        assert json.loads(report.read_text(encoding="utf-8"))["issues"][0]["rule"] == "option"
    else:
        read = read_table(report) if suffix == ".csv" else None
        if read is not None:
            assert read.data.iloc[0].tolist()[7] == "option"
        else:
            sheet = load_workbook(report).active
            assert [c.value for c in sheet[2]][7] == "option"


def test_annotate_marks_cells_and_leaves_input_alone(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx", CUSTOMER_HEADERS,
        [customer_row(联系电话="123"), customer_row(客户编号="CRM2", 创建时间="2024年3月10日")],
        title_rows=[["表1:CRM客户基础信息表"]],
    )  # fmt: skip
    before = digest(path)
    out = tmp_path / "marked.xlsx"
    result = run("validate", path, "--annotate", out)
    assert result.exit_code == 1, explain(result)
    assert digest(path) == before
    sheet = load_workbook(out).active
    phone = sheet.cell(row=3, column=CUSTOMER_HEADERS.index("联系电话") + 1)
    assert phone.fill.start_color.rgb.endswith("FFC7CE") and "phone" in phone.comment.text.lower()
    created = sheet.cell(row=4, column=CUSTOMER_HEADERS.index("创建时间") + 1)
    assert created.fill.start_color.rgb.endswith("FFEB9C") and "[warning]" in created.comment.text
    assert sheet["A1"].value == "表1:CRM客户基础信息表"


def test_annotate_followups_marks_the_followup_workbook(tmp_path: Path) -> None:
    customers = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row()])
    history = write_xlsx(
        tmp_path / "f.xlsx", FOLLOWUP_HEADERS,
        [["CRM20240310001", "2024-03-11 10:00", "李强", "飞鸽传书", "介绍产品功能与报价方案",
          "发方案", "有兴趣", "意向客户"]],
        sheet="跟进记录",
    )  # fmt: skip
    before = digest(history)
    marked, other = tmp_path / "f-marked.xlsx", tmp_path / "c-marked.xlsx"
    result = run("validate", customers, "--followups", history, "--annotate-followups", marked,
                 "--annotate", other)  # fmt: skip
    assert result.exit_code == 1, explain(result)
    assert digest(history) == before
    channel = load_workbook(marked).active.cell(
        row=2, column=FOLLOWUP_HEADERS.index("沟通方式") + 1
    )
    assert channel.value == "飞鸽传书" and channel.fill.start_color.rgb.endswith("FFC7CE")
    assert load_workbook(other).active.cell(row=2, column=1).value == "CRM20240310001"


def test_annotate_csv_input(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row(联系电话="123")])
    out = tmp_path / "marked.xlsx"
    result = run("validate", path, "--annotate", out)
    assert result.exit_code == 1, explain(result)
    cell = load_workbook(out).active.cell(row=2, column=CUSTOMER_HEADERS.index("联系电话") + 1)
    assert cell.value == "123" and cell.comment is not None


def test_followups_alone_and_stdin(tmp_path: Path) -> None:
    followups = write_csv(tmp_path / "f.csv", FOLLOWUP_HEADERS, [followup_row(客户编号="CRM999")])
    alone = run("validate", "--followups", followups)
    assert alone.exit_code == 0, explain(alone)  # no customer table: no reference check
    piped = run(
        "validate",
        "-",
        input=write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row()]).read_bytes(),
    )
    assert piped.exit_code == 0, explain(piped)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["validate"], 2, "Usage"),
        (["validate", "nope.xlsx"], 2, "Error: nope.xlsx: no such file\n"),
        (
            ["validate", "{examples}/customers.xlsx", "--format", "yaml"],
            2,
            "Error: --format must be one of table, json, csv, not 'yaml'\n",
        ),
        (
            ["validate", "{examples}/customers.xlsx", "--sheet", "9"],
            2,
            "no sheet number 9 (it has 1: 客户信息)",
        ),
        (
            ["validate", "{examples}/customers.xlsx", "--schema", "missing.toml"],
            2,
            "Error: missing.toml: schema file not found\n",
        ),
    ],
)
def test_error_paths_exit_codes_and_messages(args: list[str], code: int, message: str) -> None:
    result = run(*[a.format(examples=EXAMPLES) for a in args])
    assert result.exit_code == code, explain(result)
    assert message in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_output_may_not_overwrite_input(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row(所属行业="航天")])
    before = digest(path)
    result = run("validate", path, "--annotate", path)
    assert result.exit_code == 2, explain(result)
    assert "is an input file; refusing to overwrite it" in result.stderr
    assert digest(path) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty.csv: the file is empty"),
        (
            "header.csv",
            "客户编号,客户名称,联系电话\n".encode(),
            "header.csv: has a header row but no data rows",
        ),
        (
            "cut.xlsx",
            b"PK\x03\x04\x14\x00truncated",
            "cut.xlsx: the workbook is truncated or corrupt (not a valid zip)",
        ),
        (
            "locked.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "locked.xlsx: is password-protected (encrypted) or an old .xls file",
        ),
        (
            "text.xlsx",
            "客户编号,客户名称\nCRM1,甲\n".encode(),
            "text.xlsx: is not an Excel workbook (it looks like text or CSV)",
        ),
        ("noise.csv", bytes(range(256)) * 8, "noise.csv: is not CSV text (it holds binary data)"),
    ],
)
def test_unreadable_input_is_one_line_and_exit_2(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("validate", path)
    assert result.exit_code == 2, explain(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}")
    assert message.split(": ", 1)[1] in lines[0]
    debug = run("--debug", "validate", path)
    assert debug.exit_code == 2, explain(debug)  # the same code, with the traceback before it
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1] == lines[0]
