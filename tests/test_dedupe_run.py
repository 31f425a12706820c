"""`dedupe_tables`: the whole dedupe as one library call, giving what the CLI writes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from crmkit.dedupe import rules
from crmkit.dedupe.run import dedupe_tables, fit_for_excel
from crmkit.io import read_table
from crmkit.io.table import Table
from crmkit.spec.fields import load_specs

from .conftest import (
    CUSTOMER_HEADERS,
    EXAMPLES,
    FOLLOWUP_HEADERS,
    customer_row,
    explain,
    run,
    write_xlsx,
)

SPECS = load_specs(())


def _customers(path: Path) -> Table:
    return read_table(path, specs=[SPECS["customers"]])


def test_one_call_gives_what_the_cli_writes(tmp_path: Path) -> None:
    paths = [EXAMPLES / "customers.xlsx", EXAMPLES / "expo_leads.csv"]
    merged_csv, map_csv, pairs_json = tmp_path / "m.csv", tmp_path / "map.csv", tmp_path / "p.json"
    cli = run("dedupe", *paths, "-o", merged_csv, "--map", map_csv, "--report", pairs_json,
              "--as-of", "2024-09-02")  # fmt: skip
    assert cli.exit_code == 0, explain(cli)

    result = dedupe_tables([_customers(p) for p in paths], today=date(2024, 9, 2))

    assert result.rows_in == 60
    assert result.found.cluster_count == 5
    assert result.merged is not None and len(result.merged.frame) == 55
    assert result.review_count == 0
    written = read_table(merged_csv).to_frame()
    assert len(written) == 55
    assert list(written.columns) == [str(c) for c in result.merged.frame.columns]
    mapped = pd.read_csv(map_csv, dtype=str, keep_default_na=False)
    assert result.map is not None
    assert mapped["survivor_id"].tolist() == result.map["survivor_id"].astype(str).tolist()
    reported = json.loads(pairs_json.read_text(encoding="utf-8"))
    assert len(reported) == len(result.pairs)
    assert [p["why"] for p in reported] == result.pairs["why"].tolist()
    assert [c.rows for c in result.examples(5)] == [2, 2, 2, 2, 2]
    assert result.examples(0) == []


def test_pairs_only_when_nothing_is_to_be_merged() -> None:
    result = dedupe_tables([_customers(EXAMPLES / "customers.xlsx")], merge=False)
    assert result.merged is None and result.map is None and result.followups is None
    assert len(result.pairs) == len(result.found.pairs)


def test_follow_ups_are_repointed_and_a_shared_id_is_a_finding(tmp_path: Path) -> None:
    rows = [
        customer_row(客户编号="C1", 创建时间="2024-01-01 09:00"),
        customer_row(客户编号="C2", 客户名称="北京星辰科技有限公司", 创建时间="2024-02-01 09:00"),
        # C3 stands for two different customers: the earlier keeps it, the later is renumbered
        customer_row(客户编号="C3", 客户名称="上海云帆软件有限公司", 联系电话="021-62345678",
                     联系邮箱="a@yunfan.cn", 联系人姓名="王芳", 创建时间="2024-03-01 09:00"),
        customer_row(客户编号="C3", 客户名称="广州海川贸易有限公司", 联系电话="020-81234567",
                     联系邮箱="b@haichuan.cn", 联系人姓名="刘洋", 创建时间="2024-04-01 09:00"),
    ]  # fmt: skip
    customers = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, rows)
    history = write_xlsx(
        tmp_path / "f.xlsx",
        FOLLOWUP_HEADERS,
        [
            ["C2", "2024-05-01 10:00", "李强", "电话", "报价", "发合同", "有兴趣", "意向客户"],
            ["C1", "2024-05-02 10:00", "李强", "电话", "报价", "发合同", "有兴趣", "意向客户"],
        ],
        sheet="跟进记录",
    )
    result = dedupe_tables(
        [_customers(customers)],
        followups=read_table(history, specs=[SPECS["followups"]]),
    )

    assert result.merged is not None and len(result.merged.frame) == 3
    assert result.repointed == 1
    assert result.followups is not None
    ids = result.followups.column("customer_id").tolist()
    assert ids == ["C1", "C1"]
    renumbered = [f for f in result.findings if f.rule == "id-renumbered"]
    assert len(renumbered) == 1
    assert renumbered[0].value == "C3" and renumbered[0].severity == "warning"
    assert "C3 stood for two customers" in renumbered[0].message


def test_an_ignored_decision_is_a_finding(tmp_path: Path) -> None:
    customers = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, [customer_row()])
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "left_file,left_row,right_file,right_row,decision\nc.xlsx,2,c.xlsx,9,accept\n",
        encoding="utf-8",
    )
    result = dedupe_tables([_customers(customers)], decisions=pairs)
    ignored = [f for f in result.findings if f.rule == "decision-ignored"]
    assert len(ignored) == 1
    assert ignored[0].file == str(pairs)
    assert "c.xlsx:9 is not in the inputs" in ignored[0].message


def test_a_frame_that_fits_is_written_as_it_is() -> None:
    result = dedupe_tables([_customers(EXAMPLES / "customers.xlsx")])
    assert result.merged is not None
    fitted = fit_for_excel(result.merged, "out.xlsx", csv=False)
    assert fitted.frame is result.merged.frame
    assert fitted.lists is None and fitted.cells == 0 and fitted.message == ""


def test_pairs_scored_a_slice_at_a_time_are_the_pairs_scored_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tables = [_customers(EXAMPLES / "customers.xlsx"), _customers(EXAMPLES / "expo_leads.csv")]
    whole = dedupe_tables(tables, merge=False).found.pairs
    monkeypatch.setattr(rules, "PAIRS_AT_ONCE", 2)
    sliced = dedupe_tables(tables, merge=False).found.pairs
    assert len(whole) > 2  # pairs from more than one slice
    pd.testing.assert_frame_equal(whole, sliced)


def test_the_readme_example_prints_what_the_readme_says(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### dedupe from Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("```console\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(EXAMPLES.parent)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == shown
