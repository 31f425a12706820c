"""clean from a workbook into a workbook of its kind: a copy in which only the cleaned cells
change — title rows, formulas, other sheets, widths, dropdowns, comments, totals rows and
frozen panes stay as the user had them."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from .conftest import digest, explain, run

HEADERS = ["客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "创建时间",
           "预计成交金额", "备注"]  # fmt: skip
# Rows as the sheet shows them: title row 1, header row 2, data 3–8 with row 5 blank, totals 9.
ROWS = {
    3: ["CRM20240301001", "  北京星辰科技有限公司 ", "软件", "张伟", "138-1234-5678", "官网注册",
        "2024/3/10", 120000, "老客户"],
    4: ["CRM20240301002", "上海云帆网络有限公司", "零售", "李娜", 13912345678, "行业展会",
        datetime(2024, 3, 11, 9, 30), "=1000*12", None],
    6: ['="CRM2024030100"&ROW()', "广州南方物流有限公司", "物流", "王芳",
        "13712345678/010-62345678", "客户转介绍", "2024年3月12日", 5000, "微信同号"],
    7: ["CRM20240301004", "深圳前海金融服务有限公司", "金融", "赵磊", "=\"13612345678\"",
        "电话咨询", datetime(2024, 3, 13), None, None],
    8: ["CRM20240301005", "杭州西湖教育科技有限公司", "教育", "孙丽", "+86 135 1234 5678",
        "线上广告", "2024-03-14", 8000, None],
}  # fmt: skip


def _with_cached_value(path: Path, cell: str, value: str) -> None:
    """Give a formula cell a cached value, as Excel saves one (openpyxl writes none)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    text = members[sheet].decode()
    text, count = re.subn(
        rf'<c r="{cell}"><f>(.*?)</f><v\s*/>',
        rf'<c r="{cell}" t="str"><f>\1</f><v>{value}</v>',
        text,
    )
    assert count == 1
    members[sheet] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def workbook(tmp_path: Path, suffix: str = ".xlsx") -> Path:
    """A customer sheet as a team keeps it, and a second sheet of instructions."""
    book = Workbook()
    sheet = book.active
    sheet.title = "客户信息"
    sheet["A1"] = "2024年客户信息表"
    sheet["A1"].font = Font(bold=True, size=16)
    sheet.merge_cells("A1:I1")
    sheet.append(HEADERS)
    for row, values in ROWS.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=value)
    sheet["B9"], sheet["H9"] = "合计", "=SUM(H3:H8)"
    sheet["H3"].number_format = "#,##0.00"
    sheet.column_dimensions["B"].width = 32
    sheet.column_dimensions["E"].width = 18
    sheet.freeze_panes = "A3"
    choice = DataValidation(type="list", formula1='"软件,零售,物流,金融,教育"', allow_blank=True)
    sheet.add_data_validation(choice)
    choice.add("C3:C200")
    sheet["B3"].comment = Comment("重点客户", "张伟")
    notes = book.create_sheet("填写说明")
    notes["A1"] = "带*为必填；电话填手机号"
    notes.column_dimensions["A"].width = 40
    path = tmp_path / f"客户{suffix}"
    book.save(path)
    _with_cached_value(path, "E7", "136 1234 5678")  # a formula Excel has computed
    return path


def test_clean_patches_a_copy_keeping_everything_else(tmp_path: Path) -> None:
    source = workbook(tmp_path)
    before = digest(source)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", source, "-o", out, "--as-of", "2024-12-01")
    assert result.exit_code == 0, explain(result)
    assert digest(source) == before
    assert "客户信息: E7 holds a formula; not cleaned (kept as it was)" in result.stderr
    assert "A6 holds a formula" in result.stderr  # read blank (no cached value), not replaced
    assert "every other cell of the workbook kept as it was" in result.stderr
    book, original = load_workbook(out), load_workbook(source)
    assert book.sheetnames == ["客户信息", "填写说明"]
    sheet, was = book["客户信息"], original["客户信息"]
    cleaned = {
        "B3": "北京星辰科技有限公司",
        "E3": "13812345678",
        "G3": datetime(2024, 3, 10),
        "E4": "13912345678",  # a phone kept as a number becomes text
        "E6": "13712345678",
        "J2": "其他电话",  # the moved phone's column, after the last header
        "J6": "010-62345678",
        "G6": datetime(2024, 3, 12),
        "E8": "13512345678",
        "G8": datetime(2024, 3, 14),
    }
    for coordinate, value in cleaned.items():
        assert sheet[coordinate].value == value, coordinate
    assert sheet["E4"].data_type == "s"
    assert sheet["G3"].number_format == "yyyy-mm-dd"
    # Every other cell exactly as it was: title, header, formulas, totals row, blank row.
    for row in range(1, 11):
        for column in "ABCDEFGHIJ":
            coordinate = f"{column}{row}"
            if coordinate not in cleaned:
                assert sheet[coordinate].value == was[coordinate].value, coordinate
    assert sheet["A6"].value == '="CRM2024030100"&ROW()'
    assert sheet["E7"].value == '="13612345678"'
    assert sheet["H4"].value == "=1000*12" and sheet["H9"].value == "=SUM(H3:H8)"
    assert sheet["B9"].value == "合计" and all(sheet.cell(5, c).value is None for c in range(1, 11))
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:I1"]
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 16
    assert sheet["H3"].number_format == "#,##0.00" and sheet["H3"].value == 120000
    assert sheet.column_dimensions["B"].width == 32 and sheet.column_dimensions["E"].width == 18
    assert sheet.freeze_panes == "A3"
    (choice,) = sheet.data_validations.dataValidation
    assert choice.formula1 == '"软件,零售,物流,金融,教育"' and str(choice.sqref) == "C3:C200"
    assert sheet["B3"].comment is not None and sheet["B3"].comment.text == "重点客户"
    notes = book["填写说明"]
    assert (
        notes["A1"].value == "带*为必填；电话填手机号" and notes.column_dimensions["A"].width == 40
    )


def test_a_workbook_without_customer_ids_gets_them_after_its_last_column(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["表1:CRM客户基础信息表"])
    sheet.append([])
    sheet.append(HEADERS[1:8])  # no 客户编号, no 备注: the header on row 3, columns A–G
    sheet.append(["北京星辰科技有限公司", "软件", "张伟", "13812345678 / 13912345678", "官网注册",
                  "2024-03-10", 100])  # fmt: skip
    sheet.append([])
    sheet.append(["上海云帆网络有限公司", "零售", "李娜", "13712345678", "行业展会", "2024-03-11"])
    source = tmp_path / "in.xlsx"
    book.save(source)
    out = tmp_path / "out.xlsx"
    result = run("clean", source, "-o", out, "--as-of", "2024-12-01")
    assert result.exit_code == 0, explain(result)
    assert "no 客户编号 column; added it after the last column" in result.stderr
    sheet = load_workbook(out)["客户"]
    assert [c.value for c in sheet[3]] == [*HEADERS[1:8], "客户编号", "其他电话"]
    assert sheet["A1"].value == "表1:CRM客户基础信息表"
    assert [sheet["H4"].value, sheet["I4"].value] == ["CRM20241201001", "13912345678"]
    assert [sheet["H6"].value, sheet["I6"].value] == ["CRM20241201002", None]
    assert sheet["D4"].value == "13812345678"
    assert all(sheet.cell(5, c).value is None for c in range(1, 10))
    assert sheet["F4"].value == datetime(2024, 3, 10) and sheet["G4"].value == 100


def test_each_sheet_of_a_workbook_is_patched_on_its_own_rows(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    first.title = "张三"
    first.append(HEADERS[:7])
    first.append(["CRM1", "甲公司", "软件", "甲", "138 1234 5678", "官网注册", "2024-03-10"])
    second = book.create_sheet("李四")
    second.append(["李四的客户"])
    second.append(["联系电话", "客户名称", "客户编号", "所属行业", "联系人姓名", "客户来源",
                   "创建时间", "微信"])  # fmt: skip
    second.append([])
    second.append(["13912345678", " 乙公司", "CRM2", "零售", "乙", "行业展会", "2024/3/11", "wx"])
    source = tmp_path / "sales.xlsx"
    book.save(source)
    out = tmp_path / "sales-clean.xlsx"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    book = load_workbook(out)
    assert book["张三"]["E2"].value == "13812345678"
    assert book["张三"]["G2"].value == datetime(2024, 3, 10)
    assert book["张三"].max_column == 7
    second = book["李四"]
    assert [c.value for c in second[4]] == ["13912345678", "乙公司", "CRM2", "零售", "乙",
                                            "行业展会", datetime(2024, 3, 11), "wx"]  # fmt: skip
    assert second["A1"].value == "李四的客户" and second.max_row == 4


def test_in_place_patches_the_input_and_keeps_a_backup(tmp_path: Path) -> None:
    source = workbook(tmp_path)
    original = source.read_bytes()
    result = run("clean", source, "-o", source, "--in-place")
    assert result.exit_code == 0, explain(result)
    assert source.with_name(source.name + ".bak").read_bytes() == original
    sheet = load_workbook(source)["客户信息"]
    assert sheet["E3"].value == "13812345678" and sheet["A1"].value == "2024年客户信息表"
    assert sheet["A6"].value == '="CRM2024030100"&ROW()'
    # openpyxl saves formulas without the values Excel saved: the copy gets them back, so E7
    # still reads 13612345678 on a second run (the formulas that had none are named).
    again = run("clean", source, "-o", source, "--in-place")
    assert again.exit_code == 0, explain(again)
    assert "3 formula cells have no saved value (H4, A6, H9)" in again.stderr
    assert not source.with_name(source.name + ".bak.2").exists()  # nothing left to change


def test_without_in_place_the_input_is_refused(tmp_path: Path) -> None:
    source = workbook(tmp_path)
    before = digest(source)
    result = run("clean", source, "-o", source)
    assert result.exit_code == 2, explain(result)
    assert "is an input file; refusing to overwrite it" in result.stderr
    assert digest(source) == before


def test_a_workbook_into_csv_or_another_kind_is_written_whole(tmp_path: Path) -> None:
    source = workbook(tmp_path)
    out = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",".join([*HEADERS[:5], "其他电话", *HEADERS[5:]])
    assert lines[1].startswith("CRM20240301001,北京星辰科技有限公司,软件,张伟,13812345678,,")
    assert "every other cell" not in result.stderr
    xlsm = tmp_path / "cleaned.xlsm"
    result = run("clean", source, "-o", xlsm)
    assert result.exit_code == 0, explain(result)
    assert load_workbook(xlsm).active["A1"].value == "客户编号"  # a new table, header first


def test_a_gb18030_csv_says_it_is_written_as_utf8(tmp_path: Path) -> None:
    source = tmp_path / "客户.csv"
    rows = [HEADERS[:7], ["CRM1", "甲公司", "软件", "甲", "138 1234 5678", "官网注册", "2024/3/10"]]
    source.write_bytes("\r\n".join(",".join(r) for r in rows).encode("gb18030"))
    out = tmp_path / "out.csv"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert "客户.csv was read as GB18030; " in result.stderr
    assert f"{out} is written as UTF-8 with a BOM" in result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert out.read_text(encoding="utf-8-sig").splitlines()[1] == (
        "CRM1,甲公司,软件,甲,13812345678,官网注册,2024-03-10"
    )
    utf8 = tmp_path / "utf8.csv"
    shutil.copy(out, utf8)
    quiet = run("clean", utf8, "-o", tmp_path / "again.csv")
    assert quiet.exit_code == 0, explain(quiet)
    assert "written as UTF-8" not in quiet.stderr


def test_tags_apply_patches_only_the_tag_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "客户信息"
    sheet["A1"] = "2024年客户信息表"
    sheet.merge_cells("A1:D1")
    sheet.append(["客户编号", "客户名称", "客户标签", "预计成交金额"])
    sheet.append(["CRM1", "甲公司", "预算低，高意向", 1000])
    sheet.append(["CRM2", "乙公司", "行业-互联网", "=1000*2"])
    sheet.append(["合计", None, None, "=SUM(D3:D4)"])
    sheet.column_dimensions["C"].width = 40
    book.create_sheet("说明")["A1"] = "标签用逗号分隔"
    source = tmp_path / "tags.xlsx"
    book.save(source)
    out = tmp_path / "tagged.xlsx"
    result = run("tags", "apply", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    book = load_workbook(out)
    sheet = book["客户信息"]
    assert sheet["C3"].value == "预算规模-10万以下,意向等级-高意向"
    assert [[c.value for c in row] for row in sheet.iter_rows(max_col=4)] == [
        ["2024年客户信息表", None, None, None],
        ["客户编号", "客户名称", "客户标签", "预计成交金额"],
        ["CRM1", "甲公司", "预算规模-10万以下,意向等级-高意向", 1000],
        ["CRM2", "乙公司", "行业-互联网", "=1000*2"],
        ["合计", None, None, "=SUM(D3:D4)"],
    ]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:D1"]
    assert sheet.column_dimensions["C"].width == 40 and book["说明"]["A1"].value == "标签用逗号分隔"


def test_a_cell_merged_down_over_rows_is_cleaned_once_in_its_first_cell(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS[:7])
    for i in range(3):
        sheet.append([f"CRM{i}", f"公司{i}", "软件", "张伟", None, "官网注册", "2024-03-10"])
    sheet["E2"] = "138 1234 5678"  # one phone for the three rows of one company
    sheet.merge_cells("E2:E4")
    source = tmp_path / "merged.xlsx"
    book.save(source)
    out = tmp_path / "out.xlsx"
    result = run("clean", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert "2 cells under a merged cell left as they were" in result.stderr
    sheet = load_workbook(out).active
    assert sheet["E2"].value == "13812345678"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["E2:E4"]
    assert [sheet[f"G{r}"].value for r in (2, 3, 4)] == [datetime(2024, 3, 10)] * 3
