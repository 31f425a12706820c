"""`crmkit export`: each target's profile on the examples, refusals, filters and safe output."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crmkit.export import PROFILES, builtin_profile, person_part
from crmkit.io import read_table
from crmkit.spec.fields import builtin_spec

from .conftest import (
    CUSTOMER_HEADERS,
    EXAMPLES,
    customer_row,
    digest,
    explain,
    run,
    write_csv,
)

CUSTOMERS = EXAMPLES / "customers.xlsx"
SUFFIX = {"fxiaoke": ".xlsx", "xlsx": ".xlsx", "jsonl": ".jsonl"}


def read_rows(path: Path) -> list[dict[str, object]]:
    """The rows of an export as dicts, whatever its format."""
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if path.suffix == ".xlsx":
        sheet = load_workbook(path).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]  # type: ignore[arg-type]
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def export(
    tmp_path: Path, target: str, *extra: object, source: Path = CUSTOMERS
) -> tuple[Path, str]:
    out = tmp_path / f"{target}{SUFFIX.get(target, '.csv')}"
    result = run("export", source, "--to", target, "-o", out, *extra)
    assert result.exit_code == 0, explain(result)
    return out, result.stderr


@pytest.fixture(scope="module")
def examples() -> list[dict[str, object]]:
    table = read_table(CUSTOMERS, specs=[builtin_spec("customers")])
    return [{name: table.column(name).iloc[i] for name in table.fields} for i in range(table.rows)]


@pytest.mark.parametrize("target", PROFILES)
def test_each_profile_gives_its_documented_headers_maps_and_formats(
    tmp_path: Path, target: str, examples: list[dict[str, object]]
) -> None:
    profile = builtin_profile(target)
    assert profile.guide and profile.title  # every profile cites the guide it follows
    out, stderr = export(tmp_path, target)
    assert f"Import guide: {profile.guide}" in stderr
    assert "50 rows; 50 in: 50 exported" in stderr
    rows = read_rows(out)
    assert len(rows) == 50
    headers = list(rows[0])
    if profile.columns:
        assert headers[: len(profile.columns)] == [c.name for c in profile.columns]
        # what the profile does not use follows under the user's own headers: nothing is lost
        assert "客户编号" in headers and "创建时间" in headers
    elif profile.headers == "canonical":
        assert headers == [
            f.name for f in builtin_spec("customers").fields if f.name in examples[0]
        ]
    else:
        assert headers == list(read_table(CUSTOMERS, specs=[builtin_spec("customers")]).headers)
    phone_column = next(
        (c.name for c in profile.columns if c.fields == ("phone",)),
        "phone" if profile.headers == "canonical" else "联系电话",
    )
    phones = [str(r[phone_column]) for r in rows]
    pattern = r"\+86\d{10,11}" if profile.phone == "e164" else r"1\d{10}|0\d{2,3}-\d{7,8}"
    assert all(re.fullmatch(pattern, p) for p in phones), phones[:3]
    for column in profile.columns:
        if column.map is None or len(column.fields) != 1:
            continue
        for row, record in zip(rows, examples, strict=True):
            value = record.get(column.fields[0])
            if value is None or value != value:
                expected = column.default
            else:
                expected = profile.maps[column.map].get(str(value), str(value)) or None
            assert (row[column.name] or None) == expected, (column.name, value)


def test_zoho_dates_names_and_followups(tmp_path: Path) -> None:
    out, stderr = export(tmp_path, "zoho", "--followups", EXAMPLES / "followups.xlsx")
    first = read_rows(out)[0]
    assert (first["Company"], first["Last Name"], first["First Name"]) == (
        "苏州金桥思源物流股份有限公司",
        "许",
        "远俊",
    )
    assert first["Phone"] == "+8617781425421" and first["Lead Source"] == "External Referral"
    assert first["创建时间"] == "09/04/2024 12:06:00" and first["下次跟进时间"] == "10/06/2024"
    notes = read_rows(tmp_path / "zoho-followups.csv")
    assert len(notes) == 252 and list(notes[0])[:6] == [
        "Note Title", "Note Content", "Parent Module", "Company", "Created Time", "Created By"
    ]  # fmt: skip
    assert (
        notes[0]["Parent Module"] == "Leads"
        and notes[0]["Company"] == "苏州金桥思源物流股份有限公司"
    )
    assert "252 rows: 252 exported, 0 rejected, 0 belong to customers not exported" in stderr


@pytest.mark.parametrize(
    ("name", "family", "given"),
    [("张伟", "张", "伟"), ("欧阳娜娜", "欧阳", "娜娜"), ("John Smith", "Smith", "John"),
     ("王经理", "王", "经理"), ("Acme", "Acme", None), ("", None, None)],
)  # fmt: skip
def test_person_names_split_for_first_and_last_name(
    name: str, family: str | None, given: str | None
) -> None:
    assert (person_part(name, "family"), person_part(name, "given")) == (family, given)


# ---------------------------------------------------------------- refusing invalid rows


def test_invalid_rows_are_refused_unless_skipped(tmp_path: Path) -> None:
    messy = EXAMPLES / "messy_customers.xlsx"
    out = tmp_path / "sf.csv"
    result = run("export", messy, "--to", "salesforce", "-o", out)
    assert result.exit_code == 1, explain(result)
    assert "10 rows are invalid for salesforce; nothing was written" in result.stderr
    assert "创建时间: impossible date (2024-02-30)" in result.stderr
    assert not out.exists() and not (tmp_path / "sf-rejects.csv").exists()
    result = run("export", messy, "--to", "salesforce", "-o", out, "--skip-invalid")
    assert result.exit_code == 0, explain(result)
    assert "40 rows; 40 in: 30 exported to" in result.stderr and ", 10 rejected" in result.stderr
    rows, rejects = read_rows(out), read_rows(tmp_path / "sf-rejects.csv")
    assert len(rows) + len(rejects) == 40
    assert [r["row"] for r in rejects] == [
        "8",
        "11",
        "13",
        "16",
        "17",
        "18",
        "20",
        "21",
        "22",
        "29",
    ]
    assert all(r["reason"] and r["file"] == str(messy) for r in rejects)
    by_row = {r["row"]: r for r in rejects}
    assert by_row["16"]["reason"].endswith("Company would be empty (from 客户名称*)")
    assert "national ID" in by_row["17"]["reason"]
    assert not re.search(
        r"\d{17}[\dX]", json.dumps(rejects, ensure_ascii=False)
    )  # the ID is masked
    assert {r["客户编号"] for r in rows}.isdisjoint(
        {r["客户编号"] for r in rejects if r["客户编号"]} - {"CRM202405110017"}
    )


def test_a_column_the_target_requires_is_checked_too(tmp_path: Path) -> None:
    profile = builtin_profile("hubspot")
    text = (
        Path(profile.source)
        .read_text(encoding="utf-8")
        .replace('required = ["Last Name"]', 'required = ["Last Name", "Email"]')
    )
    mine = tmp_path / "mine.toml"
    mine.write_text(text, encoding="utf-8")
    source = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS,
                       [customer_row(), customer_row(客户编号="CRM20240310002", 联系邮箱="")],
                       encoding="gb18030")  # fmt: skip
    out = tmp_path / "h.csv"
    result = run("export", source, "--profile", mine, "-o", out, "--skip-invalid")
    assert result.exit_code == 0, explain(result)
    [reject] = read_rows(tmp_path / "h-rejects.csv")
    assert (reject["row"], reject["reason"]) == ("3", "Email would be empty (from 联系邮箱)")
    assert len(read_rows(out)) == 1


# ---------------------------------------------------------------- choosing rows and columns


def test_where_filters_and_counts(tmp_path: Path, examples: list[dict[str, object]]) -> None:
    out, stderr = export(tmp_path, "csv", "--where", "负责人=张敏,李强", "--where", "created>=2024-06-01",
                         "--where", "销售阶段!=關閉")  # fmt: skip
    rows = read_rows(out)
    expected = [r for r in examples if r["owner"] in ("张敏", "李强")
                and str(r["created_at"]) >= "2024-06-01" and r["stage"] != "关闭"]  # fmt: skip
    assert [r["客户编号"] for r in rows] == [r["customer_id"] for r in expected]
    assert (
        f"50 rows, {50 - len(rows)} left out by --where; {len(rows)} in: {len(rows)} exported"
        in stderr
    )
    out, _ = export(
        tmp_path, "jsonl", "--where", "amount>500000", "--where", "created_at<=2024-03-31"
    )
    records = read_rows(out)
    assert records and all(
        r["amount"] > 500000 and str(r["created_at"]) < "2024-04-01" for r in records
    )


@pytest.mark.parametrize(
    ("condition", "message"),
    [("颜色=红", "'颜色' is not a field"), ("owner>张敏", "> compares dates and numbers, and owner is text"),
     ("created>=昨天", "'昨天' is not a date"), ("stage", "write FIELD=VALUE")],
)  # fmt: skip
def test_bad_where_exits_2(tmp_path: Path, condition: str, message: str) -> None:
    result = run("export", CUSTOMERS, "--to", "csv", "-o", tmp_path / "o.csv", "--where", condition)
    assert result.exit_code == 2 and message in result.stderr, explain(result)


def test_columns_mask_phones_bom_and_stdout(tmp_path: Path) -> None:
    result = run("export", CUSTOMERS, "--to", "hubspot", "--columns", "Company Name,Phone Number",
                 "--mask-phones", "--bom")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert result.stdout.startswith("\ufeffCompany Name,Phone Number\n")
    body = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))[1:]
    assert len(body) == 50 and all(re.fullmatch(r"'\+86\d{3}\*{4}\d{4}", r[1]) for r in body)
    plain, _ = export(tmp_path, "hubspot")
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")  # importers want plain UTF-8
    result = run("export", CUSTOMERS, "--to", "hubspot", "--columns", "Company Name,Fax")
    assert result.exit_code == 2, explain(result)
    assert "--columns 'Fax' is not an output column" in result.stderr


# ---------------------------------------------------------------- profiles and safety


def test_a_teams_own_profile(tmp_path: Path) -> None:
    mine = tmp_path / "ours.toml"
    mine.write_text(
        """[profile]
name = "ours"
title = "Our ERP"
guide = "ERP manual, chapter 7"
format = "csv"
phone = "national"
rest = false
[[columns]]
name = "Code"
field = "customer_id"
[[columns]]
name = "Origin"
field = "source"
map = "origin"
[[columns]]
name = "Kind"
value = "B2B"
[maps.origin]
"客户转介绍" = "REF"
""",
        encoding="utf-8",
    )
    out = tmp_path / "erp.csv"
    result = run("export", CUSTOMERS, "--profile", mine, "-o", out)
    assert result.exit_code == 0, explain(result)
    rows = read_rows(out)
    assert list(rows[0]) == ["Code", "Origin", "Kind"] and rows[0]["Origin"] == "REF"
    assert {r["Kind"] for r in rows} == {"B2B"}
    assert (
        "Origin: 客户来源 values without a mapping in profile ours are passed as written"
        in result.stderr
    )
    broken = tmp_path / "broken.toml"
    broken.write_text(
        mine.read_text(encoding="utf-8").replace('map = "origin"', 'map = "nope"'), "utf-8"
    )
    result = run("export", CUSTOMERS, "--profile", broken, "-o", out)
    assert result.exit_code == 2
    assert "columns #2 (Origin): map 'nope' has no [maps.nope] table" in result.stderr
    result = run("export", CUSTOMERS, "-o", out)
    assert result.exit_code == 2, explain(result)
    assert "give --to TARGET" in result.stderr
    result = run("export", CUSTOMERS, "--to", "sugar", "-o", out)
    assert result.exit_code == 2, explain(result)
    assert "unknown target 'sugar'" in result.stderr
    result = run("export", CUSTOMERS, "--to", "fxiaoke", "-o", tmp_path / "x.csv")
    assert result.exit_code == 2, explain(result)
    assert "fxiaoke writes xlsx; name the output *.xlsx" in result.stderr


def test_formula_safe_and_never_over_the_input(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS,
                       [customer_row(客户名称='=HYPERLINK("http://x","点击")', 备注="@SUM(A1)")])  # fmt: skip
    before = digest(source)
    out, _ = export(tmp_path, "salesforce", source=source)
    [row] = read_rows(out)
    assert row["Company"] == '\'=HYPERLINK("http://x","点击")' and row["Description"] == "'@SUM(A1)"
    assert row["Phone"] == "+8613812345678"  # a phone alone is a number, not a formula: left as is
    xlsx, _ = export(tmp_path, "fxiaoke", source=source)
    sheet = load_workbook(xlsx).worksheets[0]
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    result = run("export", source, "--to", "csv", "-o", source)
    assert result.exit_code == 2, explain(result)
    assert "is an input file" in result.stderr
    assert digest(source) == before


def test_followups_of_customers_left_out_are_counted(tmp_path: Path) -> None:
    out, stderr = export(tmp_path, "hubspot", "--followups", EXAMPLES / "followups.xlsx",
                         "--where", "owner=张敏")  # fmt: skip
    notes = read_rows(tmp_path / "hubspot-followups.csv")
    kept = len(notes)
    match = re.search(
        r"252 rows: (\d+) exported(?: \(\d+ without Email\))?, 0 rejected, (\d+) belong to "
        r"customers not exported",
        stderr,
    )
    assert match and int(match[1]) == kept and kept + int(match[2]) == 252
    ids = {r["客户编号"] for r in read_rows(out)}
    assert {n["客户编号"] for n in notes} <= ids and kept > 0


def test_invalid_followups_of_exported_customers_are_refused_too(tmp_path: Path) -> None:
    from .conftest import FOLLOWUP_HEADERS

    customers = write_csv(
        tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row()], encoding="gb18030"
    )
    good = [
        "CRM20240310001",
        "2024-03-11 10:00",
        "李强",
        "电话",
        "介绍产品功能与报价方案",
        "发方案",
        "有兴趣",
        "意向客户",
    ]
    bad = [*good[:3], "飞鸽传书", *good[4:]]
    other = ["CRM20249999999", *good[1:]]  # a customer not in the table: left out, not exported
    history = write_csv(tmp_path / "f.csv", FOLLOWUP_HEADERS, [good, bad, other])
    out = tmp_path / "z.csv"
    result = run("export", customers, "--to", "zoho", "-o", out, "--followups", history)
    assert result.exit_code == 1 and "1 rows are invalid for zoho" in result.stderr, explain(result)
    result = run(
        "export", customers, "--to", "zoho", "-o", out, "--followups", history, "--skip-invalid"
    )
    assert result.exit_code == 0, explain(result)
    assert "3 rows: 1 exported, 1 rejected, 1 belong to customers not exported" in result.stderr
    [reject] = read_rows(tmp_path / "z-rejects.csv")
    assert (reject["file"], reject["row"]) == (str(history), "3")
    assert "飞鸽传书 is not" in reject["reason"]
    assert len(read_rows(tmp_path / "z-followups.csv")) == 1
