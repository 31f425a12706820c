"""Find duplicate customers across tables, explain every match, merge without losing anything.

pool = build_pool(tables)                        # keys: phone, e-mail, contact, name key
found = find_duplicates(pool, config, decisions) # candidate pairs → rules → clusters
merged = merge_duplicates(found)                 # one row per customer, map of every row
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from crmkit.dedupe.candidates import candidate_pairs, match_codes
from crmkit.dedupe.clusters import Clusters, close_pairs
from crmkit.dedupe.decisions import Decisions, carried_decisions
from crmkit.dedupe.pool import Pool, build_pool
from crmkit.dedupe.rules import AUTO_RULES, score_pairs
from crmkit.spec.config import DedupeConfig
from crmkit.spec.names import NameVocabulary, load_vocabulary
from crmkit.text.arrow import TEXT

__all__ = ["DuplicateReport", "build_pool", "find_duplicates"]


@dataclass
class DuplicateReport:
    """The scored pairs and the clusters they close into.

    `pairs` has one row per pair worth a look: left, right (pool indices), score, edits,
    same_phone, same_email, same_contact, rule, decision (auto, review, accept, reject,
    blocked: not merged because it would join rows a person kept apart, or a cluster holding
    a place another member's place conflicts with) and cluster (-1: none). `apart` holds the
    pairs (pool indices) a person rejected, in a decisions file or on an earlier run;
    `conflicting` the pairs blocked for their clusters' places (a cannot-link the rules found,
    which the merged output keeps like a rejection: its sides' places may be merged away).
    """

    pool: Pool
    pairs: pd.DataFrame
    clusters: Clusters
    config: DedupeConfig
    apart: frozenset[tuple[int, int]] = frozenset()
    conflicting: frozenset[tuple[int, int]] = frozenset()

    @property
    def kept_apart(self) -> frozenset[tuple[int, int]]:
        """Every cannot-link the merged output carries in not_duplicate_of: the pairs a person
        rejected and the pairs blocked for conflicting places."""
        return self.apart | self.conflicting

    @functools.cached_property
    def cluster_count(self) -> int:
        """How many clusters (customers entered more than once)."""
        return int(self.clusters.number.max()) + 1 if len(self.pool) else 0

    @property
    def rows_in_clusters(self) -> int:
        """How many input rows belong to a cluster."""
        return int((self.clusters.number >= 0).sum())

    def cluster_id(self, number: int) -> str:
        """The id of cluster `number` (D000001 …), empty for -1."""
        width = max(6, len(str(self.cluster_count)))
        return "" if number < 0 else f"D{number + 1:0{width}d}"

    def cluster_ids(self, numbers: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """`cluster_id` of each number, as pandas' str: made in Arrow (a Python text per
        member, then each taken into Arrow by the map's frame, was most of making the map)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        width = max(6, len(str(self.cluster_count)))
        d, nothing = pa.scalar("D", pa.large_string()), pa.scalar("", pa.large_string())
        digits = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64) + 1), pa.large_string())
        ids = pc.binary_join_element_wise(d, pc.utf8_lpad(digits, width, "0"), nothing)
        ids = pc.if_else(pa.array(np.asarray(numbers) >= 0), ids, nothing)
        return pd.array(ids, dtype=TEXT)

    def members(self, limit: int | None = None) -> pd.Series:
        """Pool indices of each cluster's rows, largest cluster first (then by number); the
        first `limit` clusters only when given (a summary needs five, not 150,000)."""
        number = self.clusters.number
        clustered = np.flatnonzero(number >= 0)
        if not len(clustered):
            return pd.Series(dtype=object)
        sizes = np.bincount(number[clustered], minlength=self.cluster_count)
        order = np.lexsort((np.arange(len(sizes)), -sizes))
        chosen = order if limit is None else order[:limit]
        wanted = clustered[np.isin(number[clustered], chosen)]
        rows: dict[int, list[int]] = {int(c): [] for c in chosen}
        for row, cluster in zip(wanted.tolist(), number[wanted].tolist(), strict=True):
            rows[cluster].append(row)
        return pd.Series(list(rows.values()), index=list(rows), dtype=object)


def _order(pairs: pd.DataFrame) -> np.ndarray:
    """Merge order: accepted pairs, then by rule (phone, email, contact), then by score."""
    rank = pairs["rule"].map({r: i for i, r in enumerate(AUTO_RULES)}).fillna(len(AUTO_RULES))
    rank = rank.where(pairs["decision"] != "accept", -1)
    mergeable = pairs["decision"].isin(("auto", "accept")).to_numpy()
    order = np.lexsort((-pairs["score"].to_numpy(), rank.to_numpy()))
    return order[mergeable[order]]


def _apply_decisions(pool: Pool, pairs: pd.DataFrame, decisions: Decisions) -> pd.DataFrame:
    rejected = decisions.rejected
    accepted = decisions.accepted - rejected
    keys = list(zip(pairs["left"].tolist(), pairs["right"].tolist(), strict=True))
    known = set(keys)
    decision = pairs["decision"].to_numpy(dtype=object).copy()
    for position, key in enumerate(keys):
        if key in rejected:
            decision[position] = "reject"
        elif key in accepted:
            decision[position] = "accept"
    pairs = pairs.assign(decision=decision)
    extra = sorted(accepted - known)
    if not extra:
        return pairs
    names = pool.records["key"].fillna("").astype(str).tolist()
    added = pd.DataFrame(
        {
            "left": np.array([a for a, _ in extra], dtype=np.int64),
            "right": np.array([b for _, b in extra], dtype=np.int64),
            "score": [round(fuzz.ratio(names[a], names[b]), 1) for a, b in extra],
            "edits": -1,
            "same_phone": False,
            "same_email": False,
            "same_contact": False,
            "rule": "decision",
            "decision": "accept",
            "evidence": "",
        }
    )
    return pd.concat([pairs, added], ignore_index=True)


def _place_names(records: pd.DataFrame, codes: np.ndarray) -> dict[int, str]:
    """The place of each place code (see MatchCodes.place)."""
    present = codes >= 0
    rows = np.flatnonzero(present)
    unique, first = np.unique(codes[rows], return_index=True)
    names = records["place"].to_numpy(dtype=object)[rows[first]]
    return {int(code): str(name) for code, name in zip(unique, names, strict=True)}


def find_duplicates(
    pool: Pool,
    config: DedupeConfig | None = None,
    decisions: Decisions | None = None,
    *,
    vocab: NameVocabulary | None = None,
    on_step: Callable[[str], None] | None = None,
) -> DuplicateReport:
    """Block, score and decide candidate pairs, then close merged pairs into clusters.

    `decisions` (a reviewed pairs report) override the rejections carried in the inputs'
    not_duplicate_of column (see decisions.py)."""
    config = config or DedupeConfig()
    vocab = vocab or load_vocabulary()
    step = on_step or (lambda message: None)
    step(f"comparing {len(pool):,} rows")
    codes = match_codes(pool.records, pool.phones)
    left, right = candidate_pairs(codes, config)
    step(f"scoring {len(left):,} candidate pairs")
    pairs = score_pairs(pool.records, codes, left, right, config, vocab)
    carried = carried_decisions(pool)
    decisions = carried.then(decisions) if decisions is not None else carried
    if decisions.accepted or decisions.rejected:
        pairs = _apply_decisions(pool, pairs, decisions)
    step(f"clustering {int((pairs['decision'] == 'auto').sum()):,} matches")
    apart = decisions.rejected
    places = _place_names(pool.records, codes.place)
    clusters = close_pairs(
        len(pool),
        pairs["left"].to_numpy(),
        pairs["right"].to_numpy(),
        _order(pairs),
        apart,
        codes.place,
        lambda a, b: vocab.compatible(places[a], places[b]),
    )
    if clusters.blocked:
        decision = pairs["decision"].to_numpy(dtype=object).copy()
        decision[clusters.blocked] = "blocked"
        pairs = pairs.assign(decision=decision)
    pairs["cluster"] = np.where(
        clusters.number[pairs["left"]] == clusters.number[pairs["right"]],
        clusters.number[pairs["left"]],
        -1,
    )
    conflicting = frozenset(
        (min(a, b), max(a, b))
        for a, b in zip(
            pairs["left"].to_numpy()[clusters.place_blocked].tolist(),
            pairs["right"].to_numpy()[clusters.place_blocked].tolist(),
            strict=True,
        )
    )
    return DuplicateReport(pool, pairs, clusters, config, frozenset(apart), conflicting)
