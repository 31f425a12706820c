"""Shared helpers: real files in tmp_path and CLI runs through Typer's runner."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from crmkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

CUSTOMER_HEADERS = [
    "客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话", "联系邮箱", "客户来源",
    "意向等级", "销售阶段", "预计成交金额", "负责人", "创建时间", "备注",
]  # fmt: skip


FOLLOWUP_HEADERS = [
    "客户编号",
    "跟进时间",
    "跟进人",
    "沟通方式",
    "沟通内容",
    "下一步计划",
    "客户反馈",
    "跟进状态",
]


def customer_row(**overrides: Any) -> list[Any]:
    """A valid customer row in CUSTOMER_HEADERS order, with some cells replaced."""
    row = {
        "客户编号": "CRM20240310001", "客户名称": "北京星辰科技有限公司", "所属行业": "互联网",
        "联系人姓名": "张伟", "联系电话": "13812345678", "联系邮箱": "zhangwei@example.com",
        "客户来源": "官网注册", "意向等级": "意向客户", "销售阶段": "需求分析",
        "预计成交金额": 50000, "负责人": "李强", "创建时间": "2024-03-10 14:00", "备注": "",
    }  # fmt: skip
    row.update(overrides)
    return [row[h] for h in CUSTOMER_HEADERS]


def write_xlsx(
    path: Path,
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    title_rows: Sequence[Sequence[Any]] = (),
    sheet: str = "客户信息",
    more_sheets: dict[str, list[list[Any]]] | None = None,
) -> Path:
    """Write a workbook with openpyxl: optional title rows, then headers and rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in title_rows:
        ws.append(list(row))
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    for name, extra in (more_sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in extra:
            other.append(row)
    workbook.save(path)
    return path


def write_csv(
    path: Path,
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    title_rows: Sequence[Sequence[Any]] = (),
) -> Path:
    """Write a CSV file in an encoding, as Excel or WPS would."""
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for row in title_rows:
            writer.writerow(row)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def digest(path: Path) -> str:
    """SHA-256 of a file, to prove an input was not modified."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str, input: bytes | str | None = None) -> Result:
    """Run the crmkit CLI in-process."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def explain(result: Result) -> str:
    """What a failed exit-code assertion shows."""
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


@pytest.fixture
def customers_xlsx(tmp_path: Path) -> Path:
    """A small valid customer workbook."""
    rows = [
        customer_row(),
        customer_row(客户编号="CRM20240310002", 客户名称="上海云帆软件有限公司", 联系电话="010-62345678",
                     创建时间=datetime(2024, 3, 11, 9, 30)),
    ]  # fmt: skip
    return write_xlsx(tmp_path / "customers.xlsx", CUSTOMER_HEADERS, rows)
