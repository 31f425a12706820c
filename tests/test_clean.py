"""clean: canonical cells, generated ids, untouched extras and unfixable rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from crmkit.io import read_table
from crmkit.spec.fields import builtin_spec

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

HEADERS = [*CUSTOMER_HEADERS, "微信号"]


def messy(tmp_path: Path) -> Path:
    rows = [
        customer_row(联系电话=13812345678.0, 创建时间="2024年3月10日") + ["wx_a"],
        customer_row(客户编号=None, 联系电话="+86 139-1234-5678", 客户名称="  上海云帆 ", 客户来源="客戶轉介紹") + ["=HYPERLINK(\"http://x\",\"点击\")"],
        customer_row(客户编号="", 联系电话="1.38123E+10", 创建时间=45361) + ["wx_c"],
        customer_row(客户编号=None, 联系电话="１３７１２３４５６７８", 创建时间=datetime(2024, 3, 12, 9, 0)) + [None],
    ]  # fmt: skip
    path = write_xlsx(
        tmp_path / "messy.xlsx", HEADERS, rows, title_rows=[["表1:CRM客户基础信息表"], []]
    )
    workbook = load_workbook(path)
    workbook.active.cell(
        row=5, column=len(HEADERS)
    ).data_type = "s"  # text that looks like a formula
    workbook.save(path)
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_clean_normalizes_generates_ids_and_keeps_the_rest(tmp_path: Path, suffix: str) -> None:
    source = messy(tmp_path)
    before = digest(source)
    out = tmp_path / f"clean{suffix}"
    result = run("clean", source, "-o", out, "--as-of", "2024-12-01")
    assert result.exit_code == 1, explain(result)  # row 6 has a phone that lost its digits
    assert "1 rows could not be fixed" in result.stderr and "1.38123E+10" in result.stderr
    assert digest(source) == before
    table = read_table(out, specs=[builtin_spec("customers")])
    assert table.headers == HEADERS
    data = table.to_frame()
    assert data["联系电话"].tolist() == ["13812345678", "13912345678", "1.38123E+10", "13712345678"]
    ids = ["" if pd.isna(v) else v for v in data["客户编号"].tolist()]
    assert ids == ["CRM20240310001", "CRM20241201001", "", "CRM20241201002"]
    assert data["客户名称"].tolist()[1] == "上海云帆"
    assert data["客户来源"].tolist()[1] == "客户转介绍"
    assert data["微信号"].tolist()[:2] == ["wx_a", '=HYPERLINK("http://x","点击")']
    created = [str(v)[:16] for v in data["创建时间"].tolist()]
    assert created[0].startswith("2024-03-10") and created[3] == "2024-03-12 09:00"
    assert str(data["创建时间"].tolist()[2]) in ("45361", "45361.0")  # unfixable row kept as it was
    if suffix == ".xlsx":
        sheet = load_workbook(out).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        # A copy of the input: its two title rows kept, the header on row 3, data from row 4.
        assert sheet["A1"].value == "表1:CRM客户基础信息表"
        assert isinstance(sheet.cell(row=4, column=HEADERS.index("创建时间") + 1).value, datetime)
    else:
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")


def test_cleaned_output_validates_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "clean.xlsx"
    result = run("clean", EXAMPLES / "customers.xlsx", "-o", out)
    assert result.exit_code == 0, explain(result)
    result = run("validate", out)
    assert result.exit_code == 0, explain(result)
    assert "0 errors, 0 warnings" in result.stderr


def test_clean_followups_recognized_from_headers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        FOLLOWUP_HEADERS,
        [
            [
                "crm1",
                "2024/3/10 9:05",
                "李强",
                "微信",
                "介绍产品功能和报价",
                "发方案",
                "满意",
                "潜在客户->意向客户",
            ]
        ],
        encoding="gb18030",
    )
    out = tmp_path / "f_clean.csv"
    result = run("clean", path, "-o", out)
    assert result.exit_code == 0, explain(result)
    row = read_table(out).data.iloc[0].tolist()
    assert row == [
        "CRM1",
        "2024-03-10 09:05",
        "李强",
        "微信",
        "介绍产品功能和报价",
        "发方案",
        "满意",
        "潜在客户→意向客户",
    ]


def test_clean_to_stdout_and_refuses_to_overwrite_input(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row(联系电话="+86 13812345678")]
    )
    piped = run("clean", source, "-o", "-")
    assert piped.exit_code == 0, explain(piped)
    assert "13812345678" in piped.stdout and "+86" not in piped.stdout
    same = run("clean", source, "-o", source)
    assert same.exit_code == 2, explain(same)
    assert "refusing to overwrite" in same.stderr


_PHONES = st.sampled_from(["13812345678", "13812345678.0", "+86 138-1234-5678", "１３８１２３４５６７８",
                           "010-62345678", "(010) 6234 5678", "4008001234", "+1 415 555 2671"])  # fmt: skip
_DATES = st.one_of(
    st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2030, 12, 31).date()).flatmap(
        lambda d: st.sampled_from([d.isoformat(), f"{d.year}/{d.month}/{d.day}",
                                   f"{d.year}年{d.month}月{d.day}日", f"{d.isoformat()} 14:05"])
    ),
)  # fmt: skip


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(_PHONES, _DATES), min_size=1, max_size=6))
def test_cleaned_files_round_trip_unchanged(tmp_path: Path, cells: list[tuple[str, str]]) -> None:
    """What clean writes (xlsx or CSV) reads back to the same values and needs no more cleaning."""
    rows = [
        customer_row(客户编号=f"CRM2024031000{i}", 联系电话=phone, 创建时间=created)
        for i, (phone, created) in enumerate(cells)
    ]
    source = write_csv(tmp_path / "in.csv", CUSTOMER_HEADERS, rows, encoding="gb18030")
    for suffix in (".xlsx", ".csv"):
        first = tmp_path / f"once{suffix}"
        second = tmp_path / f"twice{suffix}"
        result = run("clean", source, "-o", first)
        assert result.exit_code == 0, explain(result)
        result = run("clean", first, "-o", second)
        assert result.exit_code == 0, explain(result)
        assert ": 0 cells changed, 0 ids generated" in result.stderr
        once = read_table(first).to_frame().astype(str)
        twice = read_table(second).to_frame().astype(str)
        assert once.equals(twice)
