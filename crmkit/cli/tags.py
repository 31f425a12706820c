"""`crmkit tags check|apply|stats`: one naming rule for customer tags (类别-值)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crmkit.cli.inputs import open_table, specs_from
from crmkit.cli.options import (
    AllowFormulasOption,
    ConfigOption,
    DelimiterOption,
    EncodingOption,
    FormatOption,
    InPlaceOption,
    RulesOption,
    SchemaOption,
    SheetOption,
    check_format,
    project_config,
)
from crmkit.cli.output import (
    command,
    echo_csv,
    echo_json,
    format_table,
    info,
    warn,
    warn_untouched,
    write_report_file,
    write_sheets,
    write_table,
)

if TYPE_CHECKING:
    from crmkit.tags import TagRows


app = typer.Typer(
    help="Check, fix and count customer tags by one naming rule (类别-值).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

InputArgument = Annotated[
    str, typer.Argument(help="Customer table (.xlsx or .csv; '-' for stdin).")
]
StrictOption = Annotated[
    bool,
    typer.Option("--strict", help="Unknown tags are errors (exit 1), whatever the rulebook says."),
]


def _read(path: str, rules: Path | None, schema: list[Path] | None, sheet: str | None,
          encoding: str | None, delimiter: str | None,
          config: Path | None = None) -> TagRows:  # fmt: skip
    from crmkit.tags import load_rulebook, read_tags

    specs = specs_from(schema, project_config(config))
    book = load_rulebook(rules, specs["customers"])
    table = open_table(
        path, [specs["customers"]], sheet=sheet, encoding=encoding, delimiter=delimiter
    )
    return read_tags(table, book)


@app.command("check", no_args_is_help=True)
@command
def check_command(
    input: InputArgument,
    format: FormatOption = "table",
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", help="Findings shown in the table (0: all).")
    ] = 20,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", metavar="FILE", help="Save every row's finding to .xlsx, .csv or .json."
        ),
    ] = None,
    rules: RulesOption = None,
    strict: StrictOption = False,
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    schema: SchemaOption = None,
) -> None:
    """List each non-canonical tag with its count, rows and fix; exit 1 when any is found.

    \b
    Example:
      crmkit tags check examples/messy_customers.xlsx
    """
    check_format(format, ("table", "json", "csv"))
    from crmkit.tags import check_tags

    result = _read(input, rules, schema, sheet, encoding, delimiter)
    found = check_tags(result)
    if report is not None:
        from crmkit.findings import findings_frame

        located = found.to_findings(strict)
        write_report_file(report, payload=lambda: {"findings": [f.as_dict() for f in located]},
                          frame=lambda: findings_frame(located), inputs=[input],
                          sheet="findings")  # fmt: skip
        info(f"Findings saved to {report}")
    if format == "json":
        echo_json(found.to_dict())
    elif format == "csv":
        echo_csv(found.findings_frame())
    else:
        shown = found.findings if limit == 0 else found.findings[:limit]
        rows = [
            [
                f.tag,
                f.count,
                _rows_text(f.where()),
                f.suggestion or "",
                f.rule,
                "" if f.score is None else f.score,
            ]
            for f in shown
        ]
        if rows:
            typer.echo(
                format_table(["tag", "count", "rows", "suggestion", "rule", "score"], rows, 40)
            )
        if len(shown) < len(found.findings):
            typer.echo(f"… and {len(found.findings) - len(shown)} more (--limit 0 or --format csv)")
        info(
            f"{result.table.name}: {found.rows} rows, {len(found.findings)} non-canonical tags "
            f"({found.unknown} unknown); apply would change {found.changed_rows} rows and add "
            f"{found.derived_missing} derived tags"
        )
    failing = result.unknown_rows(strict)
    if failing:
        warn(
            f"{_rows(failing)} {'holds' if failing == 1 else 'hold'} tags no rule of {result.book.source} reads"
        )
    if not found.canonical or failing:
        raise typer.Exit(1)


def _rows(number: int) -> str:
    """ "1 row", "2 rows"."""
    return f"{number} row{'' if number == 1 else 's'}"


def _rows_text(rows: list[str], shown: int = 6) -> str:
    text = " ".join(rows[:shown])
    return text + (f" …(+{len(rows) - shown})" if len(rows) > shown else "")


@app.command("apply", no_args_is_help=True)
@command
def apply_command(
    input: InputArgument,
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="FILE", help="The fixed table (.xlsx or .csv).")
    ],
    changes: Annotated[
        str | None,
        typer.Option("--changes", metavar="FILE", help="Every change: row, before, after, rule."),
    ] = None,
    rules: RulesOption = None,
    strict: StrictOption = False,
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    schema: SchemaOption = None,
    allow_formulas: AllowFormulasOption = False,
    in_place: InPlaceOption = False,
) -> None:
    """Write the table with canonical, deduplicated tags in a stable order; nothing else changes.

    \b
    Example:
      crmkit tags apply examples/messy_customers.xlsx -o tagged.xlsx --changes tag-changes.csv
    """
    from crmkit.frames.patch import patch_changes
    from crmkit.tags import apply_tags

    result = _read(input, rules, schema, sheet, encoding, delimiter)
    failing = result.unknown_rows(strict)
    if failing:
        warn(
            f"{_rows(failing)} {'holds' if failing == 1 else 'hold'} tags no rule of {result.book.source} reads; nothing written"
        )
        raise typer.Exit(1)
    fixed, changed = apply_tags(result)
    # A workbook into a workbook of its kind: only the changed 客户标签 cells are written into
    # a copy, every other cell, sheet, title row and formula kept.
    untouched = patch_changes(result.table, fixed, input, output, inputs=[input],
                              in_place=in_place)  # fmt: skip
    if untouched is None:
        # A sheet per sheet read (one per salesperson), each in its own columns; CSV: one table.
        write_sheets(fixed, output, inputs=[input], default="客户信息",
                     allow_formulas=allow_formulas, in_place=in_place)  # fmt: skip
    warn_untouched(fixed.name, untouched or [], 20)
    if changes:
        write_table(
            changed, changes, inputs=[input], sheet="changes", allow_formulas=allow_formulas
        )
    where = "stdout" if output == "-" else output
    info(f"{fixed.name}: {len(changed)} of {fixed.rows} rows' tags changed, written to {where}")


@app.command("stats", no_args_is_help=True)
@command
def stats_command(
    input: InputArgument,
    format: FormatOption = "table",
    rules: RulesOption = None,
    config: ConfigOption = None,
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    schema: SchemaOption = None,
) -> None:
    """Count customers per tag, and the share of won customers with it (成交客户标签共性).

    \b
    Example:
      crmkit tags stats examples/customers.xlsx
    """
    check_format(format, ("table", "json", "csv"))
    from crmkit.tags import tag_stats

    settings = project_config(config)
    result = _read(input, rules, schema, sheet, encoding, delimiter, config)
    frame = tag_stats(result, result.won(settings.report))
    if format == "json":
        echo_json(frame.to_dict(orient="records"))
    elif format == "csv":
        echo_csv(frame)
    else:
        rows = [
            [r["category"], r["value"], r["customers"], f"{r['share']:.0%}", r["won"],
             f"{r['won_share']:.0%}", "" if r["lift"] is None or math.isnan(r["lift"]) else f"{r['lift']:.2f}"]
            for r in frame.to_dict(orient="records")
        ]  # fmt: skip
        typer.echo(
            format_table(["category", "value", "customers", "share", "won", "of won", "lift"], rows)
        )
        won = int(result.won(settings.report).sum())
        info(
            f"{result.table.name}: {result.table.rows} customers, {won} won ({settings.report.won})"
        )
