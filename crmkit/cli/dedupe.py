"""`crmkit dedupe`: find duplicate customers, explain the matches, merge them without loss."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

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
from crmkit.cli.output import alert, command, fail, format_table, info, progress, warn
from crmkit.dedupe import DuplicateReport, build_pool, find_duplicates
from crmkit.dedupe.decisions import load_decisions
from crmkit.dedupe.merge import (
    EXCEL_CELL_LIMIT,
    MergeResult,
    merge_duplicates,
    repoint_followups,
    survivor_map,
)
from crmkit.dedupe.pairs import pairs_frame
from crmkit.dedupe.rules import describe
from crmkit.io.write import frame_to_csv_bytes, is_input, output_format, write_frame
from crmkit.tags.rulebook import load_rulebook


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
    today = parse_date(as_of)
    settings = project_config(config)
    rules = settings.dedupe
    specs = specs_from(schema, settings)
    sources = [*inputs, decisions, followups]
    with progress() as step:
        tables = []
        read_sheets: dict[str, list[str]] = {}  # by input: the sheets it was read from
        for path in inputs:
            step(f"reading {path}")
            table = open_table(
                path, [specs["customers"]], sheet=sheet, encoding=encoding, delimiter=delimiter
            )
            # A workbook of one sheet per salesperson: each sheet is an input of its own, so
            # that the map and the pairs name its rows (file "c.xlsx (sheet 张三)").
            parts = table.split()
            tables.extend(parts)
            read_sheets[path] = [part.sheet for part in parts if part.sheet is not None]
        pool = build_pool(tables)
        reviewed = None
        if decisions is not None:
            reviewed = load_decisions(
                decisions, pool, specs["customers"].field("name").header(), limits=STATE.limits
            )
            for line in reviewed.ignored:
                warn(f"{line}; decision ignored")
        found = find_duplicates(pool, rules, reviewed, on_step=step)
        merged = None
        if output or map_path or followups:
            step("merging")
            book = load_rulebook(rules_file, specs["customers"])
            merged = merge_duplicates(found, today=today, rulebook=book)
        if output == "-" and merged is not None:  # data on stdout, messages on stderr
            frame = _fit_for_excel(merged, output, sources, allow_formulas)
            sys.stdout.buffer.write(
                frame_to_csv_bytes(frame, allow_formulas=allow_formulas, bom=False)
            )
            sys.stdout.flush()
        elif output and merged is not None:
            step(f"writing {output}")
            frame = _fit_for_excel(merged, output, sources, allow_formulas)
            write_frame(
                frame,
                output,
                inputs=sources,
                sheet="客户信息",
                allow_formulas=allow_formulas,
                in_place=in_place,
                # written over an input workbook: its customer sheets make way for the merged
                # one, its other sheets (跟进记录, 填写说明) stay
                replaces=[
                    s
                    for p, names in read_sheets.items()
                    if is_input(Path(output), [p])
                    for s in names
                ],
            )
        if report:
            step(f"writing {report}")
            _write_pairs(found, report, sources, allow_formulas)
        if map_path and merged is not None:
            write_frame(
                merged.map, map_path, inputs=sources, sheet="map", allow_formulas=allow_formulas
            )
        if followups and followups_out and merged is not None:
            history = open_table(
                followups,
                [specs["followups"]],
                sheet=followups_sheet,
                encoding=encoding,
                delimiter=delimiter,
            )
            survivors, ambiguous = survivor_map(found, merged)
            repointed, changed = repoint_followups(history, survivors)
            write_frame(
                repointed.sheet_frames(history.sheet or "跟进记录"),  # a sheet per sheet read
                followups_out,
                inputs=sources,
                sheet=history.sheet or "跟进记录",
                allow_formulas=allow_formulas,
            )
            info(
                f"{followups}: {changed} follow-ups re-pointed to merged customers in {followups_out}"
            )
            if ambiguous:
                warn(
                    f"{len(ambiguous)} 客户编号 stood for different customers; their follow-ups "
                    f"stay with the earliest: {', '.join(sorted(ambiguous)[:5])}"
                )
        if merged is not None:
            _warn_renumbered(merged)
    _summary(found, examples)
    if merged is not None:
        info(
            f"{len(pool)} rows in = {len(merged.frame)} customers out + "
            f"{len(pool) - len(merged.frame)} rows merged"
            + (f"; {merged.generated_ids} 客户编号 generated" if merged.generated_ids else "")
        )
    if check and found.cluster_count:
        if STATE.quiet:  # cron mails output: a run that exits 1 says why
            alert(
                f"{found.cluster_count} customers entered more than once "
                f"({found.rows_in_clusters} rows)"
            )
        raise typer.Exit(1)


def _fit_for_excel(merged: MergeResult, output: str, sources: list[str | None], allow: bool) -> Any:
    """The merged frame as it can be written: in a workbook, lists longer than a cell holds are
    cut, and written in full beside it (<output>.lists.csv); a CSV holds them whole."""
    long = merged.long_lists()
    if not len(long):
        return merged.frame
    cells = long.drop_duplicates(["customer_id", "column"]).shape[0]
    if output == "-" or output_format(output) == "csv":
        warn(
            f"{output}: {cells} merged_from/merge_conflicts cells are longer than Excel's "
            f"{EXCEL_CELL_LIMIT:,} characters; this CSV holds them whole, Excel would cut them"
        )
        return merged.frame
    side = str(Path(output).with_name(Path(output).name + ".lists.csv"))
    write_frame(long, side, inputs=sources, allow_formulas=allow)
    warn(
        f"{output}: {cells} merged_from/merge_conflicts cells are longer than Excel's "
        f"{EXCEL_CELL_LIMIT:,} characters: cut there; the full lists are in {side}"
    )
    return merged.fitted(Path(side).name)


def _warn_renumbered(merged: MergeResult) -> None:
    for moved in merged.renumbered[:5]:
        warn(
            f"客户编号 {moved.customer_id} stood for two customers ({moved.kept_by}, "
            f"{moved.moved}): {moved.kept_by} keeps it, {moved.moved} gets {moved.new_id} "
            "(see --map)"
        )
    if len(merged.renumbered) > 5:
        warn(f"… {len(merged.renumbered) - 5} more 客户编号 renumbered the same way (see --map)")


def _write_pairs(found: DuplicateReport, path: str, sources: list[str | None], allow: bool) -> None:
    frame = pairs_frame(found)
    if Path(path).suffix.lower() == ".json":
        from crmkit.io.write import write_json

        write_json(frame.to_dict(orient="records"), path, inputs=sources)
    else:
        write_frame(frame, path, inputs=sources, sheet="pairs", allow_formulas=allow)


def _summary(found: DuplicateReport, examples: int) -> None:
    pool = found.pool
    pairs = found.pairs
    review = int((pairs["decision"] == "review").sum())
    names = pool.records["name"]
    info(
        f"{len(pool)} rows from {len(pool.tables)} file(s): {found.cluster_count} customers entered "
        f"more than once ({found.rows_in_clusters} rows); {review} pairs to review"
    )
    if not found.cluster_count or examples == 0:
        return
    rows = []
    for number, members in found.members(examples).items():
        joined = found.clusters.joined_by
        reasons = sorted({describe(pairs.iloc[joined[m]]) for m in members if joined[m] >= 0})
        rows.append(
            [
                found.cluster_id(int(str(number))),
                len(members),
                " / ".join(dict.fromkeys(str(names.iat[m]) for m in members)),
                "; ".join(reasons),
            ]
        )
    info(format_table(["cluster", "rows", "names", "why"], rows, 60))
