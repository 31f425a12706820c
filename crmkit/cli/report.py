"""`crmkit report` and `crmkit init`: the weekly reports, by hand or from cron."""

from __future__ import annotations

import os
import re
import shlex
import shutil
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
from crmkit.report import (
    GROUPS,
    ReportInputs,
    fill_output,
    run_report,
    run_service,
    write_report,
    write_service_report,
)
from crmkit.report.labels import (
    cell_text,
    column_label,
    format_change,
    format_value,
    funnel_by_title,
    label,
)
from crmkit.report.metrics import ReportData
from crmkit.report.period import Period, resolve_period
from crmkit.report.service import ServiceData
from crmkit.spec.config import CONFIG_NAME, DEFAULT_CONFIG, PERIODS, find_config, load_config
from crmkit.spec.fields import TableSpec

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
            help="Write .xlsx, .html or .json; repeatable; {date} {since} {until} are filled in"
            " ({date:%Y%m%d} too). Without it, `report all` writes report.outputs of the config.",
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table or json on stdout (default: table, unless outputs are written).",
        ),
    ] = None,
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
    if format is not None:
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
            specs_from(schema, config),
            day,
            [(o, "-o") for o in output or []],
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
            specs_from(schema, config),
            settings,
            as_of=day,
            period=span,
            by=by,
            show_phones=show_phones,
            lang=lang or settings.lang,
            on_step=step,
        )
    for note in run.notes:
        warn(note)
    language = lang or settings.lang
    reports = ("funnel", "channel", "stage") if which == "all" else (which,)
    inputs = [customer_path, followup_path, cost_path]
    # The configured outputs are the weekly report's: a single report (funnel …) never replaces them.
    targets = [(o, "-o") for o in output or []] or (
        [(o, f"{settings.source}: report.outputs") for o in settings.outputs]
        if which == "all"
        else []
    )
    paths = [
        fill_output(t, as_of=day, since=span.since, until=span.until, origin=origin)
        for t, origin in targets
    ]
    for path in paths:
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
    elif format == "table" or not paths:
        typer.echo(_text(run.data, language, reports, span))


def _service(
    tasks: str | None,
    feedback: str | None,
    specs: dict[str, TableSpec],
    day: date,
    outputs: list[tuple[str, str]],
    format: str | None,
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
    # the service report has no period: {since} {until} are the day
    paths = [fill_output(t, as_of=day, since=day, until=day, origin=o) for t, o in outputs]
    for path in paths:
        write_service_report(data, path, lang=lang, inputs=[tasks, feedback], list_limit=list_limit)
        info(f"Report written to {path}")
    if format == "json":
        echo_json(data.to_dict())
    elif format == "table" or not paths:
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


def _frame_text(frame: pd.DataFrame, lang: str, by: str | None = None) -> str:
    """A metrics frame as a text table: labelled columns, numbers as people read them."""
    body = [
        [cell_text(lang, k, v) for k, v in zip(frame.columns, r, strict=True)]
        for r in frame.itertuples(index=False)
    ]
    return format_table([column_label(lang, c, by) for c in frame.columns], body)


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
            format_change(h.key, h.value, h.previous, lang),
        ]
        for h in data.headline
    ]
    parts.append(
        format_table([label(lang, k) for k in ("metric", "value", "previous", "change")], rows)
    )
    for name in reports:
        frame = {"funnel": data.funnel, "channel": data.channel, "stage": data.stages}[name]
        parts += ["", label(lang, name), _frame_text(frame, lang)]
        if name == "funnel" and data.funnel_by is not None and data.by is not None:
            parts += [
                "",
                funnel_by_title(lang, data.by),
                _frame_text(data.funnel_by, lang, data.by),
            ]
    if "stage" in reports:
        counts = ", ".join(
            f"{label(lang, k)} {len(getattr(data, k))}" for k in ("stalled", "silent", "overdue")
        )
        parts += ["", counts]
    return "\n".join(parts)


CRONTAB = """\
# crmkit: the weekly report every Monday at 08:00, mailed by cron when something fails.
# Install with `crontab -e`. A non-zero exit means the report was not written. The paths are
# absolute (cron's PATH has no crmkit) and quoted; in a crontab a % must be written \\%.
MAILTO=you@example.com
# The customer table first follows its follow-ups (crmkit sync), then the report is written.
0 8 * * 1  cd {folder} && {crmkit} --quiet sync --config {config} --in-place && {crmkit} --quiet report all --config {config}
# Each working day at 07:30: one agenda file per person in agendas/; mailed when anything is overdue.
30 7 * * 1-5  cd {folder} && {crmkit} --quiet due --config {config} --by-owner agendas --check
"""


def _crontab_word(text: str) -> str:
    """A path as one shell word in a crontab line: quoted, and % escaped (cron reads a bare %
    as a newline)."""
    return shlex.quote(text).replace("%", "\\%")


def crmkit_executable() -> str:
    """The absolute command that runs this crmkit: the console script beside the running
    Python (a venv's bin/), else the one on PATH, else `python -m crmkit`."""
    beside = Path(sys.executable).parent / "crmkit"
    if beside.is_file() and os.access(beside, os.X_OK):
        return _crontab_word(str(beside.absolute()))
    found = shutil.which("crmkit")
    if found:
        return _crontab_word(str(Path(found).absolute()))
    return f"{_crontab_word(str(Path(sys.executable).absolute()))} -m crmkit"


def crontab_text(folder: Path) -> str:
    """The crontab example of a project folder."""
    where = folder.resolve()
    return CRONTAB.format(
        folder=_crontab_word(str(where)),
        config=_crontab_word(str(where / CONFIG_NAME)),
        crmkit=crmkit_executable(),
    )


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
    from crmkit.spec.fields import KINDS, LANGS, builtin_spec
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
        "crontab.example": lambda p: p.write_text(crontab_text(folder), encoding="utf-8"),
    }
    for name, write in files.items():
        path = folder / name
        if path.exists():
            warn(f"{path} exists; left as it is")
            continue
        write(path)
        info(f"Wrote {path}")
