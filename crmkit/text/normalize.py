"""Pure normalizers for one cell: phone, date, text, email, number, id and option values.

Each returns a `Normalized`: the canonical value and a status saying whether the cell was
already canonical (ok), silently reformatted (changed), valid only after normalization
(warn: a phone stored as a number, a date stored as text) or impossible to fix (invalid).
They never raise on any input.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Concatenate, Literal, ParamSpec

import phonenumbers
from rapidfuzz import fuzz, process

Status = Literal["empty", "ok", "changed", "warn", "invalid"]


@dataclass(frozen=True, slots=True)
class Normalized:
    """The canonical form of one cell, how it got there and, for warn/invalid, why."""

    value: Any
    status: Status
    reason: str = ""
    others: tuple[str, ...] = ()  # a cell holding several phones: those after the first


EMPTY = Normalized(None, "empty")
_P = ParamSpec("_P")


def is_empty(value: Any) -> bool:
    """True for None, NaN/NaT and strings that hold only white space."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value != value)  # NaT, pd.NA and numpy NaN compare unequal to themselves
    except (TypeError, ValueError):
        return False


def _number_text(value: Any) -> str | None:
    """The digits of an integral number cell (13812345678.0 -> '13812345678'), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalar
        return _number_text(value.item())
    return None


# ---------------------------------------------------------------- invisible characters, ="…"

# Characters a user cannot see in a cell, copied in from web pages, chat apps and PDFs. They break
# matching (an option, a header, an e-mail) with nothing visible to fix: removed with a warning,
# the no-break spaces turned into plain spaces.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_NO_BREAK = "\u00a0\u2007\u202f"
HIDDEN_CHARACTERS = _ZERO_WIDTH + _NO_BREAK
_HIDDEN = re.compile(f"[{HIDDEN_CHARACTERS}]")
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]")
_NO_BREAK_RE = re.compile(f"[{_NO_BREAK}]")
_HIDDEN_NAMES = {
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "byte-order mark",
    "\u00ad": "soft hyphen",
    "\u00a0": "no-break space, now a space",
    "\u2007": "figure space, now a space",
    "\u202f": "narrow no-break space, now a space",
}
# ="CRM001": what Excel users type (and some CRMs export) to keep a value as text.
_EXCEL_TEXT = re.compile(r'=\s*"(.*)"', re.DOTALL)


def strip_invisible(text: str) -> str:
    """`text` without zero-width characters, its no-break spaces turned into plain spaces."""
    return _NO_BREAK_RE.sub(" ", _ZERO_WIDTH_RE.sub("", text))


def invisible_note(text: str) -> str:
    """What a warning says of the invisible characters in `text` ("" when it has none)."""
    return _hidden_note(text) if _HIDDEN.search(text) else ""


def _hidden_note(text: str) -> str:
    found = sorted(set(_HIDDEN.findall(text)))
    names = ", ".join(f"U+{ord(c):04X} {_HIDDEN_NAMES[c]}" for c in found)
    return f"removed invisible characters ({names})"


def _unwrap_excel_text(text: str) -> str | None:
    match = _EXCEL_TEXT.fullmatch(text.strip())
    return match.group(1).replace('""', '"') if match else None


def _seen(value: Any) -> tuple[Any, str]:
    """A cell as its user sees it: a text cell without invisible characters or a ="…" wrapper
    (the cell itself, the very object, when it has neither); and what a warning says of the
    invisible characters removed ("" when none)."""
    if not isinstance(value, str):
        return value, ""
    note = ""
    text = value
    if _HIDDEN.search(text):
        note = _hidden_note(text)
        text = strip_invisible(text)
    inner = _unwrap_excel_text(text) if "=" in text else None
    return (text if inner is None else inner), note


def _visible(
    function: Callable[Concatenate[Any, _P], Normalized],
) -> Callable[Concatenate[Any, _P], Normalized]:
    """Let a cell normalizer see a text cell without invisible characters or a ="…" wrapper.

    Invisible characters removed make the cell a warning (saying which); a ="…" wrapper taken
    off is a change.
    """

    @functools.wraps(function)
    def wrapper(value: Any, /, *args: _P.args, **kwargs: _P.kwargs) -> Normalized:
        text, note = _seen(value)
        if text is value:
            return function(value, *args, **kwargs)
        result = function(text, *args, **kwargs)
        if not note:
            if result.status == "ok":
                return replace(result, status="changed")
            return result
        if result.status in ("ok", "changed"):
            return replace(result, status="warn", reason=note)
        if result.status in ("warn", "invalid"):
            return replace(result, reason=f"{result.reason}; {note}")
        return result

    return wrapper


# ---------------------------------------------------------------- text

_WIDE_ALNUM = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    0x3000: ord(" "),
}
_SPACES = re.compile(r"\s+")


@_visible
def normalize_text(value: Any, *, strict: bool = True) -> Normalized:
    """Trim a text cell; `strict` (names, ids, options) also applies NFKC and folds inner spaces.

    Free text (strict=False) only turns full-width letters and digits into half-width ones, so
    that Chinese punctuation in a note stays as the user wrote it.
    """
    if is_empty(value):
        return EMPTY
    number = _number_text(value)
    raw = number if number is not None else str(value)
    if strict:
        text = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
    else:
        text = raw.translate(_WIDE_ALNUM).strip()
    if not text:
        return EMPTY
    return Normalized(text, "ok" if text == value else "changed")


@_visible
def normalize_id(value: Any) -> Normalized:
    """Normalize an identifier such as a 客户编号: NFKC, no spaces, upper case."""
    result = normalize_text(value)
    if result.status == "empty":
        return result
    text = unicodedata.normalize("NFKC", result.value.replace(" ", "").upper())
    return Normalized(text, "ok" if text == value else "changed")


# ---------------------------------------------------------------- phone

# A mainland mobile, and what people type between a phone's digits: the patterns as text are
# shared with the column-wise fast path (frames/columns.py), which runs them in Arrow.
MOBILE_PATTERN = r"1[3-9]\d{9}"
PHONE_NOISE_PATTERN = r"[\s\-‐‑–—()（）.·]"
_MOBILE = re.compile(MOBILE_PATTERN)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_FLOAT_TEXT = re.compile(r"(\d+)\.0+")
_PHONE_NOISE = re.compile(PHONE_NOISE_PATTERN)
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_MANY_PHONES = re.compile(r"\d{5,}\s*(?:[/,;、|]|或)\s*[+(]?\d[\d\s\-()]{4,}")
_PHONE_SEPARATOR = re.compile(r"\s*(?:[/,;、|]|或)\s*")
_SPACED_MOBILES = re.compile(r"1[3-9]\d{9}(?:\s+1[3-9]\d{9})+")
_SHORT_LANDLINE = re.compile(r"[2-9]\d{6,7}")
# A number with a label before or a note after it: 手机：138…, 138… 微信同号, 138…(微信).
_PHONE_IN_TEXT = re.compile(
    r"(?P<label>[^\d+(]*?)[\s:]*"
    r"(?P<number>[+(]?\d(?:[\d\s\-‐‑–—()（）.·]*\d)?(?:\s*(?:转|分机|ext\.?|x|#)\s*\d{1,6})?)"
    r"(?P<note>\D*)",
    re.IGNORECASE,
)
_NOTE_TRIM = " \t()（）[]【】:-–—,;、"
# A landline whose extension follows a dash: 010-62345678-8001, (0755)86001234-801.
_DASH_EXTENSION = re.compile(
    r"(?P<main>(?:\+?86[\s\-]?)?\(?0\d{2,3}\)?[\s\-‐‑–—]?[2-9]\d{6,7})[\s\-‐‑–—]+(?P<ext>\d{1,6})"
)


@_visible
def normalize_phone(value: Any, *, default_area_code: str = "") -> Normalized:
    """Normalize a Chinese phone number, or each of the phones a cell holds.

    Mobiles become 11 digits (13812345678); landlines 0 + area code + '-' + number
    (010-12345678, with 转 and the extension if any: 010-62345678-8001 → 010-62345678转8001);
    other countries E.164. A number cell (13812345678.0) is valid with a warning; scientific
    notation (1.38123E+10) has lost its last digits and is invalid, never guessed. A landline
    without an area code is invalid unless `default_area_code` is given. A note beside the
    number (13812345678 微信同号) is left out with a warning. A cell holding several phones
    (13812345678/010-62345678) is valid when each is, with a warning; its value is the first,
    its `others` the rest (`phone_numbers` gives every valid phone of any cell).
    """
    parts = _phone_parts(value, default_area_code)
    if isinstance(parts, Normalized):
        return parts
    if len(parts) == 1:
        return parts[0]
    count = len(parts)
    for result in parts:
        if result.status == "invalid":
            reason = f"{result.reason} (the cell holds {count} phones; each must be valid)"
            return Normalized(None, "invalid", reason)
    numbers = ", ".join(str(r.value) for r in parts)
    notes = "".join(f"; {r.reason}" for r in parts if r.reason)
    reason = (
        f"the cell holds {count} phones ({numbers}); "
        f"clean keeps the first here and moves the others to the other phones column{notes}"
    )
    # The same number written twice (13812345678/13812345678) is one phone, not another.
    others = tuple(dict.fromkeys(str(r.value) for r in parts[1:] if r.value != parts[0].value))
    return Normalized(parts[0].value, "warn", reason, others)


def phone_numbers(value: Any, *, default_area_code: str = "") -> list[str]:
    """Every valid phone a cell holds, normalized as `normalize_phone` does (first one first)."""
    parts = _phone_parts(_seen(value)[0], default_area_code)
    if isinstance(parts, Normalized):
        return [parts.value] if parts.value is not None else []
    return [str(r.value) for r in parts if r.status != "invalid" and r.value is not None]


def _phone_text(value: Any) -> str:
    number = _number_text(value)
    return number if number is not None else unicodedata.normalize("NFKC", str(value)).strip()


def _split_phones(text: str) -> list[str]:
    """The phones of a cell's text: one, or each of several separated by / , ; 、 | 或 or spaces."""
    if _SPACED_MOBILES.fullmatch(text):
        return text.split()
    if not _MANY_PHONES.search(text):
        return [text]
    parts = [p for p in _PHONE_SEPARATOR.split(text) if p.strip()]
    return parts if len(parts) > 1 else [text]


def _phone_parts(value: Any, default_area_code: str) -> Normalized | list[Normalized]:
    """The result for a whole cell (empty, number cell, lost digits), or one per phone it holds."""
    if is_empty(value):
        return EMPTY
    number = _number_text(value)
    if number is not None:
        warning = "phone stored as a number; format the column as text"
        return [_read_phone(number, value, warning, default_area_code)]
    if isinstance(value, float | int):
        return Normalized(None, "invalid", "not a phone number")
    text = _phone_text(value)
    if _SCIENTIFIC.fullmatch(text):
        return Normalized(
            None,
            "invalid",
            f"phone in scientific notation ({text}) has lost its last digits; "
            "retype the full number",
        )
    float_text = _FLOAT_TEXT.fullmatch(text)
    if float_text:
        warning = "phone stored as a number (ends in .0); format the column as text"
        return [_read_phone(float_text.group(1), value, warning, default_area_code)]
    parts = _split_phones(text)
    if len(parts) == 1:
        return [_read_phone(text, value, "", default_area_code)]
    return [_read_phone(part, part, "", default_area_code) for part in parts]


def _read_phone(text: str, value: Any, warning: str, default_area_code: str) -> Normalized:
    """One phone, with perhaps a label or a note beside it; `value` is the cell it came from."""
    found = _PHONE_IN_TEXT.fullmatch(text)
    if found:
        beside = " ".join(
            t for t in (found["label"].strip(_NOTE_TRIM), found["note"].strip(_NOTE_TRIM)) if t
        )
        if beside:
            text = found["number"]
            note = f"text beside the phone number ({beside}) is not kept"
            warning = f"{warning}; {note}" if warning else note
    extension = ""
    dashed = _DASH_EXTENSION.fullmatch(text)
    if dashed:
        text, extension = dashed["main"], dashed["ext"]
    compact = _PHONE_NOISE.sub("", text)
    digits = compact
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE.fullmatch(digits) and not extension:
        return _phone_result(digits, value, warning)
    if extension:
        compact = f"{compact}转{extension}"
    return _normalize_other_phone(text, compact, value, warning, default_area_code)


def _phone_result(canonical: str, value: Any, warning: str) -> Normalized:
    if warning:
        return Normalized(canonical, "warn", warning)
    return Normalized(canonical, "ok" if canonical == value else "changed")


def _normalize_other_phone(
    text: str, compact: str, value: Any, warning: str, default_area_code: str
) -> Normalized:
    extension = ""
    match = _EXTENSION.search(compact)
    if match:
        extension = match.group(1)
        compact = compact[: match.start()]
        text = compact
    if _SHORT_LANDLINE.fullmatch(compact):
        if not default_area_code:
            return Normalized(
                None,
                "invalid",
                "landline without an area code; write it as 010-12345678",
            )
        text = default_area_code + compact
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return Normalized(None, "invalid", f"{text} is not a phone number")
    if not phonenumbers.is_valid_number(parsed):
        return Normalized(None, "invalid", f"{text} is not a valid phone number")
    if parsed.country_code != 86:
        canonical = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    else:
        national = phonenumbers.national_significant_number(parsed)
        area = phonenumbers.length_of_geographical_area_code(parsed)
        canonical = f"0{national[:area]}-{national[area:]}" if area else national
    if extension:
        canonical = f"{canonical}转{extension}"
    return _phone_result(canonical, value, warning)


def kept_as_written(e164: str) -> bool:
    """True when `e164` (+ and digits, as a column fast path finds it) is a valid number of
    another country than China that normalize_phone keeps as it is written ('ok').

    The number phonenumbers' parse would read is built directly — parse took most of the time
    of a column of such numbers — where parse could read it no other way: the country code
    found as parse finds it (the shortest known prefix), a national number without a leading
    0 or a national prefix parse might strip, a geographic region. Anything else is False and
    left to normalize_phone.
    """
    digits = e164[1:]
    for size in range(1, min(len(digits), 3) + 1):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return False
    national = digits[size:]
    if code == 86 or not national or national[0] == "0":
        return False
    region = phonenumbers.region_code_for_country_code(code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:  # a non-geographic code (+800 …)
        return False
    prefix = metadata.national_prefix_for_parsing
    if prefix and re.match(prefix, national):
        return False
    return _valid_national(code, national)


# phonenumbers' descriptions of a region's numbers, in the order its _number_type_helper
# tries them: any one matching makes a number valid (its type not UNKNOWN).
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
          "uan", "voicemail", "fixed_line", "mobile")  # fmt: skip


@dataclass(frozen=True)
class _Desc:
    lengths: frozenset[int]  # empty: any length
    pattern: re.Pattern[str]

    def matches(self, national: str) -> bool:
        if self.lengths and len(national) not in self.lengths:
            return False
        return self.pattern.fullmatch(national) is not None


@dataclass(frozen=True)
class _Region:
    leading: re.Pattern[str] | None
    general: _Desc | None
    types: tuple[_Desc, ...]

    def valid(self, national: str) -> bool:
        return (
            self.general is not None
            and self.general.matches(national)
            and any(desc.matches(national) for desc in self.types)
        )


@functools.cache
def _region(name: str, code: int) -> _Region | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, name)
    if metadata is None:
        return None

    def desc(one: Any) -> _Desc | None:
        if one is None or not one.national_number_pattern:
            return None
        return _Desc(frozenset(one.possible_length), re.compile(one.national_number_pattern))

    types = tuple(d for d in (desc(getattr(metadata, t)) for t in _TYPES) if d is not None)
    leading = re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None
    return _Region(leading, desc(metadata.general_desc), types)


def _valid_national(code: int, national: str) -> bool:
    """phonenumbers.is_valid_number of +`code` `national` (no leading 0), with each region's
    patterns compiled once: phonenumbers looks every pattern up again for every number, which
    took 0.1 ms a number. Its rules: the region is the only one of the code, or the first of
    its regions whose leading digits start the number or, without leading digits, whose
    descriptions the number matches; valid when it matches the region's general description
    and one of its number types."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ())
    if len(regions) == 1:
        region = _region(regions[0], code)
        return region is not None and region.valid(national)
    for name in regions:
        region = _region(name, code)
        if region is None:
            continue
        if region.leading is not None:
            if region.leading.match(national):
                return region.valid(national)
        elif region.valid(national):
            return True
    return False


# ---------------------------------------------------------------- dates

_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:(?:\s+|T|\s*)(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?(?:\s*[:]?\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
# 06/15/2024 (US CRM exports) or 15/06/2024: read only when one reading is possible.
_YEAR_LAST = re.compile(
    r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_SERIAL = re.compile(r"\d{4,6}(?:\.\d+)?")
_SMALL_NUMBER = re.compile(r"\d{1,3}(?:\.\d+)?")
# The forms Excel and WPS write for a date cell saved as CSV, and ISO 8601: not a warning.
_PLAIN_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\d{4}/\d{1,2}/\d{1,2}(?: \d{1,2}:\d{2}(?::\d{2})?)?"
)
_EXCEL_EPOCH = datetime(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass(frozen=True, slots=True)
class SerialDates:
    """The dates a number in a date column may stand for as an Excel serial date.

    A number outside (a year alone, 3.1) is not a date: an error, never a 1900s date. Set in
    crmkit.toml by `[dates] serial_from` and `serial_until`.
    """

    first: date = date(1990, 1, 1)
    last: date = date(2100, 12, 31)

    def describe(self) -> str:
        """The range as a message shows it."""
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    def holds(self, moment: datetime) -> bool:
        """Whether a moment falls on a day of the range."""
        return self.first <= moment.date() <= self.last


SERIAL_DATES = SerialDates()
_SERIAL_KEYS = "dates.serial_from / dates.serial_until in crmkit.toml"


def format_datetime(moment: datetime) -> str:
    """ISO text of a moment: a date alone when it has no time of day, else to the minute."""
    if moment.time() == time(0, 0):
        return moment.strftime("%Y-%m-%d")
    if moment.second:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M")


@_visible
def normalize_datetime(
    value: Any, *, text_is_native: bool = True, serial_dates: SerialDates = SERIAL_DATES
) -> Normalized:
    """Normalize a date or date-time cell to ISO text (2024-03-10 or 2024-03-10 14:00).

    Accepts date cells, Excel serial numbers within `serial_dates` (with a warning), 2024/3/10,
    2024-03-10 14:00, 2024年3月10日 and 20240310 (text or number). `text_is_native` says whether
    plain text is how this file stores dates (CSV); in a workbook a date typed as text is valid
    with a warning. An impossible date (2024-02-30) and a number outside `serial_dates` (2024,
    3.1) are invalid.
    """
    if is_empty(value):
        return EMPTY
    if isinstance(value, datetime):
        # A workbook's date cell is an Excel serial: 14:00 can arrive as 13:59:59.997.
        return _date_result(_nearest_second(value.replace(tzinfo=None)), "")
    if isinstance(value, date):
        return _date_result(datetime(value.year, value.month, value.day), "")
    if isinstance(value, time):
        return Normalized(None, "invalid", "a time of day without a date")
    if isinstance(value, bool):
        return Normalized(None, "invalid", "not a date")
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalar
        value = value.item()
    if isinstance(value, int | float):
        digits = _number_text(value) or ""
        compact = _COMPACT_DATE.fullmatch(digits)
        if compact and MIN_YEAR <= int(compact.group(1)) <= MAX_YEAR:
            year, month, day = (int(p) for p in compact.groups())
            warning = f"date stored as a number ({digits}); valid after normalization"
            return _build_date(year, month, day, 0, 0, 0, warning=warning, text=digits)
        return _from_serial(float(value), serial_dates)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    native = text_is_native and bool(_PLAIN_DATE.fullmatch(text))
    warning = "" if native else f"date stored as text ({text}); valid after normalization"
    match = _DATE.fullmatch(text)
    if match:
        parts = [int(p) if p else 0 for p in match.groups()]
        return _build_date(*parts, warning=warning, text=text)
    match = _COMPACT_DATE.fullmatch(text)
    if match:
        year, month, day = (int(p) for p in match.groups())
        return _build_date(year, month, day, 0, 0, 0, warning=warning, text=text)
    match = _YEAR_LAST.fullmatch(text)
    if match:
        return _year_last(match, text)
    if _SERIAL.fullmatch(text) or _SMALL_NUMBER.fullmatch(text):
        return _from_serial(float(text), serial_dates)
    return Normalized(None, "invalid", "not a date")


def _year_last(match: re.Match[str], text: str) -> Normalized:
    """A date written day and month before the year: month first (06/15/2024) or day first
    (15/06/2024) when only one of the two is a date; refused when both are."""
    first, second, year = (int(p) for p in match.groups()[:3])
    clock = [int(p) if p else 0 for p in match.groups()[3:]]
    if first <= 12 and second <= 12 and first != second:
        return Normalized(
            None,
            "invalid",
            f"ambiguous date ({text}): day {first} of month {second}, or month {first} day "
            f"{second}? write it as {year}-MM-DD",
        )
    month, day = (first, second) if second > 12 or first <= 12 else (second, first)
    order = "month first" if (month, day) == (first, second) else "day first"
    warning = f"date written {order} ({text}); valid after normalization"
    return _build_date(year, month, day, *clock, warning=warning, text=text)


def _build_date(
    year: int, month: int, day: int, hour: int, minute: int, second: int, *, warning: str, text: str
) -> Normalized:
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return Normalized(None, "invalid", f"impossible date ({text})")
    return _date_result(moment, warning)


def _from_serial(serial: float, serial_dates: SerialDates) -> Normalized:
    shown = f"{serial:g}" if abs(serial) < 1e15 else str(serial)
    moment = None
    if math.isfinite(serial) and 1 <= serial < 2958466:
        # To the nearest second: 45372.5833333 is 14:00, not 13:59:59.997 cut to 13:59:59.
        moment = _EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))
    if moment is None or not serial_dates.holds(moment):
        year = (
            " (a year alone is not a date; write the full date)" if 1900 <= serial <= 2100 else ""
        )
        return Normalized(
            None,
            "invalid",
            f"{shown} is not a date{year}: a number is read as an Excel serial date only "
            f"from {serial_dates.describe()} ({_SERIAL_KEYS})",
        )
    warning = (
        f"date stored as an Excel serial number ({shown} = {format_datetime(moment)}; "
        f"numbers are read as dates from {serial_dates.describe()})"
    )
    return _date_result(moment, warning)


def _nearest_second(moment: datetime) -> datetime:
    """A moment rounded to the nearest second (cut when rounding up would pass year 9999)."""
    whole = moment.replace(microsecond=0)
    if moment.microsecond < 500_000 or whole == datetime.max.replace(microsecond=0):
        return whole
    return whole + timedelta(seconds=1)


def _date_result(moment: datetime, warning: str) -> Normalized:
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return Normalized(None, "invalid", f"implausible year {moment.year}")
    canonical = format_datetime(moment)
    if warning:
        return Normalized(canonical, "warn", warning)
    return Normalized(canonical, "ok")


# ---------------------------------------------------------------- email, number

_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)


@_visible
def normalize_email(value: Any) -> Normalized:
    """Normalize an e-mail address: NFKC (full-width ＠ and letters), trimmed, lower case."""
    if is_empty(value):
        return EMPTY
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not _EMAIL.fullmatch(text):
        return Normalized(None, "invalid", f"{text} is not a valid e-mail address")
    canonical = text.lower()
    return Normalized(canonical, "ok" if canonical == value else "changed")


_MONEY_NOISE = re.compile(r"[,\s¥￥元]|RMB|CNY", re.IGNORECASE)
_MONEY = re.compile(r"([+-]?\d+(?:\.\d+)?)(万|亿|w|k)?", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MULTIPLIERS = {"万": 1e4, "w": 1e4, "亿": 1e8, "k": 1e3}


@_visible
def normalize_number(value: Any) -> Normalized:
    """Normalize an amount: numbers as they are; text like 10,000 / ¥5000 / 12.5万 / 30k."""
    if is_empty(value):
        return EMPTY
    if isinstance(value, bool):
        return Normalized(None, "invalid", "not a number")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return Normalized(None, "invalid", "not a number")
        return Normalized(float(value), "ok")
    text = _MONEY_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
    match = _MONEY.fullmatch(text)
    if not match:
        return Normalized(None, "invalid", "not a number")
    amount = float(match.group(1)) * _MULTIPLIERS.get((match.group(2) or "").lower(), 1.0)
    return Normalized(amount, "ok" if _PLAIN_NUMBER.fullmatch(str(value)) else "changed")


# ---------------------------------------------------------------- options


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (opencc, offline)."""
    return str(_t2s().convert(text))


def option_key(text: str) -> str:
    """The key two spellings of one option share: NFKC, 繁→简, no spaces, case-folded."""
    folded = unicodedata.normalize("NFKC", text)
    return to_simplified(_SPACES.sub("", folded)).casefold()


class OptionIndex:
    """The allowed values of an option field, looked up by `option_key`, with synonyms."""

    def __init__(self, options: Iterable[str], synonyms: Mapping[str, str] | None = None):
        self.options = list(options)
        self._lookup = {option_key(o): o for o in self.options}
        for alias, target in (synonyms or {}).items():
            self._lookup.setdefault(option_key(alias), target)

    def find(self, text: str) -> str | None:
        """The option `text` spells, or None."""
        return self._lookup.get(option_key(text))

    def suggest(self, text: str) -> str | None:
        """The closest option to a value that is not one (rapidfuzz), when close enough."""
        best = process.extractOne(option_key(text), list(self._lookup), scorer=fuzz.ratio)
        if best is None or best[1] < 60:
            return None
        return self._lookup[best[0]]


@_visible
def normalize_option(value: Any, index: OptionIndex) -> Normalized:
    """Map a cell to one of the allowed options (any width, 繁體 or synonym); else invalid."""
    if is_empty(value):
        return EMPTY
    text = str(value).strip()
    found = index.find(text)
    if found is not None:
        return Normalized(found, "ok" if found == value else "changed")
    suggestion = index.suggest(text)
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    return Normalized(None, "invalid", f"{text} is not one of the allowed values{hint}")


_ARROW = re.compile(r"\s*(?:→|->|=>|—>|－>|⇒|➝|至)\s*")


@_visible
def normalize_transition(value: Any, index: OptionIndex) -> Normalized:
    """Normalize a status that is an option or a change `A→B` (also ->, =>) between options."""
    if is_empty(value):
        return EMPTY
    parts = _ARROW.split(unicodedata.normalize("NFKC", str(value)).strip())
    if len(parts) > 2:
        return Normalized(None, "invalid", "more than one arrow; write A→B")
    found = [index.find(p) for p in parts]
    if any(f is None for f in found):
        bad = next(p for p, f in zip(parts, found, strict=True) if f is None)
        suggestion = index.suggest(bad)
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        return Normalized(
            None, "invalid", f"{bad or '(empty)'} is not one of the allowed values{hint}"
        )
    canonical = "→".join(str(f) for f in found)
    return Normalized(canonical, "ok" if canonical == value else "changed")
