"""Issue 18, items 15–17: commands that surprised a new user.

template never overwrites a workbook (nor writes a plain workbook as .xlsm), clean adds a
missing 客户编号 column and lists at most --limit cells, -q/--debug work after the command.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from openpyxl import load_workbook

from crmkit.clean import clean_table
from crmkit.cli import app
from crmkit.cli.options import STATE
from crmkit.io import read_table
from crmkit.spec.fields import load_specs

from .conftest import (
    CUSTOMER_HEADERS,
    customer_row,
    digest,
    explain,
    run,
    write_csv,
    write_xlsx,
)


@pytest.fixture(autouse=True)
def _global_flags_reset() -> Iterator[None]:
    """-q and --debug set crmkit's global state; leave it as the other tests expect."""
    yield
    STATE.quiet = STATE.debug = False


# ---------------------------------------------------------------- 15. template


def test_template_refuses_to_overwrite_a_filled_workbook_unless_forced(tmp_path: Path) -> None:
    filled = write_xlsx(tmp_path / "客户信息表.xlsx", CUSTOMER_HEADERS, [customer_row()])
    before = digest(filled)
    result = run("template", "customers", "-o", filled)
    assert result.exit_code == 2, explain(result)
    assert result.stderr == (
        f"Error: {filled} exists (it may hold filled-in data); use --force to replace it\n"
    )
    assert digest(filled) == before
    forced = run("template", "customers", "-o", filled, "--force")
    assert forced.exit_code == 0, explain(forced)
    sheet = load_workbook(filled).worksheets[0]
    assert sheet.cell(1, 1).value == "客户编号*" and sheet.cell(2, 2).value is None


@pytest.mark.parametrize("name", ["t.xlsm", "t.csv", "t"])
def test_template_refuses_a_name_that_is_not_xlsx(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = run("template", "customers", "-o", out)
    assert result.exit_code == 2, explain(result)
    assert result.stderr == (
        f"Error: {out}: a template is an .xlsx workbook (no macros); name it t.xlsx\n"
    )
    assert not out.exists()


def test_init_leaves_a_filled_template_and_config_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "my-crm"
    folder.mkdir()
    filled = write_xlsx(folder / "客户信息表.xlsx", CUSTOMER_HEADERS, [customer_row()])
    config = folder / "crmkit.toml"
    config.write_text("# our own\n", encoding="utf-8")
    before = digest(filled), digest(config)
    result = run("init", folder)
    assert result.exit_code == 0, explain(result)
    assert (digest(filled), digest(config)) == before
    assert f"{filled} exists; left as it is" in result.stderr
    assert f"{config} exists; left as it is" in result.stderr
    assert (folder / "跟进记录表.xlsx").exists()  # what was missing is written


# ---------------------------------------------------------------- 16. a missing key column

NO_ID = [h for h in CUSTOMER_HEADERS if h != "客户编号"] + ["微信号"]


def _no_id_row(**overrides: Any) -> list[Any]:
    return customer_row(**overrides)[1:] + ["wx"]


def test_clean_adds_a_missing_customer_id_column_first_and_fills_it(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "客户.csv",
        NO_ID,
        [_no_id_row(), _no_id_row(客户名称="上海云帆软件有限公司", 联系电话="13912345678")],
        encoding="gb18030",
    )
    before = digest(sheet)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", sheet, "-o", out, "--as-of", "2024-03-12")
    assert result.exit_code == 0, explain(result)
    assert result.stderr.splitlines()[0] == f"{sheet}: no 客户编号 column; added it as column 1"
    assert "2 ids generated" in result.stderr
    assert digest(sheet) == before
    frame = read_table(out).to_frame()
    assert frame.columns.tolist() == ["客户编号", *NO_ID]
    assert frame["客户编号"].tolist() == ["CRM20240312001", "CRM20240312002"]
    assert frame["微信号"].tolist() == ["wx", "wx"]
    valid = run("validate", out)
    assert valid.exit_code == 0, explain(valid)


def test_clean_heads_the_added_column_in_the_table_language(tmp_path: Path) -> None:
    headers = ["Customer Name", "Industry", "Contact Name", "Phone", "Source", "Created At"]
    sheet = write_xlsx(
        tmp_path / "customers.xlsx",
        headers,
        [["Acme Ltd", "软件", "Li Lei", "13812345678", "其他", "2024-03-10"]],
        sheet="Customers",
    )
    out = tmp_path / "out.csv"
    result = run("clean", sheet, "-o", out, "--as-of", "2024-03-12")
    assert result.exit_code == 0, explain(result)
    assert f"{sheet}, sheet Customers: no Customer ID column; added it as column 1" in result.stderr
    frame = read_table(out).to_frame()
    assert frame.columns.tolist() == ["Customer ID", *headers]
    assert frame["Customer ID"].tolist() == ["CRM20240312001"]


def test_clean_adds_a_missing_task_id_column_with_task_ids(tmp_path: Path) -> None:
    headers = ["客户名称", "发起人", "协作部门/人员", "任务内容", "优先级", "截止日期", "当前状态"]
    rows = [["星辰科技", "张伟", "技术部", "出方案", "紧急", "2024-03-15", "待处理"]] * 2
    sheet = write_xlsx(tmp_path / "任务.xlsx", headers, rows, sheet="任务")
    out = tmp_path / "out.xlsx"
    result = run("clean", sheet, "-o", out, "--kind", "tasks", "--as-of", "2024-03-12")
    assert result.exit_code == 0, explain(result)
    # A copy of the workbook: the column goes after its last one, no cell of it moved.
    assert "no 任务编号 column; added it after the last column" in result.stderr
    frame = read_table(out).to_frame()
    assert frame.columns.tolist() == [*headers, "任务编号"]
    assert frame["任务编号"].tolist() == ["TASK20240312001", "TASK20240312002"]
    written = run("clean", sheet, "-o", tmp_path / "out.csv", "--kind", "tasks")
    assert "no 任务编号 column; added it as column 1" in written.stderr  # a new table: first


def test_the_added_column_goes_where_the_spec_puts_it() -> None:
    spec = load_specs(())["customers"]
    fields = {f.name: f for f in spec.fields}
    moved = dataclasses.replace(
        spec, fields=(fields["name"], fields["customer_id"], *spec.fields[2:])
    )
    import pandas as pd

    from crmkit.io.table import Table

    data = pd.DataFrame({0: ["备注甲"], 1: ["星辰科技有限公司"]}, index=[2], dtype=object)
    table = Table(data=data, headers=["随手记", "客户名称"], name="t.csv", sheet=None,
                  header_row=1, format="csv", fields={"name": 1}, spec=moved)  # fmt: skip
    result = clean_table(table, today=pd.Timestamp("2024-03-12").date())
    assert result.table.headers == ["随手记", "客户名称", "客户编号"]
    assert result.table.fields["customer_id"] == 2 and result.table.fields["name"] == 1
    assert result.table.to_frame().iloc[0].tolist() == [
        "备注甲",
        "星辰科技有限公司",
        "CRM20240312001",
    ]
    assert result.notes == ["t.csv: no 客户编号 column; added it as column 3"]


def test_a_followup_table_without_customer_ids_still_fails_they_are_references(
    tmp_path: Path,
) -> None:
    headers = ["跟进时间", "跟进人", "沟通方式", "沟通内容", "下一步计划", "客户反馈", "跟进状态"]
    row = ["2024-03-10 14:00", "李强", "电话", "介绍方案并确认预算", "发报价", "有兴趣", "意向客户"]
    sheet = write_xlsx(tmp_path / "跟进.xlsx", headers, [row], sheet="跟进")
    result = run("clean", sheet, "-o", tmp_path / "out.xlsx", "--kind", "followups")
    assert result.exit_code == 1, explain(result)
    assert "The table has errors cleaning cannot fix:" in result.stderr
    assert "required column 客户编号 is missing" in result.stderr


# ---------------------------------------------------------------- 17. --limit, -q and --debug


def test_clean_lists_at_most_limit_unfixable_cells(tmp_path: Path) -> None:
    rows = [customer_row(客户编号=f"CRM2024031000{i}", 联系电话="12345") for i in range(1, 6)]
    sheet = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, rows)
    out = tmp_path / "out.xlsx"
    result = run("clean", sheet, "-o", out, "--limit", "2")
    assert result.exit_code == 1, explain(result)
    lines = result.stderr.splitlines()
    assert lines[1] == "5 rows could not be fixed and were kept as they were:"
    assert [line.split()[0] for line in lines[4:6]] == ["2", "3"]
    assert lines[6:] == ["… and 3 more (--limit 0 lists them all)"]
    everything = run("clean", sheet, "-o", out, "--limit", "0")
    assert len(everything.stderr.splitlines()) == 4 + 5, explain(everything)


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


COMMANDS = sorted(_commands(typer.main.get_command(app)))


def test_every_command_is_covered() -> None:
    assert {c[0] for c in COMMANDS} >= {"validate", "clean", "dedupe", "tags", "template",
                                        "report", "due", "export", "init"}  # fmt: skip
    assert ("tags", "apply") in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("flag", ["-q", "--quiet", "--debug"])
def test_quiet_and_debug_are_accepted_after_every_command(
    command: tuple[str, ...], flag: str
) -> None:
    result = run(*command, "--help", flag)
    assert result.exit_code == 0, explain(result)
    assert f"Usage: crmkit {' '.join(command)}" in result.stdout
    assert (STATE.quiet, STATE.debug) == (flag != "--debug", flag == "--debug")


def test_dedupe_file_q_is_quiet(tmp_path: Path) -> None:
    rows = [customer_row(), customer_row(客户编号="CRM20240310002", 客户名称="北京星辰科技")]
    sheet = write_xlsx(tmp_path / "客户.xlsx", CUSTOMER_HEADERS, rows)
    loud = run("dedupe", sheet, "-o", tmp_path / "a.xlsx")
    assert loud.exit_code == 0 and loud.stderr, explain(loud)
    after = run("dedupe", sheet, "-o", tmp_path / "b.xlsx", "-q")
    before = run("-q", "dedupe", sheet, "-o", tmp_path / "c.xlsx")
    assert after.exit_code == before.exit_code == 0, explain(after)
    assert (after.stdout, after.stderr) == (before.stdout, before.stderr) == (loud.stdout, "")


def test_debug_after_the_command_shows_the_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nothere.xlsx"
    plain = run("validate", missing)
    assert plain.exit_code == 2, explain(plain)
    assert plain.stderr == f"Error: {missing}: no such file\n"
    for args in (["validate", str(missing), "--debug"], ["--debug", "validate", str(missing)]):
        debug = run(*args)
        assert debug.exit_code == 2, explain(debug)  # cron reads the same code with --debug
        assert "Traceback (most recent call last)" in debug.stderr
        assert debug.stderr.endswith(
            f"InputError: {missing}: no such file\nError: {missing}: no such file\n"
        )


def test_a_flag_after_double_dash_is_an_argument(tmp_path: Path) -> None:
    result = run("template", "customers", "-o", tmp_path / "t.xlsx", "--", "-q")
    assert result.exit_code == 2, explain(result)
    assert "unexpected extra argument" in result.stderr and not STATE.quiet
