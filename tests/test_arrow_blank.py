"""text.arrow.blank: missing, empty or only white space, as Python's str.strip sees it."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.text import arrow

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def _expected(values: list[str | None]) -> list[bool]:
    return [v is None or v.strip() == "" for v in values]


def test_every_white_space_character_alone_and_around_text() -> None:
    values: list[str | None] = [*SPACES, *(s + "甲" for s in SPACES), *("甲" + s for s in SPACES)]
    values += ["", None, "x", "中", "\u200b", "\ufeff", "ａ", " \u3000\t ", "\u00a0x"]
    got = arrow.blank(pd.Series(values, dtype=arrow.TEXT))
    assert got.tolist() == _expected(values)
    assert got[: len(SPACES)].all()  # each of the 29 alone is blank


def test_chunks_slices_and_null_slots_holding_bytes() -> None:
    chunks = pa.chunked_array([pa.array(["a", None, " "]), pa.array(["", "\u3000", "b c"])])
    series = pd.Series(pd.array(chunks, dtype=arrow.TEXT))
    assert arrow.blank(series).tolist() == [False, True, True, True, True, False]
    assert arrow.blank(series.iloc[2:5]).tolist() == [True, True, True]
    # a missing cell whose slot still points at bytes (Arrow allows it)
    validity = pa.py_buffer(np.packbits([1, 0, 1], bitorder="little"))
    offsets = pa.py_buffer(np.array([0, 1, 3, 4], dtype=np.int64))
    odd = pa.Array.from_buffers(pa.large_string(), 3, [validity, offsets, pa.py_buffer(b"a  b")])
    assert arrow.blank(pd.Series(pd.array(odd, dtype=arrow.TEXT))).tolist() == [False, True, False]
    assert arrow.blank(pd.Series([], dtype=arrow.TEXT)).tolist() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | st.text(alphabet=st.sampled_from([*SPACES, "a", "中", "\u200b"]))))
def test_any_text(values: list[str | None]) -> None:
    assert arrow.blank(pd.Series(values, dtype=arrow.TEXT)).tolist() == _expected(values)
