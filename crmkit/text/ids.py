"""New customer ids (客户编号) for rows that have none."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def generate_ids(existing: Iterable[str], count: int, *, prefix: str, day: date) -> list[str]:
    """`count` new ids prefix + yyyymmdd + a 3-digit (or longer) sequence, unused in `existing`."""
    taken = set(existing)
    stem = f"{prefix}{day:%Y%m%d}"
    ids: list[str] = []
    sequence = 0
    while len(ids) < count:
        sequence += 1
        candidate = f"{stem}{sequence:03d}"
        if candidate not in taken:
            ids.append(candidate)
    return ids
