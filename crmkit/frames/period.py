"""Report periods: last week, this month … and the previous period to compare with; and the
as-of cut, the one rule for which rows a run as of a day knows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported when a cut is made: `crmkit --help` stays fast
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Period:
    """A closed range of days [since, until]."""

    since: date
    until: date

    @property
    def days(self) -> int:
        """How many days the period spans."""
        return (self.until - self.since).days + 1


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month(day: date) -> tuple[date, date]:
    end = _month_start(day) - timedelta(days=1)
    return _month_start(end), end


def resolve_period(
    as_of: date, name: str | None, since: date | None = None, until: date | None = None
) -> Period:
    """The period a run counts activity in: given days, else a named period relative to as_of."""
    if since is not None or until is not None:
        start = since or (until or as_of) - timedelta(days=6)
        return Period(start, until or as_of)
    monday = as_of - timedelta(days=as_of.weekday())
    if name == "this-week":
        return Period(monday, as_of)
    if name == "last-month":
        return Period(*_previous_month(as_of))
    if name == "this-month":
        return Period(_month_start(as_of), as_of)
    return Period(monday - timedelta(days=7), monday - timedelta(days=1))


def previous_period(period: Period) -> Period:
    """The period just before, of the same length (a calendar month before a calendar month)."""
    if period.since.day == 1 and (period.until + timedelta(days=1)).day == 1:
        return Period(*_previous_month(period.since))
    length = timedelta(days=period.days)
    return Period(period.since - length, period.until - length)


def on_record_mask(moments: pd.Series | np.ndarray, as_of: date) -> np.ndarray:
    """Which rows were on record by the end of `as_of`, from their dates (a boolean array).

    A row dated that day or before is on record; one dated later is not. A row with no date
    cannot be shown to be later, so it is on record too (every command reads it the same way).
    """
    import numpy as np
    import pandas as pd

    later = pd.to_datetime(moments) >= pd.Timestamp(as_of) + pd.Timedelta(days=1)
    if isinstance(later, pd.Series):  # nullable dtypes compare to <NA> where no date
        later = later.fillna(False)
    return ~np.asarray(later, dtype=bool)


def on_record(frame: pd.DataFrame | None, column: str, as_of: date) -> pd.DataFrame | None:
    """The rows of a frame on record by the end of `as_of` by their dates in `column`
    (`on_record_mask`: undated rows stay); the frame itself when it is None or has no such column."""
    if frame is None or column not in frame:
        return frame
    return frame[on_record_mask(frame[column], as_of)]
