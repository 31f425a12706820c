"""`crmkit clean`: write a normalized copy of a customer or follow-up table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from crmkit.cli.inputs import open_table, specs_from
from crmkit.cli.options import (
    AllowFormulasOption,
    AsOfOption,
    ConfigOption,
    DelimiterOption,
    EncodingOption,
    InPlaceOption,
    KindOption,
    SchemaOption,
    SheetOption,
    parse_date,
    parse_kind,
    project_config,
)
from crmkit.cli.output import command, format_table, info, warn, warn_untouched, write_sheets

if TYPE_CHECKING:
    from crmkit.io.table import Table


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
            help="Cleaned file: .xlsx or .csv ('-': CSV on stdout). From a workbook into one of "
            "its kind, a copy in which only the cleaned cells change.",
        ),
    ],
    kind: KindOption = "auto",
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    schema: SchemaOption = None,
    as_of: AsOfOption = None,
    allow_formulas: AllowFormulasOption = False,
    in_place: InPlaceOption = False,
    limit: Annotated[
        int,
        typer.Option("--limit", metavar="N", help="Unfixable cells listed on stderr (0: all)."),
    ] = 50,
    config: ConfigOption = None,
) -> None:
    """Normalize phones, dates and text, fill missing 客户编号; exit 1 if rows remain unfixable.

    \b
    Example:
      crmkit clean examples/messy_customers.xlsx -o cleaned.xlsx
    """
    from crmkit.clean import clean_table
    from crmkit.frames.patch import patch_changes

    forced = parse_kind(kind)
    today = parse_date(as_of)
    specs = specs_from(schema, project_config(config))
    candidates = list(specs.values()) if forced is None else [specs[forced]]
    table = open_table(input, candidates, sheet=sheet, encoding=encoding, delimiter=delimiter,
                       forced=forced is not None)  # fmt: skip
    result = clean_table(table, today=today)
    # A workbook into a workbook of its kind: only the cleaned cells are written into a copy,
    # so its title rows, formulas, other sheets, widths and dropdowns stay as they were.
    untouched = patch_changes(table, result.table, input, output, inputs=[input],
                              in_place=in_place)  # fmt: skip
    if untouched is None:
        write_sheets(result.table, output, inputs=[input], allow_formulas=allow_formulas,
                     in_place=in_place)  # fmt: skip
    kind_name = table.spec.kind if table.spec else "table"
    for note in result.notes:
        if untouched is not None and note == result.key_note:  # patched: a column at the end
            note = note.rsplit("; ", 1)[0] + "; added it after the last column"
        info(note)
    info(
        f"{table.name}: {table.rows} rows of {kind_name} cleaned into {output}: "
        f"{result.changed_cells} cells changed, {len(result.generated_ids)} ids generated"
        + ("; every other cell of the workbook kept as it was" if untouched is not None else "")
    )
    warn_untouched(table.name, untouched or [], limit, done="cleaned")
    _say_encoding(table, output)
    if result.other_phones:
        info(
            f"several phones in {len(result.other_phones)} cells: the first kept, "
            f"the others written to {result.other_phones_header}"
        )
    if result.errors:
        if result.unfixed_rows:
            warn(f"{len(result.unfixed_rows)} rows could not be fixed and were kept as they were:")
        else:
            warn("The table has errors cleaning cannot fix:")
        shown = result.errors if limit <= 0 else result.errors[:limit]
        sheets = ["sheet"] if table.parts else []
        rows = [
            [*([i.sheet] if sheets else []), i.row or "", i.column, i.value, i.message]
            for i in shown
        ]
        headers = [*sheets, "row", "column", "value", "message"]
        typer.echo(format_table(headers, rows, 60), err=True)
        if len(shown) < len(result.errors):
            info(f"… and {len(result.errors) - len(shown)} more (--limit 0 lists them all)")
        raise typer.Exit(1)


def _say_encoding(table: Table, output: str) -> None:
    """One line when a CSV read in another encoding than UTF-8 is written as CSV (UTF-8 with a
    BOM: what Excel and WPS open right on any system, where GB18030 opens right only where
    Windows' own code page is Chinese)."""
    import codecs

    if (
        table.format != "csv"
        or not table.encoding
        or (output != "-" and not output.lower().endswith((".csv", ".txt", ".tsv")))
    ):
        return
    if codecs.lookup(table.encoding).name in ("utf-8", "utf-8-sig"):
        return
    where = "stdout" if output == "-" else output
    info(
        f"{table.name} was read as {table.encoding.upper()}; {where} is written as UTF-8 with a "
        f"BOM, which Excel and WPS open as well (save it as {table.encoding.upper()} again only "
        "for a program that reads nothing else)"
    )
