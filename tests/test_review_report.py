"""Review of the report and agenda area: one as-of cut (undated rows count, everywhere), one
library call that writes the agenda folder, and no pandas for the report labels at import."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .conftest import FOLLOWUP_HEADERS, explain, run, write_xlsx
from .test_report_hand import HEADERS as REPORT_HEADERS
from .test_service import FEEDBACK_HEADERS, TASK_HEADERS, feedback, task

AS_OF = "2024-03-20"


# ---------------------------------------------------------------- 1: one as-of cut


def test_on_record_keeps_the_day_and_undated_rows_and_drops_later_ones() -> None:
    from crmkit.report.period import on_record, on_record_mask

    moments = pd.Series(
        [datetime(2024, 3, 20, 23, 59), datetime(2024, 3, 21), None, datetime(2024, 3, 1)]
    )
    assert on_record_mask(moments, date(2024, 3, 20)).tolist() == [True, False, True, True]
    # the arrays of the weekly report and nullable (Arrow) dates read alike
    array = moments.to_numpy(dtype="datetime64[ns]")
    assert on_record_mask(array, date(2024, 3, 20)).tolist() == [True, False, True, True]
    arrow = moments.astype("timestamp[ns][pyarrow]")
    assert on_record_mask(arrow, date(2024, 3, 20)).tolist() == [True, False, True, True]
    frame = pd.DataFrame({"at": moments, "n": [1, 2, 3, 4]})
    assert on_record(frame, "at", date(2024, 3, 20))["n"].tolist() == [1, 3, 4]  # type: ignore[index]
    assert on_record(None, "at", date(2024, 3, 20)) is None
    assert on_record(frame, "created_at", date(2024, 3, 20)) is frame


@pytest.fixture
def service_tables(tmp_path: Path) -> dict[str, Path]:
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [
        task(任务编号="T1", 截止日期=datetime(2024, 3, 15)),  # created 03-11: on record
        task(任务编号="T2", 截止日期=datetime(2024, 3, 15), 创建时间=datetime(2024, 3, 22)),
        task(任务编号="T3", 截止日期=datetime(2024, 3, 18), 创建时间=None),  # undated: counts
    ])  # fmt: skip
    notes = write_xlsx(tmp_path / "feedback.xlsx", FEEDBACK_HEADERS, [
        feedback(反馈日期="2024-03-12", 反馈类型="咨询", 满意度评分=4),
        feedback(反馈日期="2024-03-25", 反馈类型="投诉", 满意度评分=1),  # after the day
        feedback(反馈日期=None, 反馈类型="表扬", 满意度评分=5),  # undated: counts
    ])  # fmt: skip
    return {"tasks": tasks, "feedback": notes}


def test_report_service_counts_undated_tasks_and_feedback(
    service_tables: dict[str, Path], tmp_path: Path
) -> None:
    args = ["--tasks", service_tables["tasks"], "--feedback", service_tables["feedback"],
            "--as-of", AS_OF]  # fmt: skip
    result = run("report", "service", *args, "--format", "json")
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    values = {k: v["value"] for k, v in data["headline"].items()}
    assert values["tasks"] == 2 and values["overdue_tasks"] == 2  # T1 and T3, not T2
    assert [t["task_id"] for t in data["tasks"]["overdue"]] == ["T1", "T3"]
    assert values["feedback"] == 2 and values["complaint_share"] == 0
    assert values["satisfaction"] == 4.5
    kinds = {t["type"]: t["feedback"] for t in data["feedback"]["by_type"]}
    assert kinds == {"咨询": 1, "建议": 0, "投诉": 0, "表扬": 1}
    # a month needs a date: the undated feedback is in the totals, not in a month
    assert [(m["month"], m["feedback"]) for m in data["feedback"]["by_month"]] == [("2024-03", 1)]
    page = tmp_path / "service.html"
    result = run("report", "service", *args, "-o", page)
    assert result.exit_code == 0, explain(result)
    assert "未填日期（创建时间、反馈日期）的记录无法判断晚于此日，照常计入" in page.read_text(
        encoding="utf-8"
    )


def test_due_lists_undated_tasks_as_report_service_counts_them(
    service_tables: dict[str, Path],
) -> None:
    result = run("due", "--tasks", service_tables["tasks"], "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, explain(result)
    items = json.loads(result.stdout)["items"]
    assert [(i["what"].split()[0], i["group"], i["days"]) for i in items] == [
        ("T1", "overdue", -5),
        ("T3", "overdue", -2),
    ]


def test_weekly_report_counts_an_undated_follow_up(tmp_path: Path) -> None:
    customers = write_xlsx(tmp_path / "customers.xlsx", REPORT_HEADERS, [
        ["CRM1", "甲公司", "13812345678", "软件", "张一", "官网注册", "潜在客户", "初步接触", 10000,
         "张敏", datetime(2024, 3, 1), None, None],
    ])  # fmt: skip
    talk = ["介绍产品功能和报价方案", "下周演示", "有兴趣"]
    followups = write_xlsx(tmp_path / "followups.xlsx", FOLLOWUP_HEADERS, [
        ["CRM1", None, "张敏", "电话", *talk, "潜在客户→意向客户"],  # no 跟进时间
        ["CRM1", datetime(2024, 3, 25, 10), "张敏", "电话", *talk, "意向客户→高意向客户"],
    ], sheet="跟进记录")  # fmt: skip
    result = run("report", "funnel", "-c", customers, "--followups", followups,
                 "--as-of", AS_OF, "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    reached = {s["stage"]: s["reached"] for s in json.loads(result.stdout)["funnel"]["stages"]}
    # the undated 意向客户 means 需求分析; the 03-25 高意向客户 (方案报价) is after the day
    assert (reached["初步接触"], reached["需求分析"], reached["方案报价"]) == (1, 1, 0)
