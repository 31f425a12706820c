"""crmkit tags: the rulebook, every spelling of the issue, check / apply / stats on real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.io import read_table
from crmkit.io.table import Table
from crmkit.spec.fields import load_specs
from crmkit.spec.rulebook import RulebookError
from crmkit.spec.tagcanon import TagReader
from crmkit.tags import apply_tags, load_rulebook, read_tags

from .conftest import ROOT, digest, explain, run, write_csv, write_xlsx

SPEC = load_specs(())["customers"]
BOOK = load_rulebook(spec=SPEC)
HEADERS = [
    "客户编号",
    "客户名称",
    "所属行业",
    "客户来源",
    "意向等级",
    "销售阶段",
    "客户标签",
    "微信号",
]


def row(tags: Any, **cells: Any) -> list[Any]:
    base = {"客户编号": "CRM20240310001", "客户名称": "星辰科技有限公司", "所属行业": None,
            "客户来源": None, "意向等级": None, "销售阶段": None, "客户标签": tags, "微信号": "wx"}  # fmt: skip
    base.update(cells)
    return [base[h] for h in HEADERS]


def tags_table(cells: list[Any]) -> Table:
    """An in-memory customer table holding only a 客户标签 column."""
    data = pd.DataFrame({0: pd.Series(cells, dtype=object)}, index=range(2, len(cells) + 2))
    return Table(data=data, headers=["客户标签"], name="t.csv", sheet=None, header_row=1,
                 format="csv", fields={"tags": 0}, spec=SPEC)  # fmt: skip


@pytest.mark.parametrize(
    ("written", "canonical", "rule"),
    [
        ("预算低", "预算规模-10万以下", "synonym"),
        ("预算<10万", "预算规模-10万以下", "budget-amount"),
        ("预算 8万", "预算规模-10万以下", "budget-amount"),
        ("预算30万", "预算规模-10-50万", "budget-amount"),
        ("budget 300k", "预算规模-10-50万", "budget-amount"),
        ("Budget 300K", "预算规模-10-50万", "budget-amount"),
        ("预算80万", "预算规模-50万以上", "budget-amount"),
        ("预算50万", "预算规模-10-50万", "budget-amount"),
        ("预算50万以上", "预算规模-50万以上", "budget-amount"),
        ("预算10万以下", "预算规模-10万以下", "budget-amount"),
        ("预算10-50万", "预算规模-10-50万", "budget-amount"),
        ("预算规模_10万以下", "预算规模-10万以下", "format"),
        ("预算规模：10万以下", "预算规模-10万以下", "format"),
        ("预算-10万以下", "预算规模-10万以下", "format"),
        ("預算規模-10萬以下", "预算规模-10万以下", "format"),
        ("预算规模－１０万以下", "预算规模-10万以下", "format"),
        ("高意向", "意向等级-高意向", "synonym"),
        ("意向高", "意向等级-高意向", "synonym"),
        ("决策人", "决策链角色-决策者", "synonym"),
        ("10万以下", "预算规模-10万以下", "category"),
        ("来源-官网", "来源-官网注册", "format"),
        ("行业-电商", "行业-互联网", "format"),
        ("预算规模-10万以下", "预算规模-10万以下", "canonical"),
    ],
)
def test_every_spelling_of_the_issue_reads_to_its_canonical_tag(
    written: str, canonical: str, rule: str
) -> None:
    reading = TagReader(BOOK).read_tag(written)
    assert (reading.canonical, reading.rule) == (canonical, rule)


def test_an_unknown_tag_gets_the_closest_canonical_tag_as_suggestion() -> None:
    reading = TagReader(BOOK).read_tag("预算规模-十万以下")
    assert reading.canonical is None and reading.rule == "unknown"
    assert (
        reading.suggestion == "预算规模-10万以下"
        and reading.score is not None
        and reading.score >= 60
    )
    assert TagReader(BOOK).read_tag("VIP").suggestion is None
    assert TagReader(BOOK).read_tag("高").canonical is None  # 风险等级-高 or 意向等级-高意向


@pytest.mark.parametrize("separator", [",", "，", "、", ";", "；", "|", " ", " | "])
def test_every_separator_splits_and_the_canonical_order_is_stable(separator: str) -> None:
    cell = separator.join(
        ["高意向", "预算 8万" if separator.strip() else "预算8万", "决策人", "预算低"]
    )
    reading = TagReader(BOOK).read_cell(cell)
    assert reading.tags == ["预算规模-10万以下", "决策链角色-决策者", "意向等级-高意向"]


_PIECES = st.sampled_from(["预算低", "预算<10万", "预算 8万", "budget 300k", "高意向", "意向高", "VIP",
                           "预算规模_10万以下", "需求类型-数据管理", "風險等級-低", "老客户", ""])  # fmt: skip
_SEPARATORS = st.sampled_from([",", "，", "、", ";", "|", " "])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(_PIECES, max_size=5), _SEPARATORS), min_size=1, max_size=6))
def test_apply_is_idempotent(cells: list[tuple[list[str], str]]) -> None:
    table = tags_table([sep.join(pieces) or None for pieces, sep in cells])
    once = read_tags(table, BOOK)
    fixed, _ = apply_tags(once)
    twice = read_tags(fixed, BOOK)
    assert twice.after.tolist() == once.after.tolist()
    assert not twice.changed.any()


# ---------------------------------------------------------------- a rulebook with a mistake


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[synonyms]\n"预算低" = "预算规模-10万"\n',
            "synonyms.预算低: 预算规模-10万 is not a canonical tag",
        ),
        (
            '[synonyms]\n"预算低" = "预算-10万以下"\n',
            "synonyms.预算低: 预算-10万以下 is not a canonical tag",
        ),
        (
            '[synonyms]\n"意向高" = "意向等级-高意向"\n"意向 高" = "意向等级-高意向"\n',
            "synonyms.意向 高: the same tag is given twice",
        ),
        (
            '[[patterns]]\nname = "b"\npattern = \'^预算(?P<amount>\\d+\'\ncategory = "预算规模"\n'
            'bounds = [100000, 500000]\nvalues = ["10万以下", "10-50万", "50万以上"]\n',
            "patterns.b: broken pattern (missing ), unterminated subpattern at position 3)",
        ),
        (
            '[[patterns]]\nname = "b"\npattern = \'^预算(?P<amount>\\d+)\'\ncategory = "预算规模"\n'
            'bounds = [100000]\nvalues = ["10万以下", "10-50万", "50万以上"]\n',
            "patterns.b: bounds must be ascending numbers, one fewer than values",
        ),
        (
            '[[categories]]\nname = "预算规模"\nvalues = ["低", "低"]\n',
            "categories.预算规模.values: a value is given twice",
        ),
        (
            '[[categories]]\nname = "风险"\nvalues = ["高"]\nvalue_aliases = { "很高" = "极高" }\n',
            "categories.风险.value_aliases.很高: 极高 is not one of its values",
        ),
        (
            '[[categories]]\nname = "行业"\nfield = "phone"\n',
            "categories.行业.field: phone is not an option field",
        ),
        (
            '[format]\nunknown = "ignore"\n',
            "format.unknown must be keep, drop or fail, not 'ignore'",
        ),
        ("[colours]\nred = 1\n", "unknown section [colours]"),
    ],
)
def test_a_rulebook_with_a_mistake_names_the_entry(tmp_path: Path, text: str, message: str) -> None:
    base = (
        '[[categories]]\nname = "预算规模"\naliases = ["预算"]\nvalues = ["10万以下", "10-50万", "50万以上"]\n'
        '[[categories]]\nname = "意向等级"\nvalues = ["高意向"]\n'
    )
    rules = tmp_path / "rules.toml"
    rules.write_text(
        text
        if text.startswith("[[categories]]")
        or text.startswith("[format]")
        or text.startswith("[colours]")
        else base + text,
        encoding="utf-8",
    )
    with pytest.raises(RulebookError) as caught:
        load_rulebook(rules, SPEC)
    assert str(caught.value) == f"{rules}: {message}"
    sheet = write_csv(tmp_path / "c.csv", HEADERS, [row("预算低")])
    result = run("tags", "check", sheet, "--rules", rules)
    assert result.exit_code == 2, explain(result)
    assert result.stderr == f"Error: {rules}: {message}\n"


# ---------------------------------------------------------------- the CLI on real files


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    """A workbook with tags written every way the guides warn against, and an extra column."""
    return write_xlsx(
        tmp_path / "客户.xlsx",
        HEADERS,
        [
            row("预算低，高意向", 意向等级="高意向客户", 所属行业="互联网", 客户来源="官网注册"),
            row("预算<10万、决策人;预算 8万", 所属行业="IT"),
            row("预算规模_10万以下 | budget 300k VIP", 微信号='=HYPERLINK("http://x","点击")'),
            row("需求类型-数据管理,预算规模-10万以下"),
            row(None, 销售阶段="成交", 所属行业="互联网"),
            row("意向等级-高意向", 意向等级="潜在客户"),
        ],
    )


def test_check_lists_each_non_canonical_tag_with_rows_and_fix(messy: Path) -> None:
    result = run("tags", "check", messy, "--format", "json")
    assert result.exit_code == 1, explain(result)
    found = json.loads(result.stdout)
    assert (found["rows"], found["changed_rows"], found["derived_missing"]) == (6, 5, 4)
    by_tag = {f["tag"]: f for f in found["findings"]}
    assert by_tag["预算低"] == {"tag": "预算低", "count": 1, "rows": [2], "suggestion": "预算规模-10万以下",
                               "rule": "synonym", "score": None}  # fmt: skip
    assert by_tag["预算 8万"]["suggestion"] == "预算规模-10万以下" and by_tag["预算 8万"][
        "rows"
    ] == [3]
    assert by_tag["budget 300k"]["suggestion"] == "预算规模-10-50万"
    assert by_tag["VIP"]["rule"] == "unknown" and by_tag["VIP"]["suggestion"] is None
    # an explicit tag that contradicts its column: the column wins
    assert by_tag["意向等级-高意向"] == {"tag": "意向等级-高意向", "count": 1, "rows": [7],
                                       "suggestion": "意向等级-低意向", "rule": "derived", "score": None}  # fmt: skip
    assert "需求类型-数据管理" not in by_tag


def test_check_exits_0_on_canonical_tags_and_csv_is_a_table(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "c.csv",
        HEADERS,
        [row("需求类型-数据管理,预算规模-10万以下")],
        encoding="gb18030",
    )
    result = run("tags", "check", sheet)
    assert result.exit_code == 0, explain(result)
    assert "0 non-canonical tags" in result.stderr
    sheet = write_csv(tmp_path / "d.csv", HEADERS, [row("预算低"), row("预算低|VIP")])
    result = run("tags", "check", sheet, "--format", "csv")
    assert result.exit_code == 1, explain(result)
    assert result.stdout.splitlines()[:3] == [
        "tag,count,rows,suggestion,rule,score",
        "预算低,2,2 3,预算规模-10万以下,synonym,",
        "VIP,1,3,,unknown,",
    ]


def test_apply_writes_canonical_tags_and_leaves_every_other_cell(
    tmp_path: Path, messy: Path
) -> None:
    before = digest(messy)
    out = tmp_path / "fixed.xlsx"
    result = run("tags", "apply", messy, "-o", out, "--changes", tmp_path / "changes.csv")
    assert result.exit_code == 0, explain(result)
    assert digest(messy) == before
    fixed = read_table(out).to_frame()
    original = read_table(messy).to_frame()
    assert fixed.columns.tolist() == HEADERS
    assert (
        fixed.drop(columns="客户标签")
        .fillna("")
        .astype(str)
        .equals(original.drop(columns="客户标签").fillna("").astype(str))
    )
    assert fixed["客户标签"].tolist() == [
        "预算规模-10万以下,意向等级-高意向,行业-互联网,来源-官网注册",
        "预算规模-10万以下,决策链角色-决策者,行业-信息技术",
        "预算规模-10万以下,预算规模-10-50万,VIP",
        "需求类型-数据管理,预算规模-10万以下",
        "行业-互联网",
        "意向等级-低意向",
    ]
    from openpyxl import load_workbook

    def formulas(path: Path) -> list[tuple[str, object]]:
        sheet = load_workbook(path).active
        return [(c.coordinate, c.value) for r in sheet.iter_rows() for c in r if c.data_type == "f"]

    # A copy of the workbook with only 客户标签 written: the user's own =HYPERLINK formula is
    # kept as it was, and no text crmkit wrote became a formula.
    assert formulas(out) == formulas(messy) == [("H4", '=HYPERLINK("http://x","点击")')]
    changes = pd.read_csv(tmp_path / "changes.csv", encoding="utf-8-sig", keep_default_na=False)
    assert changes.columns.tolist() == ["row", "before", "after", "rule"]
    assert changes["row"].tolist() == [2, 3, 4, 6, 7]
    assert changes["rule"].tolist()[:2] == ["derived,synonym", "derived,budget-amount,synonym"]


@pytest.mark.parametrize(
    ("policy", "expected"), [("keep", "预算规模-10万以下,VIP"), ("drop", "预算规模-10万以下")]
)
def test_unknown_tags_are_kept_or_dropped_by_the_rulebook(
    tmp_path: Path, policy: str, expected: str
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text((ROOT / "schemas" / "tags.toml").read_text(encoding="utf-8").replace(
        'unknown = "keep"', f'unknown = "{policy}"'), encoding="utf-8")  # fmt: skip
    sheet = write_csv(tmp_path / "c.csv", HEADERS, [row("VIP,预算低")])
    out = tmp_path / "out.csv"
    result = run("tags", "apply", sheet, "-o", out, "--rules", rules)
    assert result.exit_code == 0, explain(result)
    assert pd.read_csv(out, encoding="utf-8-sig")["客户标签"].tolist() == [expected]


def test_strict_makes_an_unknown_tag_an_error_and_writes_nothing(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "c.csv", HEADERS, [row("VIP,预算低"), row("预算低")])
    out = tmp_path / "out.csv"
    result = run("tags", "apply", sheet, "-o", out, "--strict")
    assert result.exit_code == 1, explain(result)
    assert "1 row holds tags no rule" in result.stderr and not out.exists()


def test_stats_counts_tags_among_all_and_won_customers(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "c.csv",
        HEADERS,
        [
            row("预算低,决策人", 销售阶段="成交"),
            row("预算规模-50万以上,决策人", 销售阶段="成交"),
            row("预算低"),
            row("预算低,预算 8万"),  # one customer, one tag
        ],
    )
    result = run("tags", "stats", sheet, "--format", "json")
    assert result.exit_code == 0, explain(result)
    stats = {r["tag"]: r for r in json.loads(result.stdout)}
    assert stats["预算规模-10万以下"] == {"category": "预算规模", "value": "10万以下", "tag": "预算规模-10万以下",
                                         "customers": 3, "share": 0.75, "won": 1, "won_share": 0.5, "lift": 0.67}  # fmt: skip
    assert stats["决策链角色-决策者"]["lift"] == 2.0 and stats["决策链角色-决策者"]["won"] == 2


def test_tags_check_on_the_messy_example_exits_1() -> None:
    result = run("tags", "check", ROOT / "examples" / "messy_customers.xlsx")
    assert result.exit_code == 1, explain(result)
    assert "预算规模_10万以下" in result.stdout and "12 non-canonical tags" in result.stderr


_ANY_CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text(alphabet="预算低高意向,，、;| -_万k0123456789<>", max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ANY_CELL, min_size=1, max_size=5))
def test_any_text_reads_without_error_and_apply_is_idempotent(cells: list[str | None]) -> None:
    once = read_tags(tags_table(cells), BOOK)
    fixed, _ = apply_tags(once)
    twice = read_tags(fixed, BOOK)
    assert twice.after.tolist() == once.after.tolist()


def test_canonical_tags_survive_a_round_trip_through_csv_and_xlsx(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "c.csv", HEADERS, [row("预算低，高意向、VIP", 意向等级="高意向客户")]
    )
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"out{suffix}"
        result = run("tags", "apply", sheet, "-o", out)
        assert result.exit_code == 0, explain(result)
        again = read_tags(read_table(out, specs=[SPEC]), BOOK)
        assert again.before.tolist() == ["预算规模-10万以下,意向等级-高意向,VIP"]
        assert not again.changed.any()


def test_listings_never_show_a_national_id(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "c.csv", HEADERS, [row("预算低,身份证11010519491231002X")])
    result = run("tags", "check", sheet, "--format", "json")
    assert "11010519491231002X" not in result.stdout and "002X" in result.stdout
    changes = tmp_path / "changes.csv"
    assert (
        run("tags", "apply", sheet, "-o", tmp_path / "o.csv", "--changes", changes).exit_code == 0
    )
    assert "11010519491231002X" not in changes.read_text(encoding="utf-8-sig")
