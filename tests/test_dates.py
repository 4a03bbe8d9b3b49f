"""Reading dates (contract: Input values) and calendar-month arithmetic (contract: Time)."""

from __future__ import annotations

from datetime import date

import pytest

from rehab.dates import add_months, parse_date
from rehab.wording import date_label
from rehab.errors import RehabError

# A fixed "today" so that relative words never depend on when the suite runs.
TODAY = date(2026, 5, 17)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-04", "2026-03-04"),
        ("  2026-03-04  ", "2026-03-04"),
        ("2028-02-29", "2028-02-29"),
        ("3 Mar 2026", "2026-03-03"),
        ("3 mar 2026", "2026-03-03"),
        ("3 March 2026", "2026-03-03"),
        ("March 3, 2026", "2026-03-03"),
        ("Mar 3 2026", "2026-03-03"),
        ("29 Feb 2028", "2028-02-29"),
        ("31 December 2026", "2026-12-31"),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_date(text, TODAY).isoformat() == expected


@pytest.mark.parametrize(
    ("word", "today", "expected"),
    [
        ("today", date(2026, 5, 17), "2026-05-17"),
        ("TODAY", date(2026, 5, 17), "2026-05-17"),
        (" Today ", date(2026, 5, 17), "2026-05-17"),
        ("yesterday", date(2026, 5, 17), "2026-05-16"),
        ("Yesterday", date(2026, 5, 17), "2026-05-16"),
        # 1 March: the day before is 29 Feb in a leap year, 28 Feb otherwise.
        ("yesterday", date(2028, 3, 1), "2028-02-29"),
        ("yesterday", date(2026, 3, 1), "2026-02-28"),
        ("yesterday", date(2100, 3, 1), "2100-02-28"),  # not a leap year (century rule)
        ("yesterday", date(2000, 3, 1), "2000-02-29"),  # a leap year (400 rule)
        ("yesterday", date(2027, 1, 1), "2026-12-31"),
        ("today", date(2028, 2, 29), "2028-02-29"),
    ],
)
def test_relative_words_count_from_the_given_today(word, today, expected):
    assert parse_date(word, today).isoformat() == expected


def test_relative_words_without_a_given_today_use_the_local_date():
    assert parse_date("today") == date.today()
    assert (date.today() - parse_date("yesterday")).days == 1


@pytest.mark.parametrize(
    "text",
    [
        "03/04/2026",  # 3 April or 4 March?
        "3/4/26",
        "2026/03/04",  # all-numeric and not ISO: the contract refuses it too
        "4.3.2026",
        "04-03-2026",
        "20260304",
        "2026-3-4",
        "",
        "   ",
        "bogus",
        "3 Mar",  # no year
        "March 3",  # no year
        "3 Mar 26",  # two-digit year
        "Mar 2026",  # no day: must not quietly take today's day of the month
        "March 2026",
        "Mar 2026 00:00",  # a time's digits are not a day either
        "Mar 2026 12am",
        "3 Mar 2026 10:00",  # a time is not a date
        "2026-03-04T00:00",
        "31 Feb 2026",
        "29 Feb 2027",
    ],
)
def test_refused_with_a_hint_to_write_iso(text):
    with pytest.raises(RehabError) as caught:
        parse_date(text, TODAY)
    message = str(caught.value)
    assert "YYYY-MM-DD" in message
    assert repr(text.strip()) in message  # the refusal shows what was typed


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2027-02-29", "2026-04-31", "2026-00-10"])
def test_iso_shaped_but_not_a_real_date(text):
    with pytest.raises(RehabError) as caught:
        parse_date(text, TODAY)
    assert text in str(caught.value)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-08-31", 6, "2027-02-28"),
        ("2027-08-31", 6, "2028-02-29"),  # leap year
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-01-31", 2, "2026-03-31"),  # clamping does not carry into later months
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-05-31", 6, "2026-11-30"),
        ("2026-12-31", 6, "2027-06-30"),
        ("2026-12-31", 12, "2027-12-31"),
        ("2026-10-31", 4, "2027-02-28"),
        ("2028-02-29", 6, "2028-08-29"),
        ("2028-02-29", 12, "2029-02-28"),
        ("2028-02-29", 48, "2032-02-29"),
        ("2026-03-29", 6, "2026-09-29"),
        ("2026-05-15", 0, "2026-05-15"),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(date.fromisoformat(start), months).isoformat() == expected


@pytest.mark.parametrize(
    ("day", "name"),
    [("2026-03-01", "Sun"), ("2026-03-04", "Wed"), ("2028-02-29", "Tue"), ("2026-12-31", "Thu")],
)
def test_printed_dates_carry_the_right_weekday(day, name):
    assert date_label(date.fromisoformat(day)).split()[0] == name


def test_a_weekday_that_does_not_match_the_date_is_refused():
    assert parse_date("Tue 3 Mar 2026") == date(2026, 3, 3)
    assert parse_date("Tuesday, March 3, 2026") == date(2026, 3, 3)
    with pytest.raises(RehabError, match="Tuesday"):
        parse_date("Wed 3 Mar 2026")
