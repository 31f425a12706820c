"""`crmkit validate`: check workbooks against their field specs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crmkit.cli.inputs import open_table, specs_from
from crmkit.cli.options import (
    AllowFormulasOption,
    ConfigOption,
    DelimiterOption,
    EncodingOption,
    FollowupsSheetOption,
    FormatOption,
    KindOption,
    SchemaOption,
    SheetOption,
    check_format,
    parse_kind,
    project_config,
)
from crmkit.cli.output import (
    alert,
    command,
    echo_csv,
    echo_json,
    fail,
    format_table,
    info,
    progress,
    warn,
    write_report_file,
)
from crmkit.errors import InputError

if TYPE_CHECKING:
    from crmkit.io.table import Table
    from crmkit.validate import ValidationReport


def _table_option(kind: str, help: str) -> Any:
    return typer.Option(f"--{kind}", metavar="FILE", help=help)


@command
def validate_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Workbooks (.xlsx or .csv; '-' for CSV on stdin); each one's kind "
            "(customers, followups, tasks, feedback, orders, targets) is recognized from its headers.",
            show_default=False,
        ),
    ] = None,
    followups: Annotated[
        str | None,
        _table_option(
            "followups", "Follow-up table; its 客户编号 must exist in the customer table."
        ),
    ] = None,
    tasks: Annotated[
        str | None, _table_option("tasks", "Collaboration-task table (沟通协作任务表).")
    ] = None,
    feedback: Annotated[
        str | None, _table_option("feedback", "Customer-feedback table (客户反馈记录表).")
    ] = None,
    kind: KindOption = "auto",
    sheet: SheetOption = None,
    followups_sheet: FollowupsSheetOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    schema: SchemaOption = None,
    format: FormatOption = "table",
    report: Annotated[
        Path | None,
        typer.Option("--report", metavar="FILE", help="Save the issues to .xlsx, .csv or .json."),
    ] = None,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            metavar="FILE",
            help="Write a copy of the first of FILES with bad cells marked.",
        ),
    ] = None,
    annotate_followups: Annotated[
        Path | None,
        typer.Option(
            "--annotate-followups", metavar="FILE", help="The same for the follow-up workbook."
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Count warnings as errors.")] = False,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", help="Issues shown in the table view (0: all).")
    ] = 50,
    allow_formulas: AllowFormulasOption = False,
    config: ConfigOption = None,
) -> None:
    """Check customer, follow-up, task and feedback workbooks; exit 1 when any error is found.

    References are checked across the files given together: a follow-up's, task's or
    feedback's 客户编号 (or 客户名称) must exist in the customer table.

    \b
    Example:
      crmkit validate examples/customers.xlsx --followups examples/followups.xlsx
      crmkit validate examples/customers.xlsx examples/tasks.xlsx examples/feedback.xlsx
    """
    from crmkit.validate import issues_frame, validate_tables

    check_format(format, ("table", "json", "csv"))
    forced_kind = parse_kind(kind)
    named = {"followups": followups, "tasks": tasks, "feedback": feedback}
    if not files and not any(named.values()):
        fail("give a workbook to check, e.g. crmkit validate examples/customers.xlsx")
    specs = specs_from(schema, project_config(config))
    candidates = list(specs.values()) if forced_kind is None else [specs[forced_kind]]
    # (path, the specs it may match, its sheet): FILES first, then the tables named by option
    wanted = [(path, candidates, sheet) for path in files or []]
    wanted += [
        (path, [specs[option]], followups_sheet if option == "followups" else None)
        for option, path in named.items()
        if path
    ]
    forced = len(files or []) if forced_kind else 0  # --kind names the kind of FILES
    tables: list[Table] = []
    with progress() as step:
        for number, (path, choices, table_sheet) in enumerate(wanted):
            step(f"Reading {path}")
            tables.append(
                open_table(path, choices, sheet=table_sheet, encoding=encoding,
                           delimiter=delimiter, forced=number < forced)
            )  # fmt: skip
        step(f"Checking {sum(t.rows for t in tables):,} rows")
        result = validate_tables(tables, strict=strict)
    inputs = [*(files or []), *named.values()]
    if report is not None:
        write_report_file(report, payload=result.to_dict, frame=lambda: issues_frame(result), inputs=inputs,
                     sheet="issues", allow_formulas=allow_formulas)  # fmt: skip
        info(f"Issues saved to {report}")
    followup = next(
        (i for i, t in enumerate(tables) if t.spec and t.spec.kind == "followups"), None
    )
    for index, target in ((0 if files else None, annotate), (followup, annotate_followups)):
        if index is not None and target is not None:
            source = wanted[index][0]
            from crmkit.io.annotate import annotate_workbook

            try:
                annotate_workbook(
                    tables[index],
                    result.issues,
                    target,
                    source=None if source == "-" else source,
                    inputs=inputs,
                )
            except InputError as exc:  # the check stands; only the copy cannot be made
                alert(f"No annotated copy: {exc}")
                continue
            info(f"Annotated copy written to {target}")
    _render(result, format, limit)
    raise typer.Exit(0 if result.valid else 1)


def _render(result: ValidationReport, format: str, limit: int) -> None:
    if format == "json":
        echo_json(result.to_dict())
        return
    if format == "csv":
        from crmkit.validate import issues_frame

        echo_csv(issues_frame(result))
        return
    for table in result.tables:
        where = f"{table.file} (sheet {table.sheet})" if table.sheet else table.file
        info(f"{where}: {table.rows} rows checked as {table.kind}")
    shown = result.issues if limit <= 0 else result.issues[:limit]
    if shown:
        files = {t.file for t in result.tables}
        many = len(files) > 1
        # A workbook read from several sheets (one per salesperson): say which sheet.
        sheets = len({(t.file, t.sheet) for t in result.tables}) > len(files)
        headers = (["file"] if many else []) + (["sheet"] if sheets else [])
        headers += ["row", "column", "severity", "value", "message"]
        rows: list[list[object]] = [
            ([i.file] if many else [])
            + ([i.sheet or ""] if sheets else [])
            + [i.row or "", i.column, "error" if result.strict else i.severity, i.value, i.message]
            for i in shown
        ]
        typer.echo(format_table(headers, rows, 90))
    if len(shown) < len(result.issues):
        info(
            f"… and {len(result.issues) - len(shown)} more issues (see --report FILE or --limit 0)"
        )
    summary = f"{result.errors} errors, {result.warnings} warnings"
    if result.valid:
        info(f"Valid: {summary}")
    else:
        warn(f"Invalid: {summary}")
