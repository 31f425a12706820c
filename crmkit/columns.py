"""Normalize a whole column by its field type: the cell normalizers, applied fast.

Cells already in canonical form are recognized with vectorized string operations; each
distinct remaining value is normalized once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from crmkit.normalize import (
    EMPTY,
    Normalized,
    normalize_datetime,
    normalize_email,
    normalize_id,
    normalize_number,
    normalize_option,
    normalize_phone,
    normalize_text,
    normalize_transition,
)
from crmkit.spec import FieldSpec

CANONICAL_PHONE = (
    r"1[3-9]\d{9}|0\d{2,3}-\d{7,8}(?:转\d{1,6})?|[48]00\d{7}|\+[1-9]\d{6,14}(?:转\d{1,6})?"
)
CANONICAL_DATE = r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?"
CANONICAL_EMAIL = r"[a-z0-9._%+\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9\-]+)*\.[a-z]{2,}"
_FAST_DATE = (
    r"(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?: (?:[01]\d|2[0-3]):[0-5]\d)?"
)


@dataclass
class NormalizedColumn:
    """A column's canonical values, each cell's status and, for warn/invalid, the reason."""

    values: pd.Series
    status: pd.Series
    reason: pd.Series

    def mask(self, status: str) -> pd.Series:
        """Which cells have a status (empty, ok, changed, warn, invalid)."""
        return self.status == status


def _is_text_column(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) and series.dtype != object


def _apply(
    series: pd.Series, function: Callable[[Any], Normalized], fast_ok: pd.Series | None
) -> NormalizedColumn:
    """Apply a cell normalizer once per distinct value; cells in `fast_ok` are canonical already."""
    raw = series.astype(object).to_numpy()
    size = len(raw)
    values = np.full(size, None, dtype=object)
    status = np.full(size, "empty", dtype=object)
    reason = np.full(size, "", dtype=object)
    todo = np.ones(size, dtype=bool)
    if fast_ok is not None:
        ok = fast_ok.fillna(False).to_numpy(dtype=bool)
        values[ok] = raw[ok]
        status[ok] = "ok"
        todo &= ~ok
    positions = np.flatnonzero(todo)
    if len(positions):
        codes, uniques = pd.factorize(pd.Series(raw[positions], dtype=object), use_na_sentinel=True)
        results = [function(u) for u in uniques] + [EMPTY]
        codes = np.where(codes < 0, len(results) - 1, codes)
        values[positions] = np.array([r.value for r in results], dtype=object)[codes]
        status[positions] = np.array([r.status for r in results], dtype=object)[codes]
        reason[positions] = np.array([r.reason for r in results], dtype=object)[codes]
    index = series.index
    return NormalizedColumn(
        pd.Series(values, index=index, dtype=object),
        pd.Series(status, index=index, dtype=object),
        pd.Series(reason, index=index, dtype=object),
    )


def _fast_match(series: pd.Series, pattern: str) -> pd.Series | None:
    if not _is_text_column(series):
        return None
    return series.str.fullmatch(pattern)


def _fast_dates(series: pd.Series) -> pd.Series | None:
    matched = _fast_match(series, _FAST_DATE)
    if matched is None or not matched.any():
        return matched
    candidates = series.where(matched)
    parsed = pd.to_datetime(candidates, format="ISO8601", errors="coerce")
    # Midnight spelled out (2024-03-10 00:00) is canonical only without the time.
    midnight = series.str.endswith(" 00:00")
    return matched & parsed.notna() & ~midnight


def _text_vectorized(series: pd.Series, strict: bool) -> NormalizedColumn:
    stripped = (
        series.str.normalize("NFKC").str.replace(r"\s+", " ", regex=True) if strict else series
    )
    stripped = stripped.str.strip()
    empty = series.isna() | (stripped == "")
    values = stripped.astype(object).where(~empty, None)
    status = pd.Series(
        np.where(empty, "empty", np.where(stripped == series, "ok", "changed")),
        index=series.index,
        dtype=object,
    )
    return NormalizedColumn(values, status, pd.Series("", index=series.index, dtype=object))


def normalize_column(
    series: pd.Series, field: FieldSpec, *, text_is_native: bool
) -> NormalizedColumn:
    """Normalize every cell of a column by the field's type.

    `text_is_native` is True for CSV (every cell is text) and False for workbooks, where a date
    typed as text earns a warning.
    """
    kind = field.type
    if kind == "phone":
        fn = partial(normalize_phone, default_area_code=field.default_area_code)
        return _apply(series, fn, _fast_match(series, r"1[3-9]\d{9}"))
    if kind == "datetime":
        fn = partial(normalize_datetime, text_is_native=text_is_native)
        return _apply(series, fn, _fast_dates(series) if text_is_native else None)
    if kind == "email":
        return _apply(series, normalize_email, _fast_match(series, CANONICAL_EMAIL))
    if kind == "id":
        return _apply(series, normalize_id, _fast_match(series, r"[A-Z0-9]+"))
    if kind == "number":
        fast = None
        if _is_text_column(series):
            fast = series.str.fullmatch(r"-?\d+(?:\.\d+)?")
            if fast.any():
                numbers = pd.to_numeric(series.where(fast), errors="coerce")
                column = _apply(series, normalize_number, fast)
                column.values = column.values.where(~fast, numbers.astype(object))
                return column
        return _apply(series, normalize_number, fast)
    if kind in ("option", "transition"):
        cell = normalize_option if kind == "option" else normalize_transition
        fn = partial(cell, index=field.option_index)
        fast = series.isin(field.options) if _is_text_column(series) else None
        return _apply(series, fn, fast)
    strict = kind != "tags" and not field.pii
    if _is_text_column(series):
        return _text_vectorized(series, strict)
    return _apply(series, partial(normalize_text, strict=strict), None)
