"""`crmkit tags check|apply|stats`: one naming rule for customer tags (类别-值)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from crmkit.cli.common import (
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
    command,
    echo_json,
    format_table,
    info,
    open_table,
    specs_from,
    warn,
)
from crmkit.io.table import Table
from crmkit.io.write import frame_to_csv_bytes, write_frame
from crmkit.spec.config import find_config, load_config
from crmkit.tags import (
    TagFinding,
    TagRows,
    apply_tags,
    check_tags,
    load_rulebook,
    read_tags,
    tag_stats,
)

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
    specs = specs_from(schema, config)
    book = load_rulebook(rules, specs["customers"])
    table: Table = open_table(
        path, [specs["customers"]], sheet=sheet, encoding=encoding, delimiter=delimiter
    )
    return read_tags(table, book)


def _unknown_fails(result: TagRows, strict: bool) -> int:
    """How many rows hold a tag no rule reads, when that is an error (--strict or unknown=fail)."""
    if not (strict or result.book.unknown == "fail"):
        return 0
    unknown = {
        cell
        for cell, readings in result.readings.items()
        if any(r.canonical is None for r in readings)
    }
    return int(result.before.isin(list(unknown)).sum())


@app.command("check", no_args_is_help=True)
@command
def check_command(
    input: InputArgument,
    format: FormatOption = "table",
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", help="Findings shown in the table (0: all).")
    ] = 20,
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
    result = _read(input, rules, schema, sheet, encoding, delimiter)
    found = check_tags(result)
    if format == "json":
        echo_json(found.to_dict())
    elif format == "csv":
        frame = pd.DataFrame(
            found.to_dict()["findings"],
            columns=["tag", "count", "rows", "suggestion", "rule", "score"],
        )
        frame["rows"] = [" ".join(_where(f)) for f in found.findings]
        typer.echo(frame_to_csv_bytes(frame, bom=False).decode("utf-8"), nl=False)
    else:
        shown = found.findings if limit == 0 else found.findings[:limit]
        rows = [
            [
                f.tag,
                f.count,
                _rows_text(_where(f)),
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
    failing = _unknown_fails(result, strict)
    if failing:
        warn(f"{failing} rows hold tags no rule of {result.book.source} reads")
    if not found.canonical or failing:
        raise typer.Exit(1)


def _where(finding: TagFinding) -> list[str]:
    """A finding's rows, each as sheet:row when the table was read from several sheets."""
    if finding.sheets:
        return [f"{s}:{r}" for s, r in zip(finding.sheets, finding.rows, strict=True)]
    return [str(r) for r in finding.rows]


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
    result = _read(input, rules, schema, sheet, encoding, delimiter)
    failing = _unknown_fails(result, strict)
    if failing:
        warn(f"{failing} rows hold tags no rule of {result.book.source} reads; nothing written")
        raise typer.Exit(1)
    fixed, changed = apply_tags(result)
    # A sheet per sheet read (one per salesperson), each in its own columns.
    write_frame(fixed.sheet_frames(fixed.sheet or "客户信息"), output, inputs=[input],
                allow_formulas=allow_formulas, in_place=in_place)  # fmt: skip
    if changes:
        write_frame(
            changed, changes, inputs=[input], sheet="changes", allow_formulas=allow_formulas
        )
    info(f"{fixed.name}: {len(changed)} of {fixed.rows} rows' tags changed, written to {output}")


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
    settings = load_config(find_config(config, Path.cwd()))
    result = _read(input, rules, schema, sheet, encoding, delimiter, config)
    frame = tag_stats(result, _won(result, settings.won, settings.intent_stage))
    if format == "json":
        echo_json(frame.to_dict(orient="records"))
    elif format == "csv":
        typer.echo(frame_to_csv_bytes(frame, bom=False).decode("utf-8"), nl=False)
    else:
        rows = [
            [r["category"], r["value"], r["customers"], f"{r['share']:.0%}", r["won"],
             f"{r['won_share']:.0%}", "" if pd.isna(r["lift"]) else f"{r['lift']:.2f}"]
            for r in frame.to_dict(orient="records")
        ]  # fmt: skip
        typer.echo(
            format_table(["category", "value", "customers", "share", "won", "of won", "lift"], rows)
        )
        won = int(_won(result, settings.won, settings.intent_stage).sum())
        info(f"{result.table.name}: {result.table.rows} customers, {won} won ({settings.won})")


def _won(result: TagRows, won_stage: str, intent_stage: dict[str, str]) -> np.ndarray:
    """Which customers are won: in the won stage, or at an intent that means it."""
    from crmkit.frames.canonical import canonical_frame

    frame = canonical_frame(result.table, ["stage", "intent"]).frame
    won_intents = [intent for intent, stage in intent_stage.items() if stage == won_stage]
    return ((frame["stage"] == won_stage) | frame["intent"].isin(won_intents)).to_numpy(dtype=bool)
