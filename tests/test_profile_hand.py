"""`crmkit report profile` on a small fixture whose every number is worked out by hand.

as_of 2024-06-30, period June (previous: May). Nine customers with orders (A–I), J without,
K lost (关闭). R days / F orders / M amount and the means (R 30, F 2, M 1000):

    A 10/3/3000 HHH 重要价值   B 10/1/2000 HLH 重要发展   C 50/3/1500 LHH 重要保持
    D 50/1/1200 LLH 重要挽留   E 10/3/100  HHL 一般价值   F 10/1/50   HLL 一般发展
    G 50/3/90   LHL 一般保持   H 50/1/60   LLL 一般挽留   I 30/2/1000 (all at the mean) 一般挽留

Scores, 1 + ⌊5 × worse / 9⌋: R 10 d → 3, 30 d → 3, 50 d → 1; F 3 → 3, 2 → 3, 1 → 1;
M 50, 60 → 1; 90, 100 → 2; 1000, 1200 → 3; 1500, 2000 → 4; 3000 → 5.
Key customers: A 3000 (33.3%), B (55.6%), C (72.2%), D 1200 (85.6% ≥ 80%): four.
Churn: A, E, I 低; B complaint (satisfaction 2 exactly 90 days ago), D gap (50 d idle > 2 × 5),
F complaint, G unhappy latest follow-up, H overdue task, J silent (181 d) 中; C all three of
complaint, unhappy, overdue task 高; K not rated.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from tests.conftest import explain, run, write_xlsx

CUSTOMERS = ["客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "销售阶段",
             "客户标签", "预计成交金额", "负责人", "创建时间"]  # fmt: skip
PEOPLE = {  # letter: (name, owner, stage, tags)
    "A": ("甲公司", "李强", "成交", "需求类型-数据管理"),
    "B": ("乙公司", "李强", "成交", "需求类型-数据管理,预算规模-10万以下"),
    "C": ("丙公司", "王芳", "成交", "需求类型-客户分析"),
    "D": ("丁公司", "王芳", "成交", "需求类型-自动化营销"),
    "E": ("戊公司", "李强", "成交", None),
    "F": ("己公司", "王芳", "成交", None),
    "G": ("庚公司", "李强", "成交", None),
    "H": ("<script>alert(1)</script>辛公司", "王芳", "成交", None),
    "I": ("壬公司", "李强", "成交", None),
    "J": ("癸公司", "王芳", "需求分析", "需求类型-客户分析"),
    "K": ("子公司", "李强", "关闭", None),
}
ORDERS = [  # letter, date, amount as typed
    ("A", "2024-05-31", "¥1,000"), ("A", "2024-06-10", 1000), ("A", "2024-06-20", "1000.00"),
    ("B", "2024-06-20", "0.2万"),
    ("C", "2024-03-01", 500), ("C", "2024-04-01", 500), ("C", "2024-05-11", 500),
    ("D", "2024-05-11", 1200),
    ("E", "2024-06-01", 40), ("E", "2024-06-10", 30), ("E", "2024-06-20", 30),
    ("F", "2024-06-20", 50),
    ("G", "2024-01-10", 30), ("G", "2024-02-10", 30), ("G", "2024-05-11", 30),
    ("H", "2024-05-11", 60),
    ("I", "2024-04-30", 500), ("I", "2024-05-31", 500),
]  # fmt: skip
SEGMENT = {"A": "重要价值客户", "B": "重要发展客户", "C": "重要保持客户", "D": "重要挽留客户",
           "E": "一般价值客户", "F": "一般发展客户", "G": "一般保持客户", "H": "一般挽留客户",
           "I": "一般挽留客户", "J": "未成交", "K": "未成交"}  # fmt: skip
SCORES = {"A": (10, 3, 3000, 3, 3, 5), "B": (10, 1, 2000, 3, 1, 4), "C": (50, 3, 1500, 1, 3, 4),
          "D": (50, 1, 1200, 1, 1, 3), "E": (10, 3, 100, 3, 3, 2), "F": (10, 1, 50, 3, 1, 1),
          "G": (50, 3, 90, 1, 3, 2), "H": (50, 1, 60, 1, 1, 1), "I": (30, 2, 1000, 3, 3, 3)}  # fmt: skip
RISK = {"A": "低", "B": "中", "C": "高", "D": "中", "E": "低", "F": "中", "G": "中", "H": "中",
        "I": "低", "J": "中", "K": None}  # fmt: skip


def cid(letter: str) -> str:
    return f"CRM2024010100{ord(letter) - 64:02d}"


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    people = [
        [cid(k), name, "软件", "张三", "13812345678", "官网注册", stage, tags, 10000, owner,
         datetime(2024, 1, 1, 9)]
        for k, (name, owner, stage, tags) in PEOPLE.items()
    ]  # fmt: skip
    orders = [
        [f"ORD2024{n:05d}", cid(k), None, day, amount, "CRM标准版", 1, None, "已付款"]
        for n, (k, day, amount) in enumerate(ORDERS, 1)
    ]
    orders += [  # bad rows: each left out with a note
        ["ORD2024900", cid("A"), None, "2024-06-25", -100, None, None, None, None],
        ["ORD2024901", "CRM999", None, "2024-06-25", 100, None, None, None, None],
        ["ORD2024902", cid("A"), None, "2024-06-25", "很多", None, None, None, None],
        ["ORD2024903", cid("A"), None, "2024-07-05", 100, None, None, None, None],
    ]
    followups = [  # customer, at, feedback
        ("D", "2024-05-01 10:00", "再考虑"), ("D", "2024-05-06 10:00", "再考虑"),
        ("E", "2024-06-05 10:00", "不满意"), ("E", "2024-06-15 10:00", "满意"),
        ("G", "2024-06-25 10:00", "不满意，价格太高"),
        ("C", "2024-06-28 10:00", "客户不满意交付进度"),
    ]  # fmt: skip
    feedback = [  # customer, date, type, satisfaction
        ("A", "2024-03-01", "投诉", 1),  # 121 days before: not recent
        ("B", "2024-04-01", "咨询", 2),  # exactly 90 days before: recent, score ≤ 2
        ("F", "2024-06-15", "投诉", None),
        ("C", "2024-06-20", "投诉", 3),
        ("K", "2024-06-05", "投诉", 1),  # lost: not rated
    ]
    tasks = [  # customer, status, due
        ("H", "处理中", "2024-06-01"), ("C", "待处理", "2024-06-15"),
        ("A", "已完成", "2024-06-01"), ("A", "待处理", "2024-07-15"),
    ]  # fmt: skip
    return {
        "customers": write_xlsx(tmp_path / "customers.xlsx", CUSTOMERS, people),
        "orders": write_xlsx(
            tmp_path / "orders.xlsx",
            ["订单编号", "客户编号", "客户名称", "成交日期", "成交金额", "产品/服务", "数量", "负责人", "付款状态"],
            orders,
            sheet="成交记录",
        ),
        "followups": write_xlsx(
            tmp_path / "followups.xlsx",
            ["客户编号", "跟进时间", "跟进人", "沟通方式", "沟通内容", "下一步计划", "客户反馈", "跟进状态"],
            [[cid(k), at, "李强", "电话", "沟通方案细节", "下周回访", said, "意向客户"] for k, at, said in followups],
            sheet="跟进记录",
        ),
        "feedback": write_xlsx(
            tmp_path / "feedback.xlsx",
            ["反馈日期", "客户编号", "反馈类型", "问题描述", "满意度评分"],
            [[day, cid(k), kind, "说明", score] for k, day, kind, score in feedback],
            sheet="反馈",
        ),
        "tasks": write_xlsx(
            tmp_path / "tasks.xlsx",
            ["任务编号", "客户编号", "发起人", "协作部门/人员", "任务内容", "优先级", "截止日期", "当前状态"],
            [[f"TASK{n}", cid(k), "李强", "技术支持-刘洋", "处理问题", "重要", due, status]
             for n, (k, status, due) in enumerate(tasks, 1)],
            sheet="任务",
        ),
    }  # fmt: skip


def _args(tables: dict[str, Path], *more: str) -> list[str]:
    return [
        "report", "profile", "--customers", str(tables["customers"]), "--orders", str(tables["orders"]),
        "--followups", str(tables["followups"]), "--feedback", str(tables["feedback"]),
        "--tasks", str(tables["tasks"]), "--as-of", "2024-06-30", "--since", "2024-06-01",
        "--until", "2024-06-30", *more,
    ]  # fmt: skip


@pytest.fixture
def profile(tables: dict[str, Path]) -> dict:
    result = run(*_args(tables, "--format", "json"))
    assert result.exit_code == 0, explain(result)
    return json.loads(result.stdout)


def test_every_segment_and_score_by_hand(profile: dict) -> None:
    people = {c["customer_id"]: c for c in profile["customers"]}
    for letter, segment in SEGMENT.items():
        assert people[cid(letter)]["segment"] == segment, letter
    for letter, (days, orders, amount, r, f, m) in SCORES.items():
        row = people[cid(letter)]
        got = (row["recency_days"], row["frequency"], row["monetary"], row["r"], row["f"], row["m"])
        assert got == (days, orders, amount, r, f, m), letter
    for letter in "JK":  # without orders: counted apart, not scored
        row = people[cid(letter)]
        assert (row["recency_days"], row["frequency"], row["r"], row["segment"]) == (
            None,
            0,
            None,
            "未成交",
        )
    assert profile["means"] == {"recency_days": 30.0, "frequency": 2.0, "monetary": 1000.0}
    segments = {s["segment"]: (s["customers"], s["amount"]) for s in profile["segments"]}
    assert segments == {
        "重要价值客户": (1, 3000), "重要发展客户": (1, 2000), "重要保持客户": (1, 1500),
        "重要挽留客户": (1, 1200), "一般价值客户": (1, 100), "一般发展客户": (1, 50),
        "一般保持客户": (1, 90), "一般挽留客户": (2, 1060),
    }  # fmt: skip
    assert profile["basis"] == "orders"


def test_headline_by_hand(profile: dict) -> None:
    head = profile["headline"]
    assert head["customers"]["value"] == 11
    assert head["scored_customers"]["value"] == 9
    assert head["no_orders"]["value"] == 2
    assert head["repeat_rate"]["value"] == pytest.approx(5 / 9)  # A C E G I
    assert head["orders_per_customer"]["value"] == 2.0  # 18 orders
    assert head["avg_order_value"]["value"] == 500.0  # 9000 / 18
    assert head["period_orders"] == {"value": 7, "previous": 6}
    assert head["period_amount"] == {"value": 4150.0, "previous": 3290.0}
    assert head["key_customers"]["value"] == 4
    assert (head["risk_high"]["value"], head["risk_medium"]["value"]) == (1, 6)


def test_pareto_cut_by_hand(profile: dict) -> None:
    keys = profile["key_customers"]
    assert [k["customer_id"] for k in keys] == [cid(x) for x in "ABCD"]
    assert [round(k["cumulative_share"], 4) for k in keys] == [0.3333, 0.5556, 0.7222, 0.8556]
    assert keys[0] == {"customer_id": cid("A"), "name": "甲公司", "owner": "李强", "amount": 3000.0,
                       "share": pytest.approx(1 / 3), "cumulative_share": pytest.approx(1 / 3)}  # fmt: skip


def test_each_churn_reason_alone_and_together(profile: dict) -> None:
    people = {c["customer_id"]: c for c in profile["customers"]}
    for letter, level in RISK.items():
        assert people[cid(letter)]["churn_risk"] == level, letter
    reasons = {k: people[cid(k)]["reasons"] for k in RISK}
    assert reasons["A"] == [] and reasons["E"] == [] and reasons["I"] == [] and reasons["K"] == []
    assert reasons["B"] == ["近90天有投诉或低满意度评分（1次）"]
    assert reasons["D"] == ["已50天无成交或跟进，超过平时间隔（中位5天）的两倍"]
    assert reasons["F"] == ["近90天有投诉或低满意度评分（1次）"]
    assert reasons["G"] == ["最近一次跟进客户反馈不满意"]
    assert reasons["H"] == ["1个协作任务已逾期"]
    assert reasons["J"] == ["已181天无成交或跟进（超过90天）"]
    assert reasons["C"] == [
        "近90天有投诉或低满意度评分（1次）",
        "最近一次跟进客户反馈不满意",
        "1个协作任务已逾期",
    ]
    by_owner = [(o["owner"], o["high"], o["medium"], o["low"]) for o in profile["churn_by_owner"]]
    assert by_owner == [("王芳", 1, 4, 0), ("李强", 0, 2, 3)]


def test_hotspots_by_hand(profile: dict) -> None:
    spots = [(h["category"], h["topic"], h["count"], h["previous"]) for h in profile["hotspots"]]
    assert spots == [
        ("需求类型", "数据管理", 2, 1), ("需求类型", "客户分析", 1, 1), ("需求类型", "自动化营销", 0, 1),
        ("反馈类型", "咨询", 0, 0), ("反馈类型", "建议", 0, 0), ("反馈类型", "投诉", 3, 0),
        ("反馈类型", "表扬", 0, 0),
    ]  # fmt: skip


def test_bad_orders_are_left_out_with_a_note(tables: dict[str, Path]) -> None:
    result = run(*_args(tables))
    assert result.exit_code == 0, explain(result)
    assert "1 orders dated after 2024-06-30 are not counted" in result.stderr
    assert "2 orders have no usable 成交金额" in result.stderr  # -100 and 很多
    assert "1 orders name no customer of the customer table" in result.stderr
    assert result.stdout.startswith("客户画像 · 截至 2024-06-30 · 依据成交记录表计算 RFM")


def test_json_is_the_library_result(tables: dict[str, Path], profile: dict) -> None:
    from crmkit.frames.canonical import read_canonical
    from crmkit.frames.period import Period
    from crmkit.io.write import json_text
    from crmkit.report.profile import FIELDS, compute_profile
    from crmkit.spec.fields import load_specs

    specs = load_specs()
    frames = {
        kind: read_canonical(tables[kind], specs[kind], FIELDS[kind],
                             raw=("feedback",) if kind == "followups" else ())[0]
        for kind in ("customers", "orders", "followups", "feedback", "tasks")
    }  # fmt: skip
    data = compute_profile(
        frames["customers"], frames["orders"], frames["followups"], frames["feedback"],
        frames["tasks"], as_of=date(2024, 6, 30), period=Period(date(2024, 6, 1), date(2024, 6, 30)),
    )  # fmt: skip
    assert json.loads(json_text(data.to_dict())) == profile


def test_excel_has_native_charts_with_legends(tables: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "profile.xlsx"
    result = run(*_args(tables, "-o", str(out)))
    assert result.exit_code == 0, explain(result)
    book = load_workbook(out)
    assert book.sheetnames == [
        "汇总",
        "价值细分",
        "关键客户",
        "流失风险",
        "流失风险-按负责人",
        "咨询热点",
        "RFM 明细",
        "口径说明",
    ]
    assert book["汇总"]["A2"].value == "依据成交记录表计算 RFM"
    charts = {name: book[name]._charts for name in ("价值细分", "关键客户", "流失风险-按负责人")}
    assert all(len(c) == 1 and c[0].legend is not None for c in charts.values())
    pareto = charts["关键客户"][0]
    assert isinstance(pareto, BarChart) and any(isinstance(c, LineChart) for c in pareto._charts)
    assert charts["流失风险-按负责人"][0].grouping == "stacked"
    keys = [row for row in book["关键客户"].iter_rows(min_row=2, values_only=True) if row[0] == "✓"]
    assert [row[1] for row in keys] == [cid(x) for x in "ABCD"]
    segments = {r[0]: r[1] for r in book["价值细分"].iter_rows(min_row=2, values_only=True)}
    assert segments["一般挽留客户"] == 2


def test_html_is_one_escaped_page(tables: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "profile.html"
    result = run(*_args(tables, "-o", str(out)))
    assert result.exit_code == 0, explain(result)
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;辛公司" in page
    assert "<svg" in page and "http" not in page.split("<body>")[1]  # no fetched resource
    assert "关键客户：4 位客户占成交总额的 80%" in page


def test_without_orders_the_first_line_says_so(tables: dict[str, Path]) -> None:
    result = run("report", "profile", "--customers", tables["customers"], "--followups",
                 tables["followups"], "--as-of", "2024-06-30", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    assert data["basis"] == "followups"
    assert "R、F 取自跟进记录" in result.stderr.splitlines()[0]
    people = {c["customer_id"]: c for c in data["customers"]}
    # D: two follow-ups, last 2024-05-06 (55 days); M = its 预计成交金额 as a won customer
    assert (people[cid("D")]["frequency"], people[cid("D")]["recency_days"]) == (2, 55)
    assert people[cid("D")]["monetary"] == 10000.0
    assert people[cid("A")]["segment"] == "未成交"  # no follow-up


def test_tag_writes_a_copy_and_a_rerun_replaces(tables: dict[str, Path], tmp_path: Path) -> None:
    first = tmp_path / "tagged.xlsx"
    result = run(*_args(tables, "--tag", str(first), "--format", "json"))
    assert result.exit_code == 0, explain(result)
    rows = list(load_workbook(first).active.iter_rows(min_row=2, values_only=True))
    tags = {r[0]: r[7] for r in rows}
    assert tags[cid("B")] == "需求类型-数据管理,预算规模-10万以下,客户价值-重要发展客户,流失风险-中"
    assert tags[cid("K")] == "客户价值-未成交"  # lost: no churn tag
    args = _args(tables, "--tag", str(tmp_path / "again.xlsx"))
    args[args.index("--customers") + 1] = str(first)
    again = run(*args)
    assert again.exit_code == 0, explain(again)
    rows = list(
        load_workbook(tmp_path / "again.xlsx").active.iter_rows(min_row=2, values_only=True)
    )
    assert {r[0]: r[7] for r in rows} == tags  # replaced, never stacked
    check = run("tags", "check", first, "--format", "json")  # the rulebook knows both categories
    assert json.loads(check.stdout)["findings"] == [], explain(check)


def test_profile_tags_replace_older_values() -> None:
    from crmkit.report.profile import profile_tags

    assert profile_tags(
        "客户价值-一般挽留客户、流失风险：高，风险等级-低", "重要价值客户", "低"
    ) == ("风险等级-低,客户价值-重要价值客户,流失风险-低")
    assert profile_tags(None, "未成交", None) == "客户价值-未成交"


def test_quintile_scores() -> None:
    import numpy as np

    from crmkit.report.profile import quintile_scores

    assert quintile_scores(np.array([1.0, 2, 3, 4, 5])).tolist() == [1, 2, 3, 4, 5]
    assert quintile_scores(np.array([5.0, 5, 1]), fewer_is_better=True).tolist() == [
        1,
        1,
        4,
    ]  # 1 + ⌊5 × 2 / 3⌋
