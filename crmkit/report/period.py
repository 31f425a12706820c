"""Report periods: last week, this month … and the previous period to compare with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


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
