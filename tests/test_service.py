"""Collaboration tasks and customer feedback: field specs through validate, clean, template and
`report service`, on real workbooks."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crmkit.io import read_table
from crmkit.report.service import split_assignee
from crmkit.spec.fields import builtin_spec, load_specs

from .conftest import (
    CUSTOMER_HEADERS,
    EXAMPLES,
    customer_row,
    digest,
    explain,
    run,
    write_csv,
    write_xlsx,
)

TASK_HEADERS = ["任务编号", "客户编号", "客户名称", "发起人", "协作部门/人员", "任务内容", "优先级",
                "截止日期", "当前状态", "完成情况", "客户反馈", "创建时间", "完成时间"]  # fmt: skip
FEEDBACK_HEADERS = ["反馈日期", "客户编号", "客户名称", "反馈类型", "问题描述", "处理结果",
                    "满意度评分", "改进建议"]  # fmt: skip


def task(**cells: object) -> list[object]:
    """A valid task row in TASK_HEADERS order, some cells replaced."""
    row: dict[str, object] = {
        "任务编号": "TASK0001", "客户编号": "CRM20240310001", "客户名称": None, "发起人": "李强",
        "协作部门/人员": "技术支持-刘洋", "任务内容": "准备产品演示环境", "优先级": "紧急",
        "截止日期": datetime(2024, 3, 15), "当前状态": "处理中", "完成情况": None, "客户反馈": None,
        "创建时间": datetime(2024, 3, 11, 9), "完成时间": None,
    }  # fmt: skip
    row.update(cells)
    return [row[h] for h in TASK_HEADERS]


def feedback(**cells: object) -> list[object]:
    """A valid feedback row in FEEDBACK_HEADERS order, some cells replaced."""
    row: dict[str, object] = {
        "反馈日期": "2024-03-12", "客户编号": "CRM20240310001", "客户名称": None, "反馈类型": "咨询",
        "问题描述": "询问数据导入是否支持WPS表格", "处理结果": "已回复", "满意度评分": 4,
        "改进建议": None,
    }  # fmt: skip
    row.update(cells)
    return [row[h] for h in FEEDBACK_HEADERS]


def validate_json(*args: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = run("validate", *args, "--format", "json")
    assert result.exit_code in (0, 1), explain(result)
    return result.exit_code, json.loads(result.stdout)


def found(report: dict) -> set[tuple[int, str, str]]:  # type: ignore[type-arg]
    return {(i["row"], i["field"], i["rule"]) for i in report["issues"]}


# ---------------------------------------------------------------- specs and kinds


def test_both_specs_ship_and_load() -> None:
    specs = load_specs()
    assert {"customers", "followups", "tasks", "feedback"} <= set(specs)
    tasks = builtin_spec("tasks")
    assert tasks.key == "task_id" and tasks.id_prefix == "TASK"
    assert tasks.one_of == (("customer_id", "customer_name"),)
    assert tasks.field("priority").options == ("紧急", "重要", "一般")
    assert tasks.field("status").options == ("待处理", "处理中", "待审核", "已完成")
    score = builtin_spec("feedback").field("satisfaction")
    assert (score.min, score.max) == (1, 5)


def test_each_kind_is_recognized_from_its_headers(tmp_path: Path) -> None:
    specs = list(load_specs().values())
    tasks = write_xlsx(tmp_path / "任务.xlsx", TASK_HEADERS, [task()], sheet="任务")
    notes = write_csv(tmp_path / "反馈.csv", FEEDBACK_HEADERS, [feedback()], encoding="gb18030")
    assert read_table(tasks, specs=specs).spec.kind == "tasks"  # type: ignore[union-attr]
    assert read_table(notes, specs=specs).spec.kind == "feedback"  # type: ignore[union-attr]
    # 繁體 and English headers too
    hant = [
        "任務編號",
        "客戶編號",
        "發起人",
        "協作部門/人員",
        "任務內容",
        "優先級",
        "截止日期",
        "當前狀態",
    ]
    english = ["Date", "Customer ID", "Type", "Description", "Satisfaction"]
    assert (
        read_table(
            write_csv(
                tmp_path / "t.csv",
                hant,
                [["T1", "CRM1", "李强", "刘洋", "x", "紧急", "2024-03-01", "待处理"]],
            ),
            specs=specs,
        ).spec.kind
        == "tasks"
    )  # type: ignore[union-attr]
    assert read_table(write_csv(tmp_path / "f.csv", english, [["2024-03-01", "CRM1", "投诉", "x", 2]]),
                      specs=specs).spec.kind == "feedback"  # type: ignore[union-attr]  # fmt: skip


def test_validate_recognizes_every_file_and_checks_references(
    tmp_path: Path, customers_xlsx: Path
) -> None:
    tasks = write_xlsx(
        tmp_path / "tasks.xlsx",
        TASK_HEADERS,
        [
            task(),
            task(任务编号="TASK0002", 客户编号=None, 客户名称="上海云帆软件有限公司"),
            task(任务编号="TASK0003", 客户编号="CRM20249999999"),  # no such customer
            task(任务编号="TASK0004", 客户编号=None, 客户名称="不存在的公司"),
            task(任务编号="TASK0005", 客户编号=None, 客户名称=None),  # names no customer
            task(任务编号="TASK0006", 优先级="特急", 当前状态="搁置"),
        ],
    )
    notes = write_csv(
        tmp_path / "feedback.csv",
        FEEDBACK_HEADERS,
        [feedback(), feedback(满意度评分=6), feedback(满意度评分=0), feedback(反馈类型="抱怨")],
        encoding="gb18030",
    )
    code, report = validate_json(customers_xlsx, tasks, notes)
    assert code == 1
    assert [t["kind"] for t in report["tables"]] == ["customers", "tasks", "feedback"]
    assert found(report) == {
        (4, "customer_id", "reference"),
        (5, "customer_name", "reference"),
        (6, "customer_id", "one_of"),
        (7, "priority", "option"),
        (7, "status", "option"),
        (3, "satisfaction", "max"),
        (4, "satisfaction", "min"),
        (2, "created_at", "normalized"),  # the customer table's date typed as text
    }
    messages = {(i["row"], i["rule"]): i["message"] for i in report["issues"]}
    assert messages[(4, "reference")] == "客户编号 CRM20249999999 is not in the customer table"
    assert messages[(5, "reference")] == "客户名称 不存在的公司 is not in the customer table"
    assert messages[(6, "one_of")] == "give 客户编号 or 客户名称: the row names no customer"
    assert messages[(3, "max")] == "满意度评分 must be at most 5, not 6"
    # Without the customer table, nothing can be looked up: only the table's own rules.
    code, alone = validate_json(tasks)
    assert not {i for i in found(alone) if i[2] == "reference"}


def test_options_kind_and_errors(tmp_path: Path, customers_xlsx: Path) -> None:
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [task()])
    code, report = validate_json("--tasks", tasks, customers_xlsx)
    assert code == 0 and report["tables"][1]["kind"] == "tasks"
    # --kind forces the kind of the positional files: read as feedback, its columns are missing
    code, forced = validate_json(tasks, "--kind", "feedback")
    assert code == 1 and forced["tables"][0]["kind"] == "feedback"
    assert ("反馈日期", "missing_column") in {(i["column"], i["rule"]) for i in forced["issues"]}
    result = run("validate", tasks, "--kind", "invoices")
    assert (
        result.exit_code == 2
        and "--kind must be auto, customers, followups, tasks, feedback, orders" in result.stderr
    )
    twice = run("validate", tasks, tasks)
    assert twice.exit_code == 2
    assert f"{tasks} and {tasks} are both tasks tables" in twice.stderr


def test_a_missing_one_of_column_is_reported(tmp_path: Path) -> None:
    headers = [h for h in TASK_HEADERS if h not in ("客户编号", "客户名称")]
    rows = [[v for h, v in zip(TASK_HEADERS, task(), strict=True) if h in headers]]
    path = write_xlsx(tmp_path / "tasks.xlsx", headers, rows)
    code, report = validate_json(path, "--kind", "tasks")
    assert code == 1
    assert [(i["rule"], i["message"]) for i in report["issues"]] == [
        ("missing_column", "a column 客户编号 or 客户名称 is required")
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('one_of = ["customer_id"]', "one_of takes lists of two or more fields"),
        ('one_of = [["customer_id", "nope"]]', "one_of names 'nope', not a field"),
    ],
)
def test_spec_errors_name_the_entry(tmp_path: Path, entry: str, message: str) -> None:
    text = (Path(builtin_spec("tasks").source).read_text(encoding="utf-8")
            .replace('one_of = [["customer_id", "customer_name"]]', entry))  # fmt: skip
    spec = tmp_path / "tasks.toml"
    spec.write_text(text, encoding="utf-8")
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [task()])
    result = run("validate", tasks, "--schema", spec)
    assert result.exit_code == 2 and message in result.stderr, explain(result)
    bad = text.replace('references = "customers.name"', 'references = "客户表"')
    spec.write_text(bad.replace(entry, 'one_of = [["customer_id", "customer_name"]]'), "utf-8")
    result = run("validate", tasks, "--schema", spec)
    assert result.exit_code == 2, explain(result)
    assert "references must name table.field" in result.stderr


# ---------------------------------------------------------------- clean and template


def test_clean_fixes_spellings_and_generates_task_ids(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "tasks.csv",
        TASK_HEADERS,
        [
            task(任务编号=None, 优先级="高", 当前状态="进行中", 截止日期="2024年3月15日"),
            task(任务编号=None, 优先级="普通", 当前状态="完成"),
        ],
        encoding="gb18030",
    )
    before = digest(source)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", source, "-o", out, "--as-of", "2024-03-20")
    assert result.exit_code == 0, explain(result)
    assert "2 rows of tasks cleaned" in result.stderr
    cleaned = read_table(out, specs=[builtin_spec("tasks")])
    assert cleaned.column("task_id").tolist() == ["TASK20240320001", "TASK20240320002"]
    assert cleaned.column("priority").tolist() == ["紧急", "一般"]
    assert cleaned.column("status").tolist() == ["处理中", "已完成"]
    due = load_workbook(out).worksheets[0]["H2"]
    assert due.is_date and due.value == datetime(2024, 3, 15)  # a real date cell, not text
    assert digest(source) == before
    code, report = validate_json(out)
    assert code == 0 and report["issues"] == []


@pytest.mark.parametrize("kind", ["tasks", "feedback"])
def test_template_has_dropdowns_for_every_option(tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.xlsx"
    result = run("template", kind, "-o", out)
    assert result.exit_code == 0, explain(result)
    book = load_workbook(out)
    sheet = book.worksheets[0]
    spec = builtin_spec(kind)
    headers = [c.value for c in sheet[1]]
    assert headers == [(f.header() + ("*" if f.required else "")) for f in spec.fields]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert len(lists) == sum(1 for f in spec.fields if f.type == "option")
    hidden = book.worksheets[1]
    values = {c.value for col in hidden.iter_cols() for c in col}
    for field in spec.fields:
        if field.type == "option":
            assert set(field.options) <= values
    # the filled template validates
    filled = tmp_path / "filled.xlsx"
    row = task() if kind == "tasks" else feedback()
    names = TASK_HEADERS if kind == "tasks" else FEEDBACK_HEADERS
    by_header = dict(zip(names, row, strict=True))
    for position, header in enumerate(headers, 1):
        sheet.cell(row=2, column=position, value=by_header.get(str(header).rstrip("*")))
    book.save(filled)
    code, report = validate_json(filled)
    assert code == 0, report


def test_examples_validate_together() -> None:
    code, report = validate_json(
        EXAMPLES / "customers.xlsx",
        EXAMPLES / "tasks.xlsx",
        EXAMPLES / "feedback.xlsx",
        "--followups",
        EXAMPLES / "followups.xlsx",
    )
    assert code == 0, report["issues"][:5]
    assert sorted(t["kind"] for t in report["tables"]) == [
        "customers",
        "feedback",
        "followups",
        "tasks",
    ]


# ---------------------------------------------------------------- report service


@pytest.fixture
def service(tmp_path: Path) -> tuple[Path, Path]:
    """Five tasks and six feedback rows whose report numbers are worked out by hand below."""
    tasks = write_xlsx(
        tmp_path / "tasks.xlsx",
        TASK_HEADERS,
        [
            # open, due 03-15 < as-of 03-20: overdue
            task(任务编号="T1"),
            # open, due 03-25: not overdue
            task(任务编号="T2", 截止日期=datetime(2024, 3, 25), 优先级="重要", **{"协作部门/人员": "产品部-周航"}),
            # closed in 2 days and in 4 days (紧急), in 6 days (一般)
            task(任务编号="T3", 当前状态="已完成", 完成时间=datetime(2024, 3, 13, 9)),
            task(任务编号="T4", 当前状态="已完成", 完成时间=datetime(2024, 3, 15, 9)),
            task(任务编号="T5", 当前状态="已完成", 优先级="一般", 完成时间=datetime(2024, 3, 17, 9),
                 **{"协作部门/人员": "产品部-周航"}),
        ],
    )  # fmt: skip
    notes = write_xlsx(
        tmp_path / "feedback.xlsx",
        FEEDBACK_HEADERS,
        [
            feedback(反馈日期="2024-02-10", 反馈类型="投诉", 满意度评分=1),
            feedback(反馈日期="2024-02-20", 反馈类型="表扬", 满意度评分=5),
            feedback(反馈日期="2024-03-01", 反馈类型="投诉", 满意度评分=2),
            feedback(反馈日期="2024-03-02", 反馈类型="咨询", 满意度评分=None),
            feedback(反馈日期="2024-03-03", 反馈类型="咨询", 满意度评分=4),
            feedback(反馈日期="2024-04-01", 反馈类型="建议", 满意度评分=3),  # after as-of
        ],
    )
    return tasks, notes


def service_json(service: tuple[Path, Path], *extra: object) -> dict:  # type: ignore[type-arg]
    result = run("report", "service", "--tasks", service[0], "--feedback", service[1],
                 "--as-of", "2024-03-20", "--format", "json", *extra)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    return json.loads(result.stdout)


def test_service_numbers_match_hand_computation(service: tuple[Path, Path]) -> None:
    data = service_json(service)
    head = {k: v["value"] for k, v in data["headline"].items()}
    assert head == {
        "tasks": 5, "open_tasks": 2, "overdue_tasks": 1, "median_days_to_close": 4.0,
        "feedback": 5, "complaint_share": 0.4, "satisfaction": 3.0,
    }  # fmt: skip
    people = {(r["person"], r["department"]): (r["tasks"], r["open_tasks"], r["overdue_tasks"])
              for r in data["tasks"]["by_person"]}  # fmt: skip
    assert people == {("刘洋", "技术支持"): (3, 1, 1), ("周航", "产品部"): (2, 1, 0)}
    assert data["tasks"]["by_person"][0]["person"] == "刘洋"  # most overdue first
    departments = {r["department"]: r["open_tasks"] for r in data["tasks"]["by_department"]}
    assert departments == {"技术支持": 1, "产品部": 1}
    close = {
        r["priority"]: (r["closed"], r["median_days_to_close"])
        for r in data["tasks"]["time_to_close"]
    }
    assert close == {"紧急": (2, 3.0), "重要": (0, None), "一般": (1, 6.0)}
    [late] = data["tasks"]["overdue"]
    assert (late["task_id"], late["days_overdue"], late["due"], late["row"]) == (
        "T1",
        5,
        "2024-03-15",
        2,
    )
    kinds = {r["type"]: (r["feedback"], r["satisfaction"]) for r in data["feedback"]["by_type"]}
    assert kinds == {"咨询": (2, 4.0), "建议": (0, None), "投诉": (2, 1.5), "表扬": (1, 5.0)}
    months = [(r["month"], r["feedback"], r["complaints"], r["satisfaction"])
              for r in data["feedback"]["by_month"]]  # fmt: skip
    assert months == [("2024-02", 2, 1, 3.0), ("2024-03", 3, 1, 3.0)]
    assert data["feedback"]["complaint_share"] == 0.4


def test_service_json_equals_the_library_result(service: tuple[Path, Path]) -> None:
    from datetime import date

    from crmkit.frames.canonical import FIELDS, read_canonical
    from crmkit.report import service_options
    from crmkit.report.service import compute_service

    specs = load_specs()
    tasks, _ = read_canonical(service[0], specs["tasks"], FIELDS["tasks"])
    feedback, _ = read_canonical(service[1], specs["feedback"], FIELDS["feedback"])
    data = compute_service(tasks, feedback, as_of=date(2024, 3, 20), **service_options(specs))
    assert service_json(service) == json.loads(json.dumps(data.to_dict(), ensure_ascii=False))


def test_service_excel_and_html(service: tuple[Path, Path], tmp_path: Path) -> None:
    xlsx, html = tmp_path / "out" / "service-{date}.xlsx", tmp_path / "service-{until}.html"
    result = run("report", "service", "--tasks", service[0], "--feedback", service[1],
                 "--as-of", "2024-03-20", "-o", xlsx, "-o", html)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    book = load_workbook(tmp_path / "out" / "service-2024-03-20.xlsx")
    assert book.sheetnames == ["汇总", "任务-按人员", "任务-按部门", "处理时长", "逾期任务",
                               "反馈类型", "反馈-按月", "口径说明"]  # fmt: skip
    for name in ("任务-按人员", "任务-按部门", "处理时长", "反馈-按月"):
        assert book[name]._charts, name
    assert len(book["反馈类型"]._charts) == 2  # pie of counts, bars of satisfaction
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=4, values_only=True)}
    assert summary["投诉占比"] == 0.4 and summary["逾期任务"] == 1
    assert book["逾期任务"]["A2"].value == "T1" and book["逾期任务"]["G2"].value == datetime(
        2024, 3, 15
    )
    page = (tmp_path / "service-2024-03-20.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<svg" in page
    for text in ("客户服务报告", "40.0%", "任务-按部门", "处理天数中位数", "T1"):
        assert text in page, text


def test_service_needs_a_table_and_reads_the_config(
    tmp_path: Path, service: tuple[Path, Path]
) -> None:
    result = run("report", "service", "--as-of", "2024-03-20")
    assert result.exit_code == 2, explain(result)
    assert "no task or feedback table" in result.stderr
    config = tmp_path / "crmkit.toml"
    config.write_text(f'[inputs]\ntasks = "{service[0].name}"\n', encoding="utf-8")
    result = run(
        "report", "service", "--config", config, "--as-of", "2024-03-20", "--format", "json"
    )
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    assert data["headline"]["open_tasks"]["value"] == 2 and data["feedback"]["by_type"] == []


def test_examples_service_report(tmp_path: Path) -> None:
    result = run("report", "service", "--tasks", EXAMPLES / "tasks.xlsx", "--feedback",
                 EXAMPLES / "feedback.xlsx", "--as-of", "2024-09-02")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert "投诉占比" in result.stdout and "任务-按部门" in result.stdout


@pytest.mark.parametrize(
    ("cell", "split"),
    [("技术支持-刘*", ("技术支持", "刘*")), ("产品部 － 周航", ("产品部", "周航")),
     ("刘洋", ("", "刘洋")), (None, ("", "")), ("法务部/郑凯", ("法务部", "郑凯"))],
)  # fmt: skip
def test_split_assignee(cell: str | None, split: tuple[str, str]) -> None:
    assert split_assignee(cell) == split


def test_customers_table_with_kind_headers_is_still_customers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row()])
    assert read_table(path, specs=list(load_specs().values())).spec.kind == "customers"  # type: ignore[union-attr]


def test_a_teams_spec_without_some_fields_still_reports(
    tmp_path: Path, service: tuple[Path, Path]
) -> None:
    text = Path(builtin_spec("tasks").source).read_text(encoding="utf-8")
    blocks = text.split("[[fields]]")
    kept = [b for b in blocks if 'name = "closed_at"' not in b and 'name = "priority"' not in b]
    spec = tmp_path / "our_tasks.toml"
    spec.write_text("[[fields]]".join(kept), encoding="utf-8")
    result = run("report", "service", "--tasks", service[0], "--schema", spec, "--as-of", "2024-03-20",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    assert data["headline"]["open_tasks"]["value"] == 2
    assert data["headline"]["median_days_to_close"]["value"] is None
