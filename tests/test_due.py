"""`crmkit due`: each person's agenda from real customer, follow-up and task workbooks."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from .conftest import EXAMPLES, FOLLOWUP_HEADERS, digest, explain, run, write_xlsx
from .test_service import TASK_HEADERS, task

HEADERS = ["客户编号", "客户名称", "联系电话", "意向等级", "销售阶段", "负责人", "创建时间",
           "下次跟进时间", "合同到期日"]  # fmt: skip
AS_OF = "2024-03-20"


def customer(number: int, name: str, **cells: object) -> list[object]:
    row: dict[str, object] = {
        "客户编号": f"CRM2024030100{number}", "客户名称": name, "联系电话": "13812345678",
        "意向等级": "潜在客户", "销售阶段": "初步接触", "负责人": "李强",
        "创建时间": datetime(2024, 3, 18, 9), "下次跟进时间": None, "合同到期日": None,
    }  # fmt: skip
    row.update(cells)
    return [row[h] for h in HEADERS]


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    """Customers, follow-ups and tasks whose agenda on 2024-03-20 is known item by item."""
    customers = write_xlsx(
        tmp_path / "customers.xlsx",
        HEADERS,
        [
            # next follow-up passed: overdue 2 days
            customer(1, "北京星辰科技有限公司", 下次跟进时间=datetime(2024, 3, 18)),
            # 意向客户 every 3 d, last follow-up 03-15 → due 03-18, before 下次跟进时间 03-25
            customer(2, "上海云帆软件有限公司", 意向等级="意向客户", 下次跟进时间=datetime(2024, 3, 25)),
            # due today
            customer(3, "广州蓝海物流有限公司", 下次跟进时间=datetime(2024, 3, 20), 负责人="王芳"),
            # tomorrow (within the follow-up lead of 1 day even with --days 0)
            customer(4, "深圳智远教育有限公司", 下次跟进时间=datetime(2024, 3, 21), 负责人="王芳"),
            # in 5 days (沉默客户: no cadence): planned with the default 7 days, not with --days 0
            customer(5, "杭州恒通制造有限公司", 意向等级="沉默客户", 下次跟进时间=datetime(2024, 3, 25),
                     负责人="王芳"),
            # a renewal in 20 days: within the 30-day lead whatever --days says
            customer(6, "成都博雅软件有限公司", 意向等级="成交客户", 销售阶段="成交",
                     创建时间=datetime(2024, 3, 19), 合同到期日=datetime(2024, 4, 9)),
            # lost: never on the agenda, even with a passed date
            customer(7, "武汉金桥科技有限公司", 销售阶段="关闭", 下次跟进时间=datetime(2024, 3, 1)),
            # no owner: the last follow-up's 跟进人; due 03-30, beyond every window
            customer(8, "南京鼎盛科技有限公司", 意向等级="沉默客户", 负责人=None,
                     下次跟进时间=datetime(2024, 3, 30)),
        ],
    )  # fmt: skip
    followups = write_xlsx(
        tmp_path / "followups.xlsx",
        FOLLOWUP_HEADERS,
        [
            ["CRM20240301002", datetime(2024, 3, 15, 10), "李强", "电话", "介绍产品功能与报价方案",
             "下周演示", "有兴趣", "意向客户"],
            ["CRM20240301008", datetime(2024, 3, 19, 10), "赵磊", "微信", "确认需求和采购预算范围",
             "发方案", "等待", "潜在客户"],
        ],
        sheet="跟进记录",
    )  # fmt: skip
    tasks = write_xlsx(
        tmp_path / "tasks.xlsx",
        TASK_HEADERS,
        [
            task(任务编号="T1", 截止日期=datetime(2024, 3, 19), 优先级="一般"),  # overdue 1 day
            task(任务编号="T2", 截止日期=datetime(2024, 3, 19), 优先级="紧急"),  # overdue 1 day, first
            task(任务编号="T3", 截止日期=datetime(2024, 3, 10), 当前状态="已完成"),  # done: never
            task(任务编号="T4", 截止日期=datetime(2024, 3, 22), **{"协作部门/人员": "法务部-郑凯"}),
        ],
    )  # fmt: skip
    return {"customers": customers, "followups": followups, "tasks": tasks}


def due(tables: dict[str, Path], *extra: object) -> dict:  # type: ignore[type-arg]
    result = run("due", "-c", tables["customers"], "--followups", tables["followups"],
                 "--tasks", tables["tasks"], "--as-of", AS_OF, "--format", "json", *extra)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    return json.loads(result.stdout)


def keyed(data: dict) -> list[tuple[str, str, str, str, int]]:  # type: ignore[type-arg]
    return [(i["owner"], i["group"], i["kind"], i["customer_id"] or i["what"].split()[0], i["days"])
            for i in data["items"]]  # fmt: skip


def test_agenda_groups_order_and_sources(tables: dict[str, Path]) -> None:
    before = {k: digest(p) for k, p in tables.items()}
    data = due(tables)
    assert keyed(data) == [
        ("刘洋", "overdue", "task", "CRM20240310001", -1),  # T2 紧急 before T1 一般
        ("刘洋", "overdue", "task", "CRM20240310001", -1),
        ("李强", "overdue", "followup", "CRM20240301001", -2),
        ("李强", "overdue", "followup", "CRM20240301002", -2),
        ("李强", "planned", "renewal", "CRM20240301006", 20),
        ("王芳", "today", "followup", "CRM20240301003", 0),
        ("王芳", "planned", "followup", "CRM20240301004", 1),
        ("王芳", "planned", "followup", "CRM20240301005", 5),
        ("郑凯", "planned", "task", "CRM20240310001", 2),
    ]
    items = data["items"]
    assert [i["what"] for i in items[:2]] == ["T2 准备产品演示环境", "T1 准备产品演示环境"]
    assert [i["priority"] for i in items[:2]] == ["紧急", "一般"]
    assert items[3]["what"] == "意向客户每3天跟进一次，上次 2024-03-15"
    assert items[2]["what"] == "下次跟进时间 2024-03-18"
    assert items[4]["what"] == "合同到期 2024-04-09"
    assert items[2]["phone"] == "138****5678"
    assert (items[2]["file"], items[2]["row"]) == (str(tables["customers"]), 2)
    assert (items[0]["file"], items[0]["row"]) == (str(tables["tasks"]), 3)
    assert items[0]["department"] == "技术支持" and items[0]["due"] == "2024-03-19"
    assert data["counts"] == {"overdue": 4, "today": 1, "planned": 4}
    assert {k: digest(p) for k, p in tables.items()} == before


def test_plan_window_and_lead_times(tables: dict[str, Path], tmp_path: Path) -> None:
    narrow = keyed(due(tables, "--days", "0"))
    planned = [(k[2], k[3], k[4]) for k in narrow if k[1] == "planned"]
    # follow-ups and tasks 1 day ahead; the renewal 30 days ahead
    assert planned == [("renewal", "CRM20240301006", 20), ("followup", "CRM20240301004", 1)]
    wide = keyed(due(tables, "--days", "10"))
    assert ("赵磊", "planned", "followup", "CRM20240301008", 10) in wide  # owner from 跟进人
    config = tmp_path / "crmkit.toml"
    config.write_text("[due]\ndays = 0\n[due.lead_days]\nrenewal = 10\n", encoding="utf-8")
    configured = keyed(due(tables, "--config", config))
    assert not [k for k in configured if k[2] == "renewal"]  # 20 days out, lead now 10
    assert [k[3] for k in configured if k[1] == "planned"] == ["CRM20240301004"]


def test_owner_filter_by_person_department_or_both(tables: dict[str, Path]) -> None:
    assert {k[0] for k in keyed(due(tables, "--owner", "王芳"))} == {"王芳"}
    assert [k[0] for k in keyed(due(tables, "--owner", "技术支持"))] == ["刘洋", "刘洋"]
    assert [k[0] for k in keyed(due(tables, "--owner", "法务部-郑凯"))] == ["郑凯"]
    assert due(tables, "--owner", "无此人")["items"] == []


def test_text_for_a_cron_mail(tables: dict[str, Path]) -> None:
    result = run("due", "-c", tables["customers"], "--followups", tables["followups"],
                 "--tasks", tables["tasks"], "--as-of", AS_OF)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    text = result.stdout
    assert text.startswith("待办 · 截至 2024-03-20")
    assert "李强 — 已逾期 2 · 今日待办 0 · 计划 1" in text
    block = text.split("王芳 — ")[1].split("\n\n")[0]
    assert block.index("今日待办") < block.index("计划")
    assert (
        "2024-03-20  今天  跟进  CRM20240301003 广州蓝海物流有限公司 138****5678  下次跟进时间 2024-03-20"
        in block
    )
    assert "逾期2天" in text and "任务(紧急)" in text
    assert "\x1b[" not in text  # no colour codes in a mail
    english = run("due", "-c", tables["customers"], "--as-of", AS_OF, "--lang", "en")
    assert "Overdue" in english.stdout and "已逾期" not in english.stdout


def test_check_exits_1_only_when_something_is_overdue(
    tables: dict[str, Path], tmp_path: Path
) -> None:
    base = ["due", "-c", tables["customers"], "--tasks", tables["tasks"], "--check"]
    result = run(*base, "--as-of", AS_OF)
    assert result.exit_code == 1, explain(result)
    # tasks T1 and T2 and customer 1; without follow-ups customer 2's cadence runs from its
    # creation (03-18 + 3 days), so it is not overdue yet
    assert "3 items are overdue" in result.stderr
    quiet = run("--quiet", *base, "--as-of", AS_OF, "--by-owner", tmp_path / "agendas")
    assert quiet.exit_code == 1, explain(quiet)
    assert quiet.stderr == "3 items are overdue\n"  # cron mails this line
    early = run(*base, "--as-of", "2024-03-10", "--owner", "王芳")
    assert early.exit_code == 0, explain(early)


def test_by_owner_writes_one_file_per_person(tables: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "agendas"
    result = run("due", "-c", tables["customers"], "--tasks", tables["tasks"], "--as-of", AS_OF,
                 "--by-owner", folder)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert sorted(p.name for p in folder.iterdir()) == [
        "刘洋.txt",
        "李强.txt",
        "王芳.txt",
        "郑凯.txt",
    ]
    mine = (folder / "郑凯.txt").read_text(encoding="utf-8")
    assert "T4" in mine and "李强" not in mine and "T1" not in mine
    csv_folder = tmp_path / "csv"
    result = run("due", "-c", tables["customers"], "--as-of", AS_OF, "--by-owner", csv_folder,
                 "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    rows = list(csv.DictReader(io.StringIO((csv_folder / "王芳.csv").read_text(encoding="utf-8"))))
    assert [r["customer_id"] for r in rows] == [
        "CRM20240301003",
        "CRM20240301004",
        "CRM20240301005",
    ]
    assert rows[0]["group"] == "today" and rows[0]["due"] == "2024-03-20"


def test_unsafe_owner_names_become_safe_file_names(tmp_path: Path) -> None:
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS,
                       [task(**{"协作部门/人员": "技术支持-刘*"}), task(任务编号="T2", **{"协作部门/人员": "../../etc"}),
                        task(任务编号="T3", **{"协作部门/人员": "技术支持-刘?"})])  # fmt: skip
    folder = tmp_path / "out"
    result = run("due", "--tasks", tasks, "--as-of", "2024-03-14", "--by-owner", folder)
    assert result.exit_code == 0, explain(result)
    assert sorted(p.name for p in folder.iterdir()) == ["_etc.txt", "刘_-2.txt", "刘_.txt"]


def test_errors(tables: dict[str, Path], tmp_path: Path) -> None:
    result = run("due", "--as-of", AS_OF)
    assert result.exit_code == 2, explain(result)
    assert "nothing to plan" in result.stderr
    result = run("due", "--followups", tables["followups"])
    assert result.exit_code == 2, explain(result)
    assert "--followups needs --customers" in result.stderr
    config = tmp_path / "bad.toml"
    config.write_text("[due.lead_days]\nmeeting = 2\n", encoding="utf-8")
    result = run("due", "-c", tables["customers"], "--config", config)
    assert result.exit_code == 2
    assert "unknown key due.lead_days.meeting (renewal, followup or task)" in result.stderr
    result = run("due", "-c", tmp_path / "missing.xlsx")
    assert result.exit_code == 2, explain(result)
    assert "missing.xlsx: no such file" in result.stderr


def test_examples_agenda() -> None:
    result = run("due", "-c", EXAMPLES / "customers.xlsx", "--followups", EXAMPLES / "followups.xlsx",
                 "--tasks", EXAMPLES / "tasks.xlsx", "--as-of", "2024-09-02", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    assert all(data["counts"][g] > 0 for g in ("overdue", "today", "planned"))
    assert {i["kind"] for i in data["items"]} == {"followup", "task", "stage"}
