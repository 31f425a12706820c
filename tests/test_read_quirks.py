"""Real workbooks that the reader used to misread (issue 18): encodings, separators, wrapped
titles, error values, merged cells, two-row headers, one sheet per salesperson."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from crmkit.errors import InputError
from crmkit.io import read_table
from crmkit.spec import builtin_spec

from .conftest import CUSTOMER_HEADERS, customer_row, explain, run, write_csv

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
    # Narrow, with five duplicates: merged_from holds more ids (joined by ;) than there are columns.
    headers = ["客户编号", "客户名称", "联系电话"]
    rows = [[f"CRM2024031000{i}", "北京星辰科技有限公司", "13812345678"] for i in range(1, 6)]
    source = write_csv(tmp_path / "c.csv", headers, rows)
    merged = tmp_path / "merged.csv"
    result = run("dedupe", source, "-o", merged)
    assert result.exit_code == 0, explain(result)
    table = read_table(merged, specs=[CUSTOMERS])
    assert table.delimiter == ","
    assert "merged_from" in table.headers
    assert table.rows == 1
    assert table.data.iloc[0, table.headers.index("merged_from")].count(";") == 4
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
