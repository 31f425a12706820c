"""crmkit dedupe in a real cleanup (issue 16): branches, plants and sister companies kept apart,
dates that survive a merge, 客户编号 that stay unique, decisions that survive a rerun, and
outputs crmkit can read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from crmkit.dedupe import build_pool, find_duplicates
from crmkit.dedupe.merge import EXCEL_CELL_LIMIT, merge_duplicates
from crmkit.dedupe.names import name_keys
from crmkit.io import read_table
from crmkit.spec.config import DedupeConfig
from crmkit.spec.fields import load_specs

from .conftest import FOLLOWUP_HEADERS, digest, explain, run, write_csv, write_xlsx

HEADERS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "意向等级", "创建时间", "更新时间",
           "地址"]  # fmt: skip
SPECS = load_specs(())


def row(**cells: Any) -> list[Any]:
    """A customer row in HEADERS order; unnamed cells empty."""
    return [cells.get(h) for h in HEADERS]


def found_in(path: Path, **config: int) -> Any:
    table = read_table(path, specs=[SPECS["customers"]])
    return find_duplicates(build_pool([table]), DedupeConfig(**config))


def together(found: Any, a: int, b: int) -> bool:
    number = found.clusters.number
    return bool(number[a] >= 0 and number[a] == number[b])


def followup(customer_id: str, at: str) -> list[str]:
    return [customer_id, at, "李强", "电话", "介绍产品功能，客户关注数据导入", "发送报价", "有兴趣",
            "意向客户"]  # fmt: skip


# ---------------------------------------------------------------- 1. branches through a third row


def test_a_head_office_joins_at_most_one_of_its_branches_in_two_cities(tmp_path: Path) -> None:
    switchboard = {"联系人姓名": "王强", "联系电话": "010-88886666"}
    source = write_csv(
        tmp_path / "台账.csv",
        HEADERS,
        [
            row(客户编号="CRM20200101001", 客户名称="中建八局有限公司", **switchboard),
            row(客户编号="CRM20210101001", 客户名称="中建八局有限公司北京分公司", **switchboard),
            row(客户编号="CRM20220101001", 客户名称="中建八局有限公司上海分公司", **switchboard),
        ],
    )
    found = found_in(source)
    assert not together(found, 1, 2)  # 北京 and 上海 never in one cluster
    assert found.cluster_count == 1 and found.rows_in_clusters == 2
    pairs = tmp_path / "pairs.csv"
    result = run("dedupe", source, "--report", pairs)
    assert result.exit_code == 0, explain(result)
    report = pd.read_csv(pairs, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert report[["cluster_id", "left_row", "right_row", "rule", "decision"]].values.tolist() == [
        ["D000001", "2", "3", "phone", "auto"],
        ["", "3", "4", "place", "review"],
        ["", "2", "4", "phone", "blocked"],  # the head office already joined 北京
    ]


# ---------------------------------------------------------------- 2. what follows a legal form


@pytest.mark.parametrize(
    ("name", "key", "place"),
    [
        ("招商银行股份有限公司北京分行", "招商银行", "北京"),
        ("招商银行股份有限公司上海分行", "招商银行", "上海"),
        ("中国移动通信集团北京有限公司", "中国移动通信", "北京"),
        ("中国移动通信集团有限公司", "中国移动通信", ""),
        ("海尔集团青岛冰箱厂", "海尔冰箱厂", "青岛"),
        ("海尔集团合肥洗衣机厂", "海尔洗衣机厂", "合肥"),
        ("招商银行股份有限公司信用卡中心", "招商银行信用卡中心", ""),
    ],
)
def test_what_follows_a_legal_form_stays_in_the_key_or_its_place(
    name: str, key: str, place: str
) -> None:
    found = name_keys([name])[0]
    assert (found.key, found.place) == (key, place)


def test_branches_and_plants_on_one_phone_are_reviewed_not_merged(tmp_path: Path) -> None:
    rows = [
        ("招商银行股份有限公司北京分行", "招商银行股份有限公司上海分行"),
        ("中国移动通信集团北京有限公司", "中国移动通信集团上海有限公司"),
        ("海尔集团青岛冰箱厂", "海尔集团合肥洗衣机厂"),
    ]
    data = []
    for number, (a, b) in enumerate(rows):
        phone = f"400800{number:04d}"
        data += [row(客户名称=a, 联系人姓名="王强", 联系电话=phone),
                 row(客户名称=b, 联系人姓名="王强", 联系电话=phone)]  # fmt: skip
    # …and one branch written twice is still one customer
    data += [row(客户名称="招商银行股份有限公司北京分行", 联系人姓名="李娜", 联系电话="13800000001"),
             row(客户名称="招商银行北京分行", 联系人姓名="李娜", 联系电话="13800000001")]  # fmt: skip
    found = found_in(write_csv(tmp_path / "pool.csv", HEADERS, data))
    assert found.cluster_count == 1 and together(found, 6, 7)
    rules = {
        (a, b): (rule, decision)
        for a, b, rule, decision in found.pairs[["left", "right", "rule", "decision"]].values
    }
    assert [rules[(0, 1)], rules[(2, 3)], rules[(4, 5)]] == [
        ("place", "review"),
        ("place", "review"),
        ("phone-only", "review"),  # 海尔冰箱厂 / 海尔洗衣机厂: names 54.5
    ]


# ---------------------------------------------------------------- 3, 4. dates and survivorship


def test_the_merged_row_keeps_the_earliest_created_time_and_lists_every_date_not_kept(
    tmp_path: Path,
) -> None:
    source = write_csv(
        tmp_path / "台账.csv",
        HEADERS,
        [
            row(客户编号="CRM20200101001", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2020-01-01", 更新时间="2020-02-01"),
            row(客户编号="CRM20210501001", 客户名称="星辰科技", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2021-05-01", 更新时间="2021-05-02"),
        ],
    )  # fmt: skip
    merged = merge_duplicates(found_in(source)).frame
    first = merged.iloc[0]
    assert first["客户编号"] == "CRM20200101001"
    assert (first["创建时间"], first["更新时间"]) == (pd.Timestamp("2020-01-01"),
                                                     pd.Timestamp("2021-05-02"))  # fmt: skip
    assert first["merge_conflicts"] == (
        f"客户名称: 星辰科技有限公司 ({source}:2); 创建时间: 2021-05-01 ({source}:3); "
        f"更新时间: 2020-02-01 ({source}:2)"
    )


def test_a_second_pass_keeps_the_oldest_id_and_its_follow_ups(tmp_path: Path) -> None:
    first = write_csv(
        tmp_path / "台账.csv",
        HEADERS,
        [
            row(客户编号="CRM20200101001", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2020-01-01"),
            row(客户编号="CRM20210501001", 客户名称="星辰科技", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2021-05-01"),
        ],
    )  # fmt: skip
    once = tmp_path / "merged.xlsx"
    result = run("dedupe", first, "-o", once)
    assert result.exit_code == 0, explain(result)
    later = write_csv(
        tmp_path / "展会.csv",
        HEADERS,
        [row(客户编号="CRM20200615001", 客户名称="星辰科技股份有限公司", 联系人姓名="张伟",
             联系电话="13600000001", 创建时间="2020-06-15")],
    )  # fmt: skip
    history = write_csv(
        tmp_path / "跟进.csv",
        FOLLOWUP_HEADERS,
        [followup("CRM20200101001", "2020-03-01 10:00"),
         followup("CRM20200615001", "2020-07-01 10:00")],
    )  # fmt: skip
    twice = tmp_path / "merged2.xlsx"
    out = tmp_path / "跟进-合并.csv"
    result = run("dedupe", once, later, "-o", twice, "--followups", history, "--followups-out", out)
    assert result.exit_code == 0, explain(result)
    merged = read_table(twice).to_frame()
    assert merged["客户编号"].tolist() == ["CRM20200101001"]
    assert str(merged["创建时间"].iloc[0]).startswith("2020-01-01")
    written = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert written["客户编号"].tolist() == ["CRM20200101001", "CRM20200101001"]


def test_a_row_created_recently_ranks_above_one_updated_long_ago(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "台账.csv",
        HEADERS,
        [
            row(客户名称="星辰科技有限公司", 联系人姓名="张伟", 联系电话="13600000001",
                意向等级="潜在客户", 创建时间="2021-01-01", 更新时间="2021-06-01"),
            row(客户名称="星辰科技", 联系人姓名="张伟", 联系电话="13600000001",
                意向等级="成交客户", 创建时间="2024-03-01"),
        ],
    )  # fmt: skip
    merged = merge_duplicates(found_in(source)).frame
    assert merged["意向等级"].tolist() == ["成交客户"]
    assert f"意向等级: 潜在客户 ({source}:2)" in merged["merge_conflicts"].iloc[0]


# ---------------------------------------------------------------- 5. one 客户编号, two customers


def test_one_id_on_two_customers_stays_with_the_earlier_and_the_later_gets_a_new_one(
    tmp_path: Path,
) -> None:
    crm = write_xlsx(
        tmp_path / "crm.xlsx",
        HEADERS,
        [row(客户编号="CRM20240101001", 客户名称="云帆软件有限公司", 联系人姓名="周杰",
             联系电话="13500000003", 创建时间="2024-01-01")],
    )  # fmt: skip
    fair = write_csv(
        tmp_path / "展会.csv",
        HEADERS,
        [row(客户编号="CRM20240101001", 客户名称="金桥教育有限公司", 联系人姓名="陈静",
             联系电话="13700000001", 创建时间="2024-08-30")],
        encoding="gb18030",
    )  # fmt: skip
    history = write_csv(
        tmp_path / "跟进.csv", FOLLOWUP_HEADERS, [followup("CRM20240101001", "2024-02-01 10:00")]
    )
    out, mapping, repointed = tmp_path / "merged.csv", tmp_path / "map.csv", tmp_path / "f.csv"
    result = run("dedupe", crm, fair, "-o", out, "--map", mapping, "--as-of", "2024-09-02",
                 "--followups", history, "--followups-out", repointed)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert (
        f"客户编号 CRM20240101001 stood for two customers ({crm}:2, {fair}:2): {crm}:2 keeps it, "
        f"{fair}:2 gets CRM20240902001 (see --map)"
    ) in result.stderr
    merged = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert merged["客户编号"].tolist() == ["CRM20240101001", "CRM20240902001"]
    table = pd.read_csv(mapping, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert table[["customer_id", "survivor_id"]].values.tolist() == [
        ["CRM20240101001", "CRM20240101001"],
        ["CRM20240101001", "CRM20240902001"],
    ]
    written = pd.read_csv(repointed, encoding="utf-8-sig", dtype=str)
    assert written["客户编号"].tolist() == ["CRM20240101001"]  # the earlier customer's


# ---------------------------------------------------------------- 6. decisions carried forward


def test_a_rejected_pair_stays_rejected_on_the_merged_output_and_from_cron(
    tmp_path: Path,
) -> None:
    source = write_csv(
        tmp_path / "台账.csv",
        HEADERS,
        [
            row(客户编号="CRM20240101001", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2024-01-01"),
            row(客户编号="CRM20240201001", 客户名称="星辰科技", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2024-02-01"),
            row(客户编号="CRM20240301001", 客户名称="云帆软件有限公司", 联系人姓名="周杰",
                联系电话="13500000003", 创建时间="2024-03-01"),
        ],
    )  # fmt: skip
    pairs = tmp_path / "pairs.csv"
    result = run("dedupe", source, "--report", pairs)
    assert result.exit_code == 0, explain(result)
    report = pd.read_csv(pairs, encoding="utf-8-sig", dtype=str)
    report["decision"] = ["不合并"]
    report.to_csv(tmp_path / "reviewed.csv", index=False, encoding="utf-8-sig")
    merged = tmp_path / "merged.xlsx"
    result = run("dedupe", source, "--decisions", tmp_path / "reviewed.csv", "-o", merged)
    assert result.exit_code == 0, explain(result)
    frame = read_table(merged).to_frame()
    assert frame["not_duplicate_of"].fillna("").tolist() == ["CRM20240201001", "CRM20240101001", ""]
    # cron, on the merged file, with no decisions file: nothing to merge, nothing to review
    result = run("dedupe", merged, "--check", "--report", tmp_path / "again.csv")
    assert result.exit_code == 0, explain(result)
    assert "0 customers entered more than once (0 rows); 0 pairs to review" in result.stderr
    again = pd.read_csv(tmp_path / "again.csv", encoding="utf-8-sig", dtype=str)
    assert again["decision"].tolist() == ["reject"]
    # a new lead of one side joins it; the rejection follows the merged customer
    lead = write_csv(
        tmp_path / "展会.csv",
        HEADERS,
        [row(客户编号="CRM20240901001", 客户名称="星辰科技股份有限公司", 联系人姓名="张伟",
             联系电话="13600000001", 创建时间="2024-09-01")],
    )  # fmt: skip
    third = tmp_path / "merged3.xlsx"
    result = run("dedupe", merged, lead, "-o", third)
    assert result.exit_code == 0, explain(result)
    frame = read_table(third).to_frame()
    assert frame["客户编号"].tolist() == ["CRM20240101001", "CRM20240201001", "CRM20240301001"]
    assert frame["not_duplicate_of"].fillna("").tolist() == ["CRM20240201001", "CRM20240101001", ""]


# ---------------------------------------------------------------- 7. sister companies


def test_sister_companies_on_one_switchboard_are_reviewed_not_merged(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "pool.csv",
        HEADERS,
        [
            row(客户名称="上海浦软科技有限公司", 联系人姓名="张伟", 联系电话="021-50801234"),
            row(客户名称="上海浦软信息技术有限公司", 联系人姓名="李娜", 联系电话="021-50801234"),
        ],
    )
    found = found_in(source)
    assert found.cluster_count == 0
    assert found.pairs[["score", "rule", "decision"]].values.tolist() == [
        [60.0, "contacts-differ", "review"]
    ]
    # the same contact on both: one customer written twice
    same = write_csv(
        tmp_path / "same.csv",
        HEADERS,
        [
            row(客户名称="上海浦软科技有限公司", 联系人姓名="张伟", 联系电话="021-50801234"),
            row(客户名称="上海浦软信息技术有限公司", 联系人姓名="张伟", 联系电话="021-50801234"),
        ],
    )
    assert found_in(same).cluster_count == 1


# ---------------------------------------------------------------- 8. one workbook, two sheets


def test_one_workbook_holding_customers_and_follow_ups(tmp_path: Path) -> None:
    book = write_xlsx(
        tmp_path / "客户台账.xlsx",
        HEADERS,
        [
            row(客户编号="CRM20240101001", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2024-01-01"),
            row(客户编号="CRM20240201001", 客户名称="星辰科技", 联系人姓名="张伟",
                联系电话="13600000001", 创建时间="2024-02-01"),
        ],
        more_sheets={"跟进记录": [FOLLOWUP_HEADERS, followup("CRM20240201001", "2024-02-02 10:00")]},
    )  # fmt: skip
    out = tmp_path / "跟进-合并.csv"
    for options in ([], ["--sheet", "客户信息"], ["--followups-sheet", "跟进记录"]):
        result = run("dedupe", book, *options, "--followups", book, "--followups-out", out)
        assert result.exit_code == 0, explain(result)
        assert "1 follow-ups re-pointed" in result.stderr
        written = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
        assert written["客户编号"].tolist() == ["CRM20240101001"]
    result = run("dedupe", book, "--followups", book, "--followups-sheet", "客户信息",
                 "--followups-out", out)  # fmt: skip
    assert result.exit_code == 2, explain(result)
    only = write_xlsx(tmp_path / "only.xlsx", HEADERS, [row(客户名称="星辰科技")])
    result = run("dedupe", only, "--followups", only, "--followups-out", out)
    assert result.exit_code == 2, explain(result)
    assert result.stderr == (
        f"Error: {only}, sheet 客户信息: its headers are those of customers, not followups\n"
    )
    broken = tmp_path / "跟进.xlsx"
    broken.write_bytes(b"not a workbook")
    result = run("dedupe", only, "--followups", broken, "--followups-out", out)
    assert result.exit_code == 2, explain(result)
    assert result.stderr.startswith(f"Error: {broken}: is not an Excel workbook")


# ---------------------------------------------------------------- 9. a second --in-place


def test_a_second_in_place_run_keeps_the_first_backup(tmp_path: Path) -> None:
    rows = [
        row(客户编号="CRM20240101001", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
            联系电话="13600000001", 创建时间="2024-01-01"),
        row(客户编号="CRM20240201001", 客户名称="星辰科技", 联系人姓名="张伟",
            联系电话="13600000001", 创建时间="2024-02-01"),
        row(客户编号="CRM20240301001", 客户名称="云帆软件有限公司", 联系人姓名="周杰",
            联系电话="13500000003", 创建时间="2024-03-01"),
    ]  # fmt: skip
    book = write_xlsx(tmp_path / "台账.xlsx", HEADERS, rows)
    original = digest(book)
    result = run("dedupe", book, "-o", book, "--in-place")
    assert result.exit_code == 0, explain(result)
    after_first = digest(book)
    backup = tmp_path / "台账.xlsx.bak"
    assert digest(backup) == original
    result = run("dedupe", book, "-o", book, "--in-place")
    assert result.exit_code == 0, explain(result)
    assert digest(backup) == original  # the original, still
    assert digest(tmp_path / "台账.xlsx.bak.2") == after_first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx", "台账.xlsx.bak",
                                                          "台账.xlsx.bak.2"]  # fmt: skip


# ---------------------------------------------------------------- 10. a JSON pairs report


def test_a_json_pairs_report_is_accepted_as_decisions(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "pool.csv",
        HEADERS,
        [
            row(客户名称="北京星辰科技有限公司", 联系人姓名="张伟", 联系电话="4008001234"),
            row(客户名称="上海星辰科技有限公司", 联系人姓名="李娜", 联系电话="4008001234"),
            row(客户名称="云帆软件有限公司", 联系人姓名="周杰", 联系电话="13500000003"),
            row(客户名称="云帆软件", 联系人姓名="周杰", 联系电话="13500000003"),
        ],
    )
    pairs = tmp_path / "pairs.json"
    result = run("dedupe", source, "--report", pairs)
    assert result.exit_code == 0, explain(result)
    records = json.loads(pairs.read_text(encoding="utf-8"))
    assert [r["decision"] for r in records] == ["auto", "review"]
    records[0]["decision"], records[1]["decision"] = "reject", "accept"
    reviewed = tmp_path / "reviewed.json"
    reviewed.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = run("dedupe", source, "--decisions", reviewed, "--report", tmp_path / "after.json")
    assert result.exit_code == 0, explain(result)
    after = json.loads((tmp_path / "after.json").read_text(encoding="utf-8"))
    assert sorted(r["decision"] for r in after) == ["accept", "reject"]
    reviewed.write_text('{"decision": "reject"}', encoding="utf-8")
    result = run("dedupe", source, "--decisions", reviewed)
    assert result.exit_code == 2, explain(result)
    assert result.stderr == (f"Error: {reviewed}: not a pairs report: expected a list of records\n")


# ---------------------------------------------------------------- 11. Excel's cell limit


@pytest.fixture
def copies(tmp_path: Path) -> Path:
    """1,500 copies of one customer."""
    rows = [
        row(客户编号=f"CRM2024{n:07d}", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
            联系电话="13600000001", 创建时间="2024-01-01")
        for n in range(1500)
    ]  # fmt: skip
    return write_csv(tmp_path / "台账.csv", HEADERS, rows)


def test_lists_longer_than_an_excel_cell_are_written_in_full_beside_the_workbook(
    tmp_path: Path, copies: Path
) -> None:
    out = tmp_path / "merged.xlsx"
    result = run("dedupe", copies, "-o", out)
    assert result.exit_code == 0, explain(result)
    side = tmp_path / "merged.xlsx.lists.csv"
    assert (
        f"{out}: 1 merged_from/merge_conflicts cells are longer than Excel's 32,767 "
        f"characters: cut there; the full lists are in {side}"
    ) in result.stderr
    cell = read_table(out).to_frame()["merged_from"].iloc[0]
    assert len(cell) <= EXCEL_CELL_LIMIT
    shown = cell.split("; ")
    assert shown[-1] == f"… {1500 - len(shown) + 1:,} more in merged.xlsx.lists.csv"
    lists = pd.read_csv(side, encoding="utf-8-sig", dtype=str)
    assert lists.columns.tolist() == ["customer_id", "column", "item"]
    assert len(lists) == 1500 and lists["item"].iloc[-1] == f"CRM20240001499 ({copies}:1501)"


def test_a_csv_holds_long_lists_whole_and_says_excel_would_cut_them(
    tmp_path: Path, copies: Path
) -> None:
    out = tmp_path / "merged.csv"
    result = run("dedupe", copies, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert (
        f"{out}: 1 merged_from/merge_conflicts cells are longer than Excel's 32,767 "
        "characters; this CSV holds them whole, Excel would cut them"
    ) in result.stderr
    merged = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert len(merged["merged_from"].iloc[0].split("; ")) == 1500


# ---------------------------------------------------------------- 12. what a reviewer needs


def test_the_pairs_report_shows_the_columns_the_spec_does_not_know(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "pool.csv",
        [*HEADERS, "微信号"],
        [
            row(客户名称="北京星辰科技有限公司", 联系人姓名="张伟", 联系电话="4008001234",
                地址="北京市海淀区中关村大街1号") + ["11010519491231002X"],
            row(客户名称="上海星辰科技有限公司", 联系人姓名="李娜", 联系电话="4008001234",
                地址="上海市浦东新区张江路88号") + ["wx_sh"],
        ],
    )  # fmt: skip
    pairs = tmp_path / "pairs.xlsx"
    result = run("dedupe", source, "--report", pairs)
    assert result.exit_code == 0, explain(result)
    report = read_table(pairs).to_frame()
    assert report[["left_地址", "right_地址", "left_微信号", "right_微信号"]].values.tolist() == [
        ["北京市海淀区中关村大街1号", "上海市浦东新区张江路88号", "**************002X", "wx_sh"]
    ]


# ---------------------------------------------------------------- the merged CSV, read back


def test_a_merged_csv_reads_back_and_dedupes_again(tmp_path: Path) -> None:
    # a cluster of 12 rows: its merged_from holds more ';' than the file has columns
    rows = [
        row(客户编号=f"CRM202401010{n:02d}", 客户名称="星辰科技有限公司", 联系人姓名="张伟",
            联系电话="13600000001", 创建时间=f"2024-01-{n + 1:02d}")
        for n in range(12)
    ] + [row(客户编号="CRM20240301001", 客户名称="云帆软件有限公司", 联系人姓名="周杰",
             联系电话="13500000003", 创建时间="2024-03-01")]  # fmt: skip
    source = write_csv(tmp_path / "台账.csv", HEADERS, rows)
    out = tmp_path / "merged.csv"
    result = run("dedupe", source, "-o", out)
    assert result.exit_code == 0, explain(result)
    table = read_table(out, specs=[SPECS["customers"]])
    assert table.column("customer_id").tolist() == ["CRM20240101000", "CRM20240301001"]
    assert table.to_frame()["merged_from"].iloc[0] == "; ".join(
        f"CRM202401010{n:02d} ({source}:{n + 2})" for n in range(12)
    )
    result = run("dedupe", out, "--check")
    assert result.exit_code == 0, explain(result)
    assert "2 rows from 1 file: 0 customers entered more than once" in result.stderr
