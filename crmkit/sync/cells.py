"""Cells as text for listings and warnings, and warnings placed at their cells."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from crmkit.findings import Finding
from crmkit.io.table import Table
from crmkit.io.write import date_texts
from crmkit.text.normalize import format_datetime


def cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, datetime):
        return moment_text(value)
    return str(value)


def moment_text(moment: object) -> str:
    return format_datetime(pd.Timestamp(moment).to_pydatetime())  # type: ignore[arg-type]


def texts_of(values: pd.Series) -> np.ndarray:
    """Cells as text for a listing and for a CSV's cells ('' where blank; dates as crmkit
    writes them: 2024-03-12, 2024-03-12 10:30), each distinct value converted once."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return date_texts(values)
    codes, distinct = pd.factorize(values.to_numpy(dtype=object))
    return np.array([cell_text(v) for v in distinct] + [""], dtype=object)[codes]


def findings_at(
    table: Table, frame: pd.DataFrame, mask: np.ndarray, name: str, rule: str, message: str
) -> list[Finding]:
    chosen = frame[mask]
    if not len(chosen):
        return []
    raw = table.column(name).loc[chosen.index] if table.has(name) else chosen[name]
    column = table.header_of(name) if table.has(name) else ""
    return [
        Finding(table.name, cell_text(sheet) or None, int(row), column, name, cell_text(value), "warning", rule,
                message.format(value=cell_text(value) or "(blank)"))
        for sheet, row, value in zip(chosen["sheet"], chosen["row"], raw, strict=True)
    ]  # fmt: skip
