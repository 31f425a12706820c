"""`crmkit report` and `crmkit init`: the weekly reports, by hand or from cron."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from crmkit.cli.inputs import read_canonical, specs_from
from crmkit.cli.options import (
    STATE,
    AsOfOption,
    ConfigOption,
    DelimiterOption,
    LangOption,
    SchemaOption,
    check_format,
    check_lang,
    parse_date,
    project_config,
)
from crmkit.cli.output import command, echo_json, fail, info, progress, warn
from crmkit.cli.report_forecast import forecast_report, read_forecast
from crmkit.cli.report_profile import report_profile
from crmkit.spec.config import CONFIG_NAME, PERIODS

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from crmkit.spec.config import Config
    from crmkit.spec.fields import TableSpec

REPORTS = ("funnel", "channel", "stage", "all", "service", "forecast", "profile")


@command
def report_command(
    which: Annotated[
        str,
        typer.Argument(
            help="funnel, channel, stage, all (the weekly report), service, forecast or profile."
        ),
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
    target_table: Annotated[
        str | None,
        typer.Option("--targets", metavar="FILE", help="Sales targets (report forecast)."),
    ] = None,
    orders: Annotated[
        str | None,
        typer.Option(
            "--orders", metavar="FILE", help="Orders table 成交记录表 (report forecast, profile)."
        ),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag",
            metavar="FILE",
            help="report profile: write a copy of the customer table tagged 客户价值-… 流失风险-….",
        ),
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
            "--period",
            metavar="NAME",
            help="last-week, this-week, last-month or this-month; forecast: month, quarter or year.",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="FIELD", help="Also a funnel per owner, industry or source."),
    ] = None,
    lang: LangOption = None,
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
      crmkit report forecast -c examples/customers.xlsx --targets examples/targets.xlsx --orders examples/orders.xlsx --as-of 2024-09-20
      crmkit report profile --customers examples/customers.xlsx --orders examples/orders.xlsx --as-of 2024-11-01
    """
    from crmkit.report import GROUPS, fill_output, resolve_period, write_report
    from crmkit.report.metrics import compute_report
    from crmkit.report.text import forecast_text, weekly_text

    if which not in REPORTS:
        fail(f"REPORT must be one of {', '.join(REPORTS)}, not {which!r}")
    if format is not None:
        check_format(format, ("table", "json"))
    settings = project_config(config)
    language = check_lang(lang) or settings.report.lang
    specs = specs_from(schema, settings)
    day = parse_date(as_of)
    if which == "forecast":
        forecast_report(settings, specs, customers=customers, targets=target_table, orders=orders,
                        output=output, format=format, day=day, period=period, lang=language,
                        delimiter=delimiter)  # fmt: skip
        return
    if period is not None and period not in PERIODS:
        fail(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    if period is not None and (since or until):
        fail("give either --period or --since/--until, not both")
    if by is not None and by not in GROUPS:
        fail(f"--by must be one of {', '.join(GROUPS)}, not {by!r}")
    if which == "service":
        _service(settings, specs, tasks, feedback, day, output, format, language, delimiter)
        return
    span = resolve_period(
        day,
        period or settings.report.period,
        parse_date(since, "--since") if since else None,
        parse_date(until, "--until") if until else None,
    )
    if span.since > span.until:
        fail(f"--since {span.since} is after --until {span.until}")
    customer_path = settings.input("customers", customers)
    if customer_path is None:
        fail(f"no customer table: give --customers FILE or set inputs.customers in {CONFIG_NAME}")
    if which == "profile":
        report_profile(settings, specs, day, span, customer_path, orders=orders,
                       followups=followups, feedback=feedback, tasks=tasks, outputs=output,
                       format=format, lang=language, delimiter=delimiter, tag=tag)  # fmt: skip
        return
    followup_path = settings.input("followups", followups)
    cost_path = settings.input("costs", costs)
    # `report all` adds the month's forecast when a target table is given or configured
    target_path = settings.input("targets", target_table) if which == "all" else None
    order_path = settings.input("orders", orders) if target_path else None
    with progress() as step:
        step(f"Reading {customer_path}")
        people = read_canonical(customer_path, specs["customers"], delimiter=delimiter)
        history = None
        if followup_path:
            step(f"Reading {followup_path}")
            history = read_canonical(followup_path, specs["followups"], delimiter=delimiter)
        spend = _costs(cost_path, delimiter) if cost_path else None
        step(f"Computing the reports over {len(people):,} customers")
        data = compute_report(people, history, settings.report, as_of=day, period=span,
                              costs=spend, by=by, show_phones=show_phones, lang=language)  # fmt: skip
        if target_path:
            step(f"Reading {target_path}")
            data.forecast = read_forecast(settings, specs, people, target_path, order_path,
                                          as_of=day, delimiter=delimiter)  # fmt: skip
    for note in data.notes + (data.forecast.notes if data.forecast else []):
        warn(note)
    reports = ("funnel", "channel", "stage") if which == "all" else (which,)
    inputs = [customer_path, followup_path, cost_path, target_path, order_path]
    # The configured outputs are the weekly report's: a single report (funnel …) never replaces them.
    targets = [(o, "-o") for o in output or []] or (
        [(o, f"{settings.report.source}: report.outputs") for o in settings.report.outputs]
        if which == "all"
        else []
    )
    paths = [
        fill_output(t, as_of=day, since=span.since, until=span.until, origin=origin)
        for t, origin in targets
    ]
    for path in paths:
        write_report(data, path, lang=language, reports=reports, inputs=inputs,
                     list_limit=settings.report.list_limit)  # fmt: skip
        info(f"Report written to {path}")
    if format == "json":  # streamed: the customer lists may hold a million rows
        data.write_json(sys.stdout)
        sys.stdout.write("\n")
    elif format == "table" or not paths:
        typer.echo(weekly_text(data, language, reports, span))
        if data.forecast is not None:
            typer.echo("\n" + forecast_text(data.forecast, language))


def _costs(path: str, delimiter: str | None) -> pd.Series:
    from crmkit.io.read import read_table
    from crmkit.report import load_costs

    return load_costs(read_table(path, limits=STATE.limits, delimiter=delimiter))


def _service(
    settings: Config,
    specs: dict[str, TableSpec],
    tasks: str | None,
    feedback: str | None,
    day: date,
    output: list[str] | None,
    format: str | None,
    lang: str,
    delimiter: str | None,
) -> None:
    from crmkit.report import fill_output, service_options, write_service_report
    from crmkit.report.service import compute_service
    from crmkit.report.text import service_text

    tasks, feedback = settings.input("tasks", tasks), settings.input("feedback", feedback)
    if not tasks and not feedback:
        fail(
            f"no task or feedback table: give --tasks FILE, --feedback FILE, or set them in [inputs] of {CONFIG_NAME}"
        )
    with progress() as step:
        step("Reading the task and feedback tables")
        frames = {
            kind: read_canonical(path, specs[kind], delimiter=delimiter) if path else None
            for kind, path in (("tasks", tasks), ("feedback", feedback))
        }
        data = compute_service(frames["tasks"], frames["feedback"], as_of=day,
                               **service_options(specs))  # fmt: skip
    # the service report has no period: {since} {until} are the day
    paths = [fill_output(t, as_of=day, since=day, until=day, origin="-o") for t in output or []]
    for path in paths:
        write_service_report(data, path, lang=lang, inputs=[tasks, feedback],
                             list_limit=settings.report.list_limit)  # fmt: skip
        info(f"Report written to {path}")
    if format == "json":
        echo_json(data.to_dict())
    elif format == "table" or not paths:
        typer.echo(service_text(data, lang))
