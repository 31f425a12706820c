"""`crmkit dedupe`: find duplicate customers, explain the matches, merge them without loss."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crmkit.cli.inputs import open_table, specs_from
from crmkit.cli.options import (
    STATE,
    AllowFormulasOption,
    AsOfOption,
    ConfigOption,
    DelimiterOption,
    EncodingOption,
    FollowupsSheetOption,
    InPlaceOption,
    RulesOption,
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
    progress,
    warn,
    write_report_file,
    write_sheets,
    write_table,
)

if TYPE_CHECKING:
    from crmkit.io.table import Table


@command
def dedupe_command(
    inputs: Annotated[
        list[str],
        typer.Argument(metavar="FILE...", help="Customer tables (.xlsx or .csv), pooled into one."),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Merged customers, one row each (.xlsx or .csv; - for CSV on stdout).",
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report", metavar="FILE", help="Pairs to review, side by side (.xlsx, .csv or .json)."
        ),
    ] = None,
    decisions: Annotated[
        str | None,
        typer.Option(
            "--decisions",
            metavar="FILE",
            help="A reviewed pairs report (decision: accept or reject), honoured on this run.",
        ),
    ] = None,
    map_path: Annotated[
        str | None,
        typer.Option(
            "--map", metavar="FILE", help="Every input row → its output 客户编号 (.csv or .xlsx)."
        ),
    ] = None,
    followups: Annotated[
        str | None,
        typer.Option("--followups", metavar="FILE", help="Follow-up table to re-point."),
    ] = None,
    followups_sheet: FollowupsSheetOption = None,
    followups_out: Annotated[
        str | None,
        typer.Option(
            "--followups-out",
            metavar="FILE",
            help="Where to write the follow-ups, pointing to the merged customers.",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when duplicates exist (for cron).")
    ] = False,
    examples: Annotated[
        int, typer.Option("--examples", metavar="N", help="Clusters to show on the terminal.")
    ] = 5,
    config: ConfigOption = None,
    rules_file: RulesOption = None,
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    schema: SchemaOption = None,
    as_of: AsOfOption = None,
    allow_formulas: AllowFormulasOption = False,
    in_place: InPlaceOption = False,
) -> None:
    """Find duplicate customers by name, phone, e-mail and contact; merge them with nothing lost.

    \b
    Example:
      crmkit dedupe examples/customers.xlsx examples/expo_leads.csv --report pairs.xlsx -o merged.xlsx
    """
    if (followups is None) != (followups_out is None):
        fail("--followups and --followups-out go together")
    if examples < 0:
        fail("--examples must be 0 or more")
    from crmkit.dedupe.run import dedupe_tables, fit_for_excel, sheets_read
    from crmkit.io.write import is_input, output_format, write_frame
    from crmkit.spec.rulebook import load_rulebook

    today = parse_date(as_of)
    settings = project_config(config)
    rules = settings.dedupe
    specs = specs_from(schema, settings)
    sources = [*inputs, decisions, followups]
    with progress() as step:
        tables = []
        for path in inputs:
            step(f"reading {path}")
            tables.append(
                open_table(
                    path, [specs["customers"]], sheet=sheet, encoding=encoding, delimiter=delimiter
                )
            )
        history = None
        if followups is not None:
            history = open_table(
                followups,
                [specs["followups"]],
                sheet=followups_sheet,
                encoding=encoding,
                delimiter=delimiter,
            )
        merge = bool(output or map_path or followups)
        result = dedupe_tables(
            tables,
            followups=history,
            decisions=decisions,
            config=rules,
            spec=specs["customers"],
            rulebook=load_rulebook(rules_file, specs["customers"]) if merge else None,
            today=today,
            merge=merge,
            limits=STATE.limits,
            on_step=step,
        )
        for finding in result.findings:
            if finding.rule == "decision-ignored":
                warn(finding.message)
        merged = result.merged
        if output and merged is not None:
            step(f"writing {output}")
            fitted = fit_for_excel(merged, output, output == "-" or output_format(output) == "csv")
            if fitted.lists is not None and fitted.side is not None:
                write_frame(
                    fitted.lists, fitted.side, inputs=sources, allow_formulas=allow_formulas
                )
            if fitted.message:
                warn(fitted.message)
            write_table(
                fitted.frame,
                output,  # '-': CSV on stdout, messages on stderr
                inputs=sources,
                sheet="客户信息",
                allow_formulas=allow_formulas,
                in_place=in_place,
                # written over an input workbook: its customer sheets make way for the
                # merged one, its other sheets (跟进记录, 填写说明) stay
                replaces=[
                    s
                    for p, table in zip(inputs, tables, strict=True)
                    if output != "-" and is_input(Path(output), [p])
                    for s in sheets_read(table)
                ],
            )
        if report:
            step(f"writing {report}")
            write_report_file(report, payload=lambda: result.pairs.to_dict(orient="records"),
                              frame=lambda: result.pairs, inputs=sources, sheet="pairs",
                              allow_formulas=allow_formulas)  # fmt: skip
        if map_path and merged is not None:
            write_frame(
                merged.map, map_path, inputs=sources, sheet="map", allow_formulas=allow_formulas
            )
        if history is not None and followups_out and result.followups is not None:
            write_sheets(result.followups, followups_out, inputs=sources, default="跟进记录",
                         allow_formulas=allow_formulas)  # fmt: skip
            info(
                f"{followups}: {result.repointed} follow-ups re-pointed to merged customers "
                f"in {followups_out}"
            )
            if result.ambiguous:
                warn(
                    f"{len(result.ambiguous)} 客户编号 stood for different customers; their "
                    "follow-ups stay with the earliest: "
                    f"{', '.join(sorted(result.ambiguous)[:5])}"
                )
        renumbered = [f for f in result.findings if f.rule == "id-renumbered"]
        for finding in renumbered[:5]:
            warn(finding.message)
        if len(renumbered) > 5:
            warn(f"… {len(renumbered) - 5} more 客户编号 renumbered the same way (see --map)")
    found = result.found
    info(
        f"{result.rows_in} rows from {_files_text(tables)}: {found.cluster_count} "
        f"customers entered more than once ({found.rows_in_clusters} rows); "
        f"{result.review_count} pairs to review"
    )
    shown = result.examples(examples)
    if shown:
        rows = [[c.cluster, c.rows, c.names, c.why] for c in shown]
        info(format_table(["cluster", "rows", "names", "why"], rows, 60))
    if merged is not None:
        info(
            f"{result.rows_in} rows in = {len(merged.frame)} customers out + "
            f"{result.rows_in - len(merged.frame)} rows merged"
            + (f"; {merged.generated_ids} 客户编号 generated" if merged.generated_ids else "")
        )
    if check and found.cluster_count:
        if STATE.quiet:  # cron mails output: a run that exits 1 says why
            alert(
                f"{found.cluster_count} customers entered more than once "
                f"({found.rows_in_clusters} rows)"
            )
        raise typer.Exit(1)


def _files_text(tables: list[Table]) -> str:
    """The inputs for a message: "2 files", or "1 file (2 sheets)" when a workbook gave
    several sheets."""
    sheets = sum(max(1, len(table.parts)) for table in tables)
    files = f"{len(tables)} file{'s' if len(tables) != 1 else ''}"
    return files if sheets == len(tables) else f"{files} ({sheets} sheets)"
