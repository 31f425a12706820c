"""Close merged pairs into clusters (union-find), honouring the pairs a person rejected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass
class Clusters:
    """Cluster number of each pool row (-1: no duplicate), and for each member the pair (index
    into the pairs given) that brought it into its cluster (-1 for none)."""

    number: np.ndarray
    joined_by: np.ndarray
    blocked: list[int]  # pairs not merged because they would join rows a person kept apart


def close_pairs(
    size: int,
    left: np.ndarray,
    right: np.ndarray,
    order: Iterable[int],
    apart: Iterable[tuple[int, int]] = (),
) -> Clusters:
    """Union the pairs in `order` (strongest first); skip one that would join rows in `apart`.

    Clusters are numbered 0, 1, … by their first row in the pool.
    """
    parent = list(range(size))
    forbidden: dict[int, set[int]] = {}
    for a, b in apart:
        forbidden.setdefault(a, set()).add(b)
        forbidden.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    joined_by = np.full(size, -1, dtype=np.int64)
    blocked: list[int] = []
    lefts = left.tolist()
    rights = right.tolist()
    for pair in order:
        a, b = lefts[pair], rights[pair]
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if forbidden and (
            any(find(x) == rb for x in forbidden.get(ra, ()))
            or any(find(x) == ra for x in forbidden.get(rb, ()))
        ):
            blocked.append(pair)
            continue
        parent[rb] = ra
        if rb in forbidden:
            forbidden.setdefault(ra, set()).update(forbidden.pop(rb))
        for node in (a, b):
            if joined_by[node] < 0:
                joined_by[node] = pair
    roots = np.fromiter((find(x) for x in range(size)), dtype=np.int64, count=size)
    member = joined_by >= 0
    number = np.full(size, -1, dtype=np.int64)
    if member.any():
        # Number clusters by their first row: unique roots in order of first appearance.
        first_roots, first_seen = np.unique(roots[member], return_index=True)
        rank = np.empty(len(first_roots), dtype=np.int64)
        rank[np.argsort(first_seen, kind="stable")] = np.arange(len(first_roots))
        number[member] = rank[np.searchsorted(first_roots, roots[member])]
    return Clusters(number, joined_by, blocked)
