"""report: numbers computed by hand on a small fixture, the Excel and HTML files, config and cron runs."""

from __future__ import annotations

import json
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import Result

from .conftest import EXAMPLES, FOLLOWUP_HEADERS, explain, run, write_csv, write_xlsx

CUSTOMERS = ["客户编号", "客户名称", "联系电话", "所属行业", "联系人姓名", "客户来源", "意向等级", "销售阶段",
             "预计成交金额", "负责人", "创建时间", "下次跟进时间"]  # fmt: skip


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def fixture(tmp_path: Path) -> tuple[Path, Path]:
    rows = [
        ["CRM1", "甲公司", "13812345678", "软件", "张一", "官网注册", "潜在客户", "初步接触", 10000, "张敏", d("2024-03-01"), d("2024-03-12")],
        ["CRM2", "乙公司", "13912345678", "软件", "张二", "官网注册", "意向客户", "需求分析", 20000, "张敏", d("2024-02-01"), None],
        ["CRM3", "<script>alert(1)</script>", "13712345678", "软件", "李三", "行业展会", "高意向客户", "方案报价", 30000, "李强", d("2024-02-10"), None],
        ["CRM4", "丁公司", "13612345678", "软件", "李四", "行业展会", "成交客户", "成交", 40000, "李强", d("2024-01-05"), None],
        ["CRM5", "戊公司", "13512345678", "软件", "李五", "客户转介绍", "沉默客户", "关闭", 5000, "李强", d("2024-01-10"), None],
        ["CRM6", "己公司", "010-62345678", "软件", "张六", "官网注册", "潜在客户", "初步接触", None, "张敏", d("2024-03-05"), None],
    ]  # fmt: skip
    customers = write_xlsx(tmp_path / "customers.xlsx", CUSTOMERS, rows)
    talk = ["介绍产品功能和报价方案", "下周演示", "有兴趣"]
    history = [
        ["CRM1", d("2024-03-08 10:00"), "张敏", "电话", *talk, "潜在客户"],
        ["CRM2", d("2024-03-01 10:00"), "张敏", "电话", *talk, "潜在客户→意向客户"],
        ["CRM3", d("2024-03-09 15:30"), "李强", "面谈", *talk, "意向客户→高意向客户"],
        ["CRM4", d("2024-03-02 09:00"), "李强", "电话", *talk, "高意向客户→成交客户"],
        ["CRM5", d("2024-01-15 11:00"), "李强", "微信", *talk, "潜在客户→意向客户"],
    ]
    followups = write_xlsx(tmp_path / "followups.xlsx", FOLLOWUP_HEADERS, history, sheet="跟进记录")
    return customers, followups


def run_on(fixture: tuple[Path, Path], *extra: object) -> Result:
    """crmkit report all on the fixture as of 2024-03-13."""
    return run(
        "report",
        "all",
        "-c",
        fixture[0],
        "--followups",
        fixture[1],
        "--as-of",
        "2024-03-13",
        *map(str, extra),
    )


def report_json(customers: Path, followups: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    result = run_on((customers, followups), "--format", "json", *extra)
    assert result.exit_code == 0, explain(result)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_numbers_match_hand_computation(fixture: tuple[Path, Path]) -> None:
    data = report_json(*fixture)
    assert data["as_of"] == "2024-03-13"
    assert data["period"] == {"since": "2024-03-04", "until": "2024-03-10"}
    funnel = {
        s["stage"]: (s["current"], s["reached"], s["conversion"]) for s in data["funnel"]["stages"]
    }
    assert funnel == {
        "初步接触": (2, 6, None), "需求分析": (1, 4, pytest.approx(4 / 6)), "方案报价": (1, 2, 0.5),
        "合同谈判": (0, 1, 0.5), "成交": (1, 1, 1.0), "关闭": (1, None, None),
    }  # fmt: skip
    assert data["funnel"]["win_rate"] == pytest.approx(1 / 6)
    channel = [(c["source"], c["customers"], c["won"], c["amount"]) for c in data["channel"]]
    assert channel == [
        ("官网注册", 3, 0, 30000.0),
        ("行业展会", 2, 1, 70000.0),
        ("客户转介绍", 1, 0, 5000.0),
    ]
    assert [c["share"] for c in data["channel"]] == [
        0.5,
        pytest.approx(1 / 3),
        pytest.approx(1 / 6),
    ]
    stages = {
        s["stage"]: (s["count"], s["median_days_idle"], s["stalled"])
        for s in data["stage"]["stages"]
    }
    assert stages == {
        "初步接触": (2, 6.5, 1), "需求分析": (1, 12.0, 1), "方案报价": (1, 4.0, 0),
        "合同谈判": (0, None, 0), "成交": (1, 11.0, 0), "关闭": (1, 58.0, 0),
    }  # fmt: skip
    assert [(s["customer_id"], s["days_idle"]) for s in data["stage"]["stalled"]] == [
        ("CRM2", 12.0),
        ("CRM6", 8.0),
    ]
    assert data["stage"]["silent"] == []
    overdue = [(s["customer_id"], s["owner"], s["reason"]) for s in data["stage"]["overdue"]]
    assert overdue == [
        ("CRM2", "张敏", "应每3天跟进，已12天未跟进"), ("CRM6", "张敏", "应每5天跟进，已8天未跟进"),
        ("CRM1", "张敏", "下次跟进时间 2024-03-12 已过"), ("CRM3", "李强", "应每2天跟进，已4天未跟进"),
    ]  # fmt: skip
    headline = {k: (v["value"], v["previous"]) for k, v in data["headline"].items()}
    assert headline == {
        "customers": (6, 6), "new_customers": (1, 1), "followups": (2, 2), "active_customers": (2, 2),
        "won": (1, 1), "win_rate": (pytest.approx(1 / 6), pytest.approx(1 / 6)),
        "pipeline_amount": (60000.0, 60000.0), "stalled": (2, 1), "silent": (0, 0), "overdue": (4, 2),
    }  # fmt: skip


def test_phones_masked_unless_asked(fixture: tuple[Path, Path]) -> None:
    masked = report_json(*fixture)["stage"]["stalled"]
    assert [s["phone"] for s in masked] == ["139****5678", "010-****5678"]
    shown = report_json(*fixture, "--show-phones")["stage"]["stalled"]
    assert [s["phone"] for s in shown] == ["13912345678", "010-62345678"]


def test_funnel_by_owner_and_costs(fixture: tuple[Path, Path], tmp_path: Path) -> None:
    costs = write_csv(
        tmp_path / "costs.csv",
        ["客户来源", "成本"],
        [["官网注册", 3000], ["行业展会", "1万"]],
        encoding="gb18030",
    )
    data = report_json(*fixture, "--by", "owner", "--costs", str(costs))
    groups = {(g["group"], g["stage"]): g["reached"] for g in data["funnel"]["groups"]}
    assert groups[("张敏", "初步接触")] == 3 and groups[("张敏", "需求分析")] == 1
    assert groups[("李强", "初步接触")] == 3 and groups[("李强", "成交")] == 1
    spend = {
        c["source"]: (c["cost"], c["cost_per_customer"], c["cost_per_won"]) for c in data["channel"]
    }
    assert spend["官网注册"] == (3000.0, 1000.0, None)
    assert spend["行业展会"] == (10000.0, 5000.0, 10000.0)


def test_excel_has_tables_charts_and_numbers(fixture: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "weekly.xlsx"
    result = run_on(fixture, "-o", out)
    assert result.exit_code == 0, explain(result)
    workbook = load_workbook(out)
    assert workbook.sheetnames == [
        "汇总",
        "销售漏斗",
        "渠道分析",
        "阶段分析",
        "停滞客户",
        "沉默客户",
        "逾期跟进",
        "口径说明",
    ]
    funnel = workbook["销售漏斗"]
    assert [c.value for c in funnel[1]][:4] == ["阶段", "当前数", "累计到达", "转化率"]
    assert [funnel.cell(row=r, column=3).value for r in range(2, 7)] == [6, 4, 2, 1, 1]
    assert funnel.cell(row=3, column=4).number_format == "0.0%"
    assert funnel.freeze_panes == "A2" and "Funnel" in funnel.tables
    assert (
        funnel.tables["Funnel"].autoFilter is not None and funnel.column_dimensions["A"].width >= 8
    )
    for name in ("销售漏斗", "渠道分析", "阶段分析"):
        assert workbook[name]._charts, name
    names = [c.value for row in workbook["停滞客户"].iter_rows(min_row=2) for c in row[:2]]
    assert names == ["CRM2", "乙公司", "CRM6", "己公司"]
    assert all(
        c.data_type != "f" for ws in workbook.worksheets for row in ws.iter_rows() for c in row
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.cells.append(data.strip())


def test_html_is_self_contained_escaped_and_holds_the_numbers(
    fixture: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "weekly.html"
    result = run_on(fixture, "-o", out, "--show-phones")
    assert result.exit_code == 0, explain(result)
    page = out.read_text(encoding="utf-8")
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert "http://" not in page and "https://" not in page
    parser = _Text()
    parser.feed(page)
    assert "script" not in parser.tags and "svg" in parser.tags
    assert "<script>alert(1)</script>" in parser.cells  # shown as text
    for text in ("66.7%", "16.7%", "30,000", "70,000", "赢单率: 16.7%"):
        assert text in parser.cells, text
    english = tmp_path / "weekly_en.html"
    assert (
        run(
            "report", "-c", fixture[0], "--as-of", "2024-03-13", "-o", english, "--lang", "en"
        ).exit_code
        == 0
    )
    assert "Win rate" in english.read_text(encoding="utf-8") and "赢单率" not in english.read_text(
        encoding="utf-8"
    )


def test_cron_run_from_config_with_date_placeholder(
    fixture: tuple[Path, Path], tmp_path: Path
) -> None:
    config = tmp_path / "crmkit.toml"
    config.write_text(
        '[inputs]\ncustomers = "customers.xlsx"\nfollowups = "followups.xlsx"\n'
        '[report]\noutputs = ["out/周报-{date}.xlsx", "out/周报-{date}.html", "out/周报-{date}.json"]\n',
        encoding="utf-8",
    )
    result = run("--quiet", "report", "all", "--config", config, "--as-of", "2024-03-13")
    assert result.exit_code == 0, explain(result)
    assert result.stdout == "" and result.stderr == ""
    for suffix in ("xlsx", "html", "json"):
        assert (tmp_path / "out" / f"周报-2024-03-13.{suffix}").is_file()
    saved = json.loads((tmp_path / "out" / "周报-2024-03-13.json").read_text(encoding="utf-8"))
    assert saved["funnel"]["win_rate"] == pytest.approx(1 / 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[pipeline]\nstages = ["a", "a"]\n', "pipeline.stages must list each stage once"),
        ('[pipeline]\nwon = "签约"\n', "pipeline.won '签约' is not one of pipeline.stages"),
        (
            '[pipeline.stall_days]\n"初步接触" = "七"\n',
            "pipeline.stall_days.初步接触 must be a whole number of days",
        ),
        ('[report]\nperiod = "yesterday"\n', "report.period must be one of"),
        (
            '[report]\noutputs = ["x.pdf"]\n',
            "report.outputs entry 'x.pdf' must end in .xlsx, .html or .json",
        ),
        ("[reprot]\n", "unknown section [reprot]"),
        ('[inputs]\ncustomer = "c.xlsx"\n', "unknown key inputs.customer"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_config_errors_name_the_key_and_exit_2(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "crmkit.toml"
    config.write_text(text, encoding="utf-8")
    result = run("report", "--config", config, "-c", EXAMPLES / "customers.xlsx")
    assert result.exit_code == 2, explain(result)
    assert message in result.stderr and str(config) in result.stderr


def test_unreadable_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "customers.xlsx"
    broken.write_bytes(b"PK\x03\x04broken")
    out = tmp_path / "weekly.xlsx"
    result = run("report", "-c", broken, "-o", out)
    assert result.exit_code == 2, explain(result)
    assert "truncated or corrupt" in result.stderr and not out.exists()
    missing = run("report", "--config", tmp_path / "nope.toml")
    assert missing.exit_code == 2, explain(missing)
    assert "config file not found" in missing.stderr


def test_init_writes_config_templates_and_crontab(tmp_path: Path) -> None:
    folder = tmp_path / "crm"
    result = run("init", folder)
    assert result.exit_code == 0, explain(result)
    assert sorted(p.name for p in folder.iterdir()) == [
        "crmkit.toml",
        "crontab.example",
        "客户信息表.xlsx",
        "客户反馈记录表.xlsx",
        "成交记录表.xlsx",
        "沟通协作任务表.xlsx",
        "跟进记录表.xlsx",
    ]
    assert "crmkit --quiet report all --config" in (folder / "crontab.example").read_text(
        encoding="utf-8"
    )
    again = run("init", folder)
    assert again.exit_code == 0, explain(again)
    assert "exists; left as it is" in again.stderr
    from crmkit.spec.config import load_config

    config = load_config(folder / "crmkit.toml")
    assert config.customers == folder / "客户信息表.xlsx" and config.stall_days["需求分析"] == 5
    assert config.tasks == folder / "沟通协作任务表.xlsx"
    assert config.feedback == folder / "客户反馈记录表.xlsx"
    english = run("init", tmp_path / "en", "--lang", "en")
    assert english.exit_code == 0, explain(english)
    assert (tmp_path / "en" / "Tasks.xlsx").is_file()


def test_examples_weekly_report_runs(tmp_path: Path) -> None:
    out = tmp_path / "weekly.html"
    result = run(
        "report",
        "-c",
        EXAMPLES / "customers.xlsx",
        "--followups",
        EXAMPLES / "followups.xlsx",
        "--as-of",
        "2024-09-02",
        "-o",
        out,
    )
    assert result.exit_code == 0, explain(result)
    assert "销售漏斗" in out.read_text(encoding="utf-8")


def test_long_lists_are_cut_in_excel_and_html_but_not_json(
    fixture: tuple[Path, Path], tmp_path: Path
) -> None:
    config = tmp_path / "crmkit.toml"
    config.write_text("[report]\nlist_limit = 1\n", encoding="utf-8")
    out = tmp_path / "weekly.xlsx"
    page = tmp_path / "weekly.html"
    result = run_on(fixture, "--config", config, "-o", out, "-o", page, "--format", "json")
    assert result.exit_code == 0, explain(result)
    assert len(json.loads(result.stdout)["stage"]["stalled"]) == 2
    sheet = load_workbook(out)["停滞客户"]
    assert sheet.cell(row=2, column=1).value == "CRM2" and sheet.cell(row=3, column=1).value is None
    assert sheet.cell(row=4, column=1).value.startswith("… 1 行未列出")
    assert "… 1 行未列出" in page.read_text(encoding="utf-8")


def test_as_of_before_any_data_gives_an_empty_report(
    fixture: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "empty.xlsx"
    result = run(
        "report",
        "-c",
        fixture[0],
        "--followups",
        fixture[1],
        "--as-of",
        "2023-06-01",
        "-o",
        out,
        "--format",
        "json",
    )
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    assert data["headline"]["customers"]["value"] == 0 and data["funnel"]["win_rate"] is None
    assert data["channel"] == [] and data["stage"]["stalled"] == []
    assert load_workbook(out)["停滞客户"]["A2"].value == "（无）"


def test_json_output_equals_the_library_result(fixture: tuple[Path, Path]) -> None:
    from datetime import date

    from crmkit.report import ReportInputs, run_report
    from crmkit.report.period import resolve_period
    from crmkit.spec.config import ReportConfig
    from crmkit.spec.fields import load_specs

    day = date(2024, 3, 13)
    inputs = ReportInputs(*fixture)
    library = run_report(
        inputs, load_specs(), ReportConfig(), as_of=day, period=resolve_period(day, "last-week")
    ).data
    assert report_json(*fixture) == library.to_dict() == json.loads(library.to_json())
