"""`crmkit export`: hand the cleaned customers (and follow-ups) to a full CRM's import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crmkit.cli.inputs import open_table, specs_from
from crmkit.cli.options import (
    AllowFormulasOption,
    ConfigOption,
    DelimiterOption,
    EncodingOption,
    SchemaOption,
    SheetOption,
    project_config,
)
from crmkit.cli.output import command, fail, format_table, info, warn, write_output, write_table
from crmkit.export.profile import PROFILES

if TYPE_CHECKING:
    import pandas as pd

    from crmkit.export import ExportResult, Profile

SUFFIXES = {"csv": (".csv",), "xlsx": (".xlsx",), "jsonl": (".jsonl", ".json", ".ndjson")}


@command
def export_command(
    customers: Annotated[
        str, typer.Argument(help="Customer table (.xlsx or .csv; '-' for stdin).")
    ],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="TARGET", help=f"Target: {', '.join(PROFILES)}."),
    ] = None,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Output file ('-': stdout, CSV/JSONL)."
        ),
    ] = "-",
    profile_file: Annotated[
        Path | None,
        typer.Option("--profile", metavar="FILE", help="A team's own mapping profile (TOML)."),
    ] = None,
    followups: Annotated[
        str | None,
        typer.Option(
            "--followups", metavar="FILE", help="Follow-ups of the exported customers too."
        ),
    ] = None,
    followups_out: Annotated[
        Path | None,
        typer.Option(
            "--followups-out", metavar="FILE", help="Where they go (default: OUT-followups)."
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            metavar="COND",
            help="Keep rows where FIELD=V1,V2 / != / >= DATE …; repeatable.",
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", metavar="A,B", help="Only these output columns, in this order."),
    ] = None,
    mask_phones: Annotated[
        bool, typer.Option("--mask-phones", help="Mask phones (138****5678).")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="Export the valid rows; write the others to a rejects file."
        ),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", metavar="FILE", help="Rejects file (default: OUT-rejects.csv)."),
    ] = None,
    bom: Annotated[
        bool, typer.Option("--bom", help="Start CSV with a UTF-8 BOM (for Excel).")
    ] = False,
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    schema: SchemaOption = None,
    config: ConfigOption = None,
    allow_formulas: AllowFormulasOption = False,
) -> None:
    """Export customers for Zoho CRM, HubSpot, Salesforce, 纷享销客 or another tool; invalid rows are refused.

    \b
    Example:
      crmkit export examples/customers.xlsx --to zoho -o zoho-leads.csv
    """
    from crmkit.export import builtin_profile, export_customers, load_profile, output_sheet
    from crmkit.export.where import parse_where

    if (to is None) == (profile_file is None):
        fail(f"give --to TARGET ({', '.join(PROFILES)}) or --profile FILE")
    profile = load_profile(profile_file) if profile_file else builtin_profile(str(to))
    if output != "-" and Path(output).suffix.lower() not in SUFFIXES[profile.format]:
        fail(
            f"{output}: {profile.name} writes {profile.format}; name the output *{SUFFIXES[profile.format][0]}"
        )
    if output == "-" and profile.format == "xlsx":
        fail(f"{profile.name} writes an xlsx workbook; give -o FILE.xlsx")
    specs = specs_from(schema, project_config(config))
    table = open_table(
        customers, [specs["customers"]], sheet=sheet, encoding=encoding, delimiter=delimiter
    )
    assert table.spec is not None
    conditions = [parse_where(text, table.spec) for text in where or []]
    history = (
        open_table(followups, [specs["followups"]], encoding=encoding, delimiter=delimiter)
        if followups
        else None
    )
    result = export_customers(
        table,
        profile,
        followups=history,
        where=conditions,
        columns=[c.strip() for c in columns.split(",") if c.strip()] if columns else None,
        mask_phones=mask_phones,
    )
    refused = result.refused
    if refused and not skip_invalid:
        _show_rejects(result)
        fail(
            f"{refused} rows are invalid for {profile.name}; nothing was written. Fix them "
            "(crmkit validate, crmkit clean) or pass --skip-invalid to export the others",
            1,
        )
    for note in result.notes:
        warn(note)
    inputs = [customers, followups]
    sheet_name = output_sheet(table, profile.sheet, "客户")
    _write(
        result.frame,
        output,
        profile,
        sheet=sheet_name,
        bom=bom,
        allow_formulas=allow_formulas,
        inputs=inputs,
    )
    base = Path(output) if output != "-" else Path(f"{profile.name}-export.csv")
    if result.followups is not None:
        target = followups_out or base.with_name(f"{base.stem}-followups{base.suffix}")
        _write(
            result.followups,
            str(target),
            profile,
            sheet=output_sheet(history, profile.followups_sheet, "跟进记录"),
            bom=bom,
            allow_formulas=allow_formulas,
            inputs=inputs,
        )
    if refused:
        path = rejects or base.with_name(f"{base.stem}-rejects.csv")
        write_table(
            result.rejected_rows(),
            path,
            inputs=inputs,
            sheet="rejects",
            allow_formulas=allow_formulas,
        )
    _summary(result, table.name, output, history.name if history else None)
    if refused:
        info(f"The {refused} rejected rows, each with its reason: {path}")
    info(f"Import guide: {profile.guide}")


def _write(
    frame: pd.DataFrame,
    output: str,
    profile: Profile,
    *,
    sheet: str,
    bom: bool,
    allow_formulas: bool,
    inputs: list[str | None],
) -> None:
    if profile.format == "jsonl":
        from crmkit.export import to_jsonl

        write_output(to_jsonl(frame), output, inputs=inputs)
    else:  # CSV and xlsx stream to their file
        write_table(frame, output, inputs=inputs, sheet=sheet, allow_formulas=allow_formulas,
                    bom=bom)  # fmt: skip


def _show_rejects(result: ExportResult) -> None:
    shown = result.rejects.head(10)
    keys = ["sheet", "row", "reason"] if shown["sheet"].notna().any() else ["row", "reason"]
    rows = [[r[k] for k in keys] for r in shown.to_dict(orient="records")]
    if rows:
        typer.echo(format_table(keys, rows, 100), err=True)
    if len(result.rejects) > 10:
        typer.echo(f"… and {len(result.rejects) - 10} more", err=True)


def _summary(result: ExportResult, name: str, output: str, history: str | None) -> None:
    where = output if output != "-" else "stdout"
    left = result.rows - result.selected
    head = f"{name}: {result.rows} rows" + (f", {left} left out by --where" if left else "")
    info(
        f"{head}; {result.selected} in: {len(result.frame)} exported to {where} "
        f"({result.profile.title}), {len(result.rejects)} rejected"
    )
    if history is not None and result.followups is not None:
        refused = len(result.followup_rejects) if result.followup_rejects is not None else 0
        unlinked = (
            f" ({result.followups_unlinked} without {' or '.join(result.profile.followups_key)})"
            if result.followups_unlinked
            else ""
        )
        info(
            f"{history}: {result.followup_rows} rows: {len(result.followups)} exported{unlinked}, "
            f"{refused} rejected, {result.followups_left_out} belong to customers not exported"
        )
