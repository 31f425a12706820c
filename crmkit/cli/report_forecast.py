"""`crmkit report forecast`: targets against won amounts and the weighted pipeline.

Called by `report_command` when REPORT is forecast (and by `report all` when targets are
given or configured); like every cli module it imports the library only inside a function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from crmkit.cli.inputs import open_table, read_canonical
from crmkit.cli.options import STATE
from crmkit.cli.output import alert, echo_json, fail, info, progress, warn
from crmkit.cli.report_profile import warn_some
from crmkit.spec.config import CONFIG_NAME

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from crmkit.report.forecast import ForecastData
    from crmkit.spec.config import Config
    from crmkit.spec.fields import TableSpec

PERIOD_KINDS = ("month", "quarter", "year")


def read_forecast(
    settings: Config,
    specs: dict[str, TableSpec],
    people: pd.DataFrame,
    targets: str,
    orders: str | None,
    *,
    as_of: date,
    period: str = "month",
    delimiter: str | None = None,
) -> ForecastData | None:
    """Open the target table (and the orders) and compute the forecast of the `period` that
    holds `as_of` for the customers read; each target row left out is said as a warning. None,
    with a note, for a target table with no rows yet (the template `crmkit init` wrote)."""
    from crmkit.errors import EmptyTableError
    from crmkit.report.forecast import compute_forecast, targets_from_table

    try:
        table = open_table(targets, [specs["targets"]], delimiter=delimiter)
    except EmptyTableError:
        warn(f"{targets}: no targets yet; the forecast is left out")
        return None
    goals, findings = targets_from_table(table)
    deals = None
    if orders:
        from crmkit.report.orders import read_orders

        deals, notes = read_orders(orders, specs["orders"], None, STATE.limits, delimiter=delimiter)
        for note in notes:
            warn(note)
    data = compute_forecast(people, goals, deals, config=settings.report,
                            forecast=settings.forecast, as_of=as_of, period=period)  # type: ignore[arg-type]  # fmt: skip
    left_out = data.findings  # the rows the forecast left out or counted as 0, located
    data.findings = findings + left_out
    for finding in findings:
        where = finding.file + (f" sheet {finding.sheet}" if finding.sheet else "")
        warn(f"{where} row {finding.row} {finding.column}: {finding.message}")
    warn_some(left_out)
    return data


def forecast_report(
    settings: Config,
    specs: dict[str, TableSpec],
    *,
    customers: str | None,
    targets: str | None,
    orders: str | None,
    output: list[str] | None,
    format: str | None,
    day: date,
    period: str | None,
    lang: str,
    delimiter: str | None,
) -> None:
    """Compute the forecast, write its outputs, print it; exit 1 when the target table has
    rows that could not be used (they are listed), 2 when an input is unreadable."""
    from crmkit.report import fill_output
    from crmkit.report.forecast import period_span, write_forecast_report
    from crmkit.report.text import forecast_text

    if period is not None and period not in PERIOD_KINDS:
        fail(
            f"--period must be one of {', '.join(PERIOD_KINDS)} for report forecast, not {period!r}"
        )
    kind = period or "month"
    customer_path = settings.input("customers", customers)
    target_path = settings.input("targets", targets)
    order_path = settings.input("orders", orders)
    if customer_path is None:
        fail(f"no customer table: give --customers FILE or set inputs.customers in {CONFIG_NAME}")
    if target_path is None:
        fail(f"no target table: give --targets FILE or set inputs.targets in {CONFIG_NAME}")
    with progress() as step:
        step(f"Reading {customer_path}")
        people = read_canonical(customer_path, specs["customers"], delimiter=delimiter)
        step(f"Reading {target_path}")
        data = read_forecast(settings, specs, people, target_path, order_path, as_of=day,
                             period=kind, delimiter=delimiter)  # fmt: skip
    if data is None:
        fail(f"{target_path}: the target table has no rows")
    for note in data.notes:
        warn(note)
    span = period_span(day, kind)  # type: ignore[arg-type]
    inputs = [customer_path, target_path, order_path]
    for template in output or []:
        path = fill_output(template, as_of=day, since=span.since, until=span.until)
        write_forecast_report(data, path, lang=lang, inputs=inputs,
                              list_limit=settings.report.list_limit)  # fmt: skip
        info(f"Report written to {path}")
    if format == "json":
        echo_json(data.to_dict())
    elif format == "table" or not output:
        typer.echo(forecast_text(data, lang))
    left_out = sum(1 for f in data.findings if f.severity == "error")
    if left_out:
        alert(f"{left_out} target rows were left out; fix them (crmkit validate {target_path})")
        raise typer.Exit(1)
