"""Real workbooks that the reader used to misread (issue 18): encodings, separators, wrapped
titles, error values, merged cells, two-row headers, one sheet per salesperson."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from crmkit.errors import InputError
from crmkit.io import read_table
from crmkit.spec.fields import builtin_spec

from .conftest import CUSTOMER_HEADERS, customer_row, explain, run, write_csv, write_xlsx

CUSTOMERS = builtin_spec("customers")


def _issues(result_stdout: str) -> list[dict[str, object]]:
    issues: list[dict[str, object]] = json.loads(result_stdout)["issues"]
    return issues


# ---------------------------------------------------------------- Big5 (item 3)

BIG5_HEADERS = [
    "客戶編號",
    "客戶名稱",
    "所屬行業",
    "聯繫人姓名",
    "聯繫電話",
    "客戶來源",
    "創建時間",
]
BIG5_ROW = ["CRM20240310001", "臺北星辰資訊有限公司", "其他", "陳大文", "13812345678", "其他",
            "2024-03-10"]  # fmt: skip


def test_big5_csv_with_traditional_headers_is_read_as_big5(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", BIG5_HEADERS, [BIG5_ROW], encoding="cp950")
    table = read_table(path, specs=[CUSTOMERS])
    assert table.encoding == "cp950"
    assert table.headers[1] == "客戶名稱"
    assert table.column("name").tolist() == ["臺北星辰資訊有限公司"]
    result = run("validate", path)
    assert result.exit_code == 0, explain(result)


def test_big5_csv_with_english_headers_is_cleaned_without_mojibake(tmp_path: Path) -> None:
    headers = ["Customer ID", "Customer Name", "Industry", "Contact Name", "Phone", "Source",
               "Created At"]  # fmt: skip
    path = write_csv(tmp_path / "c.csv", headers, [BIG5_ROW], encoding="cp950")
    out = tmp_path / "out.csv"
    result = run("clean", path, "-o", out)
    assert result.exit_code == 0, explain(result)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][1] == "臺北星辰資訊有限公司"
    assert rows[1][3] == "陳大文"


def test_gbk_csv_stays_gb18030(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [customer_row()], encoding="gb18030")
    assert read_table(path, specs=[CUSTOMERS]).encoding == "gb18030"


def test_header_not_found_in_guessed_encoding_suggests_big5(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("甲,乙\n丙,丁\n".encode("gb18030"))
    result = run("validate", path)
    assert result.exit_code == 2, explain(result)
    assert result.stderr.strip().endswith(
        "; read as gb18030 (tried UTF-8, GB18030, Big5): if the file is in another encoding, "
        "pass it, e.g. --encoding big5"
    )


# ---------------------------------------------------------------- separators (item 4)


def test_narrow_csv_with_pipe_and_semicolon_tags_keeps_the_comma(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "客户编号,客户名称,客户标签\n"
        "CRM001,北京星辰科技有限公司,意向等级-高意向|预算规模-10万以下|决策链角色-决策者|行业-互联网\n"
        "CRM002,上海云帆软件有限公司,意向等级-高意向;行业-互联网;预算规模-10万以下\n",
        encoding="utf-8",
    )
    table = read_table(path, specs=[CUSTOMERS])
    assert table.delimiter == ","
    assert table.fields == {"customer_id": 0, "name": 1, "tags": 2}
    result = run("tags", "check", path, "--format", "json")
    assert result.exit_code in (0, 1), explain(result)
    assert json.loads(result.stdout)["rows"] == 2


def test_semicolon_csv_with_commas_in_cells_is_split_on_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "客户编号;客户名称;客户需求\nCRM001;北京星辰科技有限公司;CRM, ERP, OA\n", encoding="utf-8"
    )
    table = read_table(path, specs=[CUSTOMERS])
    assert table.delimiter == ";"
    assert table.column("needs").tolist() == ["CRM, ERP, OA"]


def test_merged_csv_written_by_dedupe_reads_back(tmp_path: Path) -> None:
    # Narrow, with nine duplicates: merged_from holds more ids (joined by ;) than there are columns.
    headers = ["客户编号", "客户名称", "联系电话"]
    rows = [[f"CRM2024031000{i}", "北京星辰科技有限公司", "13812345678"] for i in range(1, 10)]
    source = write_csv(tmp_path / "c.csv", headers, rows)
    merged = tmp_path / "merged.csv"
    result = run("dedupe", source, "-o", merged)
    assert result.exit_code == 0, explain(result)
    table = read_table(merged, specs=[CUSTOMERS])
    assert table.delimiter == ","
    assert "merged_from" in table.headers
    assert table.rows == 1
    assert table.data.iloc[0, table.headers.index("merged_from")].count(";") == 8
    result = run("dedupe", merged, "--check")
    assert result.exit_code == 0, explain(result)


def test_delimiter_option_forces_the_separator(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("客户编号;客户名称;客户需求\nCRM001;北京星辰;CRM, ERP\n", encoding="utf-8")
    assert read_table(path, specs=[CUSTOMERS], delimiter=";").column("needs").tolist() == [
        "CRM, ERP"
    ]
    with pytest.raises(InputError, match="no header row found"):
        read_table(path, specs=[CUSTOMERS], delimiter="tab")
    result = run("validate", path, "--delimiter", ",")
    assert result.exit_code == 2, explain(result)
    assert "no header row found" in result.stderr
    for command in ("validate", "clean", "dedupe", "export", "due"):
        result = run(command, "--help")
        assert "--delimiter" in result.stdout, command
    for command in (("tags", "check"), ("tags", "apply"), ("tags", "stats"), ("report", "all")):
        result = run(*command, "--help")
        assert "--delimiter" in result.stdout, command
    result = run("validate", path, "--delimiter", "ab")
    assert result.exit_code == 2, explain(result)
    assert "Error: --delimiter 'ab' is not one character (use , ; | or tab)" in result.stderr


# ---------------------------------------------------------------- wrapped title (item 6)


def test_csv_title_cell_with_a_line_break_does_not_shift_the_header(tmp_path: Path) -> None:
    rows = [customer_row(), customer_row(客户编号="CRM20240310002", 联系电话="12")]
    for terminator in ("\n", "\r\n"):
        path = tmp_path / f"wrapped{len(terminator)}.csv"
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle, lineterminator=terminator)
            writer.writerow(["表1:CRM客户\n基础信息表"] + [""] * (len(CUSTOMER_HEADERS) - 1))
            writer.writerow(CUSTOMER_HEADERS)
            writer.writerows(rows)
        table = read_table(path, specs=[CUSTOMERS])
        assert table.header_row == 2
        assert list(table.data.index) == [3, 4]
        result = run("validate", path, "--format", "json")
        assert result.exit_code == 1, explain(result)
        assert [(i["row"], i["column"]) for i in _issues(result.stdout)] == [(4, "联系电话")]


# ---------------------------------------------------------------- Excel error values (item 2)

ERRORS = ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"]


def _error_workbook(path: Path) -> Path:
    """Row 2: #N/A in 客户名称 (required); rows 3–8: the other errors in 联系邮箱 (optional)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "客户信息"
    sheet.append(CUSTOMER_HEADERS)
    for number, error in enumerate(ERRORS):
        sheet.append(customer_row(客户编号=f"CRM2024031000{number}"))
        column = "客户名称" if number == 0 else "联系邮箱"
        cell = sheet.cell(row=number + 2, column=CUSTOMER_HEADERS.index(column) + 1, value=error)
        cell.data_type = "e"
    workbook.save(path)
    return path


def test_error_values_in_xlsx_are_named_never_blank(tmp_path: Path) -> None:
    path = _error_workbook(tmp_path / "c.xlsx")
    table = read_table(path, specs=[CUSTOMERS])
    assert table.column("name")[2] == "#N/A"
    assert table.column("email").loc[3:].tolist() == ERRORS[1:]
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1, explain(result)
    found = [
        (i["row"], i["column"], i["rule"], i["message"])
        for i in _issues(result.stdout)
        if i["severity"] == "error"
    ]
    assert found == [
        (2, "客户名称", "formula_error", "客户名称 shows the Excel error #N/A; fix its formula or type the value"),
    ] + [
        (row, "联系邮箱", "formula_error", f"联系邮箱 shows the Excel error {error}; fix its formula or type the value")
        for row, error in enumerate(ERRORS[1:], 3)
    ]  # fmt: skip


def test_error_value_cached_by_a_formula_is_read(tmp_path: Path) -> None:
    """What Excel saves for =VLOOKUP(…) that fails: a formula with a cached error value."""
    import zipfile

    plain = write_xlsx(
        tmp_path / "plain.xlsx", CUSTOMER_HEADERS, [customer_row(联系邮箱="PLACEHOLDER")]
    )
    path = tmp_path / "c.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index("<c", text.index("PLACEHOLDER") - 200)
                start = text.rindex("<c ", 0, text.index("PLACEHOLDER"))
                end = text.index("</c>", start) + 4
                ref = text[start:end].split('r="')[1].split('"')[0]
                cell = f'<c r="{ref}" t="e"><f>VLOOKUP(A2,Sheet2!A:B,2,0)</f><v>#N/A</v></c>'
                data = (text[:start] + cell + text[end:]).encode()
            target.writestr(item, data)
    assert read_table(path, specs=[CUSTOMERS]).column("email").tolist() == ["#N/A"]


def test_clean_keeps_rows_with_error_values_as_they_were(tmp_path: Path) -> None:
    path = _error_workbook(tmp_path / "c.xlsx")
    out = tmp_path / "out.xlsx"
    result = run("clean", path, "-o", out)
    assert result.exit_code == 1, explain(result)
    assert "7 rows could not be fixed and were kept as they were" in result.stderr
    back = read_table(out, specs=[CUSTOMERS])
    assert back.column("name")[2] == "#N/A"
    assert back.column("email").loc[3:].tolist() == ERRORS[1:]


def test_error_text_in_excel_csv_is_a_formula_error(tmp_path: Path) -> None:
    rows = [
        customer_row(联系邮箱="#N/A"),
        customer_row(客户编号="CRM20240310002", 联系电话="#REF!"),
    ]
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, rows, encoding="gb18030")
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1, explain(result)
    found = [(i["row"], i["column"], i["value"], i["rule"]) for i in _issues(result.stdout)]
    assert found == [
        (2, "联系邮箱", "#N/A", "formula_error"),
        (3, "联系电话", "#REF!", "formula_error"),
    ]
    out = tmp_path / "out.csv"
    run("clean", path, "-o", out)
    text = out.read_text(encoding="utf-8-sig")
    assert "#N/A" in text and "#REF!" in text


# ---------------------------------------------------------------- merged cells (item 7)


def _merged_workbook(path: Path) -> Path:
    """客户来源 merged down over rows 2–3; 联系邮箱 (invalid) merged over rows 2–3."""
    from openpyxl import load_workbook

    rows = [
        customer_row(联系邮箱="bad"),
        customer_row(客户编号="CRM20240310002", 客户来源=None, 联系邮箱=None),
    ]
    write_xlsx(path, CUSTOMER_HEADERS, rows)
    workbook = load_workbook(path)
    sheet = workbook.active
    for header in ("客户来源", "联系邮箱"):
        letter = chr(ord("A") + CUSTOMER_HEADERS.index(header))
        sheet.merge_cells(f"{letter}2:{letter}3")
    workbook.save(path)
    return path


def test_value_merged_down_belongs_to_every_row(tmp_path: Path) -> None:
    path = _merged_workbook(tmp_path / "c.xlsx")
    table = read_table(path, specs=[CUSTOMERS])
    assert table.column("source").tolist() == ["官网注册", "官网注册"]
    result = run("validate", path, "--format", "json")
    errors = [i for i in _issues(result.stdout) if i["severity"] == "error"]
    assert [(i["row"], i["column"]) for i in errors] == [
        (2, "联系邮箱"),
        (3, "联系邮箱"),
    ]


def test_annotate_marks_the_top_left_of_a_merged_cell(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = _merged_workbook(tmp_path / "c.xlsx")
    out = tmp_path / "annotated.xlsx"
    result = run("validate", path, "--annotate", out)
    assert result.exit_code == 1, explain(result)
    assert f"Annotated copy written to {out}" in result.stderr
    letter = chr(ord("A") + CUSTOMER_HEADERS.index("联系邮箱"))
    cell = load_workbook(out).active[f"{letter}2"]
    assert cell.comment.text.count("[error]") == 2


def test_annotate_on_xls_validates_and_says_no_copy(tmp_path: Path) -> None:
    import shutil

    # An old .xls (saved by LibreOffice from a workbook of two customers, one phone bad).
    path = tmp_path / "customers_old.xls"
    shutil.copy(Path(__file__).parent / "fixtures" / "customers_old.xls", path)
    out = tmp_path / "annotated.xlsx"
    result = run("validate", path, "--annotate", out)
    assert result.exit_code == 1, explain(result)
    assert "No annotated copy: " in result.stderr
    assert (
        f"{path}: an old .xls workbook cannot be copied with annotations; "
        "save it as .xlsx for an annotated copy"
    ) in result.stderr
    assert "联系电话: 12 is not a valid phone number" in result.stdout
    assert not out.exists()


# ---------------------------------------------------------------- two-row headers (item 8)


def test_group_title_over_two_columns_maps_them_right(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "c.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户编号", "客户名称", "联系方式", None, "其他信息", None])
    sheet.append([None, None, "联系人姓名", "联系电话", "微信号", "QQ"])
    sheet.append(["CRM001", "北京星辰科技有限公司", "张伟", "13812345678", "wx01", "10001"])
    for cells in ("A1:A2", "B1:B2", "C1:D1", "E1:F1"):
        sheet.merge_cells(cells)
    workbook.save(path)
    table = read_table(path, specs=[CUSTOMERS])
    assert table.headers == ["客户编号", "客户名称", "联系人姓名", "联系电话", "微信号", "QQ"]
    assert table.fields == {"customer_id": 0, "name": 1, "contact": 2, "phone": 3}
    assert list(table.data.index) == [3]
    assert table.header_row == 2


def test_chinese_header_over_english_header_is_not_data(tmp_path: Path) -> None:
    english = ["Customer ID", "Customer Name", "Industry", "Contact Name", "Phone", "Email", "Source",
               "Intent", "Stage", "Expected Amount", "Owner", "Created At", "Notes"]  # fmt: skip
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, [english, customer_row()])
    table = read_table(path, specs=[CUSTOMERS])
    assert table.headers == CUSTOMER_HEADERS
    assert list(table.data.index) == [3]
    result = run("validate", path)
    assert result.exit_code == 0, explain(result)


def test_english_row_with_unknown_columns_is_still_a_header(tmp_path: Path) -> None:
    chinese = [*CUSTOMER_HEADERS, "微信号", "QQ号", "生日", "爱好", "籍贯", "学历", "车型", "车牌"]
    english = ["Customer ID", "Customer Name", "Industry", "Contact Name", "Phone", "Email", "Source",
               "Intent", "Stage", "Expected Amount", "Owner", "Created At", "Notes", "WeChat", "QQ",
               "Birthday", "Hobby", "Hometown", "Education", "Car", "Plate"]  # fmt: skip
    extra = ["wx", "10001", "1990-01-01", "钓鱼", "北京", "本科", "轿车", "京A12345"]
    path = write_csv(tmp_path / "c.csv", chinese, [english, [*customer_row(), *extra]])
    table = read_table(path, specs=[CUSTOMERS])
    assert table.headers == chinese
    assert list(table.data.index) == [3]


def test_data_row_holding_header_words_is_data(tmp_path: Path) -> None:
    # 电话 (a phone header alias) and 销售 (an owner alias) as values of the first data row.
    rows = [customer_row(备注="电话", 负责人="销售"), customer_row(客户编号="CRM20240310002")]
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, rows)
    table = read_table(path, specs=[CUSTOMERS])
    assert table.headers == CUSTOMER_HEADERS
    assert list(table.data.index) == [2, 3]


# ---------------------------------------------------------------- 序号 only (item 9)


def test_rows_holding_only_a_sequence_number_are_blank(tmp_path: Path) -> None:
    rows = [[1, *customer_row()]] + [[n] + [None] * len(CUSTOMER_HEADERS) for n in range(2, 50)]
    path = write_xlsx(tmp_path / "c.xlsx", ["序号", *CUSTOMER_HEADERS], rows)
    assert read_table(path, specs=[CUSTOMERS]).rows == 1
    result = run("validate", path)
    assert result.exit_code == 0, explain(result)
    assert "1 rows checked as customers" in result.stderr


# ---------------------------------------------------------------- blank headers (item 13)


def test_blank_headers_are_written_back_as_their_column_letter(tmp_path: Path) -> None:
    headers = [*CUSTOMER_HEADERS, "", ""]
    path = write_xlsx(tmp_path / "c.xlsx", headers, [[*customer_row(), "x", "y"]])
    out = tmp_path / "out.csv"
    result = run("clean", path, "-o", out)
    assert result.exit_code == 0, explain(result)
    written = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert written[-2:] == ["列N", "列O"]
    again = tmp_path / "again.csv"
    result = run("clean", out, "-o", again)
    assert result.exit_code == 0, explain(result)
    assert again.read_text(encoding="utf-8-sig").splitlines()[0].split(",")[-2:] == ["列N", "列O"]


# ---------------------------------------------------------------- one sheet per salesperson (item 5)


def _per_salesperson(path: Path) -> Path:
    """填写说明 first; 张三 (rows 2–3, row 3's phone bad); 李四 (row 2: a bad e-mail, the same
    company as 张三's row 2, with its columns in another order); a follow-up sheet last."""
    from openpyxl import Workbook

    from .conftest import FOLLOWUP_HEADERS

    workbook = Workbook()
    notes = workbook.active
    notes.title = "填写说明"
    notes.append(["填写说明：每位销售一张表，客户编号以 CRM 开头"])
    notes.append(["联系电话请填 11 位手机号"])
    zhang = workbook.create_sheet("张三")
    zhang.append(["表1:张三的客户"])
    zhang.append(CUSTOMER_HEADERS)
    zhang.append(customer_row())
    zhang.append(
        customer_row(客户编号="CRM20240310002", 客户名称="上海云帆软件有限公司", 联系电话="12")
    )
    li = workbook.create_sheet("李四")
    order = list(reversed(CUSTOMER_HEADERS))
    li.append(order)
    row = dict(
        zip(CUSTOMER_HEADERS, customer_row(客户编号="CRM20240310003", 联系邮箱="bad"), strict=True)
    )
    li.append([row[h] for h in order])
    history = workbook.create_sheet("跟进记录")
    history.append(FOLLOWUP_HEADERS)
    history.append(
        [
            "CRM20240310001",
            "2024-03-10 10:00",
            "张三",
            "电话",
            "介绍产品方案",
            "发报价",
            "有兴趣",
            "意向客户",
        ]
    )
    workbook.save(path)
    return path


NOT_READ = (
    "sheets not read as customers: 填写说明 (no header row found in the first 30 rows); "
    "跟进记录 (its headers are those of followups, not customers)"
)


def test_every_sheet_of_the_same_kind_is_read_with_its_rows(tmp_path: Path) -> None:
    path = _per_salesperson(tmp_path / "c.xlsx")
    table = read_table(path, specs=[CUSTOMERS])
    assert [part.sheet for part in table.parts] == ["张三", "李四"]
    assert [table.place(i) for i in table.data.index] == [("张三", 3), ("张三", 4), ("李四", 2)]
    assert table.column("email").tolist() == ["zhangwei@example.com", "zhangwei@example.com", "bad"]
    assert table.notes == [f"{path}: {NOT_READ}"]
    assert read_table(path, specs=[CUSTOMERS], sheet="李四").rows == 1


def test_validate_names_each_rows_sheet(tmp_path: Path) -> None:
    path = _per_salesperson(tmp_path / "c.xlsx")
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1, explain(result)
    errors = [i for i in _issues(result.stdout) if i["severity"] == "error"]
    assert [(i["sheet"], i["row"], i["column"]) for i in errors] == [
        ("张三", 4, "联系电话"),
        ("李四", 2, "联系邮箱"),
    ]
    assert [(t["sheet"], t["rows"]) for t in json.loads(result.stdout)["tables"]] == [
        ("张三", 2),
        ("李四", 1),
    ]
    assert result.stderr.strip() == (
        f"{path}: sheets not read as customers: 填写说明 (no header row found in the first 30 "
        "rows); 跟进记录 (its headers are those of followups, not customers)"
    )
    table_view = run("validate", path)
    assert "sheet  row  column" in table_view.stdout
    assert "李四   2    联系邮箱" in table_view.stdout
    one = run("validate", path, "--sheet", "张三", "--format", "json")
    assert {i["sheet"] for i in _issues(one.stdout)} == {"张三"}
    assert one.stderr == ""


def test_duplicate_ids_across_sheets_name_the_other_sheet(tmp_path: Path) -> None:
    path = _per_salesperson(tmp_path / "c.xlsx")
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    li = workbook["李四"]
    li.cell(row=2, column=len(CUSTOMER_HEADERS), value="CRM20240310001")  # 客户编号, last here
    workbook.save(path)
    result = run("validate", path, "--format", "json")
    duplicates = [i for i in _issues(result.stdout) if i["rule"] == "unique"]
    assert [(i["sheet"], i["row"], i["message"]) for i in duplicates] == [
        ("张三", 3, "duplicate 客户编号 CRM20240310001 (also in sheet 李四 row 2)"),
        ("李四", 2, "duplicate 客户编号 CRM20240310001 (also in sheet 张三 row 3)"),
    ]


def test_annotate_marks_each_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = _per_salesperson(tmp_path / "c.xlsx")
    out = tmp_path / "annotated.xlsx"
    run("validate", path, "--annotate", out)
    workbook = load_workbook(out)
    phone = chr(ord("A") + CUSTOMER_HEADERS.index("联系电话"))
    email = chr(ord("A") + len(CUSTOMER_HEADERS) - 1 - CUSTOMER_HEADERS.index("联系邮箱"))
    assert "12 is not a valid phone number" in workbook["张三"][f"{phone}4"].comment.text
    assert "bad is not a valid e-mail address" in workbook["李四"][f"{email}2"].comment.text


def test_clean_writes_a_sheet_per_sheet_read(tmp_path: Path) -> None:
    path = _per_salesperson(tmp_path / "c.xlsx")
    out = tmp_path / "out.xlsx"
    result = run("clean", path, "-o", out)
    assert result.exit_code == 1, explain(result)
    assert "sheet  row  column    value  message" in result.stderr
    assert "李四   2    联系邮箱  bad" in result.stderr
    for sheet, rows, headers in (
        ("张三", 2, CUSTOMER_HEADERS),
        ("李四", 1, list(reversed(CUSTOMER_HEADERS))),
    ):
        back = read_table(out, specs=[CUSTOMERS], sheet=sheet)
        assert back.rows == rows
        assert back.headers == headers


def test_dedupe_finds_duplicates_across_sheets(tmp_path: Path) -> None:
    path = _per_salesperson(tmp_path / "c.xlsx")
    mapping = tmp_path / "map.csv"
    result = run("dedupe", path, "-o", tmp_path / "merged.xlsx", "--map", mapping)
    assert result.exit_code == 0, explain(result)
    rows = list(csv.DictReader(mapping.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["file"], r["sheet"], r["row"], r["survivor_id"]) for r in rows] == [
        (str(path), "张三", "3", "CRM20240310001"),
        (str(path), "张三", "4", "CRM20240310002"),
        (str(path), "李四", "2", "CRM20240310001"),
    ]


def test_tags_name_each_rows_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = _per_salesperson(tmp_path / "c.xlsx")
    workbook = load_workbook(path)
    workbook["张三"].cell(row=2, column=len(CUSTOMER_HEADERS) + 1, value="客户标签")
    workbook["张三"].cell(row=4, column=len(CUSTOMER_HEADERS) + 1, value="高意向")
    workbook["李四"].cell(row=1, column=len(CUSTOMER_HEADERS) + 1, value="客户标签")
    workbook["李四"].cell(row=2, column=len(CUSTOMER_HEADERS) + 1, value="高意向")
    workbook.save(path)
    result = run("tags", "check", path, "--format", "json")
    finding = next(f for f in json.loads(result.stdout)["findings"] if f["tag"] == "高意向")
    assert (finding["sheets"], finding["rows"]) == (["张三", "李四"], [4, 2])
    out = tmp_path / "tagged.xlsx"
    changes = tmp_path / "changes.csv"
    result = run("tags", "apply", path, "-o", out, "--changes", changes)
    assert result.exit_code == 0, explain(result)
    assert read_table(out, specs=[CUSTOMERS], sheet="李四").column("tags").tolist() != ["高意向"]
    lines = changes.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("sheet,row,before,after")
    assert any(line.startswith("李四,2,高意向,") for line in lines)


def test_report_counts_every_sheet(tmp_path: Path) -> None:
    path = _per_salesperson(tmp_path / "c.xlsx")
    result = run("report", "all", "-c", path, "--as-of", "2024-03-20", "--format", "json")
    assert result.exit_code == 0, explain(result)
    assert json.loads(result.stdout)["headline"]["customers"]["value"] == 3
    assert NOT_READ in result.stderr


def test_clean_adds_its_columns_to_every_sheet_read(tmp_path: Path) -> None:
    """Columns clean adds (a missing 客户编号, 其他电话) land in each sheet, even when a sheet
    has its columns in another order."""
    from openpyxl import Workbook

    headers = CUSTOMER_HEADERS[1:]  # no 客户编号 column
    workbook = Workbook()
    zhang = workbook.active
    zhang.title = "张三"
    zhang.append(headers)
    zhang.append(customer_row(联系电话="13812345678/13987654321")[1:])
    li = workbook.create_sheet("李四")
    order = list(reversed(headers))
    li.append(order)
    row = dict(zip(headers, customer_row(客户名称="上海云帆软件有限公司")[1:], strict=True))
    li.append([row[h] for h in order])
    path = tmp_path / "c.xlsx"
    workbook.save(path)
    out = tmp_path / "out.xlsx"
    result = run("clean", path, "-o", out, "--as-of", "2024-09-02")
    assert result.exit_code == 0, explain(result)
    # A copy of the workbook: what clean adds goes after each sheet's last column, in the
    # sheets where it has a value (李四 has no second phone).
    expected = {"张三": [*headers, "客户编号", "其他电话"], "李四": [*order, "客户编号"]}
    for sheet, wanted in expected.items():
        back = read_table(out, specs=[CUSTOMERS], sheet=sheet)
        assert back.headers == wanted
        assert str(back.column("customer_id").iloc[0]).startswith("CRM20240902")
    zhang_back = read_table(out, specs=[CUSTOMERS], sheet="张三")
    assert zhang_back.column("phone").tolist() == ["13812345678"]
    assert zhang_back.data[zhang_back.headers.index("其他电话")].tolist() == ["13987654321"]


def test_a_workbook_of_customers_and_follow_ups_is_read_sheet_by_kind(tmp_path: Path) -> None:
    """客户信息 beside 跟进记录: the customer sheet shares 客户编号 and 负责人 (an alias of 跟进人)
    with the follow-up spec, yet is never read as follow-ups."""
    from .conftest import FOLLOWUP_HEADERS

    customers = [
        customer_row(客户编号=f"CRM2024031000{n}", 联系电话=f"1381234567{n}") for n in range(1, 4)
    ]
    history = [
        [f"CRM2024031000{n}", "2024-03-12 10:00", "李强", "电话", "介绍产品方案，客户关注报价",
         "发报价", "有兴趣", "意向客户"]
        for n in range(1, 4)
    ]  # fmt: skip
    book = write_xlsx(
        tmp_path / "台账.xlsx",
        CUSTOMER_HEADERS,
        customers,
        more_sheets={"跟进记录": [FOLLOWUP_HEADERS, *history]},
    )
    table = read_table(book, specs=[builtin_spec("followups")])
    assert (table.sheet, table.rows, table.parts) == ("跟进记录", 3, [])
    assert table.notes == [
        f"{book}: sheets not read as followups: 客户信息 (its headers are those of customers, "
        "not followups)"
    ]
    result = run("validate", book, "--followups", book, "--format", "json")
    assert result.exit_code == 0, explain(result)
    tables = json.loads(result.stdout)["tables"]
    assert [(t["kind"], t["sheet"], t["rows"]) for t in tables] == [
        ("customers", "客户信息", 3),
        ("followups", "跟进记录", 3),
    ]
    report = run("report", "funnel", "--customers", book, "--followups", book,
                 "--as-of", "2024-03-15", "--format", "json")  # fmt: skip
    assert report.exit_code == 0, explain(report)
    with pytest.raises(InputError, match=r"no sheet holds tasks: 客户信息 .*; 跟进记录 "):
        read_table(book, specs=[builtin_spec("tasks")])


@pytest.mark.parametrize(
    ("command", "options", "rewritten"),
    [
        (["clean"], ["--as-of", "2024-09-02"], ["张三", "李四"]),
        (["clean"], ["--sheet", "李四", "--as-of", "2024-09-02"], ["李四"]),
        (["tags", "apply"], [], ["张三", "李四"]),
    ],
)
def test_in_place_rewrites_only_the_sheets_it_read(
    tmp_path: Path, command: list[str], options: list[str], rewritten: list[str]
) -> None:
    from openpyxl import load_workbook

    path = _per_salesperson(tmp_path / "c.xlsx")
    before = load_workbook(path)
    counts = {name: read_table(path, specs=[CUSTOMERS], sheet=name).rows for name in rewritten}
    kept = {
        name: [[c.value for c in row] for row in before[name].iter_rows()]
        for name in before.sheetnames
        if name not in rewritten
    }
    result = run(*command, path, *options, "-o", path, "--in-place")
    assert result.exit_code in (0, 1), explain(result)  # 张三 and 李四 hold a bad phone, e-mail
    after = load_workbook(path)
    assert after.sheetnames == ["填写说明", "张三", "李四", "跟进记录"]
    for name, rows in kept.items():
        assert [[c.value for c in row] for row in after[name].iter_rows()] == rows, name
    for name in rewritten:  # (a sheet clean finds nothing to change in is left as it is)
        assert read_table(path, specs=[CUSTOMERS], sheet=name).rows == counts[name]


def test_dedupe_in_place_replaces_the_customer_sheets_and_keeps_the_others(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = _per_salesperson(tmp_path / "c.xlsx")
    history = [[c.value for c in row] for row in load_workbook(path)["跟进记录"].iter_rows()]
    result = run("dedupe", path, "-o", path, "--in-place")
    assert result.exit_code == 0, explain(result)
    after = load_workbook(path)
    assert after.sheetnames == ["填写说明", "客户信息", "跟进记录"]
    assert [[c.value for c in row] for row in after["跟进记录"].iter_rows()] == history
    merged = read_table(path, specs=[CUSTOMERS], sheet="客户信息")
    assert merged.rows == 2  # 张三's row 3 and 李四's row 2 are one customer


def test_a_totals_row_is_left_out_with_a_note(tmp_path: Path) -> None:
    rows = [customer_row(客户编号=f"CRM2024031000{n}", 联系电话=f"1381234567{n}") for n in (1, 2)]
    totals = [
        "合计",
        *([None] * 8),
        100000,
        None,
        None,
        None,
    ]  # 合计 under 客户编号, a sum of amounts
    path = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [*rows, totals])
    table = read_table(path, specs=[CUSTOMERS])
    assert table.rows == 2
    assert table.notes == [
        f"{path}, sheet 客户信息: row 4 is a totals row (合计), not data; left out"
    ]
    result = run("validate", path)
    assert result.exit_code == 0, explain(result)
    assert "row 4 is a totals row" in result.stderr
    company = write_xlsx(tmp_path / "d.xlsx", CUSTOMER_HEADERS, [customer_row(客户名称="合计")])
    assert read_table(company, specs=[CUSTOMERS]).rows == 1  # a name beside other text is data
