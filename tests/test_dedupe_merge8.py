"""dedupe's merge, faster (issue 17, session 8): conflict notes compared column-wise in Arrow
and as numbers, blank cells found from Arrow's buffers, the map made in Arrow; the same notes,
cells and map as the ways through Python objects they replace."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crmkit.dedupe.merge import (
    _PYTHON_SPACES,
    _dates_text,
    _masked_pii,
    _Notes,
)
from crmkit.dedupe.run import dedupe_tables
from crmkit.io import read_table
from crmkit.io.write import date_column
from crmkit.spec.fields import load_specs
from crmkit.text import arrow
from crmkit.text.pii import mask_pii

from .conftest import explain, run, write_csv

HEADERS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "预计成交金额", "创建时间", "更新时间",
           "备注"]  # fmt: skip
CARD = "4" + "１" * 15  # a card number (Luhn) whose digits but the first are full-width


def _every_character() -> list[str]:
    return [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]


def test_the_white_space_list_is_pythons() -> None:
    characters = _every_character()
    assert "".join(c for c in characters if c.isspace()) == _PYTHON_SPACES
    assert "".join(c for c in characters if not c.strip()) == _PYTHON_SPACES


def test_times_written_digit_by_digit_as_numpy_writes_them() -> None:
    rng = np.random.default_rng(17)
    day, minute = 86_400_000_000_000, 60_000_000_000
    nanos = np.concatenate(
        [
            rng.integers(-(2**62), 2**62, 2_000),
            rng.integers(-40_000, 40_000, 200) * day,  # midnights, before 1970 too
            rng.integers(-40_000, 40_000, 200) * day + minute,
            np.array([0, -1, day - 1, -day, 1]),
        ]
    )
    stamps = pd.Series(nanos.astype("datetime64[ns]"))
    written = date_column(stamps, seconds=False).to_pylist()
    assert written == _dates_text(pd.Series(nanos.astype("datetime64[ns]"))).tolist()
    assert written[-5:] == ["1970-01-01", "1969-12-31 23:59", "1970-01-01 23:59", "1969-12-31",
                            "1970-01-01 00:00"]  # fmt: skip


def test_pii_is_masked_in_the_texts_that_may_hold_it_only() -> None:
    texts = ["卡号 4111 1111 1111 1111", f"卡号{CARD}", "身份证11010519491231002X", "无",
             "1234567890123456", "电话 13800000000, 13900000000", "4111111111111111"]  # fmt: skip
    got = _masked_pii(pa.array(texts, type=pa.large_string())).to_pylist()
    assert got == [mask_pii(t) for t in texts]
    assert got[1] == "卡号" + "*" * 12 + "１１１１"  # Python's \d: any digit
    assert got[2] == "身份证" + "*" * 14 + "002X"
    assert got[6] == "*" * 12 + "1111"
    assert got[3:6] == texts[3:6]  # no ID, no card (the Luhn check fails): as written


def _pool(tmp_path: Path) -> Path:
    """Two rows of one customer (same name and phone): row 3 is the more recent."""
    return write_csv(
        tmp_path / "pool.csv",
        HEADERS,
        [
            ["CRM20240101001", "星辰科技有限公司", "张伟", "13600000001", "13000",
             "2024-01-01", "2024-01-05 10:30", f"卡号{CARD}"],
            ["CRM20240201002", "星辰科技有限公司", "张伟", "13600000001", "12000.5",
             "2024-02-01 09:15", "2024-02-03", "老客户"],
            ["CRM20240301003", "云帆软件有限公司", "周杰", "13500000003", "",
             "2024-03-01", "", "　"],
        ],
    )  # fmt: skip


def test_the_notes_of_numbers_times_and_texts_worked_out_by_hand(tmp_path: Path) -> None:
    path = _pool(tmp_path)
    merged_csv, map_csv = tmp_path / "merged.csv", tmp_path / "map.csv"
    result = run("dedupe", path, "-o", merged_csv, "--map", map_csv, "--as-of", "2024-09-02")
    assert result.exit_code == 0, explain(result)
    # the map, made in Arrow: each row's cluster, survivor and what joined it
    rows = pd.read_csv(map_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert rows["cluster_id"].tolist() == ["D000001", "D000001", ""]
    assert rows["survivor_id"].tolist() == ["CRM20240101001"] * 2 + ["CRM20240301003"]
    assert rows["matched_with"].tolist() == [f"{path}:3", f"{path}:2", ""]
    assert (rows["rule"] != "").tolist() == [True, True, False]
    merged = read_table(merged_csv).to_frame()
    assert len(merged) == 2
    first, second = merged.iloc[0], merged.iloc[1]
    # row 3 is the most recent: its amount and notes are kept; 创建时间 is the earliest and
    # 更新时间 the latest of the two; the card number (its digits folded to ASCII by the
    # normalizer) is masked in the listing
    assert first["预计成交金额"] == "12000.5" and first["备注"] == "老客户"
    assert first["创建时间"] == "2024-01-01" and first["更新时间"] == "2024-02-03"
    assert first["merge_conflicts"] == (
        f"预计成交金额: 13000 ({path}:2); 创建时间: 2024-02-01 09:15 ({path}:3); "
        f"更新时间: 2024-01-05 10:30 ({path}:2); 备注: 卡号{'*' * 12}1111 ({path}:2)"
    )
    assert second["merge_conflicts"] == ""  # not merged: nothing listed
    assert second["备注"] == ""  # white space only: blank


def _as_python(notes: _Notes, label: str, shown: pd.Series, chosen: pd.Series) -> list[Any]:
    """The notes `compare` makes of the two columns as Python objects (its general way)."""
    notes.parts = []
    notes.compare(label, shown.astype(object), chosen.astype(object))
    return _whole(notes)


def _as_columns(notes: _Notes, label: str, shown: pd.Series, chosen: pd.Series) -> list[Any]:
    notes.parts = []
    notes.compare(label, shown, chosen)
    return _whole(notes)


def _whole(notes: _Notes) -> list[Any]:
    """Each column's notes as the join writes them: `label: value (file:row)`."""
    return [(k.tolist(), notes._with_rows(n, a).to_pylist()) for k, n, a in notes.parts]


def test_column_wise_notes_are_those_of_the_python_way(tmp_path: Path) -> None:
    rows = [[f"CRM{i:03d}", "星辰科技有限公司", "张伟", "13600000001", "", "", "", ""]
            for i in range(9)]  # fmt: skip
    path = write_csv(tmp_path / "nine.csv", HEADERS, rows)
    found = dedupe_tables(
        [read_table(path, specs=[load_specs(())["customers"]])], merge=False
    ).found
    clustered = np.flatnonzero(found.clusters.number >= 0)
    assert len(clustered) == 9 and found.cluster_count == 1
    notes = _Notes(found, clustered, np.array([0]))

    texts = pd.Series(["a", "b", None, "a", "\u3000", "", f"卡{CARD}", "b", "a"], dtype=arrow.TEXT)
    kept = pd.Series(["a"], dtype=arrow.TEXT)
    by_columns = _as_columns(notes, "文本", texts, kept)
    assert by_columns == _as_python(notes, "文本", texts, kept)
    assert by_columns[0][1] == [f"文本: b ({path}:3)", f"文本: 卡{'*' * 12}１１１１ ({path}:8)"]
    missing = pd.Series([None], dtype=arrow.TEXT)  # nothing kept: every value differs
    assert _as_columns(notes, "文本", texts, missing) == _as_python(notes, "文本", texts, missing)

    amounts = pd.Series([1.0, 2.5, np.nan, -0.0, 0.0, 2.5, 1e16, 3.0, 1.0])
    one = pd.Series([1.0])
    by_numbers = _as_columns(notes, "金额", amounts, one)
    assert by_numbers == _as_python(notes, "金额", amounts, one)
    assert [n.split(" (")[0] for n in by_numbers[0][1]] == [
        "金额: 2.5", "金额: 0", "金额: 10000000000000000", "金额: 3"]  # fmt: skip
    nothing = pd.Series([np.nan])
    assert _as_columns(notes, "金额", amounts, nothing) == _as_python(
        notes, "金额", amounts, nothing
    )

    times = pd.Series(pd.to_datetime(
        ["2024-03-10", "2024-03-10 00:00:30", "2024-03-10 14:00:05", "2024-03-10 14:00:50", None,
         "2024-03-10 00:00", "1965-05-01 13:00:59", "2024-03-10 14:01", "2024-03-10"],
        format="ISO8601"))  # fmt: skip
    noon = pd.Series(pd.to_datetime(["2024-03-10 14:00"]))
    by_times = _as_columns(notes, "时间", times, noon)
    assert by_times == _as_python(notes, "时间", times, noon)
    assert [n.split(" (")[0] for n in by_times[0][1]] == [
        "时间: 2024-03-10", "时间: 2024-03-10 00:00", "时间: 1965-05-01 13:00",
        "时间: 2024-03-10 14:01"]  # fmt: skip


def test_cluster_ids_are_made_in_arrow_as_one_by_one(tmp_path: Path) -> None:
    rows = [[f"CRM{i:03d}", "星辰科技有限公司", "张伟", "13600000001", "", "", "", ""]
            for i in range(3)]  # fmt: skip
    path = write_csv(tmp_path / "three.csv", HEADERS, rows)
    found = dedupe_tables([read_table(path, specs=[load_specs(())["customers"]])], merge=False)
    report = found.found
    numbers = np.array([0, -1, 8, 1_234_566, -1])
    ids = report.cluster_ids(numbers)
    assert ids.dtype == arrow.TEXT
    assert list(ids) == [report.cluster_id(int(n)) for n in numbers]
    assert list(ids) == ["D000001", "", "D000009", "D1234567", ""]


def test_conflicts_of_many_clusters_joined_slice_by_slice(tmp_path: Path) -> None:
    """merge_conflicts is joined a slice of output rows at a time: 20 customers, every other
    one entered twice with another note and an older 更新时间, each listing its own row's
    values and nothing else; a second pass keeps the first pass's list before its own."""
    companies = "星辰 云帆 海纳 金桥 远航 恒通 凯达 蓝海 卓越 思源 鼎盛 华信 宏图 瑞丰 天宇 博远 新元 嘉禾 万通 立达"
    rows = []
    for n, brand in enumerate(companies.split()):
        phone = f"1360000{n:04d}"
        rows.append([f"CRM2024{n:04d}A", f"{brand}科技有限公司", "张伟", phone, "", "2024-01-01",
                     "2024-02-01", "老客户"])  # fmt: skip
        if n % 2 == 0:
            rows.append([f"CRM2024{n:04d}B", f"{brand}科技有限公司", "张伟", phone, "", "2024-01-01",
                         "2024-01-15", f"展会{n}"])  # fmt: skip
    path = write_csv(tmp_path / "twenty.csv", HEADERS, rows)
    merged_csv = tmp_path / "merged.csv"
    result = run("dedupe", str(path), "-o", str(merged_csv))
    assert result.exit_code == 0, explain(result)
    merged = read_table(merged_csv).to_frame()
    assert len(merged) == 20
    line = 2  # the spreadsheet's row of each input row
    for n in range(20):
        conflicts = merged["merge_conflicts"].iloc[n]
        if n % 2 == 0:  # the B row is older: its note is listed with its row
            at = f"({path}:{line + 1})"
            assert conflicts == f"更新时间: 2024-01-15 {at}; 备注: 展会{n} {at}", n
            line += 2
        else:
            assert conflicts == "", n
            line += 1
    # the first row again, with a third note: the earlier list first, then the new note
    again = tmp_path / "again.csv"
    extra = tmp_path / "extra.csv"
    write_csv(extra, HEADERS, [["CRM20240000C", "星辰科技有限公司", "张伟", "13600000000", "",
                                "2024-01-01", "2024-01-10", "电话"]])  # fmt: skip
    result = run("dedupe", str(merged_csv), str(extra), "-o", str(again))
    assert result.exit_code == 0, explain(result)
    first = read_table(again).to_frame()["merge_conflicts"].iloc[0]
    earlier = f"更新时间: 2024-01-15 ({path}:3); 备注: 展会0 ({path}:3)"
    assert first == f"{earlier}; 更新时间: 2024-01-10 ({extra}:2); 备注: 电话 ({extra}:2)"
