"""dedupe's lighter merge (issue 17, memory): notes joined in Arrow, the map made when asked
for, the pool's match keys let go before merging, records sharing the normalized text."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from crmkit.dedupe import build_pool
from crmkit.dedupe.merge import _dates_differ, _dates_text, _firsts, _text, _texts
from crmkit.dedupe.run import dedupe_tables
from crmkit.io import read_table
from crmkit.spec.fields import load_specs

from .conftest import explain, run, write_csv

HEADERS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "客户来源", "创建时间",
           "merged_from", "merge_conflicts"]  # fmt: skip
SPECS = load_specs(())


def row(**cells: Any) -> list[Any]:
    return [cells.get(h) for h in HEADERS]


def _rerun_pool(tmp_path: Path) -> Path:
    """A file an earlier merge wrote (merged_from, merge_conflicts filled), with a new copy of
    its first customer."""
    return write_csv(
        tmp_path / "pool.csv",
        HEADERS,
        [
            row(客户编号="CRM20240101001", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2024-01-01",
                merged_from="CRM20230101001 (old.csv:2)",
                merge_conflicts="客户来源: 官网注册 (old.csv:3)"),
            row(客户编号="CRM20240201005", 客户名称="星辰科技", 联系人姓名="张伟",
                联系电话="13600000001", 客户来源="客户转介绍", 创建时间="2024-02-01"),
            row(客户编号="CRM20240102002", 客户名称="云帆软件有限公司", 联系人姓名="周杰",
                联系电话="13500000003", 创建时间="2024-01-02",
                merged_from="CRM20220101009 (old.csv:9)"),
        ],
    )  # fmt: skip


def test_a_rerun_keeps_the_earlier_notes_first_and_an_unmerged_rows_own(tmp_path: Path) -> None:
    path = _rerun_pool(tmp_path)
    merged_csv = tmp_path / "merged.csv"
    result = run("dedupe", str(path), "-o", str(merged_csv), "--as-of", "2024-09-02")
    assert result.exit_code == 0, explain(result)

    out = read_table(merged_csv).to_frame()
    assert len(out) == 2
    first, second = out.iloc[0], out.iloc[1]
    assert first["客户编号"] == "CRM20240101001"  # the oldest
    assert first["merged_from"] == (
        f"CRM20230101001 (old.csv:2); CRM20240101001 ({path}:2); CRM20240201005 ({path}:3)"
    )
    # the earlier merge's note, then the values the merged row does not keep, column by column:
    # the most recent row (created 2024-02-01) gives 星辰科技, 创建时间 is the earliest
    assert first["merge_conflicts"] == (
        f"客户来源: 官网注册 (old.csv:3); 客户名称: 星辰科技有限公司 ({path}:2); "
        f"创建时间: 2024-02-01 ({path}:3)"
    )
    assert second["merged_from"] == "CRM20220101009 (old.csv:9)"  # not merged: kept as written
    assert second["merge_conflicts"] == ""  # none, read back as an empty cell


def test_the_map_is_made_when_first_asked_for_one_text_per_file(tmp_path: Path) -> None:
    path = _rerun_pool(tmp_path)
    result = dedupe_tables([read_table(path, specs=[SPECS["customers"]])], today=date(2024, 9, 2))
    assert result.merged is not None
    assert "map" not in result.merged.__dict__
    mapped = result.merged.map
    assert mapped is result.merged.map  # made once
    assert mapped["file"].tolist() == [str(path)] * 3
    assert len(mapped["file"].cat.categories) == 1
    assert mapped["sheet"].tolist() == ["", "", ""]
    assert mapped["survivor_id"].tolist() == ["CRM20240101001"] * 2 + ["CRM20240102002"]
    assert mapped["matched_with"].tolist() == [f"{path}:3", f"{path}:2", ""]
    assert mapped["cluster_id"].tolist() == ["D000001", "D000001", ""]


def test_a_merged_run_lets_go_of_the_match_keys_a_pairs_run_keeps_them(tmp_path: Path) -> None:
    path = _rerun_pool(tmp_path)
    tables = [read_table(path, specs=[SPECS["customers"]])]
    kept = dedupe_tables(tables, merge=False).found.pool.records
    assert {"key", "place", "whole", "contact", "phone"} <= set(kept.columns)

    merged = dedupe_tables(tables, today=date(2024, 9, 2))
    records = merged.found.pool.records
    assert not {"key", "place", "words", "whole", "person", "contact", "phone", "email"} & set(
        records.columns
    )
    assert records["name"].tolist() == ["星辰科技有限公司", "星辰科技", "云帆软件有限公司"]
    assert [e.rows for e in merged.examples(5)] == [2]


def test_pool_records_share_the_normalized_text(tmp_path: Path) -> None:
    path = _rerun_pool(tmp_path)
    pool = build_pool([read_table(path, specs=[SPECS["customers"]])])
    normalized = pool.tables[0].columns["name"].values
    records = pool.records["name"]
    assert records.dtype == normalized.dtype
    assert records.tolist() == normalized.tolist()
    ours = records.array.__arrow_array__().chunk(0).buffers()[2]
    theirs = normalized.array.__arrow_array__().chunk(0).buffers()[2]
    assert ours.address == theirs.address  # the same bytes, not a copy


@pytest.mark.parametrize("dtype", ["str", object, "float64"])
def test_firsts_is_a_groupby_first(dtype: Any) -> None:
    cells = {
        "str": ["a", None, "b", "c", None, "d", None],
        object: ["a", None, 1.5, "c", None, "d", None],
        "float64": [1.0, None, 2.0, 3.0, None, 4.0, None],
    }[dtype]
    values = pd.Series(cells, dtype=dtype)
    number = np.array([2, 0, 0, 2, 3, 1, 3])  # rows 1, 4, 6: no value in clusters 0 and 3
    recent = np.array([2, 1, 5, 3, 0, 6, 4])  # grouped by cluster, the most recent first
    expected = values.iloc[recent].groupby(number[recent], sort=True).first().reindex(range(5))
    got = _firsts(values, recent, number, 5)
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False)
    assert got.isna().tolist() == [False, False, False, True, True]  # 3: all missing; 4: none
    assert got.tolist()[:3] == [cells[2], cells[5], cells[3]]


TIMES = ["2024-03-10", "2024-03-10 00:00:30", "2024-03-10 14:00:05", "2024-03-10 14:01", None,
         "2024-03-10", "1965-05-01 13:00:59"]  # fmt: skip
KEPT = ["2024-03-10 00:00:00", "2024-03-10", "2024-03-10 14:00:59", "2024-03-10 14:00",
        "2024-03-10", None, "1965-05-01 13:00"]  # fmt: skip


def test_times_differ_as_their_texts_do() -> None:
    times = pd.Series(pd.to_datetime(TIMES, format="ISO8601"))
    kept = pd.Series(pd.to_datetime(KEPT, format="ISO8601"))
    by_text = (_dates_text(times) != "") & (_dates_text(times) != _dates_text(kept))
    assert _dates_differ(times, kept).tolist() == by_text.tolist()
    assert by_text.tolist() == [False, True, False, True, False, True, False]


def test_texts_of_amounts_are_texts_of_each() -> None:
    values = np.array([1.0, 2.5, None, float("nan"), -0.0, 1e16, float("inf"), 12.0], dtype=object)
    assert _texts(values).tolist() == [_text(v) for v in values]
    assert _texts(values).tolist() == ["1", "2.5", "", "", "0", "10000000000000000", "inf", "12"]
