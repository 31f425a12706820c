"""The project config (crmkit.toml): inputs, pipeline definitions, report outputs, dedupe rules.

Every key has a documented default (see `DEFAULT_CONFIG`, which `crmkit init` writes out), so
an empty file is a valid config. A wrong key or value raises ConfigError naming the key.
"""

from __future__ import annotations

import contextlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crmkit.errors import CrmkitError
from crmkit.spec.tomlfile import read_toml

if TYPE_CHECKING:
    from crmkit.spec.fields import TableSpec
    from crmkit.text.normalize import SerialDates

CONFIG_NAME = "crmkit.toml"
PERIODS = ("last-week", "this-week", "last-month", "this-month")


class ConfigError(CrmkitError):
    """The project config cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ReportConfig:
    """Everything a report run needs besides the data."""

    customers: Path | None = None
    followups: Path | None = None
    costs: Path | None = None
    tasks: Path | None = None
    feedback: Path | None = None
    targets: Path | None = None
    orders: Path | None = None
    stages: tuple[str, ...] = ("初步接触", "需求分析", "方案报价", "合同谈判", "成交")
    won: str = "成交"
    lost: tuple[str, ...] = ("关闭",)
    stall_days: dict[str, int] = field(
        default_factory=lambda: {"初步接触": 7, "需求分析": 5, "方案报价": 7, "合同谈判": 10}
    )
    cadence_days: dict[str, int] = field(
        default_factory=lambda: {"潜在客户": 5, "意向客户": 3, "高意向客户": 2, "成交客户": 30}
    )
    silent_days: int = 90
    intent_stage: dict[str, str] = field(
        default_factory=lambda: {
            "意向客户": "需求分析",
            "高意向客户": "方案报价",
            "成交客户": "成交",
        }
    )
    outputs: tuple[str, ...] = ()
    list_limit: int = 1000
    period: str = "last-week"
    lang: str = "zh"
    source: str = ""


@dataclass(frozen=True)
class DedupeConfig:
    """The rules and thresholds of `crmkit dedupe` (names scored 0–100 by rapidfuzz's ratio)."""

    phone_name_min: int = 60
    email_name_min: int = 60
    contact_name_min: int = 85
    contact_max_edits: int = 0
    contact_edits_min_length: int = 4
    review_name_min: int = 100
    window: int = 10
    block_max: int = 30
    sound_alike: int = 1
    words_name_min: int = 100
    other_contact_margin: int = 10


@dataclass(frozen=True)
class DueConfig:
    """`crmkit due`: the plan window and each kind of item's reminder lead time, in days."""

    days: int = 7
    lead_days: dict[str, int] = field(
        default_factory=lambda: {"renewal": 30, "followup": 1, "task": 1}
    )


# report forecast: the default chance that a customer in each stage is won
_PROBABILITY: dict[str, float] = {
    "初步接触": 0.1, "需求分析": 0.2, "方案报价": 0.4, "合同谈判": 0.7, "成交": 1.0, "关闭": 0.0,
}  # fmt: skip


@dataclass(frozen=True)
class ForecastConfig:
    """`report forecast`: the chance that a customer in each stage is won (0–1)."""

    probability: dict[str, float] = field(default_factory=lambda: dict(_PROBABILITY))


_FOLLOWUP_TEXT = {"沟通内容": "content", "下一步计划": "next_step", "客户反馈": "feedback"}
_PRIORITIES = ("紧急", "重要", "一般")
_TASK_WORDS = ("客户名称", "客户编号", "负责人", "销售阶段")


@dataclass(frozen=True)
class StageRule:
    """`[[sync.stage_rules]]`: any of `words` (or a match of `pattern`) in the latest
    follow-up's `fields` (content, next_step, feedback) moves the customer to `stage`."""

    name: str
    stage: str
    words: tuple[str, ...] = ()
    pattern: str = ""
    fields: tuple[str, ...] = ("content", "next_step", "feedback")


@dataclass(frozen=True)
class SyncTrigger:
    """`[[sync.triggers]]`: a customer entering `stage` by a sync, or a follow-up whose 客户反馈
    holds one of `feedback`, adds a task: `task` (a template naming {客户名称} …), due `days`
    after the follow-up, from `initiator`, for `assignee` ("": the customer's 负责人)."""

    name: str
    task: str
    stage: str = ""
    feedback: tuple[str, ...] = ()
    days: int = 1
    priority: str = "重要"
    initiator: str = "系统"
    assignee: str = ""


@dataclass(frozen=True)
class SyncConfig:
    """`crmkit sync`: the stage rules (the first that matches the latest follow-up wins) and
    the triggers of collaboration tasks. A config's lists replace these defaults."""

    stage_rules: tuple[StageRule, ...] = (
        StageRule("重新报价", "方案报价", ("需优化报价", "价格偏高", "重新报价")),
        StageRule("签约", "成交", ("已签约", "签订合同", "已付款")),
        StageRule("流失", "关闭", ("不再考虑", "选择了其他供应商", "项目取消")),
    )
    triggers: tuple[SyncTrigger, ...] = (
        SyncTrigger("方案回访", "回访{客户名称}确认方案反馈", stage="方案报价", days=3),
        SyncTrigger("不满意", "处理{客户名称}的不满意反馈", feedback=("不满意", "投诉"),
                    days=1, priority="紧急"),
    )  # fmt: skip
    # A follow-up more than this many days before --as-of fires no task (0: no limit): the
    # first sync of years of follow-ups does not fill the agenda with long-overdue tasks.
    trigger_days: int = 14


DEFAULT_CONFIG = """\
# crmkit project config. Every key is optional; the values shown are the defaults.
# Paths are relative to this file. `crmkit report all --config /path/crmkit.toml` runs it.

[inputs]
# customers = "客户信息表.xlsx"
# followups = "跟进记录表.xlsx"
# costs = "渠道成本.csv"        # columns: 客户来源 (source), 成本 (cost)
# tasks = "沟通协作任务表.xlsx"
# feedback = "客户反馈记录表.xlsx"
# orders = "成交记录表.xlsx"    # report profile; with targets, report forecast
# targets = "销售目标表.xlsx"     # with it, `report all` adds the forecast (report forecast)

[pipeline]
stages = ["初步接触", "需求分析", "方案报价", "合同谈判", "成交"]   # in order; the last is usually won
won = "成交"
lost = ["关闭"]
silent_days = 90                 # no follow-up for this long (and not won or lost): silent

[pipeline.stall_days]            # no activity for longer than this in a stage: stalled
"初步接触" = 7
"需求分析" = 5
"方案报价" = 7
"合同谈判" = 10

[pipeline.cadence_days]          # follow up at least this often, by intent level
"潜在客户" = 5
"意向客户" = 3
"高意向客户" = 2
"成交客户" = 30

[pipeline.intent_stage]          # a follow-up status reaching this intent means the stage was reached
"意向客户" = "需求分析"
"高意向客户" = "方案报价"
"成交客户" = "成交"

[pipeline.probability]           # report forecast: weighted pipeline = 预计成交金额 × this, 0–1
"初步接触" = 0.1                  # a stage not listed here (or no stage) weighs 0
"需求分析" = 0.2
"方案报价" = 0.4
"合同谈判" = 0.7
"成交" = 1.0
"关闭" = 0.0

[report]
period = "last-week"             # last-week, this-week, last-month or this-month
lang = "zh"                      # zh or en
# {date} is the run's --as-of date, {since} and {until} the period's first and last day
outputs = ["reports/周报-{date}.xlsx", "reports/周报-{date}.html"]
list_limit = 1000                # rows per customer list in Excel and HTML (JSON lists all)

[dedupe]
# Names are compared by their key: 繁→简, width and case folded, punctuation and spaces removed,
# legal forms (有限公司 …) and places (北京…, …(上海)) set aside. Score = rapidfuzz ratio, 0–100.
# Phones are compared normalized (+852 2345 6789 = 00852-23456789) and without extension.
# Two rows are merged (decision auto) when, with no conflicting places (北京 vs 上海):
phone_name_min = 60              # they share a phone and their names score at least this, or are alike:
email_name_min = 60              # they share an e-mail and their names score at least this, or are alike:
sound_alike = 1                  # … names that sound alike (王静/王晶: same pinyin, tones aside); 0: off
words_name_min = 100             # … Latin names whose words score this, order and generic words aside
                                 #     (100: one name's words inside the other's, Lotus / Lotus Jade Garden)
# Alike too, beside a shared phone or e-mail: a short name (上海益瑞 / 上海市益瑞文化传媒), a name in
# each script with one contact, two characters swapped. Alike names but two different contacts on
# one phone, or names ending in two trades or stores (names.toml [trades]): shown for review.
other_contact_margin = 10        # two different contacts on one phone or e-mail: names must score this
                                 #     much above phone_name_min / email_name_min (sister companies)
contact_name_min = 85            # both are organisations with the same contact and names this similar
contact_max_edits = 0            # … or names at most this many characters apart (0: off),
contact_edits_min_length = 4     #     when both keys have at least this many characters (so too alike names)
# Pairs shown for review (never merged unless accepted in --decisions): a shared phone or e-mail
# with dissimilar names, a conflict of places, or organisations whose names score at least
# (a Latin name of one word besides restaurant, hotel …: not on its name alone):
review_name_min = 100
window = 10                      # neighbours compared in sorted-name windows within one contact
block_max = 30                   # rows sharing a phone, e-mail or name beyond this: compared in windows

[due]
days = 7                         # `crmkit due` plans this many days ahead (--days overrides)

[due.lead_days]                  # each kind of item shows this many days ahead at least
renewal = 30                     # a contract's 合同到期日
followup = 1                     # a customer's 下次跟进时间, or its cadence date
task = 1                         # a collaboration task's 截止日期

[sync]
# `crmkit sync`: the latest follow-up (by 跟进时间) sets 意向等级, moves 销售阶段 forward by
# [pipeline.intent_stage], and, through the first stage rule whose words (or pattern, a regular
# expression) it holds in 沟通内容 / 下一步计划 / 客户反馈, forward or back (never a won customer
# away from pipeline.won: sync warns instead). stage: a stage, or "won" / "lost" (pipeline.won,
# the first of pipeline.lost). These lists replace the defaults.
trigger_days = 14                # a follow-up older than this before --as-of adds no task (0: any)
[[sync.stage_rules]]
name = "重新报价"
words = ["需优化报价", "价格偏高", "重新报价"]
stage = "方案报价"
[[sync.stage_rules]]
name = "签约"
words = ["已签约", "签订合同", "已付款"]
stage = "won"
[[sync.stage_rules]]
name = "流失"
words = ["不再考虑", "选择了其他供应商", "项目取消"]
stage = "lost"
# fields = ["沟通内容", "下一步计划", "客户反馈"]    # where to look (the default: all three)
# pattern = "价格.{0,4}(太高|偏高)"                 # instead of, or beside, words

# With --tasks, a customer entering `stage` by a sync, or a follow-up whose 客户反馈 holds one of
# `feedback`, adds a task (never twice for one customer, trigger and follow-up): `task` names
# {客户名称}, {客户编号}, {负责人} or {销售阶段}; due `days` after the follow-up; 发起人 `initiator`;
# 协作部门/人员 `assignee` (default: the customer's 负责人).
[[sync.triggers]]
name = "方案回访"
stage = "方案报价"
task = "回访{客户名称}确认方案反馈"
days = 3
priority = "重要"                 # 紧急, 重要 or 一般
initiator = "系统"
[[sync.triggers]]
name = "不满意"
feedback = ["不满意", "投诉"]
task = "处理{客户名称}的不满意反馈"
days = 1
priority = "紧急"
initiator = "系统"

[dates]
# A number in a date column (a General-formatted 45361) is read as an Excel serial date only
# when it falls in this range (validate warns, clean writes the date); any other number (a year
# alone such as 2024, or 3.1) is an error, never a 1900s date.
serial_from = 1990-01-01
serial_until = 2100-12-31
"""


def find_config(explicit: str | Path | None, cwd: Path) -> Path | None:
    """The config to use: the one given, else crmkit.toml in the working directory, else None."""
    if explicit is not None:
        return Path(explicit)
    candidate = cwd / CONFIG_NAME
    return candidate if candidate.is_file() else None


@dataclass(frozen=True)
class Config:
    """crmkit.toml, read and checked once per run: every section a command may need.

    `report` holds [inputs], [pipeline] and [report]; `path` is the file read (None: defaults).
    """

    path: Path | None = None
    report: ReportConfig = field(default_factory=ReportConfig)
    dedupe: DedupeConfig = field(default_factory=DedupeConfig)
    due: DueConfig = field(default_factory=DueConfig)
    forecast: ForecastConfig = field(default_factory=ForecastConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    serial_dates: SerialDates | None = None  # None: normalize's default range

    def input(self, kind: str, given: str | None) -> str | None:
        """The file of `kind` (customers, followups, costs, tasks, feedback): the one given on
        the command line, else [inputs] of this config, else None."""
        if given:
            return given
        configured = getattr(self.report, kind, None)
        return str(configured) if configured else None

    def configure(self, specs: Mapping[str, TableSpec]) -> dict[str, TableSpec]:
        """The field specs with what this config sets on fields: the [dates] range of Excel
        serial dates on every date field."""
        if self.serial_dates is None:
            return dict(specs)
        return {kind: spec.with_serial_dates(self.serial_dates) for kind, spec in specs.items()}


def load_config(path: str | Path | None = None) -> Config:
    """Read and check a config file once (None: the defaults). Raises ConfigError naming the
    file and the bad key; the whole file must be valid, whichever section a command uses."""
    if path is None:
        return Config()
    path = Path(path)
    raw = read_toml(path, ConfigError, "config file")
    report = _parse(raw, path)
    return Config(
        path=path,
        report=report,
        dedupe=_dedupe(raw.get("dedupe", {}), path),
        due=_due(raw.get("due", {}), path),
        forecast=_forecast(raw, path, report),
        sync=_sync(raw, path, report),
        serial_dates=_dates(raw.get("dates", {}), path) if "dates" in raw else None,
    )


def _dedupe(section: dict[str, Any], path: Path) -> DedupeConfig:
    values: dict[str, int] = {}
    for key, value in section.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{path}: dedupe.{key} must be a whole number, not {value!r}")
        if (key.endswith("_min") or key == "other_contact_margin") and value > 100:
            raise ConfigError(f"{path}: dedupe.{key} is a score from 0 to 100, not {value}")
        if key == "sound_alike" and value > 1:
            raise ConfigError(f"{path}: dedupe.sound_alike is 1 (on) or 0 (off), not {value}")
        values[key] = value
    if values.get("window", 2) < 2 or values.get("block_max", 2) < 2:
        raise ConfigError(f"{path}: dedupe.window and dedupe.block_max must be at least 2")
    return DedupeConfig(**values)


def _due(section: dict[str, Any], path: Path) -> DueConfig:
    defaults = DueConfig()
    days = section.get("days", defaults.days)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ConfigError(f"{path}: due.days must be a whole number of days, not {days!r}")
    lead = section.get("lead_days", {})
    if not isinstance(lead, dict):
        raise ConfigError(f"{path}: due.lead_days must be a table of kind = days")
    for kind, number in lead.items():
        if kind not in defaults.lead_days:
            raise ConfigError(
                f"{path}: unknown key due.lead_days.{kind} (renewal, followup or task)"
            )
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise ConfigError(
                f"{path}: due.lead_days.{kind} must be a whole number of days, not {number!r}"
            )
    return DueConfig(days=days, lead_days={**defaults.lead_days, **lead})


def _forecast(raw: dict[str, Any], path: Path, pipeline: ReportConfig) -> ForecastConfig:
    """[pipeline.probability]: a stage listed replaces its default."""
    table = raw.get("pipeline", {}).get("probability", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: pipeline.probability must be a table of stage = 0–1")
    for stage, chance in table.items():
        if stage not in pipeline.stages and stage not in pipeline.lost:
            raise ConfigError(f"{path}: pipeline.probability.{stage} is not one of pipeline.stages")
        if not isinstance(chance, int | float) or isinstance(chance, bool) or not 0 <= chance <= 1:
            raise ConfigError(
                f"{path}: pipeline.probability.{stage} must be a number from 0 to 1, not {chance!r}"
            )
    defaults = ForecastConfig().probability
    return ForecastConfig({**defaults, **{k: float(v) for k, v in table.items()}})


def _sync(raw: dict[str, Any], path: Path, pipeline: ReportConfig) -> SyncConfig:
    """[sync]: "won" and "lost" as a stage are the config's pipeline.won and first
    pipeline.lost."""
    section = raw.get("sync", {})
    stages = {*pipeline.stages, *pipeline.lost}
    alias = {"won": pipeline.won, "lost": pipeline.lost[0] if pipeline.lost else ""}

    def entries(key: str) -> list[tuple[str, dict[str, Any]]]:
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(f"{path}: sync.{key} must be written as [[sync.{key}]] tables")
        return [(f"sync.{key}[{n}]", entry) for n, entry in enumerate(value, 1)]

    def check_keys(name: str, entry: dict[str, Any], allowed: set[str]) -> None:
        for key in entry:
            if key not in allowed:
                raise ConfigError(f"{path}: unknown key {name}.{key}")

    def text(name: str, entry: dict[str, Any], key: str, default: str | None = None) -> str:
        value = entry.get(key, default)
        if not isinstance(value, str) or (default is None and not value):
            raise ConfigError(f"{path}: {name}.{key} must be a text, not {value!r}")
        return value

    def words(name: str, entry: dict[str, Any], key: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            raise ConfigError(f"{path}: {name}.{key} must be a list of words")
        return tuple(value)

    def stage(name: str, entry: dict[str, Any], required: bool) -> str:
        value = text(name, entry, "stage", None if required else "")
        value = alias.get(value, value)
        if value and value not in stages:
            raise ConfigError(
                f"{path}: {name}.stage {entry['stage']!r} is not one of pipeline.stages or "
                "pipeline.lost (or won / lost)"
            )
        return value

    rules = []
    for name, entry in entries("stage_rules"):
        check_keys(name, entry, {"name", "stage", "words", "pattern", "fields"})
        pattern = text(name, entry, "pattern", "")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"{path}: {name}.pattern is not a regular expression ({exc})"
            ) from None
        found = words(name, entry, "words")
        if not found and not pattern:
            raise ConfigError(f"{path}: {name} needs words or a pattern")
        fields = words(name, entry, "fields") or tuple(_FOLLOWUP_TEXT)
        for one in fields:
            if one not in _FOLLOWUP_TEXT and one not in _FOLLOWUP_TEXT.values():
                raise ConfigError(
                    f"{path}: {name}.fields {one!r} is not 沟通内容, 下一步计划 or 客户反馈"
                )
        rules.append(StageRule(text(name, entry, "name", name), stage(name, entry, True), found,
                               pattern, tuple(_FOLLOWUP_TEXT.get(f, f) for f in fields)))  # fmt: skip
    triggers = []
    for name, entry in entries("triggers"):
        check_keys(name, entry, set(SyncTrigger.__dataclass_fields__))
        task = text(name, entry, "task")
        for _, word, _, _ in string.Formatter().parse(task) if "{" in task else ():
            if word is not None and word not in _TASK_WORDS:
                raise ConfigError(
                    f"{path}: {name}.task names {{{word}}}; it may name {{{'}, {'.join(_TASK_WORDS)}}}"
                )
        entered, feedback = stage(name, entry, False), words(name, entry, "feedback")
        if bool(entered) == bool(feedback):
            raise ConfigError(f"{path}: {name} needs either a stage or feedback words")
        days = entry.get("days", 1)
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            raise ConfigError(f"{path}: {name}.days must be a whole number of days, not {days!r}")
        priority = text(name, entry, "priority", "重要")
        if priority not in _PRIORITIES:
            raise ConfigError(
                f"{path}: {name}.priority must be 紧急, 重要 or 一般, not {priority!r}"
            )
        triggers.append(SyncTrigger(text(name, entry, "name", name), task, entered, feedback, days,
                                    priority, text(name, entry, "initiator", "系统"),
                                    text(name, entry, "assignee", "")))  # fmt: skip
    defaults = SyncConfig()
    window = section.get("trigger_days", defaults.trigger_days)
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise ConfigError(
            f"{path}: sync.trigger_days must be a whole number of days (0: no limit), not {window!r}"
        )
    return SyncConfig(
        trigger_days=window,
        stage_rules=tuple(rules) if "stage_rules" in section else tuple(
            replace(r, stage=alias["lost"] if r.stage == "关闭" else
                    alias["won"] if r.stage == "成交" else r.stage)
            for r in defaults.stage_rules if r.stage in stages or r.stage in ("关闭", "成交")
        ),
        triggers=tuple(triggers) if "triggers" in section else defaults.triggers,
    )  # fmt: skip


def _dates(section: dict[str, Any], path: Path) -> SerialDates:
    from crmkit.text.normalize import (  # not at import: the CLI starts fast
        SERIAL_DATES,
        SerialDates,
    )

    def day(key: str, default: date) -> date:
        value = section.get(key, default)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ConfigError(
                f"{path}: dates.{key} must be a date such as 1990-01-01, not {value!r}"
            )
        return value

    first = day("serial_from", SERIAL_DATES.first)
    last = day("serial_until", SERIAL_DATES.last)
    if first > last or first.year < 1900:
        raise ConfigError(
            f"{path}: dates.serial_from must be a day from 1900-01-01 on, "
            "and no later than dates.serial_until"
        )
    return SerialDates(first, last)


def _parse(raw: dict[str, Any], path: Path) -> ReportConfig:
    known = {
        "inputs": {"customers", "followups", "costs", "tasks", "feedback", "targets", "orders"},
        "pipeline": None,
        "report": {"period", "lang", "outputs", "list_limit"},
        "dedupe": set(DedupeConfig.__dataclass_fields__),
        "due": set(DueConfig.__dataclass_fields__),
        "dates": {"serial_from", "serial_until"},
        "sync": {"stage_rules", "triggers", "trigger_days"},
    }
    for section, value in raw.items():
        if section not in known:
            raise ConfigError(f"{path}: unknown section [{section}]")
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        allowed = known[section]
        for key in value:
            if allowed is not None and key not in allowed:
                raise ConfigError(f"{path}: unknown key {section}.{key}")
    base = path.parent
    inputs = raw.get("inputs", {})
    pipeline = raw.get("pipeline", {})
    report = raw.get("report", {})
    defaults = ReportConfig()
    pipeline_keys = {
        "stages",
        "won",
        "lost",
        "silent_days",
        "stall_days",
        "cadence_days",
        "intent_stage",
        "probability",
    }
    for key in pipeline:
        if key not in pipeline_keys:
            raise ConfigError(f"{path}: unknown key pipeline.{key}")

    def text_list(
        section: dict[str, Any], key: str, default: tuple[str, ...], name: str
    ) -> tuple[str, ...]:
        value = section.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{path}: {name} must be a list of names")
        return tuple(value)

    def days(
        section: dict[str, Any], key: str, default: dict[str, int], name: str
    ) -> dict[str, int]:
        value = section.get(key, default)
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {name} must be a table of name = days")
        for item, number in value.items():
            if not isinstance(number, int) or isinstance(number, bool) or number < 0:
                raise ConfigError(
                    f"{path}: {name}.{item} must be a whole number of days, not {number!r}"
                )
        return dict(value)

    stages = text_list(pipeline, "stages", defaults.stages, "pipeline.stages")
    if not stages or len(set(stages)) != len(stages):
        raise ConfigError(f"{path}: pipeline.stages must list each stage once")
    won = pipeline.get("won", defaults.won if defaults.won in stages else stages[-1])
    if won not in stages:
        raise ConfigError(f"{path}: pipeline.won {won!r} is not one of pipeline.stages")
    lost = text_list(pipeline, "lost", defaults.lost, "pipeline.lost")
    silent = pipeline.get("silent_days", defaults.silent_days)
    if not isinstance(silent, int) or isinstance(silent, bool) or silent <= 0:
        raise ConfigError(
            f"{path}: pipeline.silent_days must be a positive whole number, not {silent!r}"
        )
    stall = days(pipeline, "stall_days", defaults.stall_days, "pipeline.stall_days")
    for stage in stall:
        if stage not in stages and stage not in lost:
            raise ConfigError(f"{path}: pipeline.stall_days.{stage} is not one of pipeline.stages")
    intent_stage = pipeline.get("intent_stage", defaults.intent_stage)
    if not isinstance(intent_stage, dict):
        raise ConfigError(f"{path}: pipeline.intent_stage must be a table of intent = stage")
    for intent, stage in intent_stage.items():
        if stage not in stages:
            raise ConfigError(
                f"{path}: pipeline.intent_stage.{intent} {stage!r} is not one of pipeline.stages"
            )
    period = report.get("period", defaults.period)
    if period not in PERIODS:
        raise ConfigError(
            f"{path}: report.period must be one of {', '.join(PERIODS)}, not {period!r}"
        )
    lang = report.get("lang", defaults.lang)
    if lang not in ("zh", "en"):
        raise ConfigError(f"{path}: report.lang must be zh or en, not {lang!r}")
    outputs = text_list(report, "outputs", (), "report.outputs")
    list_limit = report.get("list_limit", defaults.list_limit)
    if not isinstance(list_limit, int) or isinstance(list_limit, bool) or list_limit < 1:
        raise ConfigError(
            f"{path}: report.list_limit must be a positive whole number, not {list_limit!r}"
        )
    for output in outputs:
        if Path(output).suffix.lower() not in (".xlsx", ".html", ".json"):
            raise ConfigError(
                f"{path}: report.outputs entry {output!r} must end in .xlsx, .html or .json"
            )

    def input_path(key: str) -> Path | None:
        value = inputs.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: inputs.{key} must be a file name")
        return base / value

    return ReportConfig(
        customers=input_path("customers"),
        followups=input_path("followups"),
        costs=input_path("costs"),
        tasks=input_path("tasks"),
        feedback=input_path("feedback"),
        targets=input_path("targets"),
        orders=input_path("orders"),
        stages=stages,
        won=str(won),
        lost=lost,
        stall_days=stall,
        cadence_days=days(pipeline, "cadence_days", defaults.cadence_days, "pipeline.cadence_days"),
        silent_days=silent,
        intent_stage={str(k): str(v) for k, v in intent_stage.items()},
        outputs=tuple(str(base / o) for o in outputs),
        list_limit=list_limit,
        period=str(period),
        lang=str(lang),
        source=str(path),
    )
