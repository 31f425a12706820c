"""The targets workbook (销售目标表) through validate, clean, template, init and `report all`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from crmkit.spec.config import ConfigError, load_config
from crmkit.spec.fields import KINDS, builtin_spec

from .conftest import EXAMPLES, explain, run, write_xlsx


def test_the_spec_ships_with_its_rules() -> None:
    spec = builtin_spec("targets")
    assert "targets" in KINDS
    assert spec.unique == (("owner", "period"),)
    assert spec.field("period").type == "period"
    assert spec.field("target_amount").above == 0 and spec.field("target_amount").required
    for header in ("負責人", "Owner", "期間", "Period", "目標金額", "Target Amount", "Quota"):
        assert spec.match_header(header) is not None, header


def test_clean_writes_each_period_once_spelled(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "targets.xlsx", ["Owner", "Period", "Target Amount", "Notes"], [
        ["张敏", "2024年9月", "1.2万", ""],
        ["李强", "Q3 2024", 50000, ""],
        ["王芳", datetime(2024, 10, 1), 30000, ""],  # Excel made a typed 2024-10 a date
        ["赵磊", "2024年度", 90000, ""],
    ], sheet="Targets")  # fmt: skip
    result = run("validate", source, "--format", "json")
    assert result.exit_code == 0, explain(result)
    warnings = json.loads(result.stdout)["issues"]
    assert [(w["row"], w["column"], w["severity"]) for w in warnings] == [(4, "Period", "warning")]
    assert "read as the month 2024-10" in warnings[0]["message"]
    result = run("clean", source, "-o", tmp_path / "clean.xlsx")
    assert result.exit_code == 0, explain(result)
    rows = list(load_workbook(tmp_path / "clean.xlsx").active.iter_rows(values_only=True))
    assert [(r[1], r[2]) for r in rows[1:]] == [
        ("2024-09", 12000),
        ("2024Q3", 50000),
        ("2024-10", 30000),
        ("2024", 90000),
    ]


def test_template_and_init(tmp_path: Path) -> None:
    result = run("template", "targets", "-o", tmp_path / "t.xlsx", "--lang", "zh-Hant")
    assert result.exit_code == 0, explain(result)
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert [c.value for c in sheet[1]] == ["負責人*", "期間*", "目標金額*", "目標成交數", "備註"]
    assert sheet["B2"].number_format == "@"  # a typed 2024-09 stays a period, not a date
    result = run("init", tmp_path / "project")
    assert result.exit_code == 0, explain(result)
    assert (tmp_path / "project" / "销售目标表.xlsx").is_file()
    config = (tmp_path / "project" / "crmkit.toml").read_text(encoding="utf-8")
    assert 'targets = "销售目标表.xlsx"' in config and "[pipeline.probability]" in config


def test_probability_config_is_checked(tmp_path: Path) -> None:
    config = tmp_path / "crmkit.toml"
    config.write_text('[pipeline.probability]\n"方案报价" = 0.5\n', encoding="utf-8")
    chances = load_config(config).forecast.probability
    assert (chances["方案报价"], chances["合同谈判"]) == (0.5, 0.7)
    for bad, words in (('"报价" = 0.5', "is not one of pipeline.stages"),
                       ('"方案报价" = "50%"', "must be a number from 0 to 1")):  # fmt: skip
        config.write_text(f"[pipeline.probability]\n{bad}\n", encoding="utf-8")
        try:
            load_config(config)
        except ConfigError as exc:
            assert words in str(exc)
        else:
            raise AssertionError(bad)


def test_report_all_includes_the_forecast_when_targets_are_configured(tmp_path: Path) -> None:
    config = tmp_path / "crmkit.toml"
    inputs = {k: EXAMPLES / f"{k}.xlsx" for k in ("customers", "followups", "targets", "orders")}
    lines = "\n".join(f'{k} = "{v}"' for k, v in inputs.items())
    config.write_text(f'[inputs]\n{lines}\n[report]\noutputs = ["weekly.xlsx"]\n', encoding="utf-8")
    result = run("report", "all", "--config", config, "--as-of", "2024-09-20", "-f", "json")
    assert result.exit_code == 0, explain(result)
    forecast = json.loads(result.stdout)["forecast"]
    assert forecast["period"]["name"] == "2024-09" and forecast["basis"] == "orders"
    owners = {o["owner"]: o for o in forecast["owners"]}
    assert owners["刘洋"]["won"] == 113000 and owners["刘洋"]["target"] == 80000
    names = load_workbook(tmp_path / "weekly.xlsx").sheetnames
    assert "目标达成-按负责人" in names and names[-1] == "口径说明"
    config.write_text(f'[inputs]\ncustomers = "{inputs["customers"]}"\n', encoding="utf-8")
    result = run("report", "all", "--config", config, "--as-of", "2024-09-20", "-f", "json")
    assert "forecast" not in json.loads(result.stdout)


def test_an_unfilled_target_template_leaves_the_forecast_out(tmp_path: Path) -> None:
    assert run("template", "targets", "-o", tmp_path / "targets.xlsx").exit_code == 0
    config = tmp_path / "crmkit.toml"
    config.write_text(
        f'[inputs]\ncustomers = "{EXAMPLES / "customers.xlsx"}"\ntargets = "targets.xlsx"\n',
        encoding="utf-8",
    )
    result = run("report", "all", "--config", config, "--as-of", "2024-09-20")
    assert result.exit_code == 0, explain(result)
    assert "targets.xlsx: no targets yet; the forecast is left out" in result.stderr
    assert "目标达成-按负责人" not in result.stdout


def test_an_unreadable_deal_count_is_a_warning_and_the_target_counts(tmp_path: Path) -> None:
    targets = write_xlsx(tmp_path / "targets.xlsx", ["负责人", "期间", "目标金额", "目标成交数"], [
        ["刘洋", "2024-09", 80000, "两单"],
    ])  # fmt: skip
    result = run("report", "forecast", "-c", EXAMPLES / "customers.xlsx", "--targets", targets,
                 "--as-of", "2024-09-20", "-f", "json")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    payload = json.loads(result.stdout)
    (finding,) = payload["findings"]
    assert (finding["row"], finding["column"], finding["severity"]) == (2, "目标成交数", "warning")
    owners = {o["owner"]: o for o in payload["owners"]}
    assert owners["刘洋"]["target"] == 80000 and owners["刘洋"]["target_deals"] is None
    result = run("report", "all", "-c", EXAMPLES / "customers.xlsx", "--targets", targets,
                 "--as-of", "2024-09-20")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    assert "目标达成-按负责人" in result.stdout and "刘洋" in result.stdout
