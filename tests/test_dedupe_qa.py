"""The new-user trial's findings on `crmkit dedupe`, on real files in tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .conftest import CUSTOMER_HEADERS, customer_row, explain, run, write_csv

HEADERS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "创建时间"]


def row(**cells: Any) -> list[Any]:
    """A customer row in HEADERS order; unnamed cells empty."""
    return [cells.get(h) for h in HEADERS]


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


# ------------------------------------------------- 1. a place cannot-link survives a second pass


def test_a_branch_kept_apart_by_place_stays_apart_on_every_later_pass(tmp_path: Path) -> None:
    switchboard = {"联系人姓名": "王强", "联系电话": "010-88886666"}
    source = write_csv(
        tmp_path / "台账.csv",
        HEADERS,
        [
            row(客户编号="CRM20200101001", 客户名称="中建八局有限公司", 创建时间="2020-01-01",
                **switchboard),
            row(客户编号="CRM20210101001", 客户名称="中建八局有限公司北京分公司",
                创建时间="2021-01-01", **switchboard),
            row(客户编号="CRM20220101001", 客户名称="中建八局有限公司上海分公司",
                创建时间="2022-01-01", **switchboard),
        ],
    )  # fmt: skip
    current = source
    for number in (1, 2, 3):
        merged = tmp_path / f"pass{number}.csv"
        result = run("dedupe", current, "-o", merged)
        assert result.exit_code == 0, explain(result)
        out = read(merged)
        assert len(out) == 2, out
        by_id = dict(zip(out["客户编号"], out["not_duplicate_of"], strict=True))
        assert by_id == {"CRM20200101001": "CRM20220101001", "CRM20220101001": "CRM20200101001"}
        current = merged
    check = run("dedupe", current, "--check")
    assert check.exit_code == 0, explain(check)
    assert "0 customers entered more than once" in check.stdout + check.stderr


# ------------------------------------------------- 2. every phone of a cell is evidence


def test_a_second_phone_of_a_cell_matches_and_the_merged_row_keeps_both(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "leads.csv",
        HEADERS,
        [
            row(客户编号="CRM2024240001", 客户名称="拉萨雪域贸易有限公司", 联系人姓名="次仁",
                联系电话="13812345678/0891-6331234", 创建时间="2024-01-01"),
            row(客户编号="CRM2024240002", 客户名称="拉萨雪域贸易有限公司",
                联系电话="0891-6331234", 创建时间="2024-02-01"),
            row(客户编号="CRM2024240003", 客户名称="西宁高原商贸有限公司", 联系人姓名="马一",
                联系电话="13700001111", 创建时间="2024-01-01"),
            row(客户编号="CRM2024240004", 客户名称="西宁高原商贸有限公司",
                联系电话="13900002222；13700001111", 创建时间="2024-02-01"),
            row(客户编号="CRM2024240005", 客户名称="银川塞上商贸有限公司", 联系人姓名="马二",
                联系电话="13800027002/0951-6001234", 创建时间="2024-01-01"),
        ],
    )  # fmt: skip
    merged = tmp_path / "merged.csv"
    result = run("dedupe", source, "-o", merged)
    assert result.exit_code == 0, explain(result)
    out = read(merged)
    assert out[["客户编号", "联系电话", "其他电话"]].values.tolist() == [
        ["CRM2024240001", "0891-6331234", "13812345678"],
        ["CRM2024240003", "13900002222", "13700001111"],
        ["CRM2024240005", "13800027002", "0951-6001234"],  # no duplicate: nothing lost either
    ]
    assert "联系电话" not in " ".join(out["merge_conflicts"])


def test_after_clean_the_other_phones_column_is_matched_and_kept(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "twophones.csv",
        CUSTOMER_HEADERS,
        [
            customer_row(客户编号="CRM2024230001", 客户名称="昆明滇池旅游有限公司", 联系人姓名="杨一",
                         联系电话="13812345678/0871-65001234", 联系邮箱="", 创建时间="2024-01-01"),
            customer_row(客户编号="CRM2024230002", 客户名称="昆明滇池旅游有限公司", 联系人姓名="杨一",
                         联系电话="0871-65001234", 联系邮箱="", 创建时间="2024-02-01"),
        ],
    )  # fmt: skip
    cleaned = tmp_path / "cleaned.csv"
    result = run("clean", source, "-o", cleaned, "-q")
    assert result.exit_code == 0, explain(result)
    assert read(cleaned)["其他电话"].tolist() == ["0871-65001234", ""]
    merged = tmp_path / "merged.csv"
    result = run("dedupe", cleaned, "-o", merged, "--report", tmp_path / "pairs.csv")
    assert result.exit_code == 0, explain(result)
    out = read(merged)
    assert out[["客户编号", "联系电话", "其他电话", "merge_conflicts"]].values.tolist() == [
        ["CRM2024230001", "0871-65001234", "13812345678", f"创建时间: 2024-02-01 ({cleaned}:3)"]
    ]
    pairs = read(tmp_path / "pairs.csv")
    assert pairs[["rule", "decision", "same_phone"]].values.tolist() == [["phone", "auto", "True"]]
