"""Candidate pairs by blocking: never all pairs, so that a million rows stay tractable.

Rows are compared only with rows that share a phone (any of a row's phones), an e-mail, a
contact or a name key. Inside a block the rows are sorted by name (and, for contacts, also by the reversed name, so
that a wrong first character still lands near its twin) and each row meets its next
`window` - 1 neighbours: a block no larger than the window yields all its pairs, a huge one
(5,000 customers whose contact is 张伟) only the pairs of similar names.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit.spec.config import DedupeConfig
from crmkit.text import arrow
from crmkit.text.normalize import MOBILE_PATTERN  # a normalized mainland mobile: 11 digits


def _codes(values: pd.Series, sort: bool = False) -> np.ndarray:
    """Integer codes, equal for equal values, -1 for missing; with `sort`, sorted values get
    sorted codes (sorting a million strings costs: only names need it, for their windows)."""
    codes, _ = pd.factorize(values, sort=sort, use_na_sentinel=True)
    return codes.astype(np.int64)


def _name_codes(keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Sorted codes of the name keys and of the keys read backwards (one reversal per key)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, uniques = pd.factorize(keys, sort=True, use_na_sentinel=True)
    # Reversed and sorted in Arrow (code points, as str[::-1] and Python's order: UTF-8's
    # byte order is that of the code points): a Python reversal and an object argsort of a
    # million keys took seconds.
    backwards = pc.utf8_reverse(pa.array(np.asarray(uniques, dtype=object), pa.large_string()))
    rank = np.empty(len(backwards), dtype=np.int64)
    rank[pc.array_sort_indices(backwards).to_numpy()] = np.arange(len(backwards))
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

    phone: np.ndarray  # of each row's first phone
    email: np.ndarray
    contact: np.ndarray
    key: np.ndarray
    reversed_key: np.ndarray
    place: np.ndarray
    # Every phone of every row (Pool.phones): its row and its code, sorted by row, and how
    # many phones each row has (most have one: only pairs with a row of several look further).
    phone_row: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0, np.int64))
    phone_code: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0, np.int64))
    phone_count: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0, np.int64))
    # Whether each phone code is a mainland mobile (one person's), not a landline or a
    # hotline several companies may answer (a switchboard).
    mobile: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0, bool))

    def shared_mobile(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Whether the rows of each pair share a mobile as their first phones."""
        code = self.phone[left]
        same = (code == self.phone[right]) & (code >= 0)
        if not len(self.mobile):
            return np.zeros(len(left), dtype=bool)
        return same & self.mobile[np.maximum(code, 0)]

    def same_phone(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Whether the rows of each pair share a phone, any phone of either (extensions aside)."""
        same = (self.phone[left] == self.phone[right]) & (self.phone[left] >= 0)
        several = np.flatnonzero((self.phone_count[left] > 1) | (self.phone_count[right] > 1))
        if not len(several):
            return same
        # Each phone of the left row of those pairs, looked up among the right row's phones.
        starts = np.concatenate(([0], np.cumsum(self.phone_count)))
        counts = self.phone_count[left[several]]
        pair = np.repeat(several, counts)
        entry = np.repeat(starts[left[several]] - np.cumsum(counts) + counts, counts)
        entry += np.arange(len(entry))
        size = max(int(self.phone_code.max()) + 1 if len(self.phone_code) else 1, 1)
        known = np.unique(self.phone_row * size + self.phone_code)
        wanted = right[pair] * size + self.phone_code[entry]
        found = np.searchsorted(known, wanted)
        hit = (found < len(known)) & (known[np.minimum(found, len(known) - 1)] == wanted)
        same[np.unique(pair[hit])] = True
        return same


def _phone_codes(phones: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of phones without their extension: 010-62345678转801 and 010-62345678 are one
    switchboard (whose rows the names then tell apart); and whether each code is a mobile."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, uniques = pd.factorize(phones, use_na_sentinel=True)
    text = np.asarray(uniques, dtype=object)
    # in Arrow: a Python test of each of 800,000 distinct phones at 1M rows took a second
    extended = arrow.flags(pc.match_substring(pa.array(text, type=pa.large_string()), "转"))
    if not extended.any():
        return codes.astype(np.int64), _mobiles(text)
    base = text.copy()
    base[extended] = [phone.split("转", 1)[0] for phone in text[extended]]
    base_codes, base_uniques = pd.factorize(base, use_na_sentinel=True)
    codes = np.where(codes >= 0, base_codes[np.maximum(codes, 0)], -1)
    return codes.astype(np.int64), _mobiles(np.asarray(base_uniques, dtype=object))


def _mobiles(phones: np.ndarray) -> np.ndarray:
    """Whether each normalized phone is a mainland mobile (in Arrow: one RE2 call)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array(phones, type=pa.large_string())
    return arrow.flags(pc.match_substring_regex(texts, pattern=f"^{MOBILE_PATTERN}$"))


def match_codes(records: pd.DataFrame, phones: pd.DataFrame | None = None) -> MatchCodes:
    """The codes of a pool's records and of every phone of its rows (see Pool; without
    `phones`, each row's one phone)."""
    keys = records["key"].where(records["key"] != "", None)
    key, reversed_key = _name_codes(keys)
    if phones is None:
        phones = pd.DataFrame({"row": np.arange(len(records)), "phone": records["phone"]})
        phones = phones[phones["phone"].notna()]
    phone_row = phones["row"].to_numpy(dtype=np.int64)
    phone_code, mobile = _phone_codes(phones["phone"].reset_index(drop=True))
    # A row whose two phones are one switchboard (转801, 转802) has that one code once.
    unique_rows = pd.DataFrame({"row": phone_row, "code": phone_code}).drop_duplicates()
    phone_row = unique_rows["row"].to_numpy(dtype=np.int64)
    phone_code = unique_rows["code"].to_numpy(dtype=np.int64)
    first = np.full(len(records), -1, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], phone_row[1:] != phone_row[:-1])))
    if len(phone_row):
        first[phone_row[starts]] = phone_code[starts]
    count = np.bincount(phone_row, minlength=len(records)).astype(np.int64)
    return MatchCodes(
        phone=first,
        email=_codes(records["email"]),
        contact=_codes(records["contact"]),
        key=key,
        reversed_key=reversed_key,
        place=_codes(records["place"].where(records["place"] != "", None)),
        phone_row=phone_row,
        phone_code=phone_code,
        phone_count=count,
        mobile=mobile,
    )


def _block_order(block: np.ndarray, within: np.ndarray) -> np.ndarray:
    """np.lexsort((within, block)) by one stable sort of one key (codes are -1 … len - 1)."""
    span = int(within.max()) + 2 if len(within) else 1
    if len(block) and (int(block.max()) + 2) * span >= 2**63:
        return np.lexsort((within, block))
    return np.argsort((block + 1) * span + (within + 1), kind="stable")


def candidate_pairs(codes: MatchCodes, config: DedupeConfig) -> tuple[np.ndarray, np.ndarray]:
    """Distinct candidate pairs (left < right, pool indices) of the pool's records."""
    key = codes.key
    # Phones: one entry per (row, phone), so that a row's second phone meets its twin too.
    entries = (codes.phone_code, key[codes.phone_row], config.block_max)
    blocks = [
        entries,
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
        order = _block_order(block, within).astype(index_type)
        left, right = _window_pairs(order, block, window)
        if block is codes.phone_code:
            left, right = codes.phone_row[left], codes.phone_row[right]
            other = left != right
            left, right = left[other], right[other]
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
