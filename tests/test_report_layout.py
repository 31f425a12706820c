"""How the report workbook reads: numeric headers stand over their numbers."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from .conftest import explain, run

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_numeric_headers_are_right_aligned_over_their_numbers(tmp_path: Path) -> None:
    out = tmp_path / "weekly.xlsx"
    result = run("report", "all", "--customers", EXAMPLES / "customers.xlsx", "--followups",
                 EXAMPLES / "followups.xlsx", "--as-of", "2024-09-02", "-o", out)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    funnel = load_workbook(out)["销售漏斗"]
    aligned = {cell.value: cell.alignment.horizontal for cell in funnel[1] if cell.value}
    assert aligned == {"阶段": None, "当前数": "right", "累计到达": "right", "转化率": "right"}
    channel = load_workbook(out)["渠道分析"]
    aligned = {cell.value: cell.alignment.horizontal for cell in channel[1] if cell.value}
    assert aligned["客户来源"] is None
    assert {aligned[h] for h in ("客户数", "占比", "成交数", "转化率", "预计金额")} == {"right"}
