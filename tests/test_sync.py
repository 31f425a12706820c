"""crmkit sync on real workbooks: every default rule, forward-only intent, won and lost
customers, the dates, warnings, --check, in-place writing, triggered tasks, a team's rules."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from .conftest import FOLLOWUP_HEADERS, digest, explain, run, write_csv, write_xlsx
from .test_service import TASK_HEADERS, task

HEADERS = ["客户编号", "客户名称", "联系电话", "意向等级", "销售阶段", "负责人", "创建时间",
           "更新时间", "下次跟进时间", "内部备注", "备注"]  # fmt: skip
AS_OF = "2024-03-20"
PLAIN = ("介绍产品功能，客户关注数据导入", "下周演示", "有兴趣")


def customer(number: int, **cells: object) -> list[object]:
    row: dict[str, object] = {
        "客户编号": f"CRM2024030100{number}", "客户名称": f"客户{number}有限公司",
        "联系电话": "13812345678", "意向等级": "潜在客户", "销售阶段": "初步接触", "负责人": "李强",
        "创建时间": datetime(2024, 3, 1, 9), "更新时间": datetime(2024, 3, 1, 9),
        "下次跟进时间": datetime(2024, 3, 30), "内部备注": f"内部{number}", "备注": None,
    }  # fmt: skip
    row.update(cells)
    return [row[h] for h in HEADERS]


def followup(number: int, at: datetime, status: str, *texts: str) -> list[object]:
    content, plan, said = (*texts, *PLAIN[len(texts) :])
    return [f"CRM2024030100{number}", at, "李强", "电话", content, plan, said, status]


def write_tables(folder: Path, people: list[list[object]], history: list[list[object]],
                 **sheets: list[list[Any]]) -> tuple[Path, Path]:  # fmt: skip
    customers = write_xlsx(folder / "customers.xlsx", HEADERS, people, more_sheets=sheets)
    followups = write_xlsx(folder / "followups.xlsx", FOLLOWUP_HEADERS, history, sheet="跟进记录")
    return customers, followups


def sync(customers: Path, followups: Path, *extra: object, code: int = 0) -> Any:
    result = run("sync", customers, "--followups", followups, "--as-of", AS_OF, *extra)
    assert result.exit_code == code, explain(result)
    return result


def cells(path: Path, sheet: str = "客户信息") -> list[dict[str, Any]]:
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def changes_of(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("words", "before", "after"),
    [
        ("客户反馈价格偏高", "合同谈判", "方案报价"),
        ("要求重新报价", "合同谈判", "方案报价"),
        ("需优化报价后再谈", "合同谈判", "方案报价"),
        ("今天已签约", "方案报价", "成交"),
        ("双方签订合同", "需求分析", "成交"),
        ("客户已付款", "合同谈判", "成交"),
        ("客户表示不再考虑", "方案报价", "关闭"),
        ("客户选择了其他供应商", "合同谈判", "关闭"),
        ("项目取消", "需求分析", "关闭"),
    ],
)
def test_every_default_rule_moves_the_stage(
    tmp_path: Path, words: str, before: str, after: str
) -> None:
    customers, followups = write_tables(
        tmp_path,
        [customer(1, 销售阶段=before, 意向等级="意向客户")],
        [followup(1, datetime(2024, 3, 10, 10), "意向客户", *PLAIN[:2], words)],
    )
    sync(customers, followups, "-o", tmp_path / "out.xlsx", "--changes", tmp_path / "c.csv")
    assert cells(tmp_path / "out.xlsx")[0]["销售阶段"] == after
    stage = [c for c in changes_of(tmp_path / "c.csv") if c["field"] == "销售阶段"]
    assert [(c["before"], c["after"], c["source_row"]) for c in stage] == [(before, after, "2")]
    assert stage[0]["reason"].startswith("rule ") and "(客户反馈)" in stage[0]["reason"]


def test_the_seed_rollback_and_forward_only_intent(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [
            # the operating guide's example: back from 合同谈判 to 方案报价
            customer(1, 销售阶段="合同谈判", 意向等级="高意向客户"),
            # 意向客户 implies 需求分析, behind 合同谈判: the stage stays
            customer(2, 销售阶段="合同谈判", 意向等级="高意向客户"),
            # 高意向客户 implies 方案报价, ahead of 初步接触: forward
            customer(3),
            # blank stage: forward to what the intent implies
            customer(4, 销售阶段=None),
        ],
        [
            followup(1, datetime(2024, 3, 10, 10), "高意向客户", "客户已收到方案，反馈价格偏高，需优化报价"),
            followup(2, datetime(2024, 3, 11, 10), "高意向客户→意向客户"),
            followup(3, datetime(2024, 3, 12, 10), "意向客户→高意向客户"),
            followup(4, datetime(2024, 3, 13, 10), "意向客户"),
        ],
    )  # fmt: skip
    sync(customers, followups, "-o", tmp_path / "out.xlsx", "--changes", tmp_path / "c.csv")
    out = cells(tmp_path / "out.xlsx")
    assert [(r["意向等级"], r["销售阶段"]) for r in out] == [
        ("高意向客户", "方案报价"),
        ("意向客户", "合同谈判"),
        ("高意向客户", "方案报价"),
        ("意向客户", "需求分析"),
    ]
    reasons = {(c["row"], c["field"]): c["reason"] for c in changes_of(tmp_path / "c.csv")}
    assert reasons[("2", "销售阶段")] == "rule 重新报价 (沟通内容)"
    assert reasons[("4", "销售阶段")] == "intent 高意向客户 → 方案报价"
    assert reasons[("3", "意向等级")] == "跟进状态 高意向客户→意向客户"


def test_won_and_lost_customers_are_not_moved_by_intent(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [customer(1, 销售阶段="成交", 意向等级="成交客户"), customer(2, 销售阶段="关闭")],
        [
            followup(1, datetime(2024, 3, 10, 10), "意向客户"),
            followup(2, datetime(2024, 3, 10, 11), "高意向客户"),
        ],
    )
    sync(customers, followups, "-o", tmp_path / "out.xlsx")
    out = cells(tmp_path / "out.xlsx")
    assert [(r["意向等级"], r["销售阶段"]) for r in out] == [
        ("意向客户", "成交"),
        ("高意向客户", "关闭"),
    ]


def test_dates_follow_the_latest_follow_up(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [
            # next follow-up 03-30 is after the latest (03-12): kept; 更新时间 moves to 03-12 10:30
            customer(1),
            # next follow-up before the latest: latest day + 2 (高意向客户) = 03-14
            customer(2, 下次跟进时间=datetime(2024, 3, 5)),
            # blank next follow-up: latest day + 5 (潜在客户) = 03-16; 更新时间 later: kept
            customer(3, 下次跟进时间=None, 更新时间=datetime(2024, 3, 15, 8)),
        ],
        [
            followup(1, datetime(2024, 3, 12, 10, 30), "潜在客户"),
            followup(1, datetime(2024, 3, 2, 10, 30), "意向客户"),  # earlier: not the latest
            followup(2, datetime(2024, 3, 12, 16), "高意向客户"),
            followup(3, datetime(2024, 3, 11, 9), "潜在客户"),
        ],
    )
    sync(customers, followups, "-o", tmp_path / "out.xlsx")
    out = cells(tmp_path / "out.xlsx")
    assert [(r["更新时间"], r["下次跟进时间"]) for r in out] == [
        (datetime(2024, 3, 12, 10, 30), datetime(2024, 3, 30)),
        (datetime(2024, 3, 12, 16), datetime(2024, 3, 14)),
        (datetime(2024, 3, 15, 8), datetime(2024, 3, 16)),
    ]


def test_in_place_keeps_everything_else_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    guide = [["填写说明"], ["每行一个客户"]]
    customers, followups = write_tables(
        tmp_path,
        [customer(1, 备注='=HYPERLINK("http://evil.example","点我")'), customer(2),
         customer(3, 联系电话="+8613812345678")],
        [followup(2, datetime(2024, 3, 12, 10, 30), "意向客户")],
        填写说明=guide,
    )  # fmt: skip
    book = load_workbook(customers)
    book["客户信息"]["K2"].data_type = "s"  # text that looks like a formula, as a user typed it
    book.save(customers)
    before = cells(customers)
    original = digest(customers)
    first = sync(customers, followups, "--in-place")
    assert "1 of 3 customers" in first.stderr
    assert digest(tmp_path / "customers.xlsx.bak") == original
    after = cells(customers)
    changed = {(i, k) for i, (a, b) in enumerate(zip(before, after, strict=True))
               for k in a if a[k] != b[k]}  # fmt: skip
    # 意向客户 → 需求分析; 下次跟进时间 03-30 is after the follow-up: kept
    assert changed == {(1, "意向等级"), (1, "销售阶段"), (1, "更新时间")}
    assert list(after[0]) == HEADERS  # same columns, in order, the unknown one too
    book = load_workbook(customers)
    assert book.sheetnames == ["客户信息", "填写说明"]
    assert [list(r) for r in book["填写说明"].iter_rows(values_only=True)] == guide
    formula = book["客户信息"]["K2"]
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")
    kept = digest(customers)
    again = sync(customers, followups, "--in-place")
    assert "0 of 3 customers" in again.stderr
    assert digest(customers) == kept  # nothing to change: the file is not even rewritten
    assert not (tmp_path / "customers.xlsx.bak.2").exists()


def test_check_writes_nothing_and_exits_1_only_when_out_of_date(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path, [customer(1)], [followup(1, datetime(2024, 3, 12, 10), "意向客户")]
    )
    original = digest(customers)
    result = run("--quiet", "sync", customers, "--followups", followups, "--as-of", AS_OF,
                 "--check")  # fmt: skip
    assert result.exit_code == 1, explain(result)
    # 意向等级, 销售阶段 (→ 需求分析) and 更新时间; 下次跟进时间 03-30 is after the follow-up
    assert result.stderr.endswith("customers.xlsx is out of date: 3 cells to change, "
                                  "0 tasks to add (crmkit sync --in-place)\n")  # fmt: skip
    assert result.stderr.count("\n") == 1  # cron mails exactly this line
    assert digest(customers) == original and sorted(p.name for p in tmp_path.iterdir()) == [
        "customers.xlsx",
        "followups.xlsx",
    ]
    sync(customers, followups, "--in-place")
    quiet = run("--quiet", "sync", customers, "--followups", followups, "--as-of", AS_OF, "--check")
    assert quiet.exit_code == 0, explain(quiet)
    assert quiet.stderr == "" and quiet.stdout == ""


def test_unknown_customers_future_follow_ups_and_same_minute_conflicts_are_warnings(
    tmp_path: Path,
) -> None:
    customers, followups = write_tables(
        tmp_path,
        [customer(1), customer(2)],
        [
            followup(9, datetime(2024, 3, 12, 10), "意向客户"),  # row 2: no such customer
            followup(1, datetime(2024, 3, 25, 10), "高意向客户"),  # row 3: after --as-of
            followup(1, datetime(2024, 3, 12, 10), "意向客户"),  # row 4: used
            followup(2, datetime(2024, 3, 13, 10, 5, 10), "意向客户"),  # rows 5, 6: one minute,
            followup(2, datetime(2024, 3, 13, 10, 5, 40), "高意向客户"),  # two states
        ],
    )
    result = sync(customers, followups, "-o", tmp_path / "out.xlsx", "--changes",
                  tmp_path / "c.csv")  # fmt: skip
    assert "row 2, column 客户编号: CRM20240301009: no customer" in result.stderr
    assert "row 3, column 跟进时间: 2024-03-25 10:00: after --as-of 2024-03-20" in result.stderr
    assert "row 5, column 跟进状态: CRM20240301002 has follow-ups at 2024-03-13 10:05" in (
        result.stderr
    )
    assert "row 6, column 跟进状态" in result.stderr and "left unchanged" in result.stderr
    out = cells(tmp_path / "out.xlsx")
    assert (out[0]["意向等级"], out[1]["意向等级"]) == ("意向客户", "潜在客户")
    assert {c["customer_id"] for c in changes_of(tmp_path / "c.csv")} == {"CRM20240301001"}


def test_library_returns_findings_with_their_place(tmp_path: Path) -> None:
    from datetime import date

    from crmkit.io import read_table
    from crmkit.spec.fields import builtin_spec
    from crmkit.sync import sync_customers

    customers, followups = write_tables(
        tmp_path, [customer(1)], [followup(7, datetime(2024, 3, 12, 10), "意向客户")]
    )
    result = sync_customers(
        read_table(customers, specs=[builtin_spec("customers")]),
        read_table(followups, specs=[builtin_spec("followups")]),
        as_of=date(2024, 3, 20),
    )
    assert result.up_to_date
    [finding] = result.findings
    assert (finding.file, finding.sheet, finding.row, finding.column, finding.severity,
            finding.rule) == (str(followups), "跟进记录", 2, "客户编号", "warning",
                              "unknown_customer")  # fmt: skip


def test_triggered_tasks_are_added_once_and_existing_tasks_are_untouched(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [customer(1, 负责人="王芳"), customer(2, 负责人=None)],
        [
            followup(1, datetime(2024, 3, 12, 10), "意向客户→高意向客户"),  # enters 方案报价
            followup(2, datetime(2024, 3, 13, 15), "潜在客户", *PLAIN[:2], "对服务很不满意"),
        ],
    )
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [task(任务编号="TASK0007")],
                       sheet="任务")  # fmt: skip
    existing = cells(tasks, "任务")[0]
    sync(customers, followups, "--in-place", "--tasks", tasks)
    rows = cells(tasks, "任务")
    assert {k: v for k, v in rows[0].items() if k in existing} == existing
    added = [{k: r[k] for k in ("任务编号", "客户编号", "客户名称", "发起人", "协作部门/人员", "任务内容",
                                "优先级", "截止日期", "当前状态")} for r in rows[1:]]  # fmt: skip
    assert added == [
        {"任务编号": "TASK0008", "客户编号": "CRM20240301001", "客户名称": "客户1有限公司",
         "发起人": "系统", "协作部门/人员": "王芳", "任务内容": "回访客户1有限公司确认方案反馈",
         "优先级": "重要", "截止日期": datetime(2024, 3, 15), "当前状态": "待处理"},
        {"任务编号": "TASK0009", "客户编号": "CRM20240301002", "客户名称": "客户2有限公司",
         "发起人": "系统", "协作部门/人员": "李强", "任务内容": "处理客户2有限公司的不满意反馈",
         "优先级": "紧急", "截止日期": datetime(2024, 3, 14), "当前状态": "待处理"},
    ]  # fmt: skip
    assert rows[1]["触发来源"] == "sync 方案回访 CRM20240301001 2024-03-12 10:00"
    kept = digest(tasks)
    # the complaint is still the latest follow-up; the stage no longer changes: nothing new
    again = run("--quiet", "sync", customers, "--followups", followups, "--as-of", AS_OF,
                "--tasks", tasks, "--check")  # fmt: skip
    assert again.exit_code == 0, explain(again)
    sync(customers, followups, "--in-place", "--tasks", tasks)
    assert digest(tasks) == kept and len(cells(tasks, "任务")) == 3


def test_tasks_with_output_need_tasks_out(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path, [customer(1)], [followup(1, datetime(2024, 3, 12, 10), "高意向客户")]
    )
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [task()], sheet="任务")
    result = sync(customers, followups, "-o", tmp_path / "o.xlsx", "--tasks", tasks, code=2)
    assert "with -o, give --tasks-out FILE too" in result.stderr
    original = digest(tasks)
    sync(customers, followups, "-o", tmp_path / "o.xlsx", "--tasks", tasks, "--tasks-out",
         tmp_path / "t.csv")  # fmt: skip
    assert digest(tasks) == original
    with open(tmp_path / "t.csv", encoding="utf-8-sig") as handle:
        assert len(handle.read().splitlines()) == 3


def test_a_team_s_own_rules_replace_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "crmkit.toml").write_text(
        """
[[sync.stage_rules]]
name = "暂停"
pattern = "暂缓|搁置"
fields = ["下一步计划"]
stage = "lost"

[[sync.triggers]]
name = "流失回访"
stage = "关闭"
task = "{负责人}: 了解{客户名称}流失原因"
days = 7
priority = "一般"
assignee = "客服部"
""",
        encoding="utf-8",
    )
    customers, followups = write_tables(
        tmp_path,
        [customer(1, 销售阶段="合同谈判"), customer(2, 销售阶段="合同谈判")],
        [
            followup(1, datetime(2024, 3, 12, 10), "意向客户", "价格偏高", "项目搁置"),
            followup(2, datetime(2024, 3, 12, 10), "意向客户", "价格偏高"),  # default rule: gone
        ],
    )
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [task()], sheet="任务")
    sync(customers, followups, "--in-place", "--tasks", tasks, "--config",
         tmp_path / "crmkit.toml")  # fmt: skip
    assert [r["销售阶段"] for r in cells(customers)] == ["关闭", "合同谈判"]
    added = cells(tasks, "任务")[1:]
    assert [(r["任务内容"], r["协作部门/人员"], r["优先级"], r["截止日期"]) for r in added] == [
        ("李强: 了解客户1有限公司流失原因", "客服部", "一般", datetime(2024, 3, 19))
    ]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[sync.stage_rules]]\nwords = ["x"]\nstage = "赢单"\n',
         "sync.stage_rules[1].stage '赢单' is not one of pipeline.stages"),
        ('[[sync.stage_rules]]\npattern = "(价格"\nstage = "方案报价"\n',
         "sync.stage_rules[1].pattern is not a regular expression"),
        ('[[sync.stage_rules]]\nwords = ["x"]\nstage = "成交"\ncolour = "red"\n',
         "unknown key sync.stage_rules[1].colour"),
        ('[[sync.stage_rules]]\nstage = "成交"\n', "sync.stage_rules[1] needs words or a pattern"),
        ('[[sync.stage_rules]]\nwords = ["x"]\nstage = "成交"\nfields = ["备注"]\n',
         "sync.stage_rules[1].fields '备注' is not 沟通内容, 下一步计划 or 客户反馈"),
        ('[[sync.triggers]]\nstage = "成交"\ntask = "{公司}"\n',
         "sync.triggers[1].task names {公司}"),
        ('[[sync.triggers]]\nstage = "成交"\ntask = "x"\npriority = "高"\n',
         "sync.triggers[1].priority must be 紧急, 重要 or 一般"),
        ('[[sync.triggers]]\ntask = "x"\n', "sync.triggers[1] needs either a stage or feedback"),
        ("[sync]\nrules = 1\n", "unknown key sync.rules"),
    ],
)  # fmt: skip
def test_a_bad_rule_config_names_the_key_and_exits_2(
    tmp_path: Path, toml: str, message: str
) -> None:
    (tmp_path / "crmkit.toml").write_text(toml, encoding="utf-8")
    customers, followups = write_tables(tmp_path, [customer(1)], [])
    result = sync(customers, followups, "--check", "--config", tmp_path / "crmkit.toml", code=2)
    assert message in result.stderr
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


def test_csv_in_gb18030_is_synced_into_csv(tmp_path: Path) -> None:
    people = write_csv(tmp_path / "customers.csv", HEADERS,
                       [customer(1, 创建时间="2024-03-01 09:00", 更新时间="", 下次跟进时间="")],
                       encoding="gb18030")  # fmt: skip
    history = write_csv(tmp_path / "followups.csv", FOLLOWUP_HEADERS,
                        [followup(1, "2024/3/12 10:00", "高意向客户", "已签约")],  # type: ignore[arg-type]
                        encoding="gb18030")  # fmt: skip
    sync(people, history, "-o", tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["意向等级"], row["销售阶段"], row["更新时间"], row["下次跟进时间"]) == (
        "高意向客户", "成交", "2024-03-12 10:00", "2024-03-14")  # fmt: skip
    assert row["内部备注"] == "内部1" and row["联系电话"] == "13812345678"


def test_sync_options_are_checked(tmp_path: Path) -> None:
    customers, followups = write_tables(tmp_path, [customer(1)], [])
    result = sync(customers, followups, code=2)
    assert "give one of -o FILE, --in-place or --check" in result.stderr
    result = sync(customers, followups, "--check", "--in-place", code=2)
    assert "give one of" in result.stderr
    missing = run("sync", tmp_path / "nope.xlsx", "--followups", followups, "--check")
    assert missing.exit_code == 2 and "nope.xlsx" in missing.stderr


def test_due_shows_stage_timeouts_to_their_owner(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [
            # 需求分析 limit 5 d: last follow-up 03-12 → 8 days idle on 03-20: 阶段超时, 3 d late
            customer(1, 销售阶段="需求分析", 负责人="王芳"),
            # 合同谈判 limit 10 d: 8 days idle: not yet
            customer(2, 销售阶段="合同谈判"),
            # 初步接触 7 d, no follow-up: from 更新时间 03-01 → 19 days idle, 12 d late
            customer(3, 下次跟进时间=datetime(2024, 4, 1)),
        ],
        [
            followup(1, datetime(2024, 3, 12, 10), "意向客户"),
            followup(2, datetime(2024, 3, 12, 10), "高意向客户"),
        ],
    )
    result = run("due", "-c", customers, "--followups", followups, "--as-of", AS_OF,
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    stages = [(i["owner"], i["group"], i["customer_id"], i["days"], i["what"])
              for i in json.loads(result.stdout)["items"] if i["kind"] == "stage"]  # fmt: skip
    assert stages == [
        ("李强", "overdue", "CRM20240301003", -12, "初步接触阶段19天无进展（上限7天）"),
        ("王芳", "overdue", "CRM20240301001", -3, "需求分析阶段8天无进展（上限5天）"),
    ]
    text = run("due", "-c", customers, "--followups", followups, "--as-of", AS_OF)
    assert "逾期3天  阶段超时  CRM20240301001" in text.stdout


def test_a_missing_column_is_added_and_earlier_changes_are_kept(tmp_path: Path) -> None:
    """A workbook without 更新时间 and 下次跟进时间 gets them after its last column (so that no
    formula's references move; a CSV gets them where the spec places them); the intent and
    stage changed before the columns were added stay changed."""
    headers = ["客户编号", "客户名称", "意向等级", "销售阶段", "负责人", "创建时间", "内部备注"]
    people = write_xlsx(tmp_path / "customers.xlsx", headers, [
        ["CRM20240301001", "客户1有限公司", "潜在客户", "初步接触", "李强", datetime(2024, 3, 1), "x"],
    ])  # fmt: skip
    history = write_xlsx(tmp_path / "followups.xlsx", FOLLOWUP_HEADERS,
                         [followup(1, datetime(2024, 3, 12, 10), "高意向客户")])  # fmt: skip
    sync(people, history, "-o", tmp_path / "out.xlsx")
    [row] = cells(tmp_path / "out.xlsx")
    assert list(row) == ["客户编号", "客户名称", "意向等级", "销售阶段", "负责人", "创建时间", "内部备注",
                         "更新时间", "下次跟进时间"]  # fmt: skip
    assert (row["意向等级"], row["销售阶段"], row["更新时间"], row["下次跟进时间"]) == (
        "高意向客户", "方案报价", datetime(2024, 3, 12, 10), datetime(2024, 3, 14))  # fmt: skip
    sheet = load_workbook(tmp_path / "out.xlsx")["客户信息"]
    assert (sheet["H2"].number_format, sheet["I2"].number_format) == ("yyyy-mm-dd hh:mm",
                                                                      "yyyy-mm-dd")  # fmt: skip
