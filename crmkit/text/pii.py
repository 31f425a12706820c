"""Find personal data that must not be kept in a CRM workbook: national IDs and bank cards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_NATIONAL_ID = re.compile(r"(?<![0-9A-Za-z])([1-8]\d{16}[0-9Xx])(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9])([3-6]\d{3}(?:[ -]?\d){12,15})(?![0-9])")
# A cheap first look, applied to whole columns before the exact checks.
CANDIDATE_PATTERN = r"\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}"

PiiKind = Literal["national_id", "bank_card"]


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data found in a text: its kind and the characters as written."""

    kind: PiiKind
    text: str


def is_national_id(text: str) -> bool:
    """True for an 18-character mainland ID number with a real birth date and a valid check digit."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17].upper()


def is_bank_card(digits: str) -> bool:
    """True for 16–19 digits that pass the Luhn check."""
    if not 16 <= len(digits) <= 19 or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def find_pii(text: str) -> list[PiiMatch]:
    """Every national ID and bank-card number in a free text, in order."""
    found: list[PiiMatch] = []
    ids = set()
    for match in _NATIONAL_ID.finditer(text):
        if is_national_id(match.group(1)):
            found.append(PiiMatch("national_id", match.group(1)))
            ids.add(match.span(1))
    for match in _CARD.finditer(text):
        if match.span(1) in ids:
            continue
        digits = re.sub(r"[ -]", "", match.group(1))
        if is_bank_card(digits):
            found.append(PiiMatch("bank_card", match.group(1)))
    return found


def mask_pii(text: str) -> str:
    """The text with each national ID or bank-card number masked but for its last 4 characters."""
    if len(text) < 16:  # shorter text holds no ID (18) or card number (16-19): skip the search
        return text
    for match in find_pii(text):
        keep = match.text[-4:]
        text = text.replace(match.text, "*" * (len(match.text) - 4) + keep)
    return text


def mask_phone(phone: str) -> str:
    """A phone for a listing: 138****5678, 010-****5678; anything else all but its last 4 characters."""
    text = str(phone)
    if len(text) == 11 and text.isdigit():
        return f"{text[:3]}****{text[7:]}"
    if "-" in text:
        area, _, number = text.partition("-")
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    return "*" * max(len(text) - 4, 0) + text[-4:]
