"""`crmkit report` and `crmkit init`: the weekly reports, by hand or from cron."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from crmkit.cli.common import (
    STATE,
    AsOfOption,
    ConfigOption,
    DelimiterOption,
    SchemaOption,
    check_format,
    command,
    echo_json,
    fail,
    format_table,
    info,
    parse_date,
    progress,
    specs_from,
    warn,
)
from crmkit.config import CONFIG_NAME, DEFAULT_CONFIG, PERIODS, find_config, load_config
from crmkit.report import (
    GROUPS,
    ReportInputs,
    run_report,
    run_service,
    write_report,
    write_service_report,
)
from crmkit.report.labels import column_label, format_change, format_value, label
from crmkit.report.metrics import ReportData
from crmkit.report.period import Period, resolve_period
from crmkit.report.service import ServiceData
from crmkit.spec import TableSpec

REPORTS = ("funnel", "channel", "stage", "all", "service")


@command
def report_command(
    which: Annotated[
        str,
        typer.Argument(help="funnel, channel, stage, all (the weekly report) or service."),
    ] = "all",
    customers: Annotated[
        str | None,
        typer.Option(
            "--customers",
            "-c",
            metavar="FILE",
            help="Customer table (default: inputs.customers of the config).",
        ),
    ] = None,
    followups: Annotated[
        str | None,
        typer.Option("--followups", metavar="FILE", help="Follow-up table (history, activity)."),
    ] = None,
    costs: Annotated[
        str | None, typer.Option("--costs", metavar="FILE", help="Channel costs: 客户来源, 成本.")
    ] = None,
    tasks: Annotated[
        str | None,
        typer.Option("--tasks", metavar="FILE", help="Collaboration tasks (report service)."),
    ] = None,
    feedback: Annotated[
        str | None,
        typer.Option("--feedback", metavar="FILE", help="Customer feedback (report service)."),
    ] = None,
    output: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write .xlsx, .html or .json; repeatable; {date} {since} {until} are filled in.",
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json on stdout.")
    ] = "table",
    as_of: AsOfOption = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="DATE", help="First day of the period (ISO).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="DATE", help="Last day of the period (ISO).")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", metavar="NAME", help="last-week, this-week, last-month or this-month."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="FIELD", help="Also a funnel per owner, industry or source."),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="LANG", help="zh or en.")] = None,
    show_phones: Annotated[
        bool, typer.Option("--show-phones", help="Do not mask phones in customer lists.")
    ] = False,
    config: ConfigOption = None,
    schema: SchemaOption = None,
    delimiter: DelimiterOption = None,
) -> None:
    """Funnel, channel, stage and service reports as Excel, HTML or JSON; exit 2 when an input is unreadable.

    \b
    Example:
      crmkit report all --customers examples/customers.xlsx --followups examples/followups.xlsx --as-of 2024-09-02 -o weekly.html
      crmkit report service --tasks examples/tasks.xlsx --feedback examples/feedback.xlsx --as-of 2024-09-02
    """
    if which not in REPORTS:
        fail(f"REPORT must be one of {', '.join(REPORTS)}, not {which!r}")
    check_format(format, ("table", "json"))
    if period is not None and period not in PERIODS:
        fail(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    if period is not None and (since or until):
        fail("give either --period or --since/--until, not both")
    if by is not None and by not in GROUPS:
        fail(f"--by must be one of {', '.join(GROUPS)}, not {by!r}")
    if lang is not None and lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}")
    settings = load_config(find_config(config, Path.cwd()))
    day = parse_date(as_of)
    if which == "service":
        _service(
            tasks or (str(settings.tasks) if settings.tasks else None),
            feedback or (str(settings.feedback) if settings.feedback else None),
            specs_from(schema),
            day,
            output or [],
            format,
            lang or settings.lang,
            settings.list_limit,
            delimiter,
        )
        return
    span = resolve_period(
        day,
        period or settings.period,
        parse_date(since, "--since") if since else None,
        parse_date(until, "--until") if until else None,
    )
    if span.since > span.until:
        fail(f"--since {span.since} is after --until {span.until}")
    customer_path = customers or (str(settings.customers) if settings.customers else None)
    if customer_path is None:
        fail(f"no customer table: give --customers FILE or set inputs.customers in {CONFIG_NAME}")
    followup_path = followups or (str(settings.followups) if settings.followups else None)
    cost_path = costs or (str(settings.costs) if settings.costs else None)
    sources = ReportInputs(
        customer_path, followup_path, cost_path, limits=STATE.limits, delimiter=delimiter
    )
    with progress() as step:
        run = run_report(
            sources,
            specs_from(schema),
            settings,
            as_of=day,
            period=span,
            by=by,
            show_phones=show_phones,
            on_step=step,
        )
    for note in run.notes:
        warn(note)
    language = lang or settings.lang
    reports = ("funnel", "channel", "stage") if which == "all" else (which,)
    inputs = [customer_path, followup_path, cost_path]
    for target in output or list(settings.outputs):
        path = Path(
            target.format(
                date=day.isoformat(), since=span.since.isoformat(), until=span.until.isoformat()
            )
        )
        write_report(
            run.data,
            path,
            lang=language,
            reports=reports,
            inputs=inputs,
            list_limit=settings.list_limit,
        )
        info(f"Report written to {path}")
    if format == "json":
        run.data.write_json(sys.stdout)
        sys.stdout.write("\n")
    elif not output and not settings.outputs:
        typer.echo(_text(run.data, language, reports, span))


def _service(
    tasks: str | None,
    feedback: str | None,
    specs: dict[str, TableSpec],
    day: date,
    outputs: list[str],
    format: str,
    lang: str,
    list_limit: int,
    delimiter: str | None,
) -> None:
    if not tasks and not feedback:
        fail(
            f"no task or feedback table: give --tasks FILE, --feedback FILE, or set them in [inputs] of {CONFIG_NAME}"
        )
    with progress() as step:
        step("Reading the task and feedback tables")
        data, notes = run_service(
            tasks, feedback, specs, as_of=day, limits=STATE.limits, delimiter=delimiter
        )
    for note in notes:
        warn(note)
    for target in outputs:
        day_text = day.isoformat()  # the service report has no period: {since} {until} are the day
        path = Path(target.format(date=day_text, since=day_text, until=day_text))
        write_service_report(data, path, lang=lang, inputs=[tasks, feedback], list_limit=list_limit)
        info(f"Report written to {path}")
    if format == "json":
        echo_json(data.to_dict())
    elif not outputs:
        typer.echo(_service_text(data, lang))


def _service_text(data: ServiceData, lang: str) -> str:
    parts = [f"{label(lang, 'service_title')} · {label(lang, 'as_of')} {data.as_of}", ""]
    rows = [[label(lang, f"h_{h.key}"), format_value(h.key, h.value)] for h in data.headline]
    parts.append(format_table([label(lang, "metric"), label(lang, "value")], rows))
    keys = {h.key for h in data.headline}
    frames = [
        ("tasks_by_person", data.by_person, "tasks"),
        ("tasks_by_department", data.by_department, "tasks"),
        ("time_to_close", data.time_to_close, "tasks"),
        ("overdue_task_list", data.overdue_tasks.head(20), "tasks"),
        ("feedback_by_type", data.by_type, "feedback"),
        ("feedback_by_month", data.by_month, "feedback"),
    ]
    for key, frame, needs in frames:
        if needs not in keys:
            continue
        parts += ["", label(lang, key), _frame_text(frame, lang)]
    return "\n".join(parts)


def _frame_text(frame: pd.DataFrame, lang: str) -> str:
    """A metrics frame as a text table: labelled columns, numbers as people read them."""
    body = [
        [format_value(k, v) for k, v in zip(frame.columns, r, strict=True)]
        for r in frame.itertuples(index=False)
    ]
    return format_table([column_label(lang, c) for c in frame.columns], body)


def _text(data: ReportData, lang: str, reports: tuple[str, ...], span: Period) -> str:
    parts = [
        f"{label(lang, 'title')} · {span.since} {label(lang, 'to')} {span.until} · {label(lang, 'as_of')} {data.as_of}",
        "",
    ]
    rows = [
        [
            label(lang, f"h_{h.key}"),
            format_value(h.key, h.value),
            format_value(h.key, h.previous),
            format_change(h.key, h.value, h.previous),
        ]
        for h in data.headline
    ]
    parts.append(
        format_table([label(lang, k) for k in ("metric", "value", "previous", "change")], rows)
    )
    frames = {"funnel": [data.funnel], "channel": [data.channel], "stage": [data.stages]}
    for name in reports:
        for frame in frames[name]:
            parts += ["", label(lang, name), _frame_text(frame, lang)]
    if "stage" in reports:
        counts = ", ".join(
            f"{label(lang, k)} {len(getattr(data, k))}" for k in ("stalled", "silent", "overdue")
        )
        parts += ["", counts]
    return "\n".join(parts)


CRONTAB = """\
# crmkit: the weekly report every Monday at 08:00, mailed by cron when something fails.
# Edit the path, then install with `crontab -e`. A non-zero exit means the report was not written.
MAILTO=you@example.com
0 8 * * 1  cd {folder} && crmkit --quiet report all --config {folder}/crmkit.toml
# Each working day at 07:30: one agenda file per person in agendas/; mailed when anything is overdue.
30 7 * * 1-5  cd {folder} && crmkit --quiet due --config {folder}/crmkit.toml --by-owner agendas --check
"""


@command
def init_command(
    folder: Annotated[Path, typer.Argument(help="Folder for the project (created if missing).")],
    lang: Annotated[
        str, typer.Option("--lang", metavar="LANG", help="Template headers: zh, zh-Hant or en.")
    ] = "zh",
) -> None:
    """Start a project: a commented crmkit.toml, the four blank templates and a crontab example.

    \b
    Example:
      crmkit init my-crm
    """
    from crmkit.spec import KINDS, LANGS, builtin_spec
    from crmkit.template import write_template

    if lang not in LANGS:
        fail(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    folder.mkdir(parents=True, exist_ok=True)
    specs = {kind: builtin_spec(kind) for kind in KINDS}
    names = {kind: f"{spec.title.get(lang, kind)}.xlsx" for kind, spec in specs.items()}
    config_text = DEFAULT_CONFIG
    for kind in specs:
        # the config's commented input lines become the paths of the templates written here
        config_text = re.sub(
            rf'^# {kind} = "[^"]*"', f'{kind} = "{names[kind]}"', config_text, flags=re.M
        )
    files: dict[str, Callable[[Path], object]] = {
        CONFIG_NAME: lambda p: p.write_text(config_text, encoding="utf-8"),
        **{names[kind]: partial(write_template, spec, lang=lang) for kind, spec in specs.items()},
        "crontab.example": lambda p: p.write_text(
            CRONTAB.format(folder=folder.resolve()), encoding="utf-8"
        ),
    }
    for name, write in files.items():
        path = folder / name
        if path.exists():
            warn(f"{path} exists; left as it is")
            continue
        write(path)
        info(f"Wrote {path}")
