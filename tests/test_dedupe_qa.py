"""The new-user trial's findings on `crmkit dedupe`, on real files in tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .conftest import explain, run, write_csv

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
