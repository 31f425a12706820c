"""`crmkit clean`: write a normalized copy of a customer or follow-up table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from crmkit.clean import clean_table, cleaned_frame
from crmkit.cli.common import (
    AllowFormulasOption,
    AsOfOption,
    ConfigOption,
    EncodingOption,
    InPlaceOption,
    SchemaOption,
    SheetOption,
    command,
    fail,
    format_table,
    info,
    open_table,
    parse_date,
    specs_from,
    warn,
)
from crmkit.config import find_config, load_serial_dates
from crmkit.io.write import frame_to_csv_bytes, write_frame
from crmkit.spec import KINDS


@command
def clean_command(
    input: Annotated[
        str, typer.Argument(help="Customer or follow-up table (.xlsx or .csv; '-' for stdin).")
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Cleaned file: .xlsx or .csv ('-': CSV on stdout).",
        ),
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="customers, followups, tasks, feedback, or auto (from the headers).",
        ),
    ] = "auto",
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    schema: SchemaOption = None,
    as_of: AsOfOption = None,
    allow_formulas: AllowFormulasOption = False,
    in_place: InPlaceOption = False,
    config: ConfigOption = None,
) -> None:
    """Normalize phones, dates and text, fill missing 客户编号; exit 1 if rows remain unfixable.

    \b
    Example:
      crmkit clean examples/messy_customers.xlsx -o cleaned.xlsx
    """
    if kind != "auto" and kind not in KINDS:
        fail(f"--kind must be auto, {', '.join(KINDS)}, not {kind!r}")
    today = parse_date(as_of)
    specs = specs_from(schema)
    serial_dates = load_serial_dates(find_config(config, Path.cwd()))
    candidates = list(specs.values()) if kind == "auto" else [specs[kind]]
    table = open_table(input, candidates, sheet=sheet, encoding=encoding)
    result = clean_table(table, today=today, serial_dates=serial_dates)
    frame = cleaned_frame(result)
    if output == "-":
        sys.stdout.buffer.write(frame_to_csv_bytes(frame, allow_formulas=allow_formulas, bom=False))
        sys.stdout.flush()
    else:
        write_frame(
            frame,
            Path(output),
            inputs=[input],
            sheet=table.sheet or "data",
            allow_formulas=allow_formulas,
            in_place=in_place,
        )
    kind_name = table.spec.kind if table.spec else "table"
    info(
        f"{table.name}: {table.rows} rows of {kind_name} cleaned into {output}: "
        f"{result.changed_cells} cells changed, {len(result.generated_ids)} ids generated"
    )
    if result.other_phones:
        info(
            f"several phones in {len(result.other_phones)} cells: the first kept, "
            f"the others written to {result.other_phones_header}"
        )
    if result.errors:
        warn(f"{len(result.unfixed_rows)} rows could not be fixed and were kept as they were:")
        rows = [[i.row or "", i.column, i.value, i.message] for i in result.errors]
        typer.echo(format_table(["row", "column", "value", "message"], rows, 60), err=True)
        raise typer.Exit(1)
