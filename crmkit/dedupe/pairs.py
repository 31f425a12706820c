"""The pairs report: one row per pair worth a look, both records side by side, for review."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.dedupe import DuplicateReport
from crmkit.dedupe.pool import Pool
from crmkit.dedupe.rules import describe_all
from crmkit.text.pii import mask_pii

PAIR_COLUMNS = (
    "cluster_id", "left_file", "left_row", "right_file", "right_row", "score", "rule", "decision",
    "same_phone", "same_email", "same_contact", "why", "left_sheet", "right_sheet",
)  # fmt: skip
_LEFT_OUT = ("merged_from", "merge_conflicts")  # long lists: the merged file holds them
_DECISION_ORDER = {"accept": 0, "auto": 1, "review": 2, "blocked": 3, "reject": 4}


def field_values(pool: Pool, name: str) -> np.ndarray:
    """A field's value on every pool row: normalized when valid, else as written (None: absent).

    Free text that may hold personal data (national ID, bank card) comes masked.
    """
    out = np.full(len(pool), None, dtype=object)
    for pooled in pool.tables:
        table = pooled.table
        if not table.has(name) or table.spec is None:
            continue
        column = pooled.columns[name]
        written = table.column(name).astype(object)
        values = column.values.astype(object).where(column.mask("ok", "changed", "warn"), written)
        cells = values.where(values.notna(), None).to_numpy(dtype=object)
        if table.spec.field(name).pii:
            cells = np.array(
                [mask_pii(str(v)) if v is not None else None for v in cells], dtype=object
            )
        out[pooled.start : pooled.start + table.rows] = cells
    return out


def extra_values(pool: Pool) -> dict[str, np.ndarray]:
    """The columns the spec does not know (地址, 微信号 …), as written, by header: the value on
    every pool row (None where its input lacks the column). merged_from and merge_conflicts,
    which crmkit writes, are left out."""
    out: dict[str, np.ndarray] = {}
    for pooled in pool.tables:
        table = pooled.table
        known = set(table.fields.values())
        for label, position in pooled.positions.items():
            if position in known or label in _LEFT_OUT or not label:
                continue
            cells = table.data.iloc[:, position].astype(object)
            values = out.setdefault(label, np.full(len(pool), None, dtype=object))
            text = cells.where(cells.notna() & (cells.astype(str).str.strip() != ""), None)
            values[pooled.start : pooled.start + table.rows] = text.to_numpy(dtype=object)
    return out


def _masked(values: np.ndarray) -> np.ndarray:
    """Free text as a listing shows it: a national ID or bank-card number masked."""
    return np.array([mask_pii(str(v)) if v is not None else None for v in values], dtype=object)


def pairs_frame(report: DuplicateReport) -> pd.DataFrame:
    """The pairs, clustered ones first (by cluster, strongest first), then the ones to review.

    Columns: PAIR_COLUMNS (why: the rule in words, see rules.describe), then left_<header> and right_<header> of every field (the spec's
    header) and of every column the spec does not know (an address tells branches apart), so
    that a person can mark `decision` accept or reject and pass the file back.
    """
    pool = report.pool
    pairs = report.pairs
    rank = pairs["decision"].map(_DECISION_ORDER).fillna(5).to_numpy()
    cluster = pairs["cluster"].to_numpy()
    order = np.lexsort(
        (-pairs["score"].to_numpy(), rank, np.where(cluster >= 0, cluster, np.iinfo(np.int64).max))
    )
    pairs = pairs.iloc[order]
    left = pairs["left"].to_numpy()
    right = pairs["right"].to_numpy()
    records = pool.records
    files = np.array([t.file for t in pool.tables], dtype=object)
    sheets = np.array([t.sheet for t in pool.tables], dtype=object)
    sources = records["source"].to_numpy()
    rows = records["row"].to_numpy()
    frame = pd.DataFrame(
        {
            "cluster_id": [report.cluster_id(int(n)) for n in pairs["cluster"]],
            "left_file": files[sources[left]],
            "left_row": rows[left],
            "right_file": files[sources[right]],
            "right_row": rows[right],
            "score": pairs["score"].to_numpy(),
            "rule": pairs["rule"].to_numpy(),
            "decision": pairs["decision"].to_numpy(),
            "same_phone": pairs["same_phone"].to_numpy(),
            "same_email": pairs["same_email"].to_numpy(),
            "same_contact": pairs["same_contact"].to_numpy(),
            "why": describe_all(pairs),
            "left_sheet": sheets[sources[left]],
            "right_sheet": sheets[sources[right]],
        }
    )
    spec = pool.tables[0].table.spec if pool.tables else None
    fields = (
        [f for f in spec.fields if any(t.table.has(f.name) for t in pool.tables)] if spec else []
    )
    sides: dict[str, np.ndarray] = {}
    for field in fields:
        values = field_values(pool, field.name)
        sides[f"left_{field.header()}"] = values[left]
        sides[f"right_{field.header()}"] = values[right]
    extras = extra_values(pool)
    for label, values in extras.items():
        sides[f"left_{label}"] = _masked(values[left])
        sides[f"right_{label}"] = _masked(values[right])
    ordered = [
        f"{side}_{header}"
        for side in ("left", "right")
        for header in [f.header() for f in fields] + list(extras)
    ]
    return pd.concat([frame, pd.DataFrame(sides, index=frame.index)[ordered]], axis=1)
