"""How many tag cells, as sales teams write them, the default rulebook leaves unrecognized.

    python benchmarks/tag_spellings.py [CELLS] [--rules FILE]

Generates (seeded) CELLS customer tag cells (default 1,000) from a pool of tags each labelled
with the canonical tag it means (None for a tag no rulebook could know: VIP, 老客户 …):
canonical tags, spellings crmkit has long read, and the spellings issue 18 found unread
(10万-50万 on both ends, 10—50万, 10至50万, 预算中, 需求-数据管理, 拍板人's everyday siblings,
意向强烈 …). Reads every cell as `crmkit tags apply` does and prints the share of rows left
with a tag the rulebook should have recognized, and of tags read to the wrong canonical tag.
tests/test_tag_spellings.py runs the same measure.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

LOW, MID, HIGH = "预算规模-10万以下", "预算规模-10-50万", "预算规模-50万以上"
DATA, ANALYSIS, AUTO = "需求类型-数据管理", "需求类型-客户分析", "需求类型-自动化营销"
DECIDER, INFLUENCER, USER = "决策链角色-决策者", "决策链角色-影响者", "决策链角色-使用者"
RISK_HIGH, RISK_MID, RISK_LOW = "风险等级-高", "风险等级-中", "风险等级-低"
HOT, WARM, COLD = "意向等级-高意向", "意向等级-中意向", "意向等级-低意向"

# Tags written as the rulebook writes them, and as crmkit already read them before issue 18.
_TAGS = [LOW, MID, HIGH, DATA, ANALYSIS, AUTO, DECIDER, INFLUENCER, USER, RISK_HIGH, RISK_MID,
         RISK_LOW, HOT, WARM, COLD, "行业-互联网", "行业-制造业", "来源-官网注册", "来源-行业展会"]  # fmt: skip
CANONICAL: dict[str, str | None] = {t: t for t in _TAGS}
KNOWN: dict[str, str | None] = {
    "预算低": LOW, "低预算": LOW, "预算<10万": LOW, "预算8万": LOW, "10万以下": LOW,
    "预算30万": MID, "预算10-50万": MID, "10万-50万": MID, "预算中等": MID, "budget 300k": MID,
    "预算高": HIGH, "预算充足": HIGH, "50万以上": HIGH, "50万+": HIGH, "预算80万": HIGH,
    "预算规模_10万以下": LOW, "預算規模-10萬以下": LOW, "预算-50万以上": HIGH,
    "高意向": HOT, "意向高": HOT, "意向强": HOT, "意向一般": WARM, "意向低": COLD, "低意向": COLD,
    "决策人": DECIDER, "決策人": DECIDER, "拍板人": DECIDER, "关键人": DECIDER, "影响者": INFLUENCER,
    "用户": USER, "高风险": RISK_HIGH, "风险低": RISK_LOW, "風險等級-低": RISK_LOW,
    "角色-影响者": INFLUENCER, "意向-高": HOT, "风险-中": RISK_MID, "营销自动化": AUTO,
    "客户分析需求": ANALYSIS, "预算5w": LOW,
}  # fmt: skip
# What issue 18 found left unread: budgets with 万 on both ends or other dashes and tildes,
# the medium budget spelled like its siblings, category short names, everyday synonyms.
NEW: dict[str, str | None] = {
    "预算10万-50万": MID, "预算10万~50万": MID, "10万～50万": MID, "10—50万": MID, "10–50万": MID,
    "10至50万": MID, "10到50万": MID, "10万至50万": MID, "预算10到50万": MID, "预算：10-50万": MID,
    "10w-50w": MID, "10-50w": MID, "预算20万-30万": MID, "20~30万": MID, "预算 10至50万": MID,
    "预算中": MID, "中预算": MID, "中等预算": MID, "预算一般": MID, "预算适中": MID,
    "预算有限": LOW, "预算紧张": LOW, "不到10万": LOW, "10万以内": LOW, "10w以下": LOW,
    "5万左右": LOW,
    "预算大": HIGH, "50w+": HIGH, "50万起": HIGH, "100万以上": HIGH, "预算100万+": HIGH,
    "需求-数据管理": DATA, "需求：客户分析": ANALYSIS, "需求_自动化营销": AUTO, "需求-营销自动化": AUTO,
    "老板": DECIDER, "KP": DECIDER, "最终决策人": DECIDER, "关键决策人": DECIDER, "决策层": DECIDER,
    "角色-决策人": DECIDER, "角色：拍板人": DECIDER, "决策角色-关键人": DECIDER,
    "影响人": INFLUENCER, "影响决策": INFLUENCER, "有影响力": INFLUENCER, "角色-影响人": INFLUENCER,
    "使用人": USER, "最终用户": USER, "终端用户": USER, "一线用户": USER, "角色-用户": USER,
    "意向强烈": HOT, "强意向": HOT, "意向很强": HOT, "意向较高": HOT, "意向明确": HOT, "意向大": HOT,
    "意向中等": WARM, "一般意向": WARM, "有意向": WARM, "意向-一般": WARM,
    "意向弱": COLD, "弱意向": COLD, "意向不强": COLD, "意向较低": COLD, "意向不大": COLD,
    "意向-弱": COLD, "意向小": COLD,
    "风险中": RISK_MID, "中等风险": RISK_MID, "风险中等": RISK_MID, "风险较高": RISK_HIGH,
    "风险较低": RISK_LOW, "风险-中等": RISK_MID,
}  # fmt: skip
# Tags no rulebook can know: kept and reported, never counted as a miss.
_NONE = ["VIP", "老客户", "重点客户", "续约", "华东区", "待回访", "已加微信", "竞品在用", "政府项目",
         "上市公司", "大客户", "中小企业", "意向不明", "预算待定", "30万"]  # fmt: skip
UNKNOWN: dict[str, str | None] = dict.fromkeys(_NONE)


def _budgets() -> dict[str, str | None]:
    """Budget ranges composed as people type them: 预算 or not, any dash or tilde, 万 (or w)
    on the upper end or on both, a range within one bucket (it falls by its upper end)."""
    ranges = {LOW: [(1, 5), (2, 5), (3, 8)], MID: [(10, 50), (10, 20), (20, 30), (30, 50)],
              HIGH: [(50, 100), (60, 100), (100, 200)]}  # fmt: skip
    spellings: dict[str, str | None] = {}
    for prefix in ["", "预算", "预算：", "预算 ", "预算规模"]:
        for dash in ["-", "~", "～", "〜", "—", "–", "－", "至", "到"]:
            for unit, both in [
                ("万", False),
                ("万", True),
                ("w", False),
                ("W", True),
                ("万元", False),
            ]:
                for meaning, pairs in ranges.items():
                    for low, high in pairs:
                        lower = f"{low}{unit}" if both else str(low)
                        spellings[f"{prefix}{lower}{dash}{high}{unit}"] = meaning
    return spellings


def _categories() -> dict[str, str | None]:
    """Category-value tags with the category's short or long name, any joiner or none, the
    value as sales teams say it (and the value first: 中等风险)."""
    values = {
        ("需求类型", "需求"): {"数据管理": DATA, "客户分析": ANALYSIS, "营销自动化": AUTO},
        ("预算规模", "预算"): {"低": LOW, "中": MID, "中等": MID, "一般": MID, "高": HIGH},
        ("决策链角色", "角色", "决策角色"): {"决策人": DECIDER, "拍板人": DECIDER, "老板": DECIDER,
                                            "影响人": INFLUENCER, "使用人": USER, "用户": USER},
        ("风险等级", "风险"): {"高": RISK_HIGH, "较高": RISK_HIGH, "中等": RISK_MID, "一般": RISK_MID,
                              "较低": RISK_LOW, "低": RISK_LOW},
        ("意向等级", "意向"): {"强": HOT, "较高": HOT, "中等": WARM, "一般": WARM, "弱": COLD,
                              "较低": COLD},
    }  # fmt: skip
    spellings: dict[str, str | None] = {}
    for names, meanings in values.items():
        for name in names:
            for value, meaning in meanings.items():
                for joiner in ["-", "_", "：", ":", "－", "—", " - ", ""]:
                    spellings[f"{name}{joiner}{value}"] = meaning
                spellings[f"{value}{name}"] = meaning
    return spellings


COMPOSED = {**_budgets(), **_categories()}
POOLS = [(CANONICAL, 0.42), (KNOWN, 0.30), (NEW, 0.12), (COMPOSED, 0.04), (UNKNOWN, 0.12)]
SEPARATORS = [",", "，", "、", ";", "|", "/", " "]


def pool() -> dict[str, str | None]:
    """Every tag of the generator and the canonical tag it means (None: no rule can know it)."""
    return {tag: meaning for entries, _ in POOLS for tag, meaning in entries.items()}


def generate_cells(count: int = 1000, seed: int = 18) -> list[list[str]]:
    """`count` cells of 1 to 3 tags each (some empty), as lists of the tags written."""
    rng = random.Random(seed)
    groups = [sorted(entries) for entries, _ in POOLS]
    weights = [weight for _, weight in POOLS]
    cells: list[list[str]] = []
    for _ in range(count):
        size = rng.choice([0, 1, 1, 2, 2, 2, 3, 3])
        tags: list[str] = []
        while len(tags) < size:
            tag = rng.choice(rng.choices(groups, weights)[0])
            if tag not in tags:
                tags.append(tag)
        cells.append(tags)
    return cells


def join_cell(tags: list[str], rng: random.Random) -> str:
    """The tags of a cell joined by a separator a sales team uses (spaces only between tags
    that hold none, as a person would)."""
    choices = SEPARATORS if not any(" " in t for t in tags) else SEPARATORS[:-1]
    return rng.choice(choices).join(tags)


@dataclass
class Measure:
    """Rows read; rows left with a tag the rulebook should read; tags read wrongly."""

    rows: int
    missed_rows: int
    missed: dict[str, int]
    wrong: dict[str, str | None]

    @property
    def missed_share(self) -> float:
        """Share of rows left with a tag that should have been recognized."""
        return self.missed_rows / self.rows if self.rows else 0.0


def measure(cells: list[list[str]], rules: Path | None = None, seed: int = 18) -> Measure:
    """Read every generated cell through `read_tags` (what `tags apply` does) and count the
    rows left with a recognizable tag unread, and tags read to another canonical tag."""
    import pandas as pd

    from crmkit.io.table import Table
    from crmkit.spec.fields import load_specs
    from crmkit.tags import load_rulebook, read_tags

    spec = load_specs(())["customers"]
    rng = random.Random(seed)
    texts = [join_cell(tags, rng) or None for tags in cells]
    data = pd.DataFrame({0: pd.Series(texts, dtype=object)}, index=range(2, len(texts) + 2))
    table = Table(data=data, headers=["客户标签"], name="tags.csv", sheet=None, header_row=1,
                  format="csv", fields={"tags": 0}, spec=spec)  # fmt: skip
    result = read_tags(table, load_rulebook(rules, spec))
    meanings = pool()
    missed: dict[str, int] = {}
    wrong: dict[str, str | None] = {}
    missed_rows = 0
    for text in texts:
        left = False
        for reading in result.readings.get(text or "", []) if text else []:
            expected = meanings.get(reading.written)
            if reading.canonical is None and expected is not None:
                missed[reading.written] = missed.get(reading.written, 0) + 1
                left = True
            elif reading.canonical != expected and reading.written in meanings:
                wrong[reading.written] = reading.canonical
            elif reading.written not in meanings:  # a space split a tag into pieces
                missed[reading.written] = missed.get(reading.written, 0) + 1
                left = True
        missed_rows += left
    return Measure(len(texts), missed_rows, missed, wrong)


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv and not argv[0].startswith("-") else 1000
    rules = Path(argv[argv.index("--rules") + 1]) if "--rules" in argv else None
    result = measure(generate_cells(count), rules)
    print(
        f"{result.rows} tag cells: {result.missed_rows} rows ({result.missed_share:.1%}) left "
        f"with a tag the rulebook should read; {len(result.wrong)} tags read wrongly"
    )
    for tag, times in sorted(result.missed.items(), key=lambda kv: -kv[1]):
        print(f"  unread  {tag}  ×{times}")
    for tag, canonical in sorted(result.wrong.items()):
        print(f"  wrong   {tag} → {canonical}")


if __name__ == "__main__":
    main(sys.argv[1:])
