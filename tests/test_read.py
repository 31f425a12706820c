"""The reader: real-sheet quirks, encodings, separators, provenance and unreadable files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from crmkit.errors import InputError
from crmkit.io import Source, read_table
from crmkit.spec.fields import builtin_spec

from .conftest import CUSTOMER_HEADERS, customer_row, write_csv, write_xlsx

CUSTOMERS = builtin_spec("customers")


def test_header_found_under_title_and_blank_rows_with_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        ["客户编号*", " 客户名称 * ", "联系电话", "预计成交金额（元）", "微信号"],
        [
            ["CRM1", "甲公司", "13812345678", 1, "wx1"],
            [None, None, None, None, None],
            ["CRM2", "乙", "", 2, ""],
        ],
        title_rows=[["表1:CRM客户基础信息表"], []],
    )
    table = read_table(path, specs=[CUSTOMERS])
    assert table.header_row == 3
    assert list(table.data.index) == [4, 6]  # row 5 was blank; numbers as Excel shows them
    assert table.fields == {"customer_id": 0, "name": 1, "phone": 2, "amount": 3}
    assert table.headers[1] == "客户名称 *"
    assert table.headers[4] == "微信号"  # an unknown column is kept
    assert table.data.loc[4, 4] == "wx1"


def test_traditional_and_english_headers_match(tmp_path: Path) -> None:
    for headers in (
        ["客戶編號", "客戶名稱", "聯繫電話"],
        ["Customer ID", "customer name", "PHONE"],
    ):
        path = write_csv(tmp_path / "h.csv", headers, [["CRM1", "甲", "13812345678"]])
        assert read_table(path, specs=[CUSTOMERS]).fields == {
            "customer_id": 0,
            "name": 1,
            "phone": 2,
        }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        CUSTOMER_HEADERS,
        [customer_row(客户名称="䶮龘科技有限公司" if encoding == "gb18030" else "北京星辰科技")],
        encoding=encoding,
    )
    table = read_table(path, specs=[CUSTOMERS])
    assert table.column("contact").tolist() == ["张伟"]
    assert table.header_of("name") == "客户名称"


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_separators_are_detected(tmp_path: Path, delimiter: str) -> None:
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row()], delimiter=delimiter)
    table = read_table(path, specs=[CUSTOMERS])
    assert table.delimiter == delimiter
    assert table.column("phone").tolist() == ["13812345678"]


def test_encoding_override_and_bad_override(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row()], encoding="gb18030")
    assert read_table(path, specs=[CUSTOMERS], encoding="gb18030").encoding == "gb18030"
    with pytest.raises(InputError, match=r"c\.csv: cannot be decoded as utf-8"):
        read_table(path, specs=[CUSTOMERS], encoding="utf-8")


def test_stdin_bytes(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row()]).read_bytes()
    table = read_table(Source(None, "<stdin>", data), specs=[CUSTOMERS])
    assert table.name == "<stdin>" and table.rows == 1


def test_sheet_by_name_and_index(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx", ["说明"], [["这是说明页"]], sheet="说明",
        more_sheets={"客户": [CUSTOMER_HEADERS, customer_row()]},
    )  # fmt: skip
    assert read_table(path, specs=[CUSTOMERS], sheet="客户").sheet == "客户"
    assert read_table(path, specs=[CUSTOMERS], sheet=2).sheet == "客户"
    with pytest.raises(InputError, match=r"no sheet named '客户表' \(sheets: 说明, 客户\)"):
        read_table(path, specs=[CUSTOMERS], sheet="客户表")


def test_phone_cells_keep_their_type_in_workbooks(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row(联系电话=13812345678)])
    assert read_table(path, specs=[CUSTOMERS]).column("phone").tolist() == [13812345678.0]


def test_wide_later_rows_keep_their_cells(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("客户编号,客户名称,联系电话\nCRM1,甲,13812345678,多出来的\n", encoding="utf-8")
    table = read_table(path, specs=[CUSTOMERS])
    assert table.headers == ["客户编号", "客户名称", "联系电话", ""]
    assert table.data.loc[2, 3] == "多出来的"


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (300 * 2**20) + b"</a>")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: p.with_suffix(".csv").write_bytes(b"") or p.with_suffix(".csv"),
            "the file is empty",
        ),
        (
            lambda p: write_csv(p.with_suffix(".csv"), CUSTOMER_HEADERS, []),
            "has a header row but no data rows",
        ),
        (lambda p: (p.write_bytes(b"PK\x03\x04broken"), p)[1], "truncated or corrupt"),
        (
            lambda p: (p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512), p)[1],
            "password-protected",
        ),
        (
            lambda p: (p.write_text("客户编号,客户名称\nCRM1,甲\n", encoding="utf-8"), p)[1],
            "is not an Excel workbook",
        ),
        (lambda p: p.parent / "missing.xlsx", "no such file"),
        (lambda p: p.parent, "is a folder, not a file"),
        (_zip_bomb, "expands"),
        (
            lambda p: (
                p.with_suffix(".csv").write_text("名字,年龄\n甲,1\n", encoding="utf-8"),
                p.with_suffix(".csv"),
            )[1],
            "no header row found",
        ),
        (
            lambda p: (
                p.with_suffix(".csv").write_bytes(bytes(range(256)) * 40),
                p.with_suffix(".csv"),
            )[1],
            "binary",
        ),
    ],
    ids=[
        "empty",
        "header-only",
        "truncated",
        "encrypted",
        "csv-named-xlsx",
        "missing",
        "folder",
        "zip-bomb",
        "no-header",
        "random-bytes",
    ],
)
def test_unreadable_files_raise_input_error_naming_the_file(
    tmp_path: Path, make, message: str
) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "bad.xlsx")
    with pytest.raises(InputError, match=message) as error:
        read_table(path, specs=[CUSTOMERS])
    assert str(path) in str(error.value) or path.name in str(error.value)


def test_truncated_real_workbook(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", CUSTOMER_HEADERS, [customer_row()])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(InputError, match=r"cut\.xlsx: the workbook is truncated or corrupt"):
        read_table(cut, specs=[CUSTOMERS])


def test_xlsx_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(
        write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row()]).read_bytes()
    )
    with pytest.raises(
        InputError, match=r"c\.csv: is a zip file \(an xlsx workbook\?\), not CSV text"
    ):
        read_table(path, specs=[CUSTOMERS])


def test_formula_guard_written_by_crmkit_is_undone_on_read(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes("客户编号,客户名称\nCRM1,'=1+2\n".encode())
    assert read_table(path, specs=[CUSTOMERS]).column("name").tolist() == ["=1+2"]


@pytest.mark.parametrize("quoted", [True, False])
def test_multiline_cells_and_blank_lines_keep_row_numbers(tmp_path: Path, quoted: bool) -> None:
    note = '"第一行\n第二行"' if quoted else "单行备注"
    text = f"表1:客户\n\n客户编号,客户名称,备注\nCRM1,甲,{note}\n\nCRM2,乙,x\n"
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    table = read_table(path, specs=[CUSTOMERS])
    assert list(table.data.index) == [4, 6]
    assert table.column("notes").tolist()[0] == ("第一行\n第二行" if quoted else "单行备注")


def test_gb18030_file_with_ascii_first_megabyte_falls_back(tmp_path: Path) -> None:
    head = "客户编号,客户名称\n".encode("gb18030")
    body = b"".join(f"CRM{i},ACME\n".encode() for i in range(120_000))
    path = tmp_path / "big.csv"
    path.write_bytes(head + body + "CRM9,北京星辰\n".encode("gb18030"))
    table = read_table(path, specs=[CUSTOMERS])
    assert table.encoding == "gb18030"
    assert table.column("name").iloc[-1] == "北京星辰"
