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
HEADER = ["客户编号", "客户名称", "联系电话", "预计成交金额"]


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
        ["C001", "北京星辰科技", "13812345678", "=1000*12"],
        ["C002", "上海星辰科技", "13912345678", 5000],
        ["C003", "广州星辰科技", "13712345678", '=IF(D4>0,"","0")'],
    ]})  # fmt: skip
    table = read_table(path, specs=[CUSTOMERS])
    assert table.notes == [
        f"{path}, sheet 客户信息: 2 formula cells have no saved value (D3, D5): a program, "
        "not Excel or WPS, saved the file last, so they are read as empty; open the file in "
        "Excel or WPS and save it once"
    ]
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert "2 formula cells have no saved value (D3, D5)" in result.stderr


def test_formulas_a_spreadsheet_computed_say_nothing(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"客户信息": [
        ["C001", "北京星辰科技", "13812345678", "=1000*12"],
        ["C002", "上海星辰科技", "13912345678", '=""'],
    ]})  # fmt: skip
    saved = _saved_by_excel(path, {"D3": "12000", "D4": ""})
    table = read_table(saved, specs=[CUSTOMERS])
    assert table.notes == []
    assert table.column("amount").tolist()[0] == 12000


def test_each_sheet_says_its_own_cells(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {
        "张三": [["C001", "北京星辰科技", "13812345678", 3000]],
        "李四": [["C002", "上海星辰科技", "13912345678", "=2*3000"]],
    })  # fmt: skip
    notes = read_table(path, specs=[CUSTOMERS]).notes
    assert [n for n in notes if "formula" in n] == [
        f"{path}, sheet 李四: 1 formula cell has no saved value (D3): a program, not Excel or "
        "WPS, saved the file last, so it is read as empty; open the file in Excel or WPS and "
        "save it once"
    ]
