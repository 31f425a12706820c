"""`crmkit due`: each person's agenda — overdue, due today, planned — for a terminal or a cron mail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crmkit.cli.inputs import read_canonical, specs_from
from crmkit.cli.options import (
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
from crmkit.cli.output import alert, command, fail, info, progress, write_output
from crmkit.spec.config import CONFIG_NAME


def _file(kind: str, help: str) -> typer.models.OptionInfo:
    flags = ("--customers", "-c") if kind == "customers" else (f"--{kind}",)
    return typer.Option(
        *flags, metavar="FILE", help=f"{help} (default: inputs.{kind} of the config)."
    )


@command
def due_command(
    customers: Annotated[str | None, _file("customers", "Customer table")] = None,
    followups: Annotated[str | None, _file("followups", "Follow-up table (cadence)")] = None,
    tasks: Annotated[str | None, _file("tasks", "Collaboration-task table")] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", metavar="NAME", help="Only this person's (or department's) agenda."
        ),
    ] = None,
    as_of: AsOfOption = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", metavar="N", min=0, help="Plan N days ahead (default: due.days, 7)."
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="text, json or csv.")
    ] = "text",
    by_owner: Annotated[
        Path | None,
        typer.Option("--by-owner", metavar="DIR", help="Write one file per person into DIR."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when anything is overdue.")
    ] = False,
    lang: LangOption = "zh",
    show_phones: Annotated[bool, typer.Option("--show-phones", help="Do not mask phones.")] = False,
    config: ConfigOption = None,
    schema: SchemaOption = None,
    delimiter: DelimiterOption = None,
) -> None:
    """Each person's agenda: 已逾期 (overdue), 今日待办 (today), 计划 (the next days).

    \b
    Example:
      crmkit due -c examples/customers.xlsx --followups examples/followups.xlsx --tasks examples/tasks.xlsx --as-of 2024-09-02
    """
    from crmkit.due import build_agenda, render_agenda, write_agendas

    check_format(format, ("text", "json", "csv"))
    language = check_lang(lang) or "zh"
    settings = project_config(config)
    customers = settings.input("customers", customers)
    followups = settings.input("followups", followups)
    tasks = settings.input("tasks", tasks)
    if followups and not customers:
        fail("--followups needs --customers (the cadence is per customer)")
    if not customers and not tasks:
        fail(f"nothing to plan: give --customers FILE, --tasks FILE, or set them in {CONFIG_NAME}")
    specs = specs_from(schema, settings)
    with progress() as step:
        step("Reading the tables")
        frames = {
            kind: read_canonical(path, specs[kind], delimiter=delimiter) if path else None
            for kind, path in (("customers", customers), ("followups", followups), ("tasks", tasks))
        }
        agenda = build_agenda(
            frames["customers"],
            frames["followups"],
            frames["tasks"],
            as_of=parse_date(as_of),
            days=settings.due.days if days is None else days,
            config=settings.report,
            due=settings.due,
            sources={"customers": customers or "", "tasks": tasks or ""},
            show_phones=show_phones,
            lang=language,
            priorities=specs["tasks"].options_of("priority"),
        )
    if owner is not None:
        agenda = agenda.only(owner)
    if by_owner is not None:
        files = write_agendas(
            agenda, by_owner, format=format, lang=language, inputs=[customers, followups, tasks]
        )
        removed = files.removed
        gone = f"; {_count(len(removed), 'earlier agenda')} with nothing due now removed"
        info(
            f"{_count(len(files.written), 'agenda')} written to {by_owner}{gone if removed else ''}"
        )
    else:
        write_output(render_agenda(agenda, format, language), "-")
    if check and agenda.overdue:
        alert(f"{agenda.overdue} items are overdue")
        raise typer.Exit(1)


def _count(number: int, noun: str) -> str:
    """ "1 agenda", "2 agendas"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
