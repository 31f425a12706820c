"""report, checked the way a team lead runs it: from cron, in a project folder, on a phone, on paper.

A small fixture computed by hand, as of 2024-03-13 (period 2024-03-04 … 2024-03-10):
CRM1 初步接触, followed up 03-08 (and 03-15, after the day: it must not count); CRM2 with no
销售阶段, created 2023-12-01, edited 03-08, never followed up (silent and overdue, 103 days);
CRM3 created 03-20 (after the day); CRM4 lost; a follow-up of CRM9, a customer not in the table.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .conftest import EXAMPLES, FOLLOWUP_HEADERS, explain, run, write_csv, write_xlsx
from .test_service import FEEDBACK_HEADERS, TASK_HEADERS, feedback, task

HEADERS = ["客户编号", "客户名称", "联系电话", "所属行业", "联系人姓名", "客户来源", "意向等级", "销售阶段",
           "预计成交金额", "负责人", "创建时间", "更新时间", "下次跟进时间"]  # fmt: skip
AS_OF = "2024-03-13"
BAD_WORDS = ("<NA>", "nan", "NaT", "None")


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    rows = [
        ["CRM1", "甲公司", "13812345678", "软件", "张一", "官网注册", "潜在客户", "初步接触", 10000, "张敏", d("2024-03-01"), None, None],
        ["CRM2", "乙公司", "13912345678", "软件", "张二", "官网注册", "意向客户", None, 20000, "李强", d("2023-12-01"), d("2024-03-08"), None],
        ["CRM3", "丙公司", "13712345678", "软件", "李三", "行业展会", "意向客户", "需求分析", 30000, "李强", d("2024-03-20"), None, None],
        ["CRM4", "丁公司", "13612345678", "软件", "李四", "行业展会", "沉默客户", "关闭", 5000, "张敏", d("2024-01-10"), None, None],
    ]  # fmt: skip
    talk = ["介绍产品功能和报价方案", "下周演示", "有兴趣"]
    history = [
        ["CRM1", d("2024-03-08 10:00"), "张敏", "电话", *talk, "潜在客户"],
        ["CRM1", d("2024-03-15 10:00"), "张敏", "电话", *talk, "潜在客户→高意向客户"],
        ["CRM9", d("2024-03-05 10:00"), "王芳", "电话", *talk, "潜在客户"],
    ]
    return {
        "customers": write_xlsx(tmp_path / "customers.xlsx", HEADERS, rows),
        "followups": write_xlsx(
            tmp_path / "followups.xlsx", FOLLOWUP_HEADERS, history, sheet="跟进记录"
        ),
        "costs": write_csv(
            tmp_path / "costs.csv", ["客户来源", "成本"], [["官网注册", 3000], ["线上广吿", 500]]
        ),
    }


def report(tables: dict[str, Path], *extra: object) -> tuple[str, str]:
    result = run("report", "all", "-c", tables["customers"], "--followups", tables["followups"],
                 "--as-of", AS_OF, *map(str, extra))  # fmt: skip
    assert result.exit_code == 0, explain(result)
    return result.stdout, result.stderr


def as_json(tables: dict[str, Path], *extra: object) -> dict:  # type: ignore[type-arg]
    return json.loads(report(tables, "--format", "json", *extra)[0])  # type: ignore[no-any-return]


# ---------------------------------------------------------------- 1, 5, 6: what counts


def test_only_rows_on_record_by_as_of_count(tables: dict[str, Path]) -> None:
    data = as_json(tables)
    assert data["headline"]["customers"]["value"] == 3  # CRM3 is created after the day
    listed = {r["customer_id"] for k in ("stalled", "silent", "overdue") for r in data["stage"][k]}
    assert "CRM3" not in listed
    # the 03-15 follow-up (高意向客户 → 方案报价) is after the day: the funnel never reaches 方案报价
    reached = {s["stage"]: s["reached"] for s in data["funnel"]["stages"]}
    assert reached["初步接触"] == 3 and reached["需求分析"] == 0 and reached["方案报价"] == 0


def test_blank_stage_is_listed_not_dropped(tables: dict[str, Path]) -> None:
    data = as_json(tables)
    current = {s["stage"]: s["current"] for s in data["funnel"]["stages"]}
    assert current == {"初步接触": 1, "需求分析": 0, "方案报价": 0, "合同谈判": 0, "成交": 0,
                       "关闭": 1, "(blank)": 1}  # fmt: skip
    assert sum(current.values()) == data["headline"]["customers"]["value"]
    counts = {s["stage"]: s["count"] for s in data["stage"]["stages"]}
    assert counts["(blank)"] == 1 and sum(counts.values()) == 3
    text, _ = report(tables)
    assert re.search(r"^（未填写）\s+1\s+—\s+—$", text, flags=re.M), text


def test_followups_of_unknown_customers_are_not_counted_and_said(tables: dict[str, Path]) -> None:
    text, stderr = report(tables, "--format", "json")
    headline = json.loads(text)["headline"]
    assert headline["followups"]["value"] == 1  # CRM1's 03-08; CRM9 is no customer of the table
    assert headline["active_customers"]["value"] == 1
    assert (
        "1 follow-ups name no customer of the customer table; they are not counted in 跟进次数 "
        "or 有跟进的客户"
    ) in stderr


def test_costs_of_a_source_no_customer_has_are_listed_and_said(tables: dict[str, Path]) -> None:
    text, stderr = report(tables, "--costs", tables["costs"], "--format", "json")
    channel = {c["source"]: (c["customers"], c["cost"]) for c in json.loads(text)["channel"]}
    assert channel == {"官网注册": (2, 3000.0), "行业展会": (1, None), "线上广吿": (0, 500.0)}
    assert (
        "costs: no customer has the 客户来源 线上广吿; listed with 0 customers (a misspelt source?)"
        in stderr
    )


def test_silent_and_overdue_rows_show_the_dates_their_idle_days_count_from(
    tables: dict[str, Path],
) -> None:
    data = as_json(tables)
    for key in ("silent", "overdue"):
        rows = [(r["customer_id"], r["last_activity"], r["days_idle"]) for r in data["stage"][key]]
        # CRM2 was edited on 03-08 but never followed up: 103 days since its creation
        assert rows == [("CRM2", "2023-12-01", 103.0)], key
    assert [r["reason"] for r in data["stage"]["overdue"]] == ["应每3天跟进，已103天未跟进"]
    assert [r["reason"] for r in data["stage"]["silent"]] == ["超过90天未跟进"]


# ---------------------------------------------------------------- 8, 9, 10: words and groups


def test_no_missing_markers_in_any_output(tables: dict[str, Path], tmp_path: Path) -> None:
    html, xlsx = tmp_path / "w.html", tmp_path / "w.xlsx"
    text, _ = report(tables, "--by", "owner", "--format", "table", "-o", html, "-o", xlsx)
    page = html.read_text(encoding="utf-8")
    cells = [
        str(c.value)
        for sheet in load_workbook(xlsx).worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]
    for output in (text, page, "\n".join(cells)):
        for word in BAD_WORDS:
            assert not re.search(rf"(?<![A-Za-z]){word}(?![A-Za-z])", output), word
    assert re.search(r"^关闭\s+1\s+—\s+—$", text, flags=re.M), text  # 累计到达: a dash, not <NA>


def test_every_word_follows_lang(tables: dict[str, Path], tmp_path: Path) -> None:
    zh, en = tmp_path / "zh.html", tmp_path / "en.html"
    text_zh, _ = report(tables, "-o", zh, "--format", "table")
    text_en, _ = report(tables, "-o", en, "--format", "table", "--lang", "en")
    page_zh, page_en = zh.read_text(encoding="utf-8"), en.read_text(encoding="utf-8")
    assert "应每3天跟进，已103天未跟进" in page_zh and "超过90天未跟进" in page_zh
    assert "every 3 d, 103 d since" in page_en and "no follow-up for over 90 d" in page_en
    for output in (text_zh, page_zh):
        assert "（未填写）" in output and "+0.0 个百分点" in output
        for english in ("(blank)", " d since", "every ", "next ", " pp", "> 7 d"):
            assert english not in output, english
    for output in (text_en, page_en):
        assert "(blank)" in output and "+0.0 pp" in output
        assert "未填写" not in output and "个百分点" not in output


def test_by_owner_shows_on_the_terminal_headed_by_the_dimension(
    tables: dict[str, Path], tmp_path: Path
) -> None:
    text, _ = report(tables, "--by", "owner")
    block = text.split("销售漏斗 · 按负责人\n", 1)[1]
    assert block.startswith("负责人  阶段")
    assert re.search(r"^李强\s+（未填写）\s+1\s+—", block, flags=re.M), block
    page = tmp_path / "w.html"
    report(tables, "--by", "owner", "-o", page)
    html = page.read_text(encoding="utf-8")
    assert "<h2>销售漏斗 · 按负责人</h2>" in html and "<th>负责人</th>" in html
    assert "分组" not in html
    report(tables, "--by", "industry", "-o", tmp_path / "w.xlsx")
    sheet = load_workbook(tmp_path / "w.xlsx")["销售漏斗 · 按所属行业"]
    assert sheet["A1"].value == "所属行业"


# ---------------------------------------------------------------- 11: the HTML page


def test_html_charts_explain_themselves(tables: dict[str, Path], tmp_path: Path) -> None:
    page = tmp_path / "w.html"
    report(tables, "-o", page)
    html = page.read_text(encoding="utf-8")
    funnel = html.split("<h2>销售漏斗</h2>", 1)[1].split("</section>", 1)[0]
    assert '<div class="legend">' in funnel and "累计到达</span>" in funnel
    assert '<figcaption class="axis">横轴：累计到达 (0–3)</figcaption>' in funnel
    channel = html.split("<h2>渠道分析</h2>", 1)[1].split("</section>", 1)[0]
    assert "客户数</span>" in channel and "成交数</span>" in channel  # the orange bar, named
    # numeric columns are right-aligned, headers too, 累计到达 even where it is a dash
    assert '<th>阶段</th><th class="n">当前数</th><th class="n">累计到达</th>' in funnel
    assert '<td>关闭</td><td class="n">1</td><td class="n">—</td>' in funnel
    assert "<h2>口径说明</h2>" in html
    assert (
        "停滞：最近活动（最近一次跟进，否则更新时间或创建时间）距今超过阶段时限：初步接触 7 天"
        in html
    )
    assert "上期 = 前一个同样长度的周期（2024-02-26 至 2024-03-03）" in html
    # chart text is page text, not SVG text scaled down with the drawing
    assert "<text" not in html
    # print: lists wrap, no scroll box
    css = html.split("@media print", 1)[1].split("</style>", 1)[0]
    assert ".scroll { overflow: visible; }" in css and "white-space: normal" in css


def test_service_chart_numbers_match_its_table(tmp_path: Path) -> None:
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, [
        task(任务编号="T1", 当前状态="已完成", 完成时间=datetime(2024, 3, 12)),
        task(任务编号="T2", 当前状态="已完成", 完成时间=datetime(2024, 3, 13)),
        # created after the day: not on record on 2024-03-14
        task(任务编号="T3", 创建时间=datetime(2024, 3, 20), 截止日期=datetime(2024, 3, 1)),
    ])  # fmt: skip
    notes = write_xlsx(tmp_path / "feedback.xlsx", FEEDBACK_HEADERS, [feedback()])
    page = tmp_path / "s.html"
    result = run("report", "service", "--tasks", tasks, "--feedback", notes, "--as-of",
                 "2024-03-14", "-o", page, "--format", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    assert (
        data["headline"]["tasks"]["value"] == 2 and data["headline"]["overdue_tasks"]["value"] == 0
    )
    html = page.read_text(encoding="utf-8")
    person = html.split("<h2>任务-按人员</h2>", 1)[1].split("</section>", 1)[0]
    assert '<span class="value">2 / 0</span>' in person  # 任务数 / 已逾期, as the legend says
    assert "任务数</span>" in person and "已逾期</span>" in person
    assert "<h2>口径说明</h2>" in html


# ---------------------------------------------------------------- 12: printing the workbook


def test_every_sheet_is_set_up_for_printing(tables: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    report(tables, "-o", out, "--by", "owner", "--costs", tables["costs"])
    book = load_workbook(out)
    assert book.sheetnames[-1] == "口径说明"
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert int(setup.paperSize) == int(sheet.PAPERSIZE_A4)
        wide = sheet.max_column >= 6 or bool(sheet._charts)
        assert setup.orientation == ("landscape" if wide else "portrait"), sheet.title
        assert sheet.oddFooter.center.text == "&A · 第 &P 页，共 &N 页"
        assert sheet.print_title_rows, sheet.title
        for chart in sheet._charts:  # charts stand at the top, side by side: none meets a break
            assert chart.anchor._from.row == 1, sheet.title
        starts = sorted(c.anchor._from.col for c in sheet._charts)
        assert all(b - a >= 7 for a, b in itertools.pairwise(starts)), sheet.title
    assert book["汇总"].print_title_rows == "$3:$3"
    assert book["停滞客户"].print_title_rows == "$1:$1"
    assert book["渠道分析"].page_setup.orientation == "landscape"
    service = tmp_path / "s.xlsx"
    result = run("report", "service", "--tasks", EXAMPLES / "tasks.xlsx", "--feedback",
                 EXAMPLES / "feedback.xlsx", "--as-of", "2024-09-02", "-o", service, "--lang", "en")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    for sheet in load_workbook(service).worksheets:
        assert sheet.oddFooter.center.text == "&A · page &P of &N"
        assert sheet.page_setup.fitToWidth == 1 and sheet.print_title_rows


# ---------------------------------------------------------------- 2, 7: outputs


def project(tmp_path: Path, outputs: str = '["reports/周报-{date}.xlsx"]') -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "crmkit.toml").write_text(
        f'[inputs]\ncustomers = "{EXAMPLES / "customers.xlsx"}"\n'
        f'followups = "{EXAMPLES / "followups.xlsx"}"\n[report]\noutputs = {outputs}\n',
        encoding="utf-8",
    )
    return folder


def test_a_single_report_never_replaces_the_weekly_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project(tmp_path)
    monkeypatch.chdir(folder)
    weekly = folder / "reports" / "周报-2024-09-02.xlsx"
    result = run("report", "all", "--as-of", "2024-09-02")
    assert result.exit_code == 0 and result.stdout == "", explain(result)
    sheets = load_workbook(weekly).sheetnames
    assert len(sheets) == 8
    result = run("report", "funnel", "--as-of", "2024-09-02")
    assert result.exit_code == 0, explain(result)
    assert load_workbook(weekly).sheetnames == sheets
    assert "销售漏斗\n阶段" in result.stdout  # printed, since nothing was written
    result = run("report", "all", "--as-of", "2024-09-02", "--format", "table")
    assert result.exit_code == 0, explain(result)
    assert result.stdout.startswith("客户周报 · 2024-08-26 至 2024-09-01")
    assert "Report written to" in result.stderr


def test_output_placeholders_and_folders_fail_clearly(
    tables: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def error(*output: str) -> str:
        result = run("report", "all", "-c", tables["customers"], "--as-of", AS_OF,
                     *[a for o in output for a in ("-o", o)])  # fmt: skip
        assert result.exit_code == 2, explain(result)
        assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
        return result.stderr.strip()

    assert error("o/{week}.html") == (
        "Error: -o 'o/{week}.html': unknown placeholder {week}; use {date}, {since} or {until} "
        "(a date format may follow: {date:%Y%m%d}); write {{ and }} for braces"
    )
    assert error("o/{date.html") == (
        "Error: -o 'o/{date.html': expected '}' before end of string; placeholders are {date}, "
        "{since}, {until} or {date:%Y%m%d}"
    )
    (tmp_path / "blocker").write_text("a file", encoding="utf-8")
    assert error("blocker/w.html") == (
        "Error: blocker: cannot create the output folder: blocker is a file"
    )
    result = run("report", "all", "-c", tables["customers"], "--as-of", AS_OF,
                 "-o", "o/{date:%Y%m%d}-{since}.html")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert (tmp_path / "o" / "20240313-2024-03-04.html").is_file()
    folder = project(tmp_path, '["r/{week}.xlsx"]')
    monkeypatch.chdir(folder)
    result = run("report", "all", "--as-of", "2024-09-02")
    assert result.exit_code == 2, explain(result)
    assert result.stderr.startswith(
        f"Error: {folder / 'crmkit.toml'}: report.outputs '{folder / 'r' / '{week}.xlsx'}': "
        "unknown placeholder {week}"
    )
    result = run("report", "service", "--tasks", EXAMPLES / "tasks.xlsx", "-o", "x/{week}.json")
    assert result.exit_code == 2, explain(result)
    assert "unknown placeholder {week}" in result.stderr


# ---------------------------------------------------------------- 3: cron


def test_init_crontab_lines_run_under_cron_s_environment(tmp_path: Path) -> None:
    folder = tmp_path / "my crm"
    result = run("init", folder)
    assert result.exit_code == 0, explain(result)
    for kind, example in (("客户信息表", "customers"), ("跟进记录表", "followups"),
                          ("沟通协作任务表", "tasks")):  # fmt: skip
        (folder / f"{kind}.xlsx").write_bytes((EXAMPLES / f"{example}.xlsx").read_bytes())
    lines = [
        line
        for line in (folder / "crontab.example").read_text(encoding="utf-8").splitlines()
        if line[:1].isdigit()
    ]
    assert len(lines) == 2
    crmkit = shlex.quote(str(Path(sys.executable).parent / "crmkit"))
    quoted = shlex.quote(str(folder.resolve()))
    config = shlex.quote(str(folder.resolve() / "crmkit.toml"))
    assert lines[0].split(None, 5)[5] == (
        f"cd {quoted} && {crmkit} --quiet sync --config {config} --in-place"
        f" && {crmkit} --quiet report all --config {config}"
    )
    for line in lines:
        command = line.split(None, 5)[5].replace("\\%", "%")  # as cron hands it to sh
        done = subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", "sh", "-c", command],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode in (0, 1), (command, done.returncode, done.stderr)
    assert list((folder / "reports").glob("周报-*.xlsx")) and list((folder / "agendas").iterdir())
    assert os.access(Path(sys.executable).parent / "crmkit", os.X_OK)
