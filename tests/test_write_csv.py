"""The CSV writer (built column-wise in Arrow) writes exactly what Python's csv module writes:
the same quoting, the same formula guard, the same text for numbers, dates and blanks."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.io.write import _plain, frame_to_csv_bytes, is_formula_like, write_frame

_AWKWARD = st.sampled_from(['a,b', 'say "hi"', "two\nlines", "cr\rhere", " lead", "=SUM(A1)",
                            "-19", "+8613812345678", "@home", "\tx", "'", "", "中文，全角", "-1.5e3"])  # fmt: skip
_TEXT = st.one_of(st.none(), _AWKWARD, st.text(max_size=8))


def _reference(frame: pd.DataFrame, allow_formulas: bool = False) -> bytes:
    """What the csv module writes, a cell at a time (the writer before it went column-wise)."""

    def cell(value: object) -> object:
        if value is None:
            return ""
        if not allow_formulas and is_formula_like(value):
            return "'" + str(value)
        return value

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(str(h)) for h in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([cell(_plain(v)) for v in row])
    return buffer.getvalue().encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            _TEXT,
            _TEXT,
            st.integers(-(10**6), 10**6),
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False)),
            st.one_of(st.none(), st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1))),
            st.one_of(st.none(), _AWKWARD, st.integers(-5, 5), st.floats(-1e6, 1e6)),
        ),
        max_size=12,
    ),
    allow=st.booleans(),
    header=_AWKWARD,
)
def test_csv_is_what_the_csv_module_writes(
    rows: list[tuple[object, ...]], allow: bool, header: str
) -> None:
    text, arrow, number, amount, when, mixed = zip(*rows, strict=True) if rows else ([],) * 6
    frame = pd.DataFrame({
        header or "h": pd.Series(text, dtype=object),
        "文本": pd.Series(arrow, dtype="string[pyarrow]"),
        "n": pd.Series(number, dtype=np.int64),
        "金额": pd.Series(amount, dtype=np.float64),
        "时间": pd.Series(pd.to_datetime(list(when)), dtype="datetime64[ns]"),
        "混合": pd.Series(mixed, dtype=object),
        "ok": pd.Series([k % 2 == 0 for k in range(len(rows))], dtype=bool),
    })  # fmt: skip
    assert frame_to_csv_bytes(frame, allow_formulas=allow, bom=False) == _reference(frame, allow)


def test_one_column_blank_cells_are_quoted_as_the_csv_module_does() -> None:
    frame = pd.DataFrame({"备注": ["x", "", None, "a,b"]})
    assert frame_to_csv_bytes(frame, bom=False) == _reference(frame)
    assert frame_to_csv_bytes(frame, bom=False) == '备注\r\nx\r\n""\r\n""\r\n"a,b"\r\n'.encode()


def test_categorical_cells_are_written_as_their_text() -> None:
    sheet = pd.Categorical(["一月", None, "=二月", "一月"], categories=["一月", "=二月", "空"])
    when = pd.Categorical(
        pd.to_datetime(["2024-03-10", "2024-03-10 14:00", None, "2024-03-10"], format="ISO8601")
    )
    frame = pd.DataFrame({"sheet": sheet, "when": when, "n": pd.Categorical([1, 2, 1, 2])})
    assert frame_to_csv_bytes(frame, bom=False) == _reference(frame)
    assert frame_to_csv_bytes(frame, bom=False).decode().splitlines()[1:] == [
        "一月,2024-03-10,1",
        ",2024-03-10 14:00,2",
        "'=二月,,1",
        "一月,2024-03-10,2",
    ]


def test_nullable_numbers_are_written_without_na(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({"数量": pd.array([1, None, 3], dtype="Int64"),
                          "付清": pd.array([True, None, False], dtype="boolean")})  # fmt: skip
    out = write_frame(frame, tmp_path / "out.csv")
    assert out.read_bytes() == "\ufeff数量,付清\r\n1,True\r\n,\r\n3,False\r\n".encode()


def test_a_large_frame_is_written_in_chunks_row_for_row(tmp_path) -> None:  # type: ignore[no-untyped-def]
    count = 450_001  # more than two chunks of 200,000 rows
    frame = pd.DataFrame(
        {"编号": np.arange(count), "名称": pd.Series(["客户,甲"] * count, dtype="str")}
    )
    write_frame(frame, tmp_path / "big.csv")
    back = pd.read_csv(tmp_path / "big.csv", encoding="utf-8-sig")
    assert len(back) == count and back["编号"].iloc[-1] == count - 1
    assert (back["名称"] == "客户,甲").all()
