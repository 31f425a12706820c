"""The rows of a metrics or listing frame as JSON-ready dicts, for every --format json."""

from __future__ import annotations

from datetime import time
from typing import Any

import numpy as np
import pandas as pd


def records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The rows of a frame as JSON-ready dicts (dates ISO, numpy numbers plain, missing None)."""
    if frame is None:
        return []
    out = frame.astype(object).where(frame.notna(), None)
    return [{str(k): _plain(v) for k, v in row.items()} for row in out.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return (
            value.date().isoformat()
            if value.time() == time(0)
            else value.isoformat(sep=" ", timespec="minutes")
        )
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value
