"""Frames and columns as a reader or a script gets them: rows as JSON-ready dicts (every
--format json), and texts filled column-wise (the reasons of a listing, day counts)."""

from __future__ import annotations

import json
import math
import string
from datetime import time
from typing import Any

import numpy as np
import pandas as pd

_encode_text = json.encoder.encode_basestring  # ensure_ascii=False


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


def records_json(frame: pd.DataFrame, level: int = 0) -> str:
    """The text `json_text(records(frame))` (indent 2) has when nested `level` deep in an
    indented document: the same bytes, built column by column (a list of 200,000 key
    customers is far slower through dicts and the json module's indenting encoder)."""
    from crmkit.io.write import json_text

    outer = "  " * level
    if not len(frame):
        return "[]"
    cells = [_json_cells(frame[name]) for name in frame.columns]
    if any(c is None for c in cells):  # a type not handled here: the dicts' way
        return json_text(records(frame)).replace("\n", "\n" + outer)
    item, inner = outer + "  ", outer + "    "
    keys = [f"{inner}{json.dumps(str(name), ensure_ascii=False)}: " for name in frame.columns]
    close = f"\n{item}}}"
    body = f",\n{item}".join(
        "{\n" + ",\n".join(k + v for k, v in zip(keys, row, strict=True)) + close
        for row in zip(*cells, strict=True)
    )
    return f"[\n{item}{body}\n{outer}]"


def _json_cells(column: pd.Series) -> list[str] | None:
    """Each cell as json.dumps writes it after records() (missing: null), or None for a column
    of a type that needs records()' own conversions (dates, booleans, lists)."""
    kind = column.dtype.kind
    if kind == "f":
        values = column.to_numpy(dtype=float, na_value=np.nan).tolist()
        return [repr(v) if math.isfinite(v) else "null" for v in values]
    if kind in "iu":
        return None if column.hasnans else [str(v) for v in column.tolist()]
    if kind != "O" and not isinstance(column.dtype, pd.StringDtype):
        return None
    out = []
    for value in column.astype(object).tolist():
        if isinstance(value, str):
            out.append(_encode_text(value))
        elif value is None or value is pd.NA or (isinstance(value, float) and value != value):
            out.append("null")
        else:
            return None
    return out
