"""Plain aligned text tables for a terminal or a cron mail (CJK characters take two columns)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any


def text_width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    if text_width(text) <= width:
        return text + " " * (width - text_width(text))
    out = ""
    for char in text:
        if text_width(out + char) > width - 1:
            break
        out += char
    return out + "…" + " " * (width - text_width(out) - 1)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 40) -> str:
    """A plain aligned text table (no colour), fit for a terminal and a cron mail."""
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in row] for row in rows]
    widths = [
        min(max_width, max([text_width(h)] + [text_width(r[i]) for r in cells]))
        for i, h in enumerate(headers)
    ]
    lines = ["  ".join(_fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(_fit(v, w) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
