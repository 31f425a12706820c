"""Sales periods in a cell: a month (2024-09, 2024年9月), a quarter (2024Q3, 2024年第3季度) or a
year (2024, 2024年度), each with one canonical spelling, and the days a period spans.

Canonical spellings: month `2024-09`, quarter `2024Q3`, year `2024`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any, Literal

from crmkit.text.normalize import EMPTY, Normalized, is_empty

PeriodKind = Literal["month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")
CANONICAL_PERIOD = r"\d{4}(?:-(?:0[1-9]|1[0-2])|Q[1-4])?"
INVALID_REASON = "not a period: write a month 2024-09, a quarter 2024Q3 or a year 2024"

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十一": 11, "十二": 12}  # fmt: skip
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], 1) for name in names}  # fmt: skip
_NUMBER = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
_YEAR = re.compile(r"(?:fy)?(\d{4})(?:年度?|财年|年份)?")
_MONTH = re.compile(rf"(\d{{4}})(?:[-/.]|年)0?{_NUMBER}月?(?:份)?")
_MONTH_COMPACT = re.compile(r"(\d{4})(0[1-9]|1[0-2])")
_MONTH_WORD = re.compile(r"([a-z]+)\.?,?(\d{4})|(\d{4})[-/]?([a-z]+)")
_QUARTER = re.compile(
    r"(\d{4})(?:年|[-/.])?(?:第?([1-4一二三四])季度?|q([1-4]))"
    r"|q([1-4])[-/.]?(\d{4})"
    r"|(\d{4})(?:年|[-/.])?([1-4])q"
)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _DIGITS[text]


def _month(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1900 <= year <= 2100 else None


def _year(year: int) -> str | None:
    return f"{year:04d}" if 1900 <= year <= 2100 else None


def parse_period(text: str) -> str | None:
    """The canonical spelling of a period written as text, or None when it names none."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
    if match := _YEAR.fullmatch(folded):
        return _year(int(match.group(1)))
    if match := _MONTH.fullmatch(folded):
        return _month(int(match.group(1)), _number(match.group(2)))
    if match := _MONTH_COMPACT.fullmatch(folded):
        return _month(int(match.group(1)), int(match.group(2)))
    if match := _QUARTER.fullmatch(folded):
        groups = match.groups()
        year = groups[0] or groups[4] or groups[5]
        number = groups[1] or groups[2] or groups[3] or groups[6]
        valid = _year(int(year))
        return f"{valid}Q{_number(number)}" if valid else None
    if match := _MONTH_WORD.fullmatch(folded):
        word, year = (match.group(1), match.group(2)) if match.group(1) else match.group(4, 3)
        return _month(int(year), _MONTHS[word]) if word in _MONTHS else None
    return None


def normalize_period(value: Any) -> Normalized:
    """Normalize a 期间 cell: text as above, a year typed as a number (2024), or a date cell
    (Excel turns a typed 2024-09 into 2024-09-01), which stands for its month (a warning)."""
    if is_empty(value):
        return EMPTY
    if isinstance(value, bool):
        return Normalized(None, "invalid", INVALID_REASON)
    if isinstance(value, datetime | date):
        month = _month(value.year, value.month)
        if month is None:
            return Normalized(None, "invalid", INVALID_REASON)
        return Normalized(month, "warn", f"a date cell, read as the month {month}; type it as text")
    if isinstance(value, int | float):
        year = _year(int(value)) if float(value).is_integer() else None
        if year is None:
            return Normalized(None, "invalid", INVALID_REASON)
        return Normalized(year, "changed")
    text = str(value).strip()
    canonical = parse_period(text)
    if canonical is None:
        return Normalized(None, "invalid", INVALID_REASON)
    return Normalized(canonical, "ok" if canonical == text else "changed")


def period_kind(canonical: str) -> PeriodKind:
    """month, quarter or year, of a canonical period."""
    if "Q" in canonical:
        return "quarter"
    return "month" if "-" in canonical else "year"


def period_bounds(canonical: str) -> tuple[date, date]:
    """The first and last day of a canonical period (2024Q3 → 2024-07-01, 2024-09-30).

    Raises ValueError for a text that is not a canonical period.
    """
    if not re.fullmatch(CANONICAL_PERIOD, canonical):
        raise ValueError(f"{canonical!r} is not a canonical period")
    year = int(canonical[:4])
    kind = period_kind(canonical)
    if kind == "year":
        return date(year, 1, 1), date(year, 12, 31)
    first_month = int(canonical[5:]) if kind == "month" else 3 * int(canonical[5:]) - 2
    months = 1 if kind == "month" else 3
    start = date(year, first_month, 1)
    after = date(year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return start, after - timedelta(days=1)


def period_containing(day: date, kind: PeriodKind) -> str:
    """The canonical period of a kind that contains a day (2024-09-02, quarter → 2024Q3)."""
    if kind == "year":
        return f"{day.year:04d}"
    if kind == "quarter":
        return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}-{day.month:02d}"
