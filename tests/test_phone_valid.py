"""The compiled check of other countries' numbers equals phonenumbers.is_valid_number."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.text.normalize import _valid_national

CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def _library(code: int, national: str) -> bool:
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return bool(phonenumbers.is_valid_number(number))


def _examples() -> list[tuple[int, str]]:
    """phonenumbers' example number of every region (and non-geographic code) and type."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(11):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                found.append((example.country_code, str(example.national_number)))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            found.append((code, str(example.national_number)))
    return found


EXAMPLES = _examples()


def test_every_example_number_is_valid_as_the_library_says() -> None:
    assert len(EXAMPLES) > 1000
    wrong = [(c, n) for c, n in EXAMPLES if _valid_national(c, n) != _library(c, n)]
    assert wrong == []
    assert sum(_valid_national(c, n) for c, n in EXAMPLES) > 1000


@pytest.mark.parametrize(
    ("code", "national", "valid"),
    [
        (44, "2071234567", True),  # London
        (44, "7624123456", True),  # the Isle of Man, one of +44's regions after GB
        (1, "6502530000", True),
        (1, "1234567890", False),  # no area code starts with 1
        (852, "91234567", True),
        (886, "912345678", True),
        (7, "7012345678", True),  # Kazakhstan, the second region of +7
        (800, "12345678", True),  # a non-geographic code
        (44, "20712345", False),  # too short
    ],
)
def test_known_numbers(code: int, national: str, valid: bool) -> None:
    assert _valid_national(code, national) is valid
    assert _library(code, national) is valid


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(CODES),
    st.from_regex(r"[1-9][0-9]{3,13}", fullmatch=True),
)
def test_any_number_agrees_with_the_library(code: int, national: str) -> None:
    assert _valid_national(code, national) == _library(code, national)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXAMPLES), st.integers(min_value=0, max_value=9), st.integers(0, 12))
def test_numbers_near_valid_ones_agree(example: tuple[int, str], digit: int, at: int) -> None:
    """A valid number with one digit changed, added or dropped: near the patterns' edges."""
    code, national = example
    at = min(at, len(national) - 1)
    for near in (
        national[:at] + str(digit) + national[at + 1 :],
        national[:at] + str(digit) + national[at:],
        national[:at] + national[at + 1 :],
    ):
        if near and near[0] != "0":
            assert _valid_national(code, near) == _library(code, near), near
