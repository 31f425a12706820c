"""due, checked by hand: only what is on record by --as-of, agenda folders owned by each run,
every word in --lang."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from .conftest import EXAMPLES, FOLLOWUP_HEADERS, explain, run, write_xlsx
from .test_due import HEADERS, customer
from .test_service import TASK_HEADERS, task

AS_OF = "2024-03-20"


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    customers = write_xlsx(tmp_path / "customers.xlsx", HEADERS, [
        # 意向客户 every 3 d: followed up 03-10 → due 03-13, overdue 7 days on 03-20; a follow-up
        # of 03-25 (after the day) must not make it look recent
        customer(1, "北京星辰科技有限公司", 意向等级="意向客户", 创建时间=datetime(2024, 3, 1)),
        # created after the day: not on the agenda of 03-20
        customer(2, "上海云帆软件有限公司", 下次跟进时间=datetime(2024, 3, 19),
                 创建时间=datetime(2024, 3, 21)),
        # 王五's only item: due 03-19 on 03-20, nothing on 03-18 (the 5-day cadence from 03-14 too)
        customer(3, "广州蓝海物流有限公司", 负责人="王五", 下次跟进时间=datetime(2024, 3, 19),
                 创建时间=datetime(2024, 3, 14)),
    ])  # fmt: skip
    talk = ["介绍产品功能与报价方案", "下周演示", "有兴趣"]
    followups = write_xlsx(tmp_path / "followups.xlsx", FOLLOWUP_HEADERS, [
        ["CRM20240301001", datetime(2024, 3, 10, 10), "李强", "电话", *talk, "意向客户"],
        ["CRM20240301001", datetime(2024, 3, 25, 10), "李强", "电话", *talk, "意向客户"],
    ], sheet="跟进记录")  # fmt: skip
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [
        task(任务编号="T1", 截止日期=datetime(2024, 3, 19)),
        # created after the day: not on record on 03-20
        task(任务编号="T2", 截止日期=datetime(2024, 3, 19), 创建时间=datetime(2024, 3, 22)),
        # nobody named after the dash: the unassigned group
        task(任务编号="T3", 截止日期=datetime(2024, 3, 20), **{"协作部门/人员": None}),
    ])  # fmt: skip
    return {"customers": customers, "followups": followups, "tasks": tasks}


def due(tables: dict[str, Path], *extra: object, as_of: str = AS_OF) -> str:
    result = run("due", "-c", tables["customers"], "--followups", tables["followups"],
                 "--tasks", tables["tasks"], "--as-of", as_of, *extra)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    return result.stdout


def test_only_rows_on_record_by_as_of_count(tables: dict[str, Path]) -> None:
    items = json.loads(due(tables, "--format", "json", "--days", "0"))["items"]
    found = [(i["owner"], i["group"], i["customer_id"] or i["what"].split()[0], i["days"])
             for i in items]  # fmt: skip
    assert found == [
        ("刘洋", "overdue", "CRM20240310001", -1),  # T1 (its customer is not in the table)
        ("李强", "overdue", "CRM20240301001", -7),  # from the 03-10 follow-up, not the 03-25 one
        ("李强", "overdue", "CRM20240301001", -3),  # 阶段超时: 初步接触 idle 10 d > 7 since 03-10
        ("王五", "overdue", "CRM20240301003", -1),
        ("（未分配）", "today", "CRM20240310001", 0),  # T3
    ]
    assert items[1]["what"] == "意向客户每3天跟进一次，上次 2024-03-10"


def test_due_and_report_agree_on_overdue_follow_ups() -> None:
    """The README's example: the same day's overdue follow-ups, counted by both commands."""
    args = ["-c", EXAMPLES / "customers.xlsx", "--followups", EXAMPLES / "followups.xlsx",
            "--as-of", "2024-09-02", "--format", "json"]  # fmt: skip
    agenda = run("due", *args)
    weekly = run("report", "all", *args)
    assert agenda.exit_code == 0 and weekly.exit_code == 0, explain(agenda) + explain(weekly)
    items = json.loads(agenda.stdout)["items"]
    overdue = {
        i["customer_id"] for i in items if i["group"] == "overdue" and i["kind"] == "followup"
    }
    listed = {r["customer_id"] for r in json.loads(weekly.stdout)["stage"]["overdue"]}
    assert overdue == listed and len(listed) == 31
    assert not any(i["customer_id"] == "CRM202409030046" for i in items)  # created 2024-09-03


def test_by_owner_removes_agendas_of_people_with_nothing_due(
    tables: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "agendas"
    folder.mkdir()
    (folder / "notes.txt").write_text("王五's own notes, not an agenda", encoding="utf-8")
    due(tables, "--by-owner", folder)
    assert (folder / "王五.txt").read_text(encoding="utf-8").startswith("待办 · 截至 2024-03-20")
    due(tables, "--by-owner", folder, "--format", "csv")
    assert (folder / "王五.csv").is_file() and not (folder / "王五.txt").exists()
    # on 03-12 only 李强 has something (CRM1's cadence, due tomorrow); 王五's customer is not
    # created yet and 刘洋's task is a week away
    result = run("due", "-c", tables["customers"], "--followups", tables["followups"], "--tasks",
                 tables["tasks"], "--as-of", "2024-03-12", "--by-owner", folder, "--days", "0")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "李强.txt"]
    assert "1 agenda written to" in result.stderr
    assert "4 earlier agendas with nothing due now removed" in result.stderr
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "王五's own notes, not an agenda"


def test_every_word_follows_lang(tables: dict[str, Path]) -> None:
    text = due(tables, "--lang", "en")
    assert "(unassigned) — Overdue 0 · Due today 1 · Planned 0" in text
    assert "未分配" not in text
    assert "（未分配） — 已逾期 0 · 今日待办 1 · 计划 0" in due(tables)


def test_by_owner_folder_blocked_by_a_file(tables: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("", encoding="utf-8")
    result = run("due", "-c", tables["customers"], "--as-of", AS_OF,
                 "--by-owner", tmp_path / "blocker" / "agendas")  # fmt: skip
    assert result.exit_code == 2, explain(result)
    assert result.stderr == (
        f"Error: {tmp_path / 'blocker' / 'agendas'}: cannot create the output folder: "
        f"{tmp_path / 'blocker'} is a file\n"
    )
