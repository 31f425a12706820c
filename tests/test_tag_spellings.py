"""Issue 18, item 14: the default rulebook reads tags the way sales teams write them.

The seeded generator of benchmarks/tag_spellings.py writes ~1,000 tag cells from a pool of
tags each labelled with the canonical tag it means (None: no rule can know it). Before the
rulebook was widened, 24.8% of those rows kept a tag it should have recognized.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from crmkit.io import read_table
from crmkit.spec.fields import load_specs
from crmkit.spec.tagcanon import TagReader
from crmkit.tags import load_rulebook

from .conftest import ROOT, explain, run, write_csv, write_xlsx

SPEC = load_specs(())["customers"]
BOOK = load_rulebook(spec=SPEC)


@pytest.fixture(scope="module")
def spellings() -> Iterator[ModuleType]:
    """benchmarks/tag_spellings.py, the generator and the measure."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import tag_spellings

        yield tag_spellings
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_a_thousand_generated_cells_leave_no_row_with_a_tag_it_should_read(
    spellings: ModuleType,
) -> None:
    measure = spellings.measure(spellings.generate_cells(1000))
    assert measure.rows == 1000
    assert (measure.missed_rows, measure.missed) == (0, {})
    assert measure.wrong == {}


def test_every_spelling_of_the_pool_reads_to_the_tag_it_means(spellings: ModuleType) -> None:
    reader = TagReader(BOOK)
    wrong = {
        tag: (meaning, reader.read_tag(tag).canonical)
        for tag, meaning in spellings.pool().items()
        if reader.read_tag(tag).canonical != meaning
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("written", "canonical", "rule"),
    [
        ("10万-50万", "预算规模-10-50万", "category"),
        ("预算10万-50万", "预算规模-10-50万", "budget-amount"),
        ("10～50万", "预算规模-10-50万", "category"),  # NFKC: the value alias 10~50万
        ("10万～50万", "预算规模-10-50万", "budget-range"),
        ("10〜50万", "预算规模-10-50万", "budget-range"),  # the wave dash U+301C
        ("10—50万", "预算规模-10-50万", "budget-range"),
        ("10~50万", "预算规模-10-50万", "category"),
        ("10至50万", "预算规模-10-50万", "budget-range"),
        ("10到50万", "预算规模-10-50万", "budget-range"),
        ("10w-50w", "预算规模-10-50万", "budget-range"),
        ("预算10万元", "预算规模-10-50万", "budget-amount"),
        ("不到10万", "预算规模-10万以下", "budget-range"),
        ("不超过50万", "预算规模-10-50万", "budget-range"),
        ("50万起", "预算规模-50万以上", "budget-range"),
        ("50w+", "预算规模-50万以上", "budget-range"),
        ("预算中", "预算规模-10-50万", "synonym"),
        ("中预算", "预算规模-10-50万", "synonym"),
        ("预算-中等", "预算规模-10-50万", "format"),
        ("需求-数据管理", "需求类型-数据管理", "format"),
        ("需求：客户分析", "需求类型-客户分析", "format"),
        ("需求数据管理", "需求类型-数据管理", "format"),
        ("老板", "决策链角色-决策者", "category"),
        ("KP", "决策链角色-决策者", "category"),
        ("角色-拍板人", "决策链角色-决策者", "format"),
        ("终端用户", "决策链角色-使用者", "category"),
        ("意向强烈", "意向等级-高意向", "synonym"),
        ("意向-弱", "意向等级-低意向", "format"),
        ("意向较低", "意向等级-低意向", "format"),
        ("风险中", "风险等级-中", "synonym"),
        ("风险较高", "风险等级-高", "format"),
        ("中等风险", "风险等级-中", "synonym"),
        ("互联网行业", "行业-互联网", "format"),
    ],
)
def test_the_spellings_of_the_issue_read_by_the_rule_that_names_them(
    written: str, canonical: str, rule: str
) -> None:
    reading = TagReader(BOOK).read_tag(written)
    assert (reading.canonical, reading.rule) == (canonical, rule)


# A bare amount is not a budget; 高/中等/一般 alone could be 风险等级 or 意向等级 (or 预算规模).
UNREAD = ["30万", "10-50", "高", "中等", "一般", "大", "大客户", "中小企业", "预算待定", "意向不明", "VIP"]  # fmt: skip


@pytest.mark.parametrize("written", UNREAD)
def test_what_several_categories_or_none_could_mean_stays_unknown(written: str) -> None:
    reading = TagReader(BOOK).read_tag(written)
    assert (reading.canonical, reading.rule) == (None, "unknown")


def test_apply_on_a_generated_workbook_fixes_them_and_keeps_and_reports_unknown_tags(
    tmp_path: Path, spellings: ModuleType
) -> None:
    cells = spellings.generate_cells(300, seed=7)
    rng = random.Random(7)
    texts = [spellings.join_cell(tags, rng) or None for tags in cells]
    sheet = write_xlsx(
        tmp_path / "客户.xlsx",
        ["客户编号", "客户名称", "客户标签"],
        [[f"CRM{i:04d}", f"客户{i}", text] for i, text in enumerate(texts)],
    )
    out = tmp_path / "tagged.xlsx"
    result = run("tags", "apply", sheet, "-o", out)
    assert result.exit_code == 0, explain(result)
    meanings = spellings.pool()
    written = read_table(out).to_frame()["客户标签"].tolist()
    for tags, after in zip(cells, written, strict=True):
        expected = [meanings[t] or t for t in tags]
        got = [] if after is None or after != after else str(after).split(",")
        assert sorted(set(expected)) == sorted(got), (tags, after)
    unknown = {t for tags in cells for t in tags if meanings[t] is None}
    checked = run("tags", "check", sheet, "--format", "json")
    assert checked.exit_code == 1, explain(checked)
    reported = {f["tag"] for f in json.loads(checked.stdout)["findings"] if f["rule"] == "unknown"}
    assert reported == unknown and "VIP" in unknown


def test_a_gb18030_csv_of_budget_ranges_reads_every_dash_and_tilde(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "c.csv",
        ["客户编号", "客户名称", "客户标签"],
        [
            ["CRM1", "甲", "预算10万－50万；老板"],
            ["CRM2", "乙", "10～50万、需求-数据管理"],
            ["CRM3", "丙", "预算 10至50万|意向强烈|VIP"],
        ],
        encoding="gb18030",
    )
    out = tmp_path / "out.csv"
    result = run("tags", "apply", sheet, "-o", out)
    assert result.exit_code == 0, explain(result)
    assert read_table(out).to_frame()["客户标签"].tolist() == [
        "预算规模-10-50万,决策链角色-决策者",
        "需求类型-数据管理,预算规模-10-50万",
        "预算规模-10-50万,意向等级-高意向,VIP",
    ]
