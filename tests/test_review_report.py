"""Review of the report and agenda area: one as-of cut (undated rows count, everywhere), one
library call that writes the agenda folder, and no pandas for the report labels at import."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from crmkit.due import ITEM_COLUMNS, Agenda, write_agendas
from crmkit.errors import OutputError, UsageError

from .conftest import FOLLOWUP_HEADERS, ROOT, explain, run, write_xlsx
from .test_report_hand import HEADERS as REPORT_HEADERS
from .test_service import FEEDBACK_HEADERS, TASK_HEADERS, feedback, task

AS_OF = "2024-03-20"


# ---------------------------------------------------------------- 1: one as-of cut


def test_on_record_keeps_the_day_and_undated_rows_and_drops_later_ones() -> None:
    from crmkit.frames.period import on_record, on_record_mask

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


def test_an_unowned_customer_is_on_the_agenda_of_its_latest_dated_follow_up(
    tmp_path: Path,
) -> None:
    customers = write_xlsx(tmp_path / "customers.xlsx", REPORT_HEADERS, [
        ["CRM1", "甲公司", "13812345678", "软件", "张一", "官网注册", "意向客户", "需求分析", 10000,
         None, datetime(2024, 3, 1), None, datetime(2024, 3, 15)],
    ])  # fmt: skip
    talk = ["介绍产品功能和报价方案", "下周演示", "有兴趣"]
    followups = write_xlsx(tmp_path / "followups.xlsx", FOLLOWUP_HEADERS, [
        ["CRM1", datetime(2024, 3, 10, 10), "张敏", "电话", *talk, "意向客户"],
        ["CRM1", None, "李四", "电话", *talk, "意向客户"],  # no 跟进时间
    ], sheet="跟进记录")  # fmt: skip
    result = run("due", "-c", customers, "--followups", followups, "--as-of", AS_OF,
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert {i["owner"] for i in json.loads(result.stdout)["items"]} == {"张敏"}


# ---------------------------------------------------------------- 2: one call writes the folder


def _agenda(*owners: str) -> Agenda:
    """An agenda of one overdue task per person."""
    rows = [
        {"owner": owner, "department": "", "group": "overdue", "kind": "task",
         "due": pd.Timestamp("2024-03-19"), "days": -1, "customer_id": "CRM1",
         "customer": "甲公司", "phone": None, "priority": "紧急", "what": f"T{n} 准备演示",
         "file": "tasks.xlsx", "row": n}
        for n, owner in enumerate(owners, start=1)
    ]  # fmt: skip
    items = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    return Agenda(date(2024, 3, 20), 7, items)


def test_write_agendas_writes_each_person_and_removes_only_earlier_agendas(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "agendas"
    first = write_agendas(_agenda("王五", "李强"), folder)
    assert first.written == [folder / "王五.txt", folder / "李强.txt"] and first.removed == []
    assert (folder / "王五.txt").read_text(encoding="utf-8").startswith("待办 · 截至 2024-03-20")
    mine = {
        "notes.txt": "王五's own notes, not an agenda",
        "客户.csv": "客户编号,客户名称\nCRM1,甲公司\n",
        "config.json": '{"as_of": "2024-03-01"}',
    }
    for name, text in mine.items():
        (folder / name).write_text(text, encoding="utf-8")
    second = write_agendas(_agenda("李强"), folder, format="csv")
    assert second.written == [folder / "李强.csv"]
    assert second.removed == [folder / "李强.txt", folder / "王五.txt"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*mine, "李强.csv"])
    assert all((folder / n).read_text(encoding="utf-8") == t for n, t in mine.items())
    assert (folder / "李强.csv").read_text(encoding="utf-8").startswith(",".join(ITEM_COLUMNS))
    third = write_agendas(_agenda("李强"), folder, format="json", lang="en")
    assert third.removed == [folder / "李强.csv"]
    assert json.loads((folder / "李强.json").read_text(encoding="utf-8"))["counts"] == {
        "overdue": 1, "today": 0, "planned": 0}  # fmt: skip


def test_write_agendas_raises_crmkit_errors_and_keeps_the_folder_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blocker").write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match=r"cannot create the output folder: .*blocker is a file"):
        write_agendas(_agenda("李强"), tmp_path / "blocker" / "agendas")
    folder = tmp_path / "agendas"
    write_agendas(_agenda("张三"), folder)
    (folder / "王五.txt").mkdir()  # a folder where 王五's agenda goes: it cannot be written
    with pytest.raises(OutputError, match=r"王五\.txt: cannot write"):
        write_agendas(_agenda("李强", "王五"), folder)
    # nothing half-done: no temporary file, and 张三's agenda is not removed by a failed run
    assert sorted(p.name for p in folder.iterdir()) == ["张三.txt", "李强.txt", "王五.txt"]
    (folder / "王五.txt").rmdir()

    unlink = Path.unlink

    def refuse(self: Path, missing_ok: bool = False) -> None:
        if self.name == "张三.txt":
            raise PermissionError(13, "Permission denied")
        unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    with pytest.raises(
        OutputError, match=r"张三\.txt: cannot remove this earlier agenda \(Permission denied\)"
    ):
        write_agendas(_agenda("李强"), folder)
    monkeypatch.undo()
    with pytest.raises(UsageError, match="text, json or csv, not 'xml'"):
        write_agendas(_agenda("李强"), tmp_path / "never", format="xml")
    assert not (tmp_path / "never").exists()


def test_write_agendas_never_writes_over_or_removes_an_input(tmp_path: Path) -> None:
    folder = tmp_path / "agendas"
    write_agendas(_agenda("王五", "李强"), folder, format="csv")
    # a team that feeds yesterday's agenda back in as a table: it is an input now
    before = (folder / "王五.csv").read_bytes()
    files = write_agendas(_agenda("李强"), folder, format="csv", inputs=[folder / "王五.csv"])
    assert files.removed == [] and (folder / "王五.csv").read_bytes() == before
    with pytest.raises(OutputError, match="is an input file; refusing to overwrite it"):
        write_agendas(_agenda("王五"), folder, format="csv", inputs=[folder / "王五.csv"])
    assert (folder / "王五.csv").read_bytes() == before


def test_due_by_owner_says_what_write_agendas_did(tmp_path: Path) -> None:
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [
        task(任务编号="T1", 截止日期=datetime(2024, 3, 19)),
        task(任务编号="T2", 截止日期=datetime(2024, 3, 19), **{"协作部门/人员": "销售部-王五"}),
    ])  # fmt: skip
    folder = tmp_path / "agendas"
    result = run("due", "--tasks", tasks, "--as-of", AS_OF, "--by-owner", folder)
    assert result.exit_code == 0, explain(result)
    assert result.stderr == f"2 agendas written to {folder}\n"
    result = run("due", "--tasks", tasks, "--as-of", AS_OF, "--by-owner", folder, "--owner", "王五")
    assert result.exit_code == 0, explain(result)
    assert result.stderr == (
        f"1 agenda written to {folder}; 1 earlier agenda with nothing due now removed\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["王五.txt"]


# ---------------------------------------------------------------- 3: no pandas at import


@pytest.mark.parametrize("module", ["report/labels", "frames/period"])
def test_report_words_and_periods_import_no_pandas(module: str) -> None:
    """The modules of report words and periods load without pandas (the whole command line's
    --help and --version: tests/test_api.py)."""
    path = ROOT / "crmkit" / f"{module}.py"
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(path)!r})\n"
        "module = sys.modules['m'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


def test_is_missing_still_knows_every_missing_value() -> None:
    from crmkit.report.labels import format_value, is_missing

    assert [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "", [1])] == [
        True, True, True, True, False, False, False]  # fmt: skip
    assert format_value("win_rate", pd.NA) == "—"
