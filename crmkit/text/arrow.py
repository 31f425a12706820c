"""Vectorized string operations on pandas' Arrow-backed text columns, through pyarrow.compute.

pandas runs some of these operations (regex replace, extract, normalize, non-RE2 paths) one
cell at a time in Python; pyarrow runs them in C++. Patterns are RE2: `\\d` and `\\s` are ASCII.
Every function takes and returns pandas objects aligned with the input's index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# pandas' str: text held by pyarrow, missing as NaN (what crmkit's readers make of text)
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def is_arrow_text(series: pd.Series) -> bool:
    """True for a pandas text column stored by pyarrow (what crmkit's CSV reader returns)."""
    return isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"


def arrow_array(series: pd.Series) -> pa.ChunkedArray:
    """The Arrow array under a pandas text column (is_arrow_text), as it is: no copy."""
    return series.array.__arrow_array__()


def _text(array: pa.ChunkedArray | pa.Array, like: pd.Series) -> pd.Series:
    return pd.Series(pd.array(array, dtype=like.dtype), index=like.index)


def flags(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """An Arrow boolean array as numpy (missing: False)."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def mask(values: np.ndarray) -> pa.Array:
    """A numpy boolean array as Arrow's (for filter, if_else, replace_with_mask)."""
    return pa.array(values, type=pa.bool_())


def blank(series: pd.Series) -> np.ndarray:
    """Which cells are missing, empty or only white space: the one blank-cell test of the
    reader, the normalizers and the merge (text columns in C++, other columns vectorized)."""
    if is_arrow_text(series):
        chunks = arrow_array(series).chunks
        if not chunks:
            return np.zeros(0, dtype=bool)
        return np.concatenate([_blank_chunk(chunk) for chunk in chunks])
    values = series.to_numpy(dtype=object)
    missing = np.asarray(pd.isna(values), dtype=bool)
    present = np.flatnonzero(~missing)
    if pd.api.types.infer_dtype(values[present], skipna=True).startswith(("string", "mixed")):
        text = pd.Series(values[present], dtype=object).str.strip()  # NaN: not text
        missing[present[(text == "").to_numpy(dtype=bool, na_value=False)]] = True
    return missing


# The first bytes of the characters Arrow (and Python's str.isspace) take for white space:
# ASCII's, U+001C–U+001F, and the lead bytes of U+0085/U+00A0, U+1680, U+2000–U+205F, U+3000.
_SPACE_LEADS = np.zeros(256, dtype=bool)
_SPACE_LEADS[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0xC2, 0xE1, 0xE2, 0xE3]] = True


def _blank_chunk(chunk: pa.Array) -> np.ndarray:
    """blank() of one chunk: missing and empty cells are blank; of the others, only those
    whose first byte can start a white-space character are looked at in full (trimming every
    cell of a column copied it)."""
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets, data = chunk.buffers()[1:3]
    bounds = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    starts = bounds[:-1]
    out = np.greater_equal(starts, bounds[1:])  # empty
    if chunk.null_count:
        out |= ~chunk.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(~out)
    if len(rows):
        first = np.frombuffer(data, dtype=np.uint8)[starts[rows]]
        rows = rows[_SPACE_LEADS[first]]
    if len(rows):
        spaces = pc.utf8_is_space(chunk.take(pa.array(rows)))
        out[rows] = spaces.to_numpy(zero_copy_only=False)
    return out


def blanked(series: pd.Series, where: np.ndarray) -> pd.Series:
    """An Arrow text column with the cells at `where` (booleans) missing, made in Arrow."""
    cells = arrow_array(series)
    nothing = pa.scalar(None, type=cells.type)
    return pd.Series(pd.array(pc.if_else(mask(where), nothing, cells), dtype=series.dtype))


def lengths(series: pd.Series) -> np.ndarray:
    """The length in characters of every cell (0 when missing)."""
    return pc.fill_null(pc.utf8_length(arrow_array(series)), 0).to_numpy(zero_copy_only=False)


def starts_with(series: pd.Series, prefix: str) -> np.ndarray:
    """Which cells start with the prefix (missing cells: False)."""
    return flags(pc.starts_with(arrow_array(series), prefix))


def fullmatch(series: pd.Series, pattern: str) -> np.ndarray:
    """Which cells match the whole pattern (missing cells: False)."""
    return flags(pc.match_substring_regex(arrow_array(series), f"^(?:{pattern})$"))


def contains(series: pd.Series, pattern: str) -> np.ndarray:
    """Which cells contain a match of the pattern (missing cells: False)."""
    return flags(pc.match_substring_regex(arrow_array(series), pattern))


def replace(series: pd.Series, pattern: str, replacement: str) -> pd.Series:
    """Every match of the pattern replaced."""
    return _text(pc.replace_substring_regex(arrow_array(series), pattern, replacement), series)


def nfkc(series: pd.Series) -> pd.Series:
    """Unicode NFKC of every cell."""
    return _text(pc.utf8_normalize(arrow_array(series), form="NFKC"), series)


def strip(series: pd.Series) -> pd.Series:
    """Every cell without white space at either end."""
    return _text(pc.utf8_trim_whitespace(arrow_array(series)), series)


def extract(series: pd.Series, pattern: str) -> pd.Series:
    """The first (named) group of a whole-cell match, missing where the cell does not match."""
    found = pc.extract_regex(arrow_array(series), f"^(?:{pattern})$")
    return _text(pc.struct_field(found, [0]), series)


def dictionary(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(keys, distinct values): each cell's position among the distinct values; missing cells get len(values)."""
    encoded = pc.dictionary_encode(arrow_array(series)).combine_chunks()
    distinct = pd.Series(pd.array(encoded.dictionary, dtype=series.dtype))
    keys = encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False)
    return keys, distinct
