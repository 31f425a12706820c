"""`crmkit validate`: check workbooks against their field specs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crmkit.cli.common import (
    AllowFormulasOption,
    EncodingOption,
    FormatOption,
    SchemaOption,
    SheetOption,
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
from crmkit.io.annotate import annotate_workbook
from crmkit.io.write import frame_to_csv_bytes, output_format, write_frame, write_json
from crmkit.validate import ValidationReport, issues_frame, validate


@command
def validate_command(
    customers: Annotated[
        str | None,
        typer.Argument(
            help="Customer table (.xlsx or .csv; '-' for CSV on stdin).", show_default=False
        ),
    ] = None,
    followups: Annotated[
        str | None,
        typer.Option(
            "--followups",
            metavar="FILE",
            help="Follow-up table; its 客户编号 are checked against CUSTOMERS.",
        ),
    ] = None,
    sheet: SheetOption = None,
    followups_sheet: Annotated[
        str | None,
        typer.Option(
            "--followups-sheet", metavar="NAME|N", help="Sheet of the follow-up workbook."
        ),
    ] = None,
    encoding: EncodingOption = None,
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
            help="Write a copy of the customer workbook with bad cells marked.",
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
) -> None:
    """Check customer and follow-up workbooks; exit 1 when any error is found.

    \b
    Example:
      crmkit validate examples/customers.xlsx --followups examples/followups.xlsx
    """
    check_format(format, ("table", "json", "csv"))
    if customers is None and followups is None:
        fail("give a customer table, --followups FILE, or both")
    specs = specs_from(schema)
    with progress() as step:
        customer_table = followup_table = None
        if customers:
            step(f"Reading {customers}")
            customer_table = open_table(
                customers, [specs["customers"]], sheet=sheet, encoding=encoding
            )
        if followups:
            step(f"Reading {followups}")
            followup_table = open_table(
                followups, [specs["followups"]], sheet=followups_sheet, encoding=encoding
            )
        rows = sum(t.rows for t in (customer_table, followup_table) if t is not None)
        step(f"Checking {rows:,} rows")
        result = validate(customer_table, followup_table, strict=strict)
    inputs = [customers, followups]
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
    for table, target, source in (
        (customer_table, annotate, customers),
        (followup_table, annotate_followups, followups),
    ):
        if table is not None and target is not None:
            annotate_workbook(
                table,
                result.issues,
                target,
                source=None if source == "-" else source,
                inputs=inputs,
            )
            info(f"Annotated copy written to {target}")
    _render(result, format, limit)
    raise typer.Exit(0 if result.valid else 1)


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
        many = len(result.tables) > 1
        headers = (["file"] if many else []) + ["row", "column", "severity", "value", "message"]
        rows: list[list[object]] = [
            ([i.file] if many else [])
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
