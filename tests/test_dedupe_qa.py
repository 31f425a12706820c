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


# ------------------------------------------------- 3.–6. follow-ups by month, -q, sheets, config


def two_sheets(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "张三"
    first.append(HEADERS)
    first.append(row(客户编号="CRM2024000001", 客户名称="北京星辰科技有限公司", 联系人姓名="张伟",
                     联系电话="13812345678", 创建时间="2024-01-01"))  # fmt: skip
    second = book.create_sheet("李四")
    second.append(HEADERS)
    second.append(row(客户编号="CRM2024000002", 客户名称="北京星辰科技有限公司", 联系人姓名="张伟",
                      联系电话="13812345678", 创建时间="2024-02-01"))  # fmt: skip
    path = tmp_path / "two.xlsx"
    book.save(path)
    return path


def test_follow_ups_of_one_sheet_a_month_are_written_one_sheet_a_month(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    from .conftest import FOLLOWUP_HEADERS

    book = Workbook()
    for number, month in enumerate(("2024-07", "2024-08")):
        sheet = book.active if number == 0 else book.create_sheet()
        sheet.title = month
        sheet.append(FOLLOWUP_HEADERS)
        for day in (1, 2):
            sheet.append(["CRM2024000002", f"{month}-0{day} 10:00", "李强", "电话",
                          "介绍产品功能，客户关注数据导入", "发送报价", "有兴趣", "意向客户"])  # fmt: skip
    history = tmp_path / "跟进.xlsx"
    book.save(history)
    out = tmp_path / "repointed.xlsx"
    result = run("dedupe", two_sheets(tmp_path), "--followups", history, "--followups-out", out)
    assert result.exit_code == 0, explain(result)
    assert "4 follow-ups re-pointed" in result.stderr
    written = load_workbook(out)
    assert written.sheetnames == ["2024-07", "2024-08"]
    for month in written.sheetnames:
        ids = [r[0] for r in written[month].iter_rows(min_row=2, values_only=True)]
        assert ids == ["CRM2024000001", "CRM2024000001"]


def test_quiet_prints_nothing_but_data_and_check_says_why_it_fails(tmp_path: Path) -> None:
    source = two_sheets(tmp_path)
    result = run("-q", "dedupe", source, "-o", tmp_path / "merged.csv")
    assert result.exit_code == 0, explain(result)
    assert (result.stdout, result.stderr) == ("", "")
    piped = run("-q", "dedupe", source, "-o", "-")
    assert piped.exit_code == 0, explain(piped)
    assert piped.stderr == ""
    assert piped.stdout.splitlines()[1].startswith("CRM2024000001,北京星辰科技有限公司,张伟")
    assert len(piped.stdout.splitlines()) == 2  # the header and the merged customer, nothing else
    check = run("-q", "dedupe", source, "--check")
    assert check.exit_code == 1, explain(check)
    assert (check.stdout, check.stderr) == ("", "1 customers entered more than once (2 rows)\n")
    loud = run("dedupe", source)
    assert loud.stdout == "" and "1 customers entered more than once" in loud.stderr


def test_map_and_pairs_name_the_file_and_the_sheet_apart(tmp_path: Path) -> None:
    source = two_sheets(tmp_path)
    mapped, pairs = tmp_path / "map.csv", tmp_path / "pairs.csv"
    result = run("dedupe", source, "--map", mapped, "--report", pairs)
    assert result.exit_code == 0, explain(result)
    assert read(mapped)[["file", "sheet", "row"]].values.tolist() == [
        [str(source), "张三", "2"],
        [str(source), "李四", "2"],
    ]
    report = read(pairs)
    assert report[["left_file", "left_sheet", "right_file", "right_sheet"]].values.tolist() == [
        [str(source), "张三", str(source), "李四"]
    ]
    report.loc[0, "decision"] = "reject"  # the report read back as decisions still finds its rows
    report.to_csv(pairs, index=False, encoding="utf-8-sig")
    again = run("dedupe", source, "--decisions", pairs)
    assert again.exit_code == 0, explain(again)
    assert "0 customers entered more than once" in again.stderr


def test_the_margin_for_two_contacts_is_a_config_key_and_config_dates_apply(
    tmp_path: Path,
) -> None:
    from crmkit.spec.config import DedupeConfig, load_config

    config = tmp_path / "team.toml"
    config.write_text("[dedupe]\nother_contact_margin = 0\n", encoding="utf-8")
    assert load_config(config).dedupe == DedupeConfig(other_contact_margin=0)
    assert DedupeConfig().other_contact_margin == 10


def test_the_dates_range_of_a_config_given_with_config_applies(tmp_path: Path) -> None:
    from .conftest import write_xlsx

    source = write_xlsx(
        tmp_path / "serial.xlsx",
        HEADERS,
        [row(客户编号="CRM2024000001", 客户名称="北京星辰科技有限公司", 联系电话="13812345678",
             创建时间=45361)],
    )  # fmt: skip
    config = tmp_path / "team.toml"
    config.write_text("[dates]\nserial_from = 2025-01-01\n", encoding="utf-8")
    plain, narrow = tmp_path / "plain.csv", tmp_path / "narrow.csv"
    assert run("dedupe", source, "-o", plain).exit_code == 0
    result = run("dedupe", source, "-o", narrow, "--config", config)
    assert result.exit_code == 0, explain(result)
    assert read(plain)["创建时间"].tolist() == ["2024-03-10"]
    assert read(narrow)["创建时间"].tolist() == ["45361"]  # not a date in that range: as written
