"""Reading dates the way the contract allows, and the day arithmetic of the timeline.

All arithmetic is on calendar dates (no times, no time zones), so a daylight-saving change
can never shift a day.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from rehab.errors import RehabError

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
_YEAR = re.compile(r"\b\d{4}\b")
_WEEKDAY = re.compile(r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|rsday|urday)?\b\.?", re.IGNORECASE)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# Dates outside this span are typing mistakes, and near the ends of the calendar the day
# arithmetic (a year of milestones) would overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def local_today() -> date:
    """Today as the local calendar date."""
    return date.today()


def parse_date(text: str, today: date | None = None) -> date:
    return check_range(_parse(text, today), text)


def check_range(day: date, text: object) -> date:
    if not EARLIEST <= day <= LATEST:
        raise _outside(text)
    return day


def _outside(text: object) -> RehabError:
    return RehabError(f"{str(text).strip()!r} is outside the dates rehab works with ({EARLIEST.year}–{LATEST.year})")


def _parse(text: str, today: date | None = None) -> date:
    """A date from ISO, `today`, `yesterday`, or a form with a month name ("3 Mar 2026").

    All-numeric forms other than ISO (03/04/2026) are refused: they read differently in
    different countries, and a wrong day is worse than a refusal.
    """
    raw = str(text).strip()
    word = raw.lower()
    if word in ("today", "yesterday"):
        base = today or local_today()
        return base if word == "today" else base - timedelta(days=1)
    if _ISO.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise RehabError(f"{raw!r} is not a real date") from None
    if not _MONTH_WORD.search(raw):
        raise RehabError(
            f"cannot read the date {raw!r}: write it as YYYY-MM-DD (for example 2026-03-04)"
        )
    years = [int(y) for y in _YEAR.findall(raw)]
    if not years:
        raise RehabError(f"the date {raw!r} has no year: write it as YYYY-MM-DD")
    for year in years:
        # dateutil reads "0099" as 1999 and "0000" as 2000: check the year as written.
        if not EARLIEST.year <= year <= LATEST.year:
            raise _outside(raw)
    from datetime import datetime

    from dateutil import parser

    # Parse against two different defaults: if the results differ, a part of the date (day,
    # month or year) was missing and dateutil filled it in, which must never happen silently.
    try:
        first = parser.parse(raw, default=datetime(2000, 1, 1))
        second = parser.parse(raw, default=datetime(2001, 2, 2, 1, 1, 1))
    except (ValueError, OverflowError):
        raise RehabError(f"cannot read the date {raw!r}: write it as YYYY-MM-DD") from None
    if first.year not in years:  # the four digits were not the year dateutil settled on
        raise RehabError(f"cannot read the year of {raw!r}: write the date as YYYY-MM-DD")
    if first.date() != second.date():
        raise RehabError(f"the date {raw!r} is missing its day, month or year: write it as YYYY-MM-DD")
    if any(getattr(first, part) == getattr(second, part) for part in ("hour", "minute", "second")):
        raise RehabError(f"{raw!r} is a date and time; give the date only, as YYYY-MM-DD")
    named = _WEEKDAY.search(raw)
    if named and _WEEKDAYS.index(named.group(1).lower()[:3]) != first.weekday():
        # "Wed 3 Mar 2026": 3 March 2026 is a Tuesday; one of the two is a mistake.
        raise RehabError(f"{first:%-d %b %Y} is a {first:%A}, not {named.group(0)}: check the date")
    return first.date()


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    from dateutil.relativedelta import relativedelta

    return start + relativedelta(months=months)


_PLAN_DAY = re.compile(r"^(day|week)\s*(-?\d+)$", re.IGNORECASE)


def plan_day(text: str, surgery: date, option: str = "WHEN", today: date | None = None) -> int:
    """A plan day (WHEN, in `rehab plan`): a date in any accepted form, `day N` or `week N`
    (day 7N), as days after surgery. A day before surgery is refused."""
    raw = " ".join(str(text).split())
    match = _PLAN_DAY.match(raw)
    if match:
        number = int(match.group(2))
        if abs(number) > 36500:
            raise RehabError(f"{option} {raw!r} is too far from surgery")
        day = number * (7 if match.group(1).lower() == "week" else 1)
    else:
        day = (parse_date(raw, today) - surgery).days
    if day < 0:
        raise RehabError(f"{option} {raw!r} is before surgery ({surgery.isoformat()}): a plan starts on day 0")
    return day
