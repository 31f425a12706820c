"""A formula no spreadsheet has computed (a workbook saved by openpyxl or a script, or a copy
crmkit patched) has no saved value: calamine reads it as blank, so crmkit says so instead of
reading an empty cell silently."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from typer.testing import CliRunner

from crmkit.cli import app
from crmkit.io.read import read_table
from crmkit.spec.fields import builtin_spec

CUSTOMERS = builtin_spec("customers")
HEADER = [
    "客户编号",
    "客户名称",
    "所属行业",
    "联系人姓名",
    "客户来源",
    "创建时间",
    "联系电话",
    "预计成交金额",
]


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(["2024年客户信息表"])
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _saved_by_excel(path: Path, values: dict[str, str]) -> Path:
    """The workbook as a spreadsheet saves it: each formula cell's computed value written
    after its formula (`values`: cell → value; an empty value as Excel writes a formula
    whose result is the empty text)."""
    out = path.with_name("saved_" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                for cell, value in values.items():
                    kind, cached = ("", f"<v>{value}</v>") if value else (' t="str"', "<v></v>")
                    data = re.sub(
                        rf'<c r="{cell}"([^>]*)>(<f>[^<]*</f>)<v ?/>'.encode(),
                        (rf'<c r="{cell}"\1{kind}>\2{cached}').encode(),
                        data,
                    )
            target.writestr(item, data)
    return out


def test_a_formula_without_a_saved_value_is_named(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"客户信息": [
        ["CRM001", "北京星辰科技", "软件", "张伟", "官网注册", "2024-03-10", "13812345678", "=1000*12"],
        ["CRM002", "上海星辰科技", "零售", "李娜", "行业展会", "2024-03-11", "13912345678", 5000],
        ["CRM003", "广州星辰科技", "物流", "王芳", "客户转介绍", "2024-03-12", "13712345678", '=IF(H4>0,"","0")'],
    ]})  # fmt: skip
    table = read_table(path, specs=[CUSTOMERS])
    assert table.notes == [
        f"{path}, sheet 客户信息: 2 formula cells have no saved value (H3, H5): a program, "
        "not Excel or WPS, saved the file last, so they are read as empty; open the file in "
        "Excel or WPS and save it once"
    ]
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert "2 formula cells have no saved value (H3, H5)" in result.stderr


def test_formulas_a_spreadsheet_computed_say_nothing(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"客户信息": [
        ["CRM001", "北京星辰科技", "软件", "张伟", "官网注册", "2024-03-10", "13812345678", "=1000*12"],
        ["CRM002", "上海星辰科技", "零售", "李娜", "行业展会", "2024-03-11", "13912345678", '=""'],
    ]})  # fmt: skip
    saved = _saved_by_excel(path, {"H3": "12000", "H4": ""})
    table = read_table(saved, specs=[CUSTOMERS])
    assert table.notes == []
    assert table.column("amount").tolist()[0] == 12000


def test_each_sheet_says_its_own_cells(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {
        "张三": [["CRM001", "北京星辰科技", "软件", "张伟", "官网注册", "2024-03-10", "13812345678", 3000]],
        "李四": [["CRM002", "上海星辰科技", "零售", "李娜", "行业展会", "2024-03-11", "13912345678", "=2*3000"]],
    })  # fmt: skip
    notes = read_table(path, specs=[CUSTOMERS]).notes
    assert [n for n in notes if "formula" in n] == [
        f"{path}, sheet 李四: 1 formula cell has no saved value (H3): a program, not Excel or "
        "WPS, saved the file last, so it is read as empty; open the file in Excel or WPS and "
        "save it once"
    ]


def test_a_patched_copy_keeps_the_values_of_its_formulas(tmp_path: Path) -> None:
    """clean into a copy of the workbook writes its cells with openpyxl, which saves formulas
    without their values: the copy gets the values the original had, so the next command
    reads them (and Excel computes them again on opening)."""
    from openpyxl import load_workbook

    path = _workbook(tmp_path / "c.xlsx", {"客户信息": [
        ["CRM001", "北京星辰科技", "软件", "张伟", "官网注册", "2024-03-10", "138 1234 5678", "=1000*12"],
        ["CRM002", "上海星辰科技", "零售", "李娜", "行业展会", "2024-03-11", "13912345678", '=""'],
    ]})  # fmt: skip
    saved = _saved_by_excel(path, {"H3": "12000", "H4": ""})
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["clean", str(saved), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    table = read_table(out, specs=[CUSTOMERS])
    assert table.notes == []
    assert table.column("phone").tolist()[0] == "13812345678"
    assert table.column("amount").tolist()[0] == 12000
    sheet = load_workbook(out)["客户信息"]
    assert (sheet["H3"].value, sheet["H4"].value, sheet["A1"].value) == (
        "=1000*12",
        '=""',
        "2024年客户信息表",
    )


def test_a_formula_reading_a_written_cell_keeps_no_value() -> None:
    """A value is kept only where nothing the formula reads changed, through other formulas
    too; a formula whose reading cannot be told (a name, INDIRECT) keeps none."""
    from openpyxl import Workbook as Book

    from crmkit.io.formulas import kept_formulas

    book = Book()
    sheet = book.active
    sheet.title = "客户信息"
    other = book.create_sheet("汇总")
    sheet["B2"] = "=A2*2"  # reads the written A2
    sheet["C2"] = "=B2+1"  # reads B2, whose value is no longer true
    sheet["D2"] = "=E2*2"  # reads nothing written
    sheet["F2"] = '="CRM"&ROW()'
    sheet["G2"] = "=SUM(A:A)"  # a whole column holding A2
    sheet["H2"] = "=SUM(A3:A9)"  # below A2
    sheet["I2"] = '=INDIRECT("A2")'
    sheet["J2"] = "=单价*2"  # a defined name
    other["A1"] = "=SUM('客户信息'!D2:D9)"  # reads D2, whose value holds
    other["A2"] = "=客户信息!C2"
    assert kept_formulas(book, [("客户信息", 2, 1)]) == {
        ("客户信息", "D2"),
        ("客户信息", "F2"),
        ("客户信息", "H2"),
        ("汇总", "A1"),
    }
