"""Cell normalizers: the quirks of real sheets, and properties on any input."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.text.normalize import (
    OptionIndex,
    normalize_datetime,
    normalize_email,
    normalize_id,
    normalize_number,
    normalize_option,
    normalize_phone,
    normalize_text,
    normalize_transition,
)


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("13812345678", "13812345678", "ok"),
        (13812345678.0, "13812345678", "warn"),
        (13812345678, "13812345678", "warn"),
        ("13812345678.0", "13812345678", "warn"),
        ("+86 138-1234-5678", "13812345678", "changed"),
        ("0086 13812345678", "13812345678", "changed"),
        ("8613812345678", "13812345678", "changed"),
        ("１３８１２３４５６７８", "13812345678", "changed"),
        ("138 1234 5678", "13812345678", "changed"),
        ("010-62345678", "010-62345678", "ok"),
        ("(010) 6234 5678", "010-62345678", "changed"),
        ("0755-86013388", "0755-86013388", "ok"),
        ("021-62345678转123", "021-62345678转123", "ok"),
        ("4008123123", "4008123123", "ok"),
        ("+1 415 555 2671", "+14155552671", "changed"),
    ],
)
def test_phone_forms_normalize(raw: object, value: str, status: str) -> None:
    result = normalize_phone(raw)
    assert (result.value, result.status) == (value, status)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1.38123E+10", "scientific notation"),
        ("1.38123e10", "scientific notation"),
        ("62345678", "without an area code"),
        ("1381234567", "not a valid phone number"),
        ("abc", "not a phone number"),
        ("13812345678/1391234", "the cell holds 2 phones; each must be valid"),
        (12.5, "not a phone number"),
    ],
)
def test_bad_phones_are_invalid_with_a_reason(raw: object, reason: str) -> None:
    result = normalize_phone(raw)
    assert result.status == "invalid"
    assert reason in result.reason


def test_landline_default_area_code_is_used_only_when_configured() -> None:
    assert normalize_phone("62345678", default_area_code="010").value == "010-62345678"
    assert normalize_phone("62345678").status == "invalid"


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("2024-03-10", "2024-03-10", "ok"),
        ("2024-03-10 14:00", "2024-03-10 14:00", "ok"),
        ("2024/3/10", "2024-03-10", "ok"),
        ("2024/3/10 9:05", "2024-03-10 09:05", "ok"),
        ("2024年3月10日", "2024-03-10", "warn"),
        ("2024年3月10日 14:00", "2024-03-10 14:00", "warn"),
        ("20240310", "2024-03-10", "warn"),
        ("2024.3.10", "2024-03-10", "warn"),
        (45361, "2024-03-10", "warn"),
        (45361.5, "2024-03-10 12:00", "warn"),
        (datetime(2024, 3, 10, 14, 0), "2024-03-10 14:00", "ok"),
        (date(2024, 3, 10), "2024-03-10", "ok"),
    ],
)
def test_date_forms_normalize(raw: object, value: str, status: str) -> None:
    result = normalize_datetime(raw)
    assert (result.value, result.status) == (value, status)


def test_text_date_in_a_workbook_is_a_warning() -> None:
    assert normalize_datetime("2024-03-10", text_is_native=False).status == "warn"


@pytest.mark.parametrize(
    "raw", ["2024-02-30", "2023-02-29", "2024-13-01", "2024-03-10 25:00", "下周一", "1850-01-01"]
)
def test_impossible_dates_are_invalid(raw: str) -> None:
    assert normalize_datetime(raw).status == "invalid"


def test_text_trims_and_folds_width() -> None:
    assert normalize_text("  北京ＡＢＣ科技　 ").value == "北京ABC科技"
    free = normalize_text(" 已联系，待回复１２３ ", strict=False)
    assert free.value == "已联系，待回复123"  # Chinese punctuation kept in free text


def test_email_id_number_option() -> None:
    assert normalize_email("ＬＩＵ＠Example.COM ").value == "liu@example.com"
    assert normalize_email("wang#example.com").status == "invalid"
    assert normalize_id(" crm001 ").value == "CRM001"
    assert normalize_number("12.5万").value == 125000.0
    assert normalize_number("¥10,000").value == 10000.0
    assert normalize_number("很多").status == "invalid"
    index = OptionIndex(["客户转介绍", "官网注册"], {"官网": "官网注册"})
    assert normalize_option("客戶轉介紹", index).value == "客户转介绍"
    assert normalize_option("官网", index).value == "官网注册"
    bad = normalize_option("客户转介", index)
    assert bad.status == "invalid" and "did you mean 客户转介绍" in bad.reason


def test_transition() -> None:
    index = OptionIndex(["潜在客户", "意向客户"])
    assert normalize_transition("潜在客户->意向客户", index).value == "潜在客户→意向客户"
    assert normalize_transition("潜在客户 => 意向客户", index).value == "潜在客户→意向客户"
    assert normalize_transition("意向客户", index).status == "ok"
    assert normalize_transition("潜在客户→老客户", index).status == "invalid"


cells = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789+-() .E/年月日:０１２３４５６７８９", max_size=24),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2200, 1, 1)),
)


@given(cells)
def test_phone_never_raises_and_is_idempotent(raw: object) -> None:
    first = normalize_phone(raw)
    if first.value is not None:
        again = normalize_phone(first.value)
        assert again.value == first.value
        assert again.status == "ok"


@given(cells)
def test_date_never_raises_and_is_idempotent(raw: object) -> None:
    first = normalize_datetime(raw)
    if first.value is not None:
        again = normalize_datetime(first.value)
        assert (again.value, again.status) == (first.value, "ok")


@given(cells)
def test_text_and_email_never_raise_and_are_idempotent(raw: object) -> None:
    for normalize in (normalize_text, normalize_email, normalize_id, normalize_number):
        first = normalize(raw)
        if first.value is not None:
            assert normalize(first.value).value == first.value
