"""The profile's latest follow-up per customer: the shortcut (a maximum of time and row number
per customer) picks the rows a stable sort by customer then time picks."""

from __future__ import annotations

import numpy as np
import pytest

from crmkit.report.profile import _latest


@pytest.mark.parametrize("rows", [0, 1, 50, 5000])
@pytest.mark.parametrize("unit", ["m", "s", "ns"])
def test_latest_rows_are_those_of_a_stable_sort(rows: int, unit: str) -> None:
    rng = np.random.default_rng(rows)
    codes = rng.integers(-1, 40, rows)  # -1: no known customer
    steps = rng.integers(0, 30, rows).astype(f"timedelta64[{unit}]")  # many ties
    at = (np.datetime64("2024-01-01T00:00") + steps).astype("datetime64[ns]")
    at[rng.random(rows) < 0.1] = np.datetime64("NaT")
    usable = np.flatnonzero((codes >= 0) & ~np.isnat(at))
    order = usable[np.lexsort((at[usable], codes[usable]))]
    ends = order[np.r_[codes[order][1:] != codes[order][:-1], True]] if len(order) else order
    assert _latest(codes, at).tolist() == ends.tolist()
