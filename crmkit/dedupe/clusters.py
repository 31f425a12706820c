"""Close merged pairs into clusters (union-find), honouring cannot-links: the pairs a person
rejected, and places that cannot be one customer's (北京 vs 上海), for the whole cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Clusters:
    """Cluster number of each pool row (-1: no duplicate), and for each member the pair (index
    into the pairs given) that brought it into its cluster (-1 for none)."""

    number: np.ndarray
    joined_by: np.ndarray
    blocked: list[int]  # pairs not merged: they would join rows kept apart (see close_pairs)
    # the blocked pairs whose clusters hold conflicting places (a cannot-link the rules found)
    place_blocked: list[int] = field(default_factory=list)


def close_pairs(
    size: int,
    left: np.ndarray,
    right: np.ndarray,
    order: Iterable[int],
    apart: Iterable[tuple[int, int]] = (),
    places: np.ndarray | None = None,
    compatible: Callable[[int, int], bool] | None = None,
) -> Clusters:
    """Union the pairs in `order` (strongest first); skip one that would join rows in `apart`,
    or join a cluster holding a place with one holding a place it is not `compatible` with
    (a head office joins at most one of its branches in two cities).

    `places` is each row's place code (-1 for none), `compatible` says whether two codes can be
    one customer's. The two rows of the pair itself were judged by the rules (or by a person),
    so their own places are not compared again. Clusters are numbered 0, 1, … by their first
    row in the pool.
    """
    parent = list(range(size))
    place_list: list[int] = places.tolist() if places is not None else []
    # The places of each cluster that has grown (a root not in it holds only its own row's).
    located: dict[int, set[int]] = {}
    verdicts: dict[tuple[int, int], bool] = {}

    def places_of(root: int) -> set[int]:
        held = located.get(root)
        if held is not None:
            return held
        own = place_list[root]
        return {own} if own >= 0 else set()

    def conflict(a: int, b: int, in_a: set[int], in_b: set[int]) -> bool:
        assert compatible is not None
        own = (place_list[a], place_list[b])
        for pa in in_a:
            for pb in in_b:
                if pa == pb or (pa, pb) == own:
                    continue
                if (pa, pb) not in verdicts:
                    verdicts[(pa, pb)] = compatible(pa, pb)
                if not verdicts[(pa, pb)]:
                    return True
        return False

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

    joined = [-1] * size
    blocked: list[int] = []
    place_blocked: list[int] = []
    lefts = left.tolist()
    rights = right.tolist()
    # A loop of Python ints (a million finds and numpy scalars were most of its time).
    steps = order.tolist() if isinstance(order, np.ndarray) else order
    for pair in steps:
        a, b = lefts[pair], rights[pair]
        ra = a if parent[a] == a else find(a)
        rb = b if parent[b] == b else find(b)
        if ra == rb:
            continue
        if forbidden and (
            any(find(x) == rb for x in forbidden.get(ra, ()))
            or any(find(x) == ra for x in forbidden.get(rb, ()))
        ):
            blocked.append(pair)
            continue
        if compatible is not None:
            in_a, in_b = places_of(ra), places_of(rb)
            if in_a and in_b and conflict(a, b, in_a, in_b):
                blocked.append(pair)
                place_blocked.append(pair)
                continue
            if in_b - in_a:
                located[ra] = in_a | in_b
            located.pop(rb, None)
        parent[rb] = ra
        if rb in forbidden:
            forbidden.setdefault(ra, set()).update(forbidden.pop(rb))
        if joined[a] < 0:
            joined[a] = pair
        if joined[b] < 0:
            joined[b] = pair
    if isinstance(order, np.ndarray):  # the pairs as they were given (numpy integers)
        blocked = list(np.asarray(blocked, dtype=order.dtype))
        place_blocked = list(np.asarray(place_blocked, dtype=order.dtype))
    joined_by = np.array(joined, dtype=np.int64)
    # Every row's root, by pointer jumping over the whole forest at once.
    roots = np.array(parent, dtype=np.int64)
    while True:
        up = roots[roots]
        if np.array_equal(up, roots):
            break
        roots = up
    member = joined_by >= 0
    number = np.full(size, -1, dtype=np.int64)
    if member.any():
        # Number clusters by their first row: unique roots in order of first appearance.
        first_roots, first_seen = np.unique(roots[member], return_index=True)
        rank = np.empty(len(first_roots), dtype=np.int64)
        rank[np.argsort(first_seen, kind="stable")] = np.arange(len(first_roots))
        number[member] = rank[np.searchsorted(first_roots, roots[member])]
    return Clusters(number, joined_by, blocked, place_blocked)
