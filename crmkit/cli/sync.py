"""`crmkit sync`: bring the customer table up to date with its follow-ups (and add tasks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crmkit.cli.inputs import open_table, specs_from
from crmkit.cli.options import (
    AllowFormulasOption,
    AsOfOption,
    ConfigOption,
    DelimiterOption,
    EncodingOption,
    FollowupsSheetOption,
    SchemaOption,
    SheetOption,
    parse_date,
    project_config,
)
from crmkit.cli.output import (
    alert,
    command,
    fail,
    format_table,
    info,
    warn,
    warn_untouched,
    write_sheets,
    write_table,
)
from crmkit.errors import EmptyTableError
from crmkit.spec.config import CONFIG_NAME


@command
def sync_command(
    customers: Annotated[
        str | None,
        typer.Argument(
            help="Customer table (.xlsx or .csv; default: inputs.customers of the config)."
        ),
    ] = None,
    followups: Annotated[
        str | None,
        typer.Option(
            "--followups",
            metavar="FILE",
            help="Follow-up table (.xlsx or .csv; default: inputs.followups of the config).",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="The synced customer table."),
    ] = None,
    in_place: Annotated[
        bool,
        typer.Option("--in-place", help="Write over CUSTOMERS, keeping it as <name>.bak."),
    ] = False,
    changes: Annotated[
        str | None,
        typer.Option(
            "--changes",
            metavar="FILE",
            help="Every change: file, row, 客户编号, field, before, after, reason, source.",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 when the table is out of date."),
    ] = False,
    tasks: Annotated[
        str | None,
        typer.Option(
            "--tasks",
            metavar="FILE",
            help="Collaboration-task table the triggers add to (with --in-place or --check, "
            "default: inputs.tasks of the config).",
        ),
    ] = None,
    tasks_out: Annotated[
        str | None,
        typer.Option(
            "--tasks-out",
            metavar="FILE",
            help="Where the task table goes (with --in-place: over --tasks, keeping <name>.bak).",
        ),
    ] = None,
    as_of: AsOfOption = None,
    limit: Annotated[
        int,
        typer.Option("--limit", metavar="N", help="Changes and warnings shown (0: all)."),
    ] = 10,
    sheet: SheetOption = None,
    followups_sheet: FollowupsSheetOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    schema: SchemaOption = None,
    config: ConfigOption = None,
    allow_formulas: AllowFormulasOption = False,
) -> None:
    """Set 意向等级, 销售阶段, 更新时间 and 下次跟进时间 from the latest follow-ups; nothing else changes.

    \b
    Example:
      crmkit sync examples/customers.xlsx --followups examples/followups.xlsx --as-of 2024-10-01 -o synced.xlsx --changes changes.csv
    """
    from crmkit.io.write import patch_workbook
    from crmkit.sync import sync_customers
    from crmkit.sync.cells_out import added_cells, synced_cells

    if sum((output is not None, in_place, check)) != 1:
        fail("give one of -o FILE, --in-place or --check")
    today = parse_date(as_of)
    settings = project_config(config)
    customers = settings.input("customers", customers)
    followups = settings.input("followups", followups)
    if output is None:
        tasks = settings.input("tasks", tasks)
    if not customers or not followups:
        fail(f"give CUSTOMERS and --followups FILE, or set inputs.customers and "
             f"inputs.followups in {CONFIG_NAME}")  # fmt: skip
    if tasks_out and not tasks:
        fail("--tasks-out needs --tasks")
    if tasks and output is not None and not tasks_out:
        fail("with -o, give --tasks-out FILE too (only --in-place writes over --tasks)")
    specs = specs_from(schema, settings)
    try:
        people = open_table(customers, [specs["customers"]], sheet=sheet, encoding=encoding,
                            delimiter=delimiter, forced=True)  # fmt: skip
        history = open_table(followups, [specs["followups"]], sheet=followups_sheet,
                             encoding=encoding, delimiter=delimiter, forced=True)  # fmt: skip
    except EmptyTableError as exc:  # a new project's blank templates: nothing to sync yet
        info(f"{exc}; nothing to sync")
        return
    todo = open_table(tasks, [specs["tasks"]], encoding=encoding, delimiter=delimiter,
                      forced=True) if tasks else None  # fmt: skip
    result = sync_customers(people, history, as_of=today, config=settings.report,
                            sync=settings.sync, tasks=todo)  # fmt: skip
    del history  # millions of follow-ups need not stay in memory while the outputs are written
    warnings = [f for f in result.findings if f.severity != "note"]
    shown = warnings if limit <= 0 else warnings[:limit]
    for finding in shown:
        where = f"{finding.file}" + (f" sheet {finding.sheet}" if finding.sheet else "")
        warn(f"{where} row {finding.row}, column {finding.column}: {finding.message}")
    if len(shown) < len(warnings):
        warn(f"… and {len(warnings) - len(shown)} more warnings (--limit 0 shows all)")
    for note in (f for f in result.findings if f.severity == "note"):  # a few, always shown
        info(f"{note.file}: {note.message}")
    _show_changes(result.changes, limit)
    counts = result.changes["field"].astype(str).value_counts()
    cells = ", ".join(f"{name} {count}" for name, count in counts.items())
    info(
        f"{people.name}: {result.customers_changed} of {people.rows} customers "
        f"{'out of date' if check else 'changed'} "
        f"({len(result.changes)} cells{': ' + cells if cells else ''}) from "
        f"{result.followups_used} follow-ups up to {today}; {len(result.new_tasks)} new tasks; "
        f"{len(warnings)} warnings"
    )
    if check:
        if not result.up_to_date:
            alert(f"{people.name} is out of date: {len(result.changes)} cells to change, "
                  f"{len(result.new_tasks)} tasks to add (crmkit sync --in-place)")  # fmt: skip
            raise typer.Exit(1)
        return
    target = customers if in_place else str(output)
    inputs = [customers, followups, tasks]
    # A formula, or a cell under a merged one, is never written over: kept, and named.
    untouched: list[tuple[str, str, str]] = []
    if in_place and result.changes.empty:  # an up-to-date table is left as it is
        pass
    elif people.format == "xlsx" and patch_workbook(
        Path(customers), synced_cells(people, result.table, result.changes), inputs=inputs,
        output=None if in_place else Path(target), untouched=untouched):  # fmt: skip
        info(f"{len(result.changes) - len(untouched)} cells written into {target} (the rest as "
             "it was)" if in_place else f"written to {target}")  # fmt: skip
        warn_untouched(people.name, untouched, 20, done="synced")
    else:
        write_sheets(result.table, target, inputs=inputs, default="客户信息",
                     allow_formulas=allow_formulas, in_place=in_place,
                     replaces=[p.sheet for p in people.parts])  # fmt: skip
        info(f"written to {target}")
    if changes:
        write_table(result.changes, changes, inputs=[customers, followups, tasks],
                    sheet="changes", allow_formulas=allow_formulas)  # fmt: skip
    if todo is not None and result.tasks is not None and tasks and len(result.new_tasks):
        where, before, after = tasks_out or tasks, todo, result.tasks
        skipped: list[tuple[str, str, str]] = []
        if before.format != "xlsx" or not patch_workbook(
            Path(tasks), added_cells(before, after), inputs=inputs,
            output=None if where == tasks else Path(where), untouched=skipped):  # fmt: skip
            write_sheets(after, where, inputs=inputs, default="沟通协作任务",
                         allow_formulas=allow_formulas, in_place=where == tasks)  # fmt: skip
        info(f"{len(result.new_tasks)} tasks added to {where}")
        warn_untouched(todo.name, skipped, 20, done="written")
    elif tasks and tasks_out:
        info(f"no new tasks: {tasks_out} is not written")


def _show_changes(changes: object, limit: int) -> None:
    """The first changes as a table on stderr (for people; --changes FILE has them all)."""
    import pandas as pd

    assert isinstance(changes, pd.DataFrame)
    if not len(changes):
        return
    shown = changes if limit <= 0 else changes.head(limit)
    columns = ["row", "customer_id", "field", "before", "after", "reason", "source_row"]
    if "sheet" in changes:  # a workbook of several sheets: a row number alone is ambiguous
        columns.insert(0, "sheet")
    rows = [[r[c] for c in columns] for r in shown.to_dict(orient="records")]
    info(format_table(columns, rows, 30))
    if len(shown) < len(changes):
        info(f"… and {len(changes) - len(shown)} more changes (--changes FILE lists them all)")
