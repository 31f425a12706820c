"""Column normalization equals the cell normalizer applied to every cell, fast paths included."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.frames.columns import normalize_column
from crmkit.spec.fields import builtin_spec
from crmkit.text.normalize import (
    normalize_datetime,
    normalize_email,
    normalize_id,
    normalize_number,
    normalize_option,
    normalize_phone,
    normalize_text,
)

CUSTOMERS = builtin_spec("customers")
FIELDS = {f.name: f for f in CUSTOMERS.fields}

phone_like = (
    st.text(alphabet="0123456789１３８+-() .E/86\u3000\t转x", max_size=20)
    | st.sampled_from(
        [
            "13812345678",
            "+86 138-1234-5678",
            "13812345678.0",
            "8613812345678",
            "0086 13812345678",
            "１３８１２３４５６７８",
            "010-62345678",
            "",
            # other countries as E.164: kept as written when valid (the fast path), else the
            # cell normalizer's way (a national prefix, a non-geographic code, +86)
            "+442071234567",
            "+85291234567",
            "+16502530000",
            "+11234567890",
            "+8860912345678",
            "+886912345678",
            "+8613812345678",
            "+861062345678",
            "+80012345678",
            "+390612345678",
            "+4407911123456",
        ]
    )
    | st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True)
)
text_like = st.text(max_size=12) | st.sampled_from(
    ["北京星辰科技", " 上海 ", "ＡＢＣ公司", "a  b", "e\u0301", "가", "㈱星辰", "\u3000甲"]
)
date_like = st.text(alphabet="0123456789-/: 年月日", max_size=18) | st.sampled_from(
    [
        "2024-03-10",
        "2024-03-10 14:00",
        "2024-02-30",
        "2024-03-10 00:00",
        "2024/3/10",
        "2024年3月10日",
    ]
)
CELLS = {
    "phone": (phone_like, normalize_phone),
    "name": (text_like, normalize_text),
    "notes": (text_like, lambda v: normalize_text(v, strict=False)),
    "created_at": (date_like, normalize_datetime),
    "email": (st.text(alphabet="abcAB@.-_ｌ＠", max_size=12) | st.just("a@b.com"), normalize_email),
    "customer_id": (st.text(alphabet="CRMcrm0123 ０", max_size=8), normalize_id),
    "amount": (st.text(alphabet="0123456789.-,万k¥ ", max_size=8), normalize_number),
    "source": (st.sampled_from([*FIELDS["source"].options, "展会", "客戶轉介紹", "朋友圈", " 官网注册"]),
               lambda v: normalize_option(v, FIELDS["source"].option_index)),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CELLS))
def test_column_equals_cells(name: str) -> None:
    strategy, cell = CELLS[name]

    @settings(max_examples=60, deadline=None)
    @given(st.lists(strategy, min_size=1, max_size=30))
    def check(values: list[str]) -> None:
        series = pd.Series(values, dtype="str", index=range(2, len(values) + 2))
        column = normalize_column(series, FIELDS[name], text_is_native=True)
        statuses = column.status.tolist()
        for position, value in enumerate(values):
            expected = cell(value)
            got = column.values.iloc[position]
            got = None if got is None or got != got else got
            assert (got, statuses[position], column.reason.iloc[position]) == (
                expected.value,
                expected.status,
                expected.reason,
            ), value

    check()
