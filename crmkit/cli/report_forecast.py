"""`crmkit report forecast`: targets against won amounts and the weighted pipeline.

Called by `report_command` when REPORT is forecast; like every cli module it imports the
library only inside the function, so that `crmkit --help` loads no pandas.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crmkit.cli.common import (
    STATE,
    alert,
    check_format,
    echo_json,
    fail,
    format_table,
    info,
    parse_date,
    progress,
    specs_from,
    warn,
)

if TYPE_CHECKING:
    from crmkit.report.forecast import ForecastData

PERIOD_KINDS = ("month", "quarter", "year")


def forecast_report(
    *,
    customers: str | None,
    targets: str | None,
    orders: str | None,
    output: list[str] | None,
    format: str | None,
    as_of: str | None,
    period: str | None,
    lang: str | None,
    config: Path | None,
    schema: list[Path] | None,
    delimiter: str | None,
) -> None:
    """Compute the forecast, write its outputs, print it; exit 1 when the target table has
    rows that could not be used (they are listed), 2 when an input is unreadable."""
    from crmkit.report import fill_output
    from crmkit.report.forecast import period_span, run_forecast, write_forecast_report
    from crmkit.spec.config import CONFIG_NAME, find_config, load_config, load_forecast_config

    if format is not None:
        check_format(format, ("table", "json"))
    if period is not None and period not in PERIOD_KINDS:
        fail(
            f"--period must be one of {', '.join(PERIOD_KINDS)} for report forecast, not {period!r}"
        )
    if lang is not None and lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}")
    source = find_config(config, Path.cwd())
    settings = load_config(source)
    chances = load_forecast_config(source)
    day = parse_date(as_of)
    kind = period or "month"
    customer_path = customers or (str(settings.customers) if settings.customers else None)
    target_path = targets or (str(settings.targets) if settings.targets else None)
    order_path = orders or (str(settings.orders) if settings.orders else None)
    if customer_path is None:
        fail(f"no customer table: give --customers FILE or set inputs.customers in {CONFIG_NAME}")
    if target_path is None:
        fail(f"no target table: give --targets FILE or set inputs.targets in {CONFIG_NAME}")
    with progress() as step:
        run = run_forecast(
            customer_path,
            target_path,
            specs_from(schema, config),
            orders=order_path,
            config=settings,
            forecast=chances,
            as_of=day,
            period=kind,  # type: ignore[arg-type]
            limits=STATE.limits,
            delimiter=delimiter,
            on_step=step,
        )
    for note in run.notes:
        warn(note)
    data = run.data
    language = lang or settings.lang
    span = period_span(day, kind)  # type: ignore[arg-type]
    inputs = [customer_path, target_path, order_path]
    for template in output or []:
        path = fill_output(template, as_of=day, since=span.since, until=span.until)
        write_forecast_report(
            data, path, lang=language, inputs=inputs, list_limit=settings.list_limit
        )
        info(f"Report written to {path}")
    if format == "json":
        echo_json(data.to_dict())
    elif format == "table" or not output:
        typer.echo(forecast_text(data, language))
    for finding in data.findings:
        where = f"{finding.file}" + (f" sheet {finding.sheet}" if finding.sheet else "")
        alert(f"{where} row {finding.row} {finding.column}: {finding.message}")
    left_out = sum(1 for f in data.findings if f.severity == "error")
    if left_out:
        alert(f"{left_out} target rows were left out; fix them (crmkit validate {target_path})")
        raise typer.Exit(1)


def forecast_text(data: ForecastData, lang: str) -> str:
    """The forecast as text tables: the owners (with the total) and the stages."""
    from crmkit.report.forecast import forecast_frame
    from crmkit.report.forecast_excel import forecast_title, headline
    from crmkit.report.labels import cell_text, column_label, format_value, label

    parts = [forecast_title(data, lang), ""]
    rows = [[label(lang, f"h_{k}"), format_value(k, v)] for k, v in headline(data)]
    parts.append(format_table([label(lang, "metric"), label(lang, "value")], rows))
    shown = ["owner", "target", "won_amount", "attainment", "gap", "weighted_pipeline",
             "coverage", "expected_finish", "run_rate"]  # fmt: skip
    for title, frame in (
        ("forecast_owners", forecast_frame(data, label(lang, "total"))[shown]),
        ("forecast_stages", data.stages),
    ):
        body = [
            [cell_text(lang, k, v) for k, v in zip(frame.columns, r, strict=True)]
            for r in frame.itertuples(index=False)
        ]
        headers = [column_label(lang, c) for c in frame.columns]
        parts += ["", label(lang, title), format_table(headers, body)]
    if data.owners_without_customers:
        names = "、".join(data.owners_without_customers)
        parts += ["", f"{label(lang, 'owners_without_customers')}: {names}"]
    parts += [
        "",
        f"{label(lang, 'customers_without_target')}: {len(data.customers_without_target)}",
    ]
    return "\n".join(parts)
