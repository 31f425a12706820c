"""`crmkit due`: each person's agenda — overdue, due today, planned — for a terminal or a cron mail."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from crmkit.cli.common import (
    STATE,
    AsOfOption,
    ConfigOption,
    DelimiterOption,
    SchemaOption,
    alert,
    check_format,
    command,
    fail,
    info,
    parse_date,
    progress,
    specs_from,
    warn,
)
from crmkit.due import build_agenda, render_agenda, write_agendas
from crmkit.report import CUSTOMER_FIELDS, FOLLOWUP_FIELDS, TASK_FIELDS, read_canonical
from crmkit.spec.config import CONFIG_NAME, find_config, load_config, load_due_config


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
    lang: Annotated[str, typer.Option("--lang", metavar="LANG", help="zh or en.")] = "zh",
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
    check_format(format, ("text", "json", "csv"))
    if lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}")
    found = find_config(config, Path.cwd())
    settings, due = load_config(found), load_due_config(found)
    customers = customers or (str(settings.customers) if settings.customers else None)
    followups = followups or (str(settings.followups) if settings.followups else None)
    tasks = tasks or (str(settings.tasks) if settings.tasks else None)
    if followups and not customers:
        fail("--followups needs --customers (the cadence is per customer)")
    if not customers and not tasks:
        fail(f"nothing to plan: give --customers FILE, --tasks FILE, or set them in {CONFIG_NAME}")
    specs = specs_from(schema, config)
    notes: list[str] = []
    with progress() as step:
        step("Reading the tables")
        frames = {
            kind: read_canonical(
                path, specs[kind], fields, notes, STATE.limits, delimiter=delimiter
            )
            if path
            else None
            for kind, path, fields in (
                ("customers", customers, [*CUSTOMER_FIELDS, "contract_end"]),
                ("followups", followups, FOLLOWUP_FIELDS),
                ("tasks", tasks, TASK_FIELDS),
            )
        }
        agenda = build_agenda(
            frames["customers"],
            frames["followups"],
            frames["tasks"],
            as_of=parse_date(as_of),
            days=due.days if days is None else days,
            config=settings,
            due=due,
            sources={"customers": customers or "", "tasks": tasks or ""},
            show_phones=show_phones,
            lang=lang,
        )
    for note in notes:
        warn(note)
    if owner is not None:
        agenda = agenda.only(owner)
    if by_owner is not None:
        files = write_agendas(
            agenda, by_owner, format=format, lang=lang, inputs=[customers, followups, tasks]
        )
        removed = files.removed
        gone = f"; {_count(len(removed), 'earlier agenda')} with nothing due now removed"
        info(
            f"{_count(len(files.written), 'agenda')} written to {by_owner}{gone if removed else ''}"
        )
    else:
        sys.stdout.buffer.write(render_agenda(agenda, format, lang))
        sys.stdout.flush()
    if check and agenda.overdue:
        alert(f"{agenda.overdue} items are overdue")
        raise typer.Exit(1)


def _count(number: int, noun: str) -> str:
    """ "1 agenda", "2 agendas"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
