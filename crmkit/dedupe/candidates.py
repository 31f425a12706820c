"""Candidate pairs by blocking: never all pairs, so that a million rows stay tractable.

Rows are compared only with rows that share a phone, an e-mail, a contact or a name key.
Inside a block the rows are sorted by name (and, for contacts, also by the reversed name, so
that a wrong first character still lands near its twin) and each row meets its next
`window` - 1 neighbours: a block no larger than the window yields all its pairs, a huge one
(5,000 customers whose contact is 张伟) only the pairs of similar names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.config import DedupeConfig


def _codes(values: pd.Series, sort: bool = False) -> np.ndarray:
    """Integer codes, equal for equal values, -1 for missing; with `sort`, sorted values get
    sorted codes (sorting a million strings costs: only names need it, for their windows)."""
    codes, _ = pd.factorize(values, sort=sort, use_na_sentinel=True)
    return codes.astype(np.int64)


def _name_codes(keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Sorted codes of the name keys and of the keys read backwards (one reversal per key)."""
    codes, uniques = pd.factorize(keys, sort=True, use_na_sentinel=True)
    backwards = np.array([k[::-1] for k in uniques], dtype=object)
    rank = np.empty(len(backwards), dtype=np.int64)
    rank[np.argsort(backwards, kind="stable")] = np.arange(len(backwards))
    reversed_codes = np.where(codes >= 0, rank[np.maximum(codes, 0)] if len(rank) else 0, -1)
    return codes.astype(np.int64), reversed_codes.astype(np.int64)


def _window_pairs(
    order: np.ndarray, block: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows in one block at most `window` - 1 apart in `order` (rows sorted by block)."""
    sorted_block = block[order]
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    for step in range(1, window):
        same = (sorted_block[:-step] == sorted_block[step:]) & (sorted_block[:-step] >= 0)
        if not same.any():
            break  # blocks are contiguous: no pair at this distance, none further away
        lefts.append(order[:-step][same])
        rights.append(order[step:][same])
    if not lefts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(lefts), np.concatenate(rights)


@dataclass(frozen=True)
class MatchCodes:
    """Integer codes of what rows are matched by, worked out once for blocking and scoring:
    equal for equal values, -1 for missing, sorted like the values (key: by name)."""

    phone: np.ndarray
    email: np.ndarray
    contact: np.ndarray
    key: np.ndarray
    reversed_key: np.ndarray
    place: np.ndarray


def _phone_codes(phones: pd.Series) -> np.ndarray:
    """Codes of phones without their extension: 010-62345678转801 and 010-62345678 are one
    switchboard (whose rows the names then tell apart)."""
    codes, uniques = pd.factorize(phones, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object)
    extended = text.str.contains("转", regex=False).to_numpy(dtype=bool)
    if not extended.any():
        return codes.astype(np.int64)
    base = text.where(~extended, text.str.split("转", n=1).str[0])
    return np.where(codes >= 0, _codes(base)[np.maximum(codes, 0)], -1).astype(np.int64)


def match_codes(records: pd.DataFrame) -> MatchCodes:
    """The codes of a pool's records (see Pool)."""
    keys = records["key"].where(records["key"] != "", None)
    key, reversed_key = _name_codes(keys)
    return MatchCodes(
        phone=_phone_codes(records["phone"]),
        email=_codes(records["email"]),
        contact=_codes(records["contact"]),
        key=key,
        reversed_key=reversed_key,
        place=_codes(records["place"].where(records["place"] != "", None)),
    )


def candidate_pairs(codes: MatchCodes, config: DedupeConfig) -> tuple[np.ndarray, np.ndarray]:
    """Distinct candidate pairs (left < right, pool indices) of the pool's records."""
    key = codes.key
    blocks = [
        (codes.phone, key, config.block_max),
        (codes.email, key, config.block_max),
        (key, codes.place, config.block_max),
        (codes.contact, key, config.window),
        (codes.contact, codes.reversed_key, config.window),
    ]
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    # Pool indices as int32 while pairs are gathered: tens of millions of them at 1M rows.
    index_type = np.int32 if len(key) < 2**31 else np.int64
    for block, within, window in blocks:
        order = np.lexsort((within, block)).astype(index_type)
        left, right = _window_pairs(order, block, window)
        lefts.append(np.minimum(left, right))
        rights.append(np.maximum(left, right))
    size = max(len(key), 1)
    encoded = np.concatenate(lefts).astype(np.int64) * size
    del lefts
    encoded += np.concatenate(rights)
    del rights
    encoded.sort()  # sorting beats np.unique's hashing on millions of pairs
    unique = (
        encoded[np.concatenate(([True], encoded[1:] != encoded[:-1]))] if len(encoded) else encoded
    )
    return unique // size, unique % size
