"""sync's guards found in trials: a first sync of old follow-ups adds no long-overdue tasks
(sync.trigger_days), a won customer is never moved back by a stage rule, and a 跟进状态 that
is no intent level is a warning, not silently ignored."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .conftest import explain, run, write_xlsx
from .test_service import TASK_HEADERS, task
from .test_sync import AS_OF, PLAIN, cells, changes_of, customer, followup, sync, write_tables


def test_old_follow_ups_add_no_tasks_and_the_run_says_how_many(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [customer(1), customer(2), customer(3, 创建时间=datetime(2023, 12, 1, 9))],
        [  # each enters 方案报价; AS_OF is 2024-03-20, 14 days before is 2024-03-06
            followup(1, datetime(2024, 3, 18, 10), "意向客户→高意向客户"),
            followup(2, datetime(2024, 3, 6, 0), "意向客户→高意向客户"),  # on the limit: added
            followup(3, datetime(2024, 2, 1, 9), "意向客户→高意向客户"),  # 48 days: not added
        ],
    )
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [task()], sheet="任务")
    result = sync(customers, followups, "--in-place", "--tasks", tasks)
    added = [r["客户编号"] for r in cells(tasks, "任务")[1:]]
    assert added == ["CRM20240301001", "CRM20240301002"]
    assert ("1 tasks not added: their follow-ups are more than 14 days before 2024-03-20 "
            "(sync.trigger_days; 0 adds them all)") in result.stderr  # fmt: skip
    assert "2 new tasks; 0 warnings" in result.stderr
    # the stage itself is synced all the same
    assert [r["销售阶段"] for r in cells(customers)] == ["方案报价"] * 3


def test_trigger_days_zero_adds_every_task_and_a_bad_value_exits_2(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [customer(1, 创建时间=datetime(2022, 6, 1))],
        [followup(1, datetime(2023, 1, 5, 10), "意向客户→高意向客户")],
    )
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [task()], sheet="任务")
    config = tmp_path / "crmkit.toml"
    config.write_text("[sync]\ntrigger_days = 0\n", encoding="utf-8")
    sync(customers, followups, "--in-place", "--tasks", tasks, "--config", config)
    assert [r["截止日期"] for r in cells(tasks, "任务")[1:]] == [datetime(2023, 1, 8)]
    config.write_text("[sync]\ntrigger_days = -3\n", encoding="utf-8")
    bad = sync(customers, followups, "--check", "--config", config, code=2)
    assert "sync.trigger_days must be a whole number of days (0: no limit), not -3" in bad.stderr


def test_a_stage_rule_never_moves_a_won_customer_back(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [customer(1, 销售阶段="成交", 意向等级="成交客户"), customer(2, 销售阶段="合同谈判"),
         customer(3, 销售阶段="成交", 意向等级="成交客户")],
        [
            followup(1, datetime(2024, 3, 10, 10), "成交客户", "二期需优化报价"),
            followup(2, datetime(2024, 3, 10, 11), "高意向客户", "客户反馈价格偏高"),
            followup(3, datetime(2024, 3, 11, 9), "成交客户", "客户已付款"),  # stays won: no change
        ],
    )  # fmt: skip
    result = sync(customers, followups, "-o", tmp_path / "out.xlsx", "--changes",
                  tmp_path / "changes.csv", "--limit", "0")  # fmt: skip
    assert [r["销售阶段"] for r in cells(tmp_path / "out.xlsx")] == ["成交", "方案报价", "成交"]
    assert [(c["customer_id"], c["field"]) for c in changes_of(tmp_path / "changes.csv")
            if c["field"] == "销售阶段"] == [("CRM20240301002", "销售阶段")]  # fmt: skip
    assert (f"customers.xlsx sheet 客户信息 row 2, column 销售阶段: CRM20240301001 stays 成交: "
            f"its latest follow-up ({followups} sheet 跟进记录 row 2) matches rule 重新报价 (沟通内容) → "
            "方案报价; a won customer is not moved back") in result.stderr  # fmt: skip
    assert "CRM20240301003 stays" not in result.stderr


def test_a_follow_up_state_that_is_no_intent_is_a_warning(tmp_path: Path) -> None:
    customers, followups = write_tables(
        tmp_path,
        [customer(1, 意向等级="意向客户"), customer(2)],
        [
            followup(1, datetime(2024, 3, 10, 10), "很感兴趣"),
            followup(2, datetime(2024, 3, 10, 11), ""),  # blank: nothing to say
        ],
    )
    result = sync(customers, followups, "-o", tmp_path / "out.xlsx", "--limit", "0")
    assert ("followups.xlsx sheet 跟进记录 row 2, column 跟进状态: 很感兴趣: not an intent level "
            "(nor A→B of two); the follow-up sets no intent") in result.stderr  # fmt: skip
    assert "row 3, column 跟进状态" not in result.stderr
    assert [r["意向等级"] for r in cells(tmp_path / "out.xlsx")] == ["意向客户", "潜在客户"]
    check = run("sync", customers, "--followups", followups, "--as-of", AS_OF, "--check")
    assert check.exit_code == 1, explain(check)  # 更新时间 still moves: out of date
    assert PLAIN  # the follow-ups' texts are the plain ones: no stage rule fires
