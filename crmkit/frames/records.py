"""Frames and columns as a reader or a script gets them: rows as JSON-ready dicts (every
--format json), and texts filled column-wise (the reasons of a listing, day counts)."""

from __future__ import annotations

import string
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


def fill_texts(template: str, **values: np.ndarray) -> np.ndarray:
    """A text template filled element-wise from arrays of texts ("闲置超过{n}天" with n=[7, 5])."""
    out: Any = None
    for literal, name, _, _ in string.Formatter().parse(template):
        part = np.asarray(values[name], dtype=object) if name else None
        for piece in (literal, part):
            if piece is None or (isinstance(piece, str) and not piece):
                continue
            out = piece if out is None else out + piece
    return np.asarray(out, dtype=object)


def whole_texts(values: np.ndarray) -> np.ndarray:
    """Day counts as text (12, not 12.0); empty where missing."""
    return (
        pd.Series(values)
        .round()
        .astype("Int64")
        .astype(str)
        .where(~np.isnan(values), "")
        .to_numpy(dtype=object)
    )
