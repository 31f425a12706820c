"""export, checked by hand: a date compared by its day, workbooks with date cells on named
sheets, HubSpot notes that cannot be linked to their contact counted."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from .conftest import CUSTOMER_HEADERS, EXAMPLES, customer_row, explain, run, write_xlsx


def test_equals_on_a_date_compares_the_day(tmp_path: Path) -> None:
    customers = write_xlsx(tmp_path / "customers.xlsx", CUSTOMER_HEADERS, [
        customer_row(客户编号="CRM20240805001", 创建时间="2024-08-05 09:30"),
        customer_row(客户编号="CRM20240805002", 创建时间="2024-08-05 18:00"),
        customer_row(客户编号="CRM20240806001", 创建时间="2024-08-06 00:00"),
    ])  # fmt: skip

    def ids(*where: str) -> list[str]:
        result = run("export", customers, "--to", "csv", "-o", "-",
                     *[a for w in where for a in ("--where", w)])  # fmt: skip
        assert result.exit_code == 0, explain(result)
        return [line.split(",")[0] for line in result.stdout.splitlines()[1:]]

    assert ids("创建时间=2024-08-05") == ["CRM20240805001", "CRM20240805002"]
    assert ids("created_at=2024-08-06,2024-08-05") == [
        "CRM20240805001", "CRM20240805002", "CRM20240806001"]  # fmt: skip
    assert ids("创建时间!=2024-08-05") == ["CRM20240806001"]
    assert ids("创建时间=2024-08-05 18:00") == ["CRM20240805002"]  # with a time: that minute
    # the same rows as the day's range
    assert ids("创建时间>=2024-08-05", "创建时间<=2024-08-05") == ids("创建时间=2024-08-05")


def test_xlsx_targets_write_date_cells_on_named_sheets(tmp_path: Path) -> None:
    out = tmp_path / "all.xlsx"
    result = run("export", EXAMPLES / "customers.xlsx", "--to", "xlsx", "-o", out)
    assert result.exit_code == 0, explain(result)
    book = load_workbook(out)
    assert book.sheetnames == ["客户信息"]  # the input's sheet, not "Excel workbook"
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    first = {h: c for h, c in zip(headers, sheet[2], strict=True)}
    assert first["创建时间"].value == datetime(2024, 9, 4, 12, 6)
    assert first["创建时间"].number_format == "yyyy-mm-dd hh:mm"
    assert first["下次跟进时间"].value == datetime(2024, 10, 6)
    assert first["下次跟进时间"].number_format == "yyyy-mm-dd"
    assert first["联系电话"].value == "17781425421"  # phones stay text
    fx = tmp_path / "fx.xlsx"
    result = run("export", EXAMPLES / "customers.xlsx", "--to", "fxiaoke", "-o", fx,
                 "--followups", EXAMPLES / "followups.xlsx")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert load_workbook(fx).sheetnames == ["客户"]
    notes = load_workbook(tmp_path / "fx-followups.xlsx")
    assert notes.sheetnames == ["跟进记录"]
    assert isinstance(notes.active["B2"].value, datetime)  # 跟进时间


def test_hubspot_notes_without_an_email_are_counted_and_warned(tmp_path: Path) -> None:
    out = tmp_path / "hubspot.csv"
    result = run("export", EXAMPLES / "customers.xlsx", "--to", "hubspot", "-o", out,
                 "--followups", EXAMPLES / "followups.xlsx")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    text = (tmp_path / "hubspot-followups.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    blank = sum(1 for r in rows if not r["Email"])
    assert len(rows) == 252
    assert blank == 154
    assert (
        "HubSpot — Notes: 154 of 252 rows have no Email (the target links each to its record by "
        "it); they would import unattached: give those customers one, or attach them by hand"
    ) in result.stderr
    assert "252 rows: 252 exported (154 without Email), 0 rejected" in result.stderr
