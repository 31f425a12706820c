"""What the commands share, written once: crmkit.toml read once per run, one definition of
won, findings of one shape from validate, tags and export, init as a library call."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import crmkit
from crmkit.findings import FINDING_COLUMNS
from crmkit.spec import tomlfile

from .conftest import ROOT, explain, run, write_xlsx

HEADERS = ["客户编号", "客户名称", "联系电话", "意向等级", "销售阶段", "客户标签"]


def test_crmkit_toml_is_read_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "crmkit.toml"
    config.write_text("[due]\ndays = 3\n[dates]\nserial_from = 1995-01-01\n", encoding="utf-8")
    reads: list[Path] = []
    real = tomlfile.read_toml

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        reads.append(Path(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("crmkit.spec.config.read_toml", counting)
    result = run("due", "-c", ROOT / "examples/customers.xlsx", "--tasks",
                 ROOT / "examples/tasks.xlsx", "--as-of", "2024-09-02", "--config", config)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert reads == [config]
    assert "3" in result.stdout or result.stdout  # the plan window came from the one read


def test_won_is_one_definition_for_reports_and_tag_stats(tmp_path: Path) -> None:
    # 意向等级 成交客户 at stage 合同谈判: won by its intent; a 关闭 (lost) one never is.
    rows = [
        ["C1", "甲公司", "13800000001", "成交客户", "合同谈判", "行业-制造"],
        ["C2", "乙公司", "13800000002", "意向客户", "需求分析", "行业-制造"],
        ["C3", "丙公司", "13800000003", "成交客户", "关闭", "行业-制造"],
    ]
    path = write_xlsx(tmp_path / "c.xlsx", HEADERS, rows)
    specs = crmkit.load_specs()
    table = crmkit.read_table(path, specs=[specs["customers"]])
    rows_read = crmkit.read_tags(table, crmkit.load_rulebook(None, specs["customers"]))
    config = crmkit.load_config(None).report
    assert rows_read.won(config).tolist() == [True, False, False]
    stats = run("tags", "stats", path, "--format", "json")
    assert stats.exit_code == 0, explain(stats)
    manufacturing = next(r for r in json.loads(stats.stdout) if r["tag"] == "行业-制造")
    assert manufacturing["customers"] == 3 and manufacturing["won"] == 1


def test_tags_check_report_is_findings_like_validate(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", HEADERS,
                      [["C1", "甲公司", "13800000001", None, None, "决策人;VIP"]])  # fmt: skip
    report = tmp_path / "tags.csv"
    result = run("tags", "check", path, "--report", report)
    assert result.exit_code == 1, explain(result)
    frame = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
    assert list(frame.columns) == FINDING_COLUMNS
    assert frame[["row", "column", "value", "severity"]].values.tolist() == [
        ["2", "客户标签", "决策人", "warning"],
        ["2", "客户标签", "VIP", "warning"],  # unknown tags are allowed by default
    ] or frame[["row", "column", "value", "severity"]].values.tolist() == [
        ["2", "客户标签", "VIP", "warning"],
        ["2", "客户标签", "决策人", "warning"],
    ]
    assert "决策链角色-决策者" in " ".join(frame["message"])
    strict = run("tags", "check", path, "--strict", "--report", tmp_path / "t.json")
    payload = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert strict.exit_code == 1
    assert {f["value"]: f["severity"] for f in payload["findings"]}["VIP"] == "error"
    validate = run("validate", path, "--report", tmp_path / "v.csv")
    assert validate.exit_code == 1, explain(validate)  # required columns are missing
    assert list(pd.read_csv(tmp_path / "v.csv", encoding="utf-8-sig").columns) == FINDING_COLUMNS


def test_export_refusals_are_findings() -> None:
    specs = crmkit.load_specs()
    messy = crmkit.read_table(ROOT / "examples/messy_customers.xlsx", specs=[specs["customers"]])
    result = crmkit.export_customers(messy, crmkit.builtin_profile("hubspot"))
    findings = result.findings()
    assert len(findings) == result.refused == 10
    assert all(isinstance(f, crmkit.Finding) and f.severity == "error" for f in findings)
    assert {f.row for f in findings} == set(result.rejects["row"])
    assert any("impossible date (2024-02-30)" in f.message for f in findings)


def test_init_project_writes_each_file_once(tmp_path: Path) -> None:
    first = crmkit.init_project(tmp_path / "p")
    assert next(p.name for p, written in first.files if written) == "crmkit.toml"
    assert all(written for _, written in first.files)
    again = crmkit.init_project(tmp_path / "p")
    assert not any(written for _, written in again.files)
    with pytest.raises(ValueError, match="--lang must be one of"):
        crmkit.init_project(tmp_path / "q", lang="fr")


def test_a_fresh_templates_hidden_options_sheet_is_not_data(tmp_path: Path) -> None:
    crmkit.init_project(tmp_path / "p")
    result = run("validate", tmp_path / "p" / "客户信息表.xlsx")
    # the template's dropdown lists (hidden sheet 选项) are not 37 customers with 33 errors
    assert result.exit_code == 2, explain(result)
    assert "no data rows" in result.stderr and "选项" not in result.stdout
    named = run("validate", tmp_path / "p" / "客户信息表.xlsx", "--sheet", "选项")
    assert "rows checked" in named.stderr  # still readable when named


def test_library_calls_say_what_to_do_instead_of_failing_inside(tmp_path: Path) -> None:
    plain = crmkit.read_table(ROOT / "examples/expo_leads.csv")  # no spec given
    with pytest.raises(crmkit.CrmkitError, match="read without a field spec"):
        crmkit.validate_tables([plain])
    config = tmp_path / "crmkit.toml"
    config.write_text("[due]\ndays = 2\n", encoding="utf-8")
    assert crmkit.load_config(str(config)).due.days == 2 and crmkit.load_config().due.days == 7
    specs = crmkit.load_specs()
    customers = crmkit.read_table(ROOT / "examples/customers.xlsx", specs=[specs["customers"]])
    assert len(crmkit.export_customers(customers, "hubspot").frame) == 50
