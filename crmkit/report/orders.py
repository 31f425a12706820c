"""The orders table the profile and forecast reports read: refused whole when a column they
need is missing, rather than every order quietly left out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crmkit.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from crmkit.io.guard import Limits
    from crmkit.io.table import Table
    from crmkit.spec.fields import TableSpec


def check_order_columns(table: Table) -> None:
    """Raise InputError naming the file when the orders table has no 成交金额 or 成交日期
    column, or neither a 客户编号 nor a 客户名称 column."""
    spec = table.spec

    def header(name: str) -> str:
        return spec.field(name).header("zh") if spec is not None else name

    for name in ("amount", "date"):
        if not table.has(name):
            raise InputError(f"{table.name}: no {header(name)} column (required for orders)")
    if not table.has("customer_id") and not table.has("customer_name"):
        raise InputError(
            f"{table.name}: no {header('customer_id')} and no {header('customer_name')} column "
            "(one is required for orders)"
        )


def read_orders(
    path: str | Path,
    spec: TableSpec,
    fields: list[str] | None = None,
    limits: Limits | None = None,
    *,
    delimiter: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """`frames.canonical.read_canonical` for an orders table, after `check_order_columns`.
    Returns the frame and the notes for the user; raises InputError."""
    from crmkit.frames.canonical import reduce_table
    from crmkit.io.read import read_table

    table = read_table(path, specs=[spec], limits=limits, delimiter=delimiter)
    check_order_columns(table)
    frame, notes = reduce_table(table, fields)
    return frame, [*table.notes, *notes]
