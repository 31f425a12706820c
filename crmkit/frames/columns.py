"""Normalize a whole column by its field type: the cell normalizers of `normalize`, applied fast.

The result equals applying the cell normalizer to every cell (a property test checks it); the
speed comes from deciding the common cases with vectorized string operations first (cells
already canonical, phones with +86 or dashes, text with nothing to fold) and normalizing each
distinct remaining value once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from crmkit.spec.fields import FieldSpec
from crmkit.text import arrow
from crmkit.text.normalize import (
    HIDDEN_CHARACTERS,
    MOBILE_PATTERN,
    PHONE_NOISE_PATTERN,
    Normalized,
    kept_as_written,
    normalize_datetime,
    normalize_email,
    normalize_id,
    normalize_number,
    normalize_option,
    normalize_phone,
    normalize_text,
    normalize_transition,
)
from crmkit.text.period import CANONICAL_PERIOD, normalize_period

CANONICAL_PHONE = (
    r"1[3-9]\d{9}|0\d{2,3}-\d{7,8}(?:转\d{1,6})?|[48]00\d{7}|\+[1-9]\d{6,14}(?:转\d{1,6})?"
)
CANONICAL_DATE = r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?"
CANONICAL_EMAIL = r"[a-z0-9._%+\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9\-]+)*\.[a-z]{2,}"
_FAST_DATE = (
    r"(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?: (?:[01]\d|2[0-3]):[0-5]\d)?"
)
_HIDDEN = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in HIDDEN_CHARACTERS) + "]"

STATUSES = ("empty", "ok", "changed", "warn", "invalid")
_CODE = {name: code for code, name in enumerate(STATUSES)}
EMPTY, OK, CHANGED, WARN, INVALID = range(len(STATUSES))


@dataclass
class NormalizedColumn:
    """A column's canonical values (NA where empty or invalid), each cell's status and reason;
    for a phone column whose cells hold several phones, `others`: the phones after the first
    (a tuple; None in the other cells, and `others` None when no cell holds several)."""

    values: pd.Series
    codes: np.ndarray
    reason: pd.Series
    others: pd.Series | None = None
    # datetimes of the cells the fast path parsed (NaT elsewhere): `canonical_frame` parses
    # only the others again
    typed: pd.Series | None = None

    def mask(self, *statuses: str) -> pd.Series:
        """Which cells have one of the statuses (empty, ok, changed, warn, invalid)."""
        wanted = np.isin(self.codes, [_CODE[s] for s in statuses])
        return pd.Series(wanted, index=self.values.index)

    def expand(self, keys: np.ndarray, index: pd.Index, missing: Normalized) -> NormalizedColumn:
        """The normalized column of a whole column from that of its distinct values (`keys`)."""
        values = pd.concat(
            [self.values, pd.Series([missing.value], dtype=self.values.dtype)], ignore_index=True
        )
        codes = np.append(self.codes, np.int8(_CODE[missing.status]))
        reason = np.append(self.reason.to_numpy(dtype=object), missing.reason)
        taken = values.take(keys)
        taken.index = index
        others = None
        if self.others is not None:
            extra = np.append(self.others.to_numpy(dtype=object), [None])[keys]
            others = pd.Series(extra, index=index, dtype=object)
        return NormalizedColumn(
            taken,
            codes[keys],
            pd.Series(reason[keys], index=index, dtype=object),
            others,
        )

    @property
    def status(self) -> pd.Series:
        """Each cell's status by name."""
        names = np.array(STATUSES, dtype=object)[self.codes]
        return pd.Series(names, index=self.values.index, dtype=object)


@dataclass
class _Decided:
    """Cells a vectorized rule settled: where, their canonical values, status and reason."""

    mask: np.ndarray
    values: pd.Series | None  # None: the cell as it is
    code: int
    reason: str = ""
    typed: pd.Series | None = None  # the cells as datetime64, when the rule parsed them
    rows: np.ndarray | None = None  # the positions `values` holds, when only some


def _is_text_column(series: pd.Series) -> bool:
    return arrow.is_arrow_text(series)


def _blank(series: pd.Series) -> np.ndarray:
    if _is_text_column(series):
        return arrow.blank(series)
    return np.zeros(len(series), dtype=bool)


def _apply(
    series: pd.Series,
    function: Callable[[Any], Normalized],
    decide: Callable[[pd.Series], list[_Decided]] | None = None,
) -> NormalizedColumn:
    """Settle what `decide` can in bulk, then apply `function` once per distinct remaining value.

    A text column with few distinct values (options, owners, dates) is normalized through its
    dictionary of distinct values.
    """
    if _is_text_column(series) and len(series) > 1000 and _few_distinct(series):
        keys, distinct = arrow.dictionary(series)
        if len(distinct) * 4 < len(series):
            small = _apply_each(distinct, function, decide)
            return small.expand(keys, series.index, function(None))
    return _apply_each(series, function, decide)


def _few_distinct(series: pd.Series, sample: int = 20_000) -> bool:
    """Whether a column looks repetitive enough (judged on its first cells) to go by distinct values."""
    head = series.iloc[:sample]
    return bool(head.nunique(dropna=True) * 4 < len(head))


def _apply_each(
    series: pd.Series,
    function: Callable[[Any], Normalized],
    decide: Callable[[pd.Series], list[_Decided]] | None = None,
) -> NormalizedColumn:
    size = len(series)
    text = _is_text_column(series)
    codes = np.zeros(size, dtype=np.int8)
    reason = np.full(size, "", dtype=object)
    todo = ~_blank(series)
    updates: list[tuple[np.ndarray, np.ndarray]] = []  # (positions, new values) of changed cells
    typed = None
    if decide is not None and text and todo.any():
        for decided in decide(series):
            mask = decided.mask & todo
            if decided.typed is not None:
                typed = decided.typed.where(mask)
            if not mask.any():
                continue
            codes[mask] = decided.code
            reason[mask] = decided.reason
            if decided.values is not None and decided.rows is not None:
                chosen = mask[decided.rows]
                values = decided.values[chosen].to_numpy(dtype=object)
                updates.append((decided.rows[chosen], values))
            elif decided.values is not None:
                updates.append((np.flatnonzero(mask), decided.values[mask].to_numpy(dtype=object)))
            todo &= ~mask
    positions = np.flatnonzero(todo)
    others = None
    if len(positions):
        keys, uniques = pd.factorize(series.iloc[positions], use_na_sentinel=True)
        results = [function(u) for u in uniques] + [function(None)]
        keys = np.where(keys < 0, len(results) - 1, keys)
        codes[positions] = np.array([_CODE[r.status] for r in results], dtype=np.int8)[keys]
        reason[positions] = np.array([r.reason for r in results], dtype=object)[keys]
        updates.append((positions, np.array([r.value for r in results], dtype=object)[keys]))
        if any(r.others for r in results):
            extra = np.full(size, None, dtype=object)
            found = np.empty(len(results), dtype=object)  # tuples, not a 2-D array
            for at, result in enumerate(results):
                found[at] = result.others or None
            extra[positions] = found[keys]
            others = pd.Series(extra, index=series.index, dtype=object)
    return NormalizedColumn(
        _assemble(series, codes, updates),
        codes,
        pd.Series(reason, index=series.index, dtype=object),
        others,
        typed,
    )


def _assemble(
    series: pd.Series, codes: np.ndarray, updates: list[tuple[np.ndarray, np.ndarray]]
) -> pd.Series:
    """The canonical values: the cells themselves, changed where updated, missing where empty or invalid."""
    gone = np.flatnonzero((codes == EMPTY) | (codes == INVALID))
    if not updates and not len(gone):
        return series.copy()
    positions = np.concatenate([p for p, _ in updates] + [gone])
    values = np.concatenate([v for _, v in updates] + [np.full(len(gone), None, dtype=object)])
    text = _is_text_column(series) and pd.api.types.infer_dtype(values, skipna=True) in (
        "string",
        "empty",
    )
    result = series.copy() if text else series.astype(object)
    if len(positions):
        result.iloc[positions] = values
    return result


_match = arrow.fullmatch


def _decide_by_pattern(pattern: str) -> Callable[[pd.Series], list[_Decided]]:
    def decide(series: pd.Series) -> list[_Decided]:
        return [_Decided(_match(series, pattern), None, OK)]

    return decide


def _decide_phones(series: pd.Series) -> list[_Decided]:
    """Mobiles already canonical; and the common messy forms: .0 floats, +86, spaces, dashes, full width."""
    ok = _match(series, MOBILE_PATTERN)
    rows = np.flatnonzero(~ok)  # the rest is looked at alone: most cells are canonical
    rest = series.iloc[rows]
    # A no-break space, which NFKC makes a plain one, earns the cell normalizer's warning.
    hidden = arrow.contains(rest, _HIDDEN)
    folded = arrow.strip(arrow.nfkc(rest.where(~hidden)))
    float_text = arrow.extract(folded, r"(?P<digits>\d+)\.0+")
    floats = _match(float_text, MOBILE_PATTERN)
    compact = arrow.replace(arrow.replace(folded, PHONE_NOISE_PATTERN, ""), r"^(?:\+86|0086)", "")
    compact = arrow.replace(compact, r"^86(\d{11})$", r"\1")
    mobiles = _match(compact, MOBILE_PATTERN) & ~floats
    float_reason = "phone stored as a number (ends in .0); format the column as text"

    def whole(found: np.ndarray) -> np.ndarray:
        out = np.zeros(len(series), dtype=bool)
        out[rows] = found
        return out

    return [
        _Decided(ok, None, OK),
        _Decided(whole(floats), float_text, WARN, float_reason, rows=rows),
        _Decided(whole(mobiles), compact, CHANGED, rows=rows),
        _Decided(whole(_e164_as_written(rest)), None, OK),
    ]


def _e164_as_written(series: pd.Series) -> np.ndarray:
    """Numbers of other countries written as E.164 (+442071234567) that are valid as they
    stand: each distinct one checked once (kept_as_written), the rest left to the cell
    normalizer."""
    maybe = np.flatnonzero(_match(series, r"\+[1-9][0-9]{6,14}"))
    out = np.zeros(len(series), dtype=bool)
    if len(maybe):
        codes, distinct = pd.factorize(series.iloc[maybe])
        kept = np.array([kept_as_written(str(number)) for number in distinct], dtype=bool)
        out[maybe] = kept[codes]
    return out


def _decide_dates(series: pd.Series) -> list[_Decided]:
    matched = _match(series, _FAST_DATE)
    if not matched.any():
        return []
    parsed = pd.to_datetime(series.where(matched), format="ISO8601", errors="coerce")
    # Midnight spelled out (2024-03-10 00:00) is canonical only without the time.
    midnight = series.str.endswith(" 00:00").fillna(False).to_numpy(dtype=bool)
    ok = matched & parsed.notna().to_numpy() & ~midnight
    return [_Decided(ok, None, OK, typed=parsed)]


# Characters that NFKC leaves alone and a strict text may hold without folding: CJK ideographs,
# ASCII letters, digits and common punctuation, single inner spaces. Anything else is checked
# by the cell normalizer.
_STABLE_CHUNK = r"[\x{4E00}-\x{9FFF}A-Za-z0-9()&.,'/#@+\-]+"
_STABLE_STRICT = f"{_STABLE_CHUNK}(?: {_STABLE_CHUNK})*"
_PY_SPACES = "".join(f"\\x{{{c:X}}}" for c in range(0x10000) if chr(c).isspace())
_FREE_NEEDS_WORK = (
    f"^[{_PY_SPACES}]|[{_PY_SPACES}]$|[\\x{{FF10}}-\\x{{FF19}}\\x{{FF21}}-\\x{{FF3A}}\\x{{FF41}}-\\x{{FF5A}}\\x{{3000}}]"
    f'|{_HIDDEN}|^\\s*="'
)


def _decide_text(strict: bool) -> Callable[[pd.Series], list[_Decided]]:
    def decide(series: pd.Series) -> list[_Decided]:
        if strict:
            return [_Decided(_match(series, _STABLE_STRICT), None, OK)]
        needs = arrow.contains(series, _FREE_NEEDS_WORK)
        return [_Decided(~needs & series.notna().to_numpy(), None, OK)]

    return decide


def _number_column(series: pd.Series) -> NormalizedColumn:
    """Amounts as floats: plain numbers converted in bulk, the rest (¥1,000, 12.5万) cell by cell."""
    plain = (
        _match(series, r"-?[0-9]+(?:\.[0-9]+)?")
        if _is_text_column(series)
        else np.zeros(len(series), dtype=bool)
    )
    values = (
        pd.to_numeric(series.where(plain), errors="coerce").astype(float)
        if plain.any()
        else pd.Series(np.nan, index=series.index)
    )
    numbers = np.array(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    codes = np.where(plain, OK, EMPTY).astype(np.int8)
    reason = np.full(len(series), "", dtype=object)
    rest = np.flatnonzero(~plain)
    if len(rest):
        other = _apply_each(series.iloc[rest], normalize_number)
        numbers[rest] = pd.to_numeric(other.values, errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        codes[rest] = other.codes
        reason[rest] = other.reason.to_numpy()
    index = series.index
    return NormalizedColumn(
        pd.Series(numbers, index=index), codes, pd.Series(reason, index=index, dtype=object)
    )


def normalize_column(
    series: pd.Series,
    field: FieldSpec,
    *,
    text_is_native: bool,
) -> NormalizedColumn:
    """Normalize every cell of a column by the field's type (equal to the cell normalizer on each).

    `text_is_native` is True for CSV (every cell is text) and False for workbooks, where a date
    typed as text earns a warning. A number in a date column is read as an Excel serial date
    only within the field's `serial_dates`.
    """
    kind = field.type
    if kind == "phone":
        fn = partial(normalize_phone, default_area_code=field.default_area_code)
        return _apply(series, fn, _decide_phones)
    if kind == "datetime":
        fn = partial(
            normalize_datetime, text_is_native=text_is_native, serial_dates=field.serial_dates
        )
        return _apply(series, fn, _decide_dates if text_is_native else None)
    if kind == "email":
        return _apply(series, normalize_email, _decide_by_pattern(CANONICAL_EMAIL))
    if kind == "id":
        return _apply(series, normalize_id, _decide_by_pattern(r"[A-Z0-9]+"))
    if kind == "number":
        return _number_column(series)
    if kind == "period":
        return _apply(series, normalize_period, _decide_by_pattern(CANONICAL_PERIOD))
    if kind in ("option", "transition"):
        cell = normalize_option if kind == "option" else normalize_transition
        options = list(field.options)

        def decide(s: pd.Series) -> list[_Decided]:
            return [_Decided(s.isin(options).to_numpy(dtype=bool), None, OK)]

        return _apply(series, partial(cell, index=field.option_index), decide)
    strict = kind != "tags" and not field.pii
    return _apply(series, partial(normalize_text, strict=strict), _decide_text(strict))
