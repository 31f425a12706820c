"""crmkit dedupe: name keys, matching rules, clusters, merging, decisions and the CLI, on real files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.dedupe import build_pool, find_duplicates
from crmkit.dedupe.decisions import read_decisions
from crmkit.dedupe.merge import merge_duplicates
from crmkit.dedupe.names import name_keys
from crmkit.io import Source, read_table
from crmkit.spec.config import DEFAULT_CONFIG, ConfigError, DedupeConfig, load_config
from crmkit.spec.fields import builtin_spec, load_specs

from .conftest import ROOT, digest, explain, run, write_csv, write_xlsx

HEADERS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "客户来源", "客户标签",
           "创建时间", "更新时间", "微信号"]  # fmt: skip
SPECS = load_specs(())


def row(**cells: Any) -> list[Any]:
    """A customer row in HEADERS order; unnamed cells empty."""
    return [cells.get(h) for h in HEADERS]


def tables_of(*paths: Path) -> list[Any]:
    return [read_table(p, specs=[SPECS["customers"]]) for p in paths]


def dedupe(tmp_path: Path, rows: list[list[Any]], **config: int) -> Any:
    path = write_csv(tmp_path / "pool.csv", HEADERS, rows)
    return find_duplicates(build_pool(tables_of(path)), DedupeConfig(**config))


def together(found: Any, a: int, b: int) -> bool:
    """Whether pool rows a and b (0-based) ended in one cluster."""
    number = found.clusters.number
    return bool(number[a] >= 0 and number[a] == number[b])


# ---------------------------------------------------------------- name keys


@pytest.mark.parametrize(
    ("name", "key", "place"),
    [
        ("北京星辰科技有限公司", "星辰科技", "北京"),
        ("北京市星辰科技股份有限公司", "星辰科技", "北京"),
        ("星辰科技(北京)有限公司", "星辰科技", "北京"),
        ("星辰科技（北京）有限公司", "星辰科技", "北京"),
        ("星辰科技有限公司北京分公司", "星辰科技", "北京"),
        ("星辰科技", "星辰科技", ""),
        ("星辰科技（集团）有限公司", "星辰科技", ""),
        ("廣東省深圳市騰飛電子有限公司", "腾飞电子", "深圳"),
        ("ＡＢＣ科技有限公司", "abc科技", ""),
        ("ABC Technology Co., Ltd.", "abctechnology", ""),
        ("星辰 科技 有限公司", "星辰科技", ""),
        ("成都信阳本广告有限公司", "信阳本广告", "成都"),  # a second place is the brand's
        ("北京银行", "银行", "北京"),
    ],
)
def test_name_key_sets_aside_legal_forms_and_places(name: str, key: str, place: str) -> None:
    found = name_keys([name])[0]
    assert (found.key, found.place) == (key, place)


def test_person_names_are_told_from_organisations() -> None:
    keys = name_keys(["张伟", "欧阳娜娜", "星辰科技", "张伟工作室", "华为技术有限公司"])
    assert [k.personal for k in keys] == [True, True, False, False, False]


# ---------------------------------------------------------------- matching rules


def test_the_spellings_of_one_customer_are_merged_with_their_rule(tmp_path: Path) -> None:
    base = {"联系人姓名": "张伟", "联系电话": "13812345678"}
    rows = [
        row(客户名称="北京星辰科技有限公司", **base),
        row(客户名称="星辰科技(北京)股份有限公司", 联系人姓名="张伟", 联系电话="+86 138-1234-5678"),
        row(客户名称="北京星辰科技", 联系人姓名="张伟", 联系电话="13812345678.0"),
        row(客户名称="北京星辰科技有限公司", 联系人姓名="張偉", 联系电话="１３８１２３４５６７８"),
        # another phone, but the same contact and name
        row(客户名称="北京星辰科技有限公司", 联系人姓名="张伟", 联系电话="13900001111"),
        # one wrong character and the same phone
        row(客户名称="北京星晨科技有限公司", 联系人姓名="李娜", 联系电话="13812345678"),
        # the same e-mail, another phone and contact
        row(
            客户名称="蓝海物流有限公司",
            联系人姓名="王芳",
            联系电话="13700000001",
            联系邮箱="ops@lanhai.cn",
        ),
        row(
            客户名称="蓝海物流", 联系人姓名="陈静", 联系电话="13700000002", 联系邮箱="OPS@lanhai.cn"
        ),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 2
    assert all(together(found, 0, i) for i in range(1, 6))
    assert together(found, 6, 7)
    rules = dict(
        zip(
            zip(found.pairs["left"], found.pairs["right"], strict=True),
            found.pairs["rule"],
            strict=True,
        )
    )
    assert rules[(0, 1)] == "phone" and rules[(0, 4)] == "contact" and rules[(6, 7)] == "email"
    assert set(found.pairs["decision"]) == {"auto"}


def test_hard_negatives_stay_apart(tmp_path: Path) -> None:
    rows = [
        # the same brand in two cities, the same (common) contact name
        row(客户名称="北京星辰科技有限公司", 联系人姓名="张伟", 联系电话="13812345678"),
        row(客户名称="上海星辰科技有限公司", 联系人姓名="张伟", 联系电话="13912345678"),
        # names one character apart, the same contact name
        row(客户名称="华为", 联系人姓名="刘洋", 联系电话="13500000001"),
        row(客户名称="华美", 联系人姓名="刘洋", 联系电话="13500000002"),
        # two individuals called 张伟 (the name is the contact) with different phones
        row(客户名称="张伟", 联系人姓名="张伟", 联系电话="13600000001"),
        row(客户名称="张伟", 联系人姓名="张伟", 联系电话="13600000002"),
        # two organisations sharing one phone but not one name
        row(客户名称="蓝海物流有限公司", 联系人姓名="王芳", 联系电话="13700000009"),
        row(客户名称="金桥教育科技有限公司", 联系人姓名="陈静", 联系电话="13700000009"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0
    review = found.pairs[found.pairs["decision"] == "review"]
    assert list(zip(review["left"], review["right"], review["rule"], strict=True)) == [
        (0, 1, "place"),  # same name and contact, two cities: a person decides
        (6, 7, "phone-only"),
    ]


def test_one_phone_in_two_cities_is_shown_for_review_not_merged(tmp_path: Path) -> None:
    rows = [
        row(客户名称="北京星辰科技有限公司", 联系人姓名="张伟", 联系电话="4008001234"),
        row(客户名称="上海星辰科技有限公司", 联系人姓名="李娜", 联系电话="4008001234"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0
    assert found.pairs[["rule", "decision"]].values.tolist() == [["place", "review"]]


def test_an_individual_with_the_same_phone_is_one_customer(tmp_path: Path) -> None:
    rows = [
        row(客户名称="张伟", 联系人姓名="张伟", 联系电话="13600000001"),
        row(客户名称="张 伟", 联系人姓名="张伟", 联系电话="136-0000-0001"),
    ]
    assert together(dedupe(tmp_path, rows), 0, 1)


def test_thresholds_come_from_the_config(tmp_path: Path) -> None:
    rows = [
        row(客户名称="星辰科技有限公司", 联系人姓名="张伟", 联系电话="13600000001"),
        # the same contact: with another one, names at the threshold go to review (issue 16.7)
        row(客户名称="星辰网络有限公司", 联系人姓名="张伟", 联系电话="13600000001"),
    ]
    assert dedupe(tmp_path, rows).cluster_count == 0  # one phone, names score 50 < 60
    assert dedupe(tmp_path, rows, phone_name_min=50).cluster_count == 1


def test_clusters_close_over_chains_of_pairs(tmp_path: Path) -> None:
    rows = [
        row(客户名称="星辰科技有限公司", 联系人姓名="张伟", 联系电话="13600000001"),
        row(客户名称="星辰科技", 联系人姓名="李娜", 联系电话="13600000001"),  # phone with 0
        row(
            客户名称="星辰科技股份有限公司", 联系人姓名="李娜", 联系电话="13900000002"
        ),  # contact with 1
        row(客户名称="云帆软件有限公司", 联系人姓名="周杰", 联系电话="13500000003"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 1 and found.rows_in_clusters == 3
    assert together(found, 0, 2) and found.clusters.number[3] == -1
    assert found.cluster_id(0) == "D000001" and found.cluster_id(-1) == ""


# ---------------------------------------------------------------- merging


def test_merge_keeps_the_most_recent_valid_value_the_oldest_id_and_every_tag(
    tmp_path: Path,
) -> None:
    rows = [
        row(客户编号="CRM20240101001", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
            联系电话="13600000001", 联系邮箱="old@xc.cn", 客户来源="官网注册", 客户标签="行业-互联网",
            创建时间="2024-01-01", 更新时间="2024-02-01", 微信号="wx_old"),
        row(客户编号="CRM20240301009", 客户名称="星辰科技(北京)有限公司", 联系人姓名="张伟",
            联系电话="+86 136 0000 0001", 联系邮箱="not-an-email", 客户来源="行业展会",
            客户标签="预算规模-10万以下，行业-互联网", 创建时间="2024-03-01", 更新时间="2024-03-05"),
        row(客户编号="CRM20240201005", 客户名称="星辰科技", 联系人姓名="张伟", 联系电话="13600000001",
            客户来源="客户转介绍", 创建时间="2024-02-01"),
        row(客户编号="CRM20240102002", 客户名称="云帆软件有限公司", 联系人姓名="周杰",
            联系电话="13500000003", 创建时间="2024-01-02", 微信号="wx_yf"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    merged = merge_duplicates(found)
    frame = merged.frame
    assert len(frame) == 2
    first = frame.iloc[0]
    assert first["客户编号"] == "CRM20240101001"  # the oldest
    assert first["客户名称"] == "星辰科技(北京)有限公司"  # the most recently updated row's
    assert first["客户来源"] == "行业展会"
    assert first["联系邮箱"] == "old@xc.cn"  # the newer value is invalid
    assert first["联系电话"] == "13600000001"
    assert first["客户标签"] == "预算规模-10万以下,行业-互联网"
    assert first["微信号"] == "wx_old"  # a column the spec does not know survives
    assert first["merged_from"] == (
        f"CRM20240101001 ({tmp_path / 'pool.csv'}:2); CRM20240301009 ({tmp_path / 'pool.csv'}:3); "
        f"CRM20240201005 ({tmp_path / 'pool.csv'}:4)"
    )
    conflicts = first["merge_conflicts"]
    assert "客户来源: 官网注册" in conflicts and "客户来源: 客户转介绍" in conflicts
    assert "联系邮箱: not-an-email" in conflicts and "客户名称: 星辰科技 (" in conflicts
    second = frame.iloc[1]
    assert (second["客户编号"], second["微信号"]) == ("CRM20240102002", "wx_yf")
    assert pd.isna(second["merged_from"])  # missing: merged_from is a pandas text column
    assert merged.map["survivor_id"].tolist() == ["CRM20240101001"] * 3 + ["CRM20240102002"]
    assert merged.map["cluster_id"].tolist() == ["D000001"] * 3 + [""]
    assert merged.map["rule"].tolist()[:3] == ["phone", "phone", "phone"]


def test_the_later_of_updated_and_created_time_then_input_order_decide(tmp_path: Path) -> None:
    base = {"联系人姓名": "张伟", "联系电话": "13600000001"}
    rows = [
        row(客户名称="星辰科技", 客户来源="官网注册", 创建时间="2024-05-01", **base),
        row(
            客户名称="星辰科技",
            客户来源="行业展会",
            创建时间="2024-04-01",
            更新时间="2024-04-02",
            **base,
        ),
        row(客户名称="星辰科技", 客户来源="线上广告", **base),
        row(客户名称="星辰科技", 客户来源="电话咨询", **base),
    ]
    # created 2024-05-01 is more recent than updated 2024-04-02 (issue 16.4)
    frame = merge_duplicates(dedupe(tmp_path, rows)).frame
    assert frame["客户来源"].tolist() == ["官网注册"]
    rows[1][HEADERS.index("更新时间")] = "2024-06-01"
    frame = merge_duplicates(dedupe(tmp_path, rows)).frame
    assert frame["客户来源"].tolist() == ["行业展会"]
    frame = merge_duplicates(dedupe(tmp_path, [rows[0], rows[2], rows[3]])).frame
    assert frame["客户来源"].tolist() == ["官网注册"]
    frame = merge_duplicates(dedupe(tmp_path, [rows[2], rows[3]])).frame
    assert frame["客户来源"].tolist() == ["电话咨询"]  # the later row


_NAMES = st.sampled_from(["星辰科技有限公司", "星辰科技", "云帆软件", "张伟", "华美", "华为"])
_PHONES = st.sampled_from(["13600000001", "13600000002", "+86 136 0000 0001", ""])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            _NAMES,
            st.sampled_from(["张伟", "李娜", ""]),
            _PHONES,
            st.sampled_from(["CRM1", "CRM2", ""]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_nothing_is_lost_rows_in_equal_rows_out_plus_rows_merged(
    tmp_path: Path, records: list[tuple[str, str, str, str]]
) -> None:
    rows = [
        row(
            客户编号=f"{ident}{i}" if ident else None,
            客户名称=name,
            联系人姓名=contact,
            联系电话=phone,
            微信号=f"wx{i}",
        )
        for i, (name, contact, phone, ident) in enumerate(records)
    ]
    found = dedupe(tmp_path, rows)
    merged = merge_duplicates(found)
    out = merged.frame
    assert len(rows) == len(out) + (found.rows_in_clusters - found.cluster_count)
    assert len(merged.map) == len(rows) and merged.map["row"].tolist() == list(
        range(2, len(rows) + 2)
    )
    assert set(merged.map["survivor_id"]) == set(out["客户编号"]) and out["客户编号"].is_unique
    kept = set(out["微信号"].dropna()) | {
        v.split(" (")[0].removeprefix("微信号: ")
        for c in out["merge_conflicts"].dropna()
        for v in c.split("; ")
        if v.startswith("微信号: ")
    }
    assert kept == {f"wx{i}" for i in range(len(rows))}  # every unknown cell is somewhere


# ---------------------------------------------------------------- decisions


def test_decisions_accept_a_review_pair_and_reject_an_auto_pair(tmp_path: Path) -> None:
    rows = [
        row(客户名称="北京星辰科技有限公司", 联系人姓名="张伟", 联系电话="4008001234"),
        row(客户名称="上海星辰科技有限公司", 联系人姓名="李娜", 联系电话="4008001234"),
        row(客户名称="云帆软件有限公司", 联系人姓名="周杰", 联系电话="13500000003"),
        row(客户名称="云帆软件", 联系人姓名="周杰", 联系电话="13500000003"),
    ]
    source = write_csv(tmp_path / "pool.csv", HEADERS, rows)
    pairs = tmp_path / "pairs.csv"
    result = run("dedupe", source, "--report", pairs)
    assert result.exit_code == 0, explain(result)
    report = pd.read_csv(pairs, encoding="utf-8-sig")
    assert report["decision"].tolist() == ["auto", "review"]
    report["decision"] = ["reject", "accept"]
    report.to_csv(tmp_path / "reviewed.csv", index=False, encoding="utf-8-sig")
    pool = build_pool(tables_of(source))
    marks = read_decisions(read_table(tmp_path / "reviewed.csv"), pool, "客户名称")
    assert (marks.accepted, marks.rejected, marks.ignored) == ({(0, 1)}, {(2, 3)}, [])
    found = find_duplicates(pool, DedupeConfig(), marks)
    assert together(found, 0, 1) and not together(found, 2, 3)
    assert sorted(found.pairs["decision"]) == ["accept", "reject"]


def test_a_rejected_pair_stays_apart_even_through_a_third_row(tmp_path: Path) -> None:
    rows = [
        row(客户名称="星辰科技有限公司", 联系人姓名="张伟", 联系电话="13600000001"),
        row(客户名称="星辰科技", 联系人姓名="张伟", 联系电话="13600000001"),
        row(客户名称="星辰科技股份有限公司", 联系人姓名="张伟", 联系电话="13600000001"),
    ]
    source = write_csv(tmp_path / "pool.csv", HEADERS, rows)
    reviewed = write_csv(
        tmp_path / "reviewed.csv",
        ["left_file", "left_row", "right_file", "right_row", "decision"],
        [[str(source), 2, str(source), 4, "拒绝"]],
    )
    pool = build_pool(tables_of(source))
    found = find_duplicates(
        pool, DedupeConfig(), read_decisions(read_table(reviewed), pool, "客户名称")
    )
    assert not together(found, 0, 2)
    assert found.cluster_count == 1 and "blocked" in set(found.pairs["decision"])


def test_a_decision_on_a_row_that_changed_is_ignored(tmp_path: Path) -> None:
    rows = [
        row(客户名称="星辰科技有限公司", 联系电话="13600000001"),
        row(客户名称="星辰科技", 联系电话="13600000001"),
    ]
    source = write_csv(tmp_path / "pool.csv", HEADERS, rows)
    reviewed = write_csv(
        tmp_path / "reviewed.csv",
        ["left_file", "left_row", "right_file", "right_row", "decision", "left_客户名称"],
        [
            ["pool.csv", 2, "pool.csv", 3, "reject", "别的公司"],
            ["pool.csv", 2, "pool.csv", 9, "accept", ""],
        ],
    )
    marks = read_decisions(read_table(reviewed), build_pool(tables_of(source)), "客户名称")
    assert marks.accepted == marks.rejected == set()
    assert [m.split(": ", 1)[1] for m in marks.ignored] == [
        f"{source}:2 has changed since the review",
        "pool.csv:9 is not in the inputs",
    ]


# ---------------------------------------------------------------- the CLI on real files


@pytest.fixture
def two_channels(tmp_path: Path) -> tuple[Path, Path]:
    """An xlsx customer list and a GB18030 CSV of trade-fair leads, with two duplicates."""
    crm = write_xlsx(
        tmp_path / "crm.xlsx",
        HEADERS,
        [
            row(客户编号="CRM20240101001", 客户名称="北京星辰科技有限公司", 联系人姓名="张伟",
                联系电话=13812345678, 创建时间="2024-01-01", 微信号="wx_xc"),
            row(客户编号="CRM20240101002", 客户名称="云帆软件有限公司", 联系人姓名="周杰",
                联系电话="13500000003", 创建时间="2024-01-01"),
            row(客户编号="CRM20240101003", 客户名称="上海星辰科技有限公司", 联系人姓名="张伟",
                联系电话="13912345678", 创建时间="2024-01-02"),
        ],
    )  # fmt: skip
    fair = write_csv(
        tmp_path / "展会.csv",
        [*HEADERS[:-1], "展会名称"],
        [
            row(客户名称="星辰科技(北京)有限公司", 联系人姓名="張偉", 联系电话="+86 138-1234-5678",
                客户来源="行业展会", 创建时间="2024-08-30")[:-1] + ["CRM展"],
            row(客户编号="CRM20240830001", 客户名称="雲帆軟件", 联系人姓名="周杰", 联系电话="13500000003",
                创建时间="2024-08-30")[:-1] + ["CRM展"],
            row(客户名称="金桥教育有限公司", 联系人姓名="陈静", 联系电话="13700000001",
                创建时间="2024-08-30")[:-1] + ["CRM展"],
        ],
        encoding="gb18030",
    )  # fmt: skip
    return crm, fair


def test_cli_merges_two_channels_and_writes_every_output(
    tmp_path: Path, two_channels: tuple[Path, Path]
) -> None:
    crm, fair = two_channels
    before = (digest(crm), digest(fair))
    out = tmp_path / "merged.xlsx"
    result = run("dedupe", crm, fair, "-o", out, "--map", tmp_path / "map.csv",
                 "--report", tmp_path / "pairs.xlsx", "--as-of", "2024-09-02")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    # 北京星辰 and 上海星辰 share the contact 张伟: shown for review, not merged
    assert (
        "6 rows from 2 files: 2 customers entered more than once (4 rows); 2 pairs to review"
        in result.stderr
    )
    assert "same phone, names 100" in result.stderr
    assert "6 rows in = 4 customers out + 2 rows merged; 1 客户编号 generated" in result.stderr
    assert (digest(crm), digest(fair)) == before
    merged = read_table(out).to_frame()
    assert merged.columns.tolist() == [*HEADERS, "展会名称", "merged_from", "merge_conflicts"]
    assert merged["客户编号"].tolist() == [
        "CRM20240101001",
        "CRM20240101002",
        "CRM20240101003",
        "CRM20240902001",
    ]
    assert merged["客户名称"].tolist()[:2] == ["星辰科技(北京)有限公司", "雲帆軟件"]
    assert merged["微信号"].iloc[0] == "wx_xc" and merged["展会名称"].iloc[0] == "CRM展"
    mapping = pd.read_csv(
        tmp_path / "map.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert mapping.columns.tolist()[:5] == [
        "file",
        "row",
        "customer_id",
        "survivor_id",
        "cluster_id",
    ]
    assert mapping[["row", "survivor_id", "cluster_id"]].values.tolist() == [
        ["2", "CRM20240101001", "D000001"], ["3", "CRM20240101002", "D000002"],
        ["4", "CRM20240101003", ""], ["2", "CRM20240101001", "D000001"],
        ["3", "CRM20240101002", "D000002"], ["4", "CRM20240902001", ""],
    ]  # fmt: skip
    pairs = read_table(tmp_path / "pairs.xlsx").to_frame()
    assert pairs.columns.tolist()[:8] == ["cluster_id", "left_file", "left_row", "right_file",
                                          "right_row", "score", "rule", "decision"]  # fmt: skip
    assert pairs["decision"].tolist() == ["auto", "auto", "review", "review"]
    assert pairs["left_客户名称"].tolist()[:2] == ["北京星辰科技有限公司", "云帆软件有限公司"]
    assert pairs["right_客户名称"].tolist()[:2] == ["星辰科技(北京)有限公司", "雲帆軟件"]


def test_cli_repoints_follow_ups_to_the_survivor(
    tmp_path: Path, two_channels: tuple[Path, Path]
) -> None:
    crm, fair = two_channels
    history = write_csv(
        tmp_path / "跟进.csv",
        ["客户编号", "跟进时间", "跟进人", "沟通方式", "沟通内容"],
        [["CRM20240830001", "2024-08-31 10:00", "李强", "电话", "介绍产品功能，客户关注数据导入"],
         ["CRM20240101002", "2024-08-01 10:00", "李强", "电话", "回访使用情况，客户反馈良好"],
         ["CRM20240101003", "2024-08-02 10:00", "李强", "微信", "发送报价方案，等待客户确认"]],
    )  # fmt: skip
    out = tmp_path / "跟进-合并.csv"
    result = run("dedupe", crm, fair, "--followups", history, "--followups-out", out)
    assert result.exit_code == 0, explain(result)
    assert "1 follow-ups re-pointed" in result.stderr
    written = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert written["客户编号"].tolist() == ["CRM20240101002", "CRM20240101002", "CRM20240101003"]
    assert written["沟通内容"].iloc[0] == "介绍产品功能，客户关注数据导入"


def test_cli_check_exits_1_when_duplicates_exist(
    tmp_path: Path, two_channels: tuple[Path, Path]
) -> None:
    crm, fair = two_channels
    result = run("dedupe", crm, fair, "--check")
    assert result.exit_code == 1, explain(result)
    result = run("dedupe", crm, "--check")
    assert result.exit_code == 0, explain(result)
    assert "0 customers entered more than once" in result.stderr


def test_cli_pairs_report_as_json(tmp_path: Path, two_channels: tuple[Path, Path]) -> None:
    crm, fair = two_channels
    result = run("dedupe", crm, fair, "--report", tmp_path / "pairs.json")
    assert result.exit_code == 0, explain(result)
    pairs = json.loads((tmp_path / "pairs.json").read_text(encoding="utf-8"))
    assert [
        (p["left_file"][-3:], p["left_row"], p["right_row"], p["rule"], p["decision"])
        for p in pairs
    ] == [
        ("lsx", 2, 2, "phone", "auto"),
        ("lsx", 3, 3, "phone", "auto"),
        ("lsx", 2, 4, "place", "review"),
        ("lsx", 4, 2, "place", "review"),
    ]


def test_cli_refuses_to_overwrite_an_input(tmp_path: Path, two_channels: tuple[Path, Path]) -> None:
    crm, fair = two_channels
    before = digest(crm)
    result = run("dedupe", crm, fair, "-o", crm)
    assert result.exit_code == 2, explain(result)
    assert (
        result.stderr
        == f"Error: {crm}: is an input file; refusing to overwrite it (choose another -o, or --in-place)\n"
    )
    assert digest(crm) == before


def test_cli_unreadable_input_and_bad_config_exit_2(
    tmp_path: Path, two_channels: tuple[Path, Path]
) -> None:
    crm, _ = two_channels
    result = run("dedupe", crm, tmp_path / "missing.csv")
    assert result.exit_code == 2, explain(result)
    assert (
        result.stderr.startswith(f"Error: {tmp_path / 'missing.csv'}")
        and "Traceback" not in result.stderr
    )
    config = tmp_path / "crmkit.toml"
    config.write_text("[dedupe]\nphone_name_min = 120\n", encoding="utf-8")
    result = run("dedupe", crm, "--config", config)
    assert result.exit_code == 2, explain(result)
    assert (
        result.stderr
        == f"Error: {config}: dedupe.phone_name_min is a score from 0 to 100, not 120\n"
    )
    config.write_text("[dedupe]\nphone_minimum = 60\n", encoding="utf-8")
    result = run("dedupe", crm, "--config", config)
    assert result.stderr == f"Error: {config}: unknown key dedupe.phone_minimum\n"


def test_cli_example_files_show_the_documented_clusters() -> None:
    result = run(
        "dedupe", ROOT / "examples" / "customers.xlsx", ROOT / "examples" / "expo_leads.csv"
    )
    assert result.exit_code == 0, explain(result)
    assert "60 rows from 2 files: 5 customers entered more than once (10 rows)" in result.stderr


# ---------------------------------------------------------------- accuracy on the benchmark generator


def test_precision_and_recall_on_generated_duplicates() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from dupes import make_pool  # the seeded generator of benchmarks/bench_dedupe.py
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    headers, data = make_pool(3000, seed=5)
    frame = pd.DataFrame(data, columns=headers)
    table = read_table(
        Source(None, "pool.csv", frame.to_csv(index=False).encode("utf-8")),
        specs=[SPECS["customers"]],
    )
    found = find_duplicates(build_pool([table]))
    truth = frame["entity"].to_numpy()
    number = found.clusters.number
    predicted = pd.Series(range(len(number))).where(number < 0, number + len(number))

    def pairs(groups: Any) -> int:
        sizes = pd.Series(groups).value_counts()
        return int((sizes * (sizes - 1) // 2).sum())

    both = pairs([f"{a}:{b}" for a, b in zip(predicted, truth, strict=True)])
    precision = both / pairs(predicted)
    recall = both / pairs(truth)
    assert precision >= 0.99 and recall >= 0.95, (precision, recall)


def test_the_config_crmkit_init_writes_holds_the_dedupe_defaults(tmp_path: Path) -> None:
    path = tmp_path / "crmkit.toml"
    path.write_text(DEFAULT_CONFIG, encoding="utf-8")
    assert load_config(path).dedupe == DedupeConfig()
    path.write_text("[dedupe]\nwindow = 1\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"dedupe\.window and dedupe\.block_max must be at least 2"
    ):
        load_config(path)


def test_a_follow_up_table_is_not_taken_for_customers(tmp_path: Path) -> None:
    history = write_csv(
        tmp_path / "跟进.csv",
        ["客户编号", "跟进时间", "跟进人", "沟通内容"],
        [["CRM20240101001", "2024-08-31 10:00", "李强", "介绍产品功能，客户关注数据导入"]],
    )
    result = run("dedupe", history)
    assert result.exit_code == 2, explain(result)
    assert result.stderr.startswith(f"Error: {history}") and "Traceback" not in result.stderr


def test_merge_conflicts_never_show_a_national_id(tmp_path: Path) -> None:
    rows = [
        row(客户名称="星辰科技有限公司", 联系人姓名="张伟", 联系电话="13600000001", 微信号="wx_a",
            创建时间="2024-01-01", 更新时间="2024-03-01"),
        row(客户名称="星辰科技", 联系人姓名="张伟", 联系电话="13600000001", 微信号="11010519491231002X",
            创建时间="2024-01-01"),
    ]  # fmt: skip
    merged = merge_duplicates(dedupe(tmp_path, rows)).frame
    notes = merged["merge_conflicts"].iloc[0]
    assert f"微信号: **************002X ({tmp_path / 'pool.csv'}:3)" in notes
    assert "11010519491231002X" not in notes


def test_merged_tags_are_read_with_the_tag_rulebook(tmp_path: Path) -> None:
    rows = [
        row(客户名称="星辰科技有限公司", 联系人姓名="张伟", 联系电话="13600000001",
            客户标签="预算 8万 / 需求类型-数据管理", 更新时间="2024-03-05"),
        row(客户名称="星辰科技", 联系人姓名="张伟", 联系电话="13600000001",
            客户标签="预算规模-10万以下；决策链角色-决策者", 更新时间="2024-02-01"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    # "预算 8万" is one tag, not two; 预算规模-10万以下 is the same tag: the newer spelling stays
    assert merge_duplicates(found).frame["客户标签"].tolist() == [
        "预算 8万,需求类型-数据管理,决策链角色-决策者"
    ]
    # a team whose rulebook writes tags separated by ；
    text = (ROOT / "schemas" / "tags.toml").read_text(encoding="utf-8")
    ours = tmp_path / "tags.toml"
    ours.write_text(text.replace('separator = ","', 'separator = "；"', 1), encoding="utf-8")
    out = tmp_path / "merged.csv"
    result = run("dedupe", tmp_path / "pool.csv", "-o", out, "--rules", ours)
    assert result.exit_code == 0, explain(result)
    merged = read_table(out, specs=[builtin_spec("customers")])
    assert merged.column("tags").tolist() == ["预算 8万；需求类型-数据管理；决策链角色-决策者"]
