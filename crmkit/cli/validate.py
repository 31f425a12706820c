"""`crmkit validate`: check workbooks against their field specs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from crmkit.cli.common import (
    AllowFormulasOption,
    ConfigOption,
    DelimiterOption,
    EncodingOption,
    FollowupsSheetOption,
    FormatOption,
    SchemaOption,
    SheetOption,
    alert,
    check_format,
    command,
    echo_json,
    fail,
    format_table,
    info,
    open_table,
    progress,
    specs_from,
    warn,
)
from crmkit.errors import InputError
from crmkit.io.annotate import annotate_workbook
from crmkit.io.table import Table
from crmkit.io.write import frame_to_csv_bytes, output_format, write_frame, write_json
from crmkit.spec.fields import KINDS
from crmkit.validate import ValidationReport, issues_frame, validate_tables

KindOption = Annotated[
    str,
    typer.Option(
        "--kind",
        metavar="KIND",
        help=f"Kind of the FILES: auto (from their headers), {', '.join(KINDS)}.",
    ),
]


def _table_option(kind: str, help: str) -> Any:
    return typer.Option(f"--{kind}", metavar="FILE", help=help)


@command
def validate_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Workbooks (.xlsx or .csv; '-' for CSV on stdin); each one's kind "
            "(customers, followups, tasks, feedback, orders) is recognized from its headers.",
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
    check_format(format, ("table", "json", "csv"))
    if kind != "auto" and kind not in KINDS:
        fail(f"--kind must be auto, {', '.join(KINDS)}, not {kind!r}")
    named = {"followups": followups, "tasks": tasks, "feedback": feedback}
    if not files and not any(named.values()):
        fail("give a workbook to check, e.g. crmkit validate examples/customers.xlsx")
    specs = specs_from(schema, config)
    candidates = list(specs.values()) if kind == "auto" else [specs[kind]]
    # (path, the specs it may match, its sheet): FILES first, then the tables named by option
    wanted = [(path, candidates, sheet) for path in files or []]
    wanted += [
        (path, [specs[option]], followups_sheet if option == "followups" else None)
        for option, path in named.items()
        if path
    ]
    forced = len(files or []) if kind != "auto" else 0  # --kind names the kind of FILES
    tables: list[Table] = []
    with progress() as step:
        for number, (path, choices, table_sheet) in enumerate(wanted):
            step(f"Reading {path}")
            tables.append(
                open_table(path, choices, sheet=table_sheet, encoding=encoding,
                           delimiter=delimiter, forced=number < forced)
            )  # fmt: skip
        _one_per_kind(tables)
        step(f"Checking {sum(t.rows for t in tables):,} rows")
        result = validate_tables(tables, strict=strict)
    inputs = [*(files or []), *named.values()]
    if report is not None:
        if report.suffix.lower() == ".json":
            write_json(result.to_dict(), report, inputs=inputs)
        else:
            output_format(report)
            write_frame(
                issues_frame(result),
                report,
                inputs=inputs,
                sheet="issues",
                allow_formulas=allow_formulas,
            )
        info(f"Issues saved to {report}")
    followup = next(
        (i for i, t in enumerate(tables) if t.spec and t.spec.kind == "followups"), None
    )
    for index, target in ((0 if files else None, annotate), (followup, annotate_followups)):
        if index is not None and target is not None:
            source = wanted[index][0]
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


def _one_per_kind(tables: list[Table]) -> None:
    seen: dict[str, str] = {}
    for table in tables:
        kind = table.spec.kind if table.spec else "table"
        if kind in seen:
            fail(
                f"{seen[kind]} and {table.name} are both {kind} tables; "
                "check them one at a time (or merge them with crmkit dedupe)"
            )
        seen[kind] = table.name


def _render(result: ValidationReport, format: str, limit: int) -> None:
    if format == "json":
        echo_json(result.to_dict())
        return
    if format == "csv":
        typer.echo(frame_to_csv_bytes(issues_frame(result), bom=False).decode("utf-8"), nl=False)
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
