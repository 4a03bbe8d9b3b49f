"""What the terminal views show, at the widths people use (60, 80 and 120 columns): phone
numbers kept whole, the red-flag panel as wide as the rest, who acknowledged a flag and why,
the Fahrenheit hint, history's temperature, swelling and exercises, corrected days, and the
plan's changes listed without a word or a date cut."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import ok, one_line, snapshot
from rehab.render import terminal

TODAY = date.today()
SURGERY = TODAY - timedelta(days=20)
WIDTHS = [60, 80, 120]
PHONES = ("020 7946 0000", "020 7946 0999")


def on(day: int) -> str:
    return (SURGERY + timedelta(days=day)).isoformat()


@pytest.fixture
def patient(rehab):
    ok(rehab("patient", "add", "Ann Lee", "--surgery-date", SURGERY.isoformat(), "--procedure",
             "os-trigonum-excision"))
    return "ann-lee"


def log(rehab, day: int, *extra, pain="3", wb="partial"):
    return rehab("log", "--date", on(day), "--pain", pain, "--wb", wb, *extra)


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


# --- phone numbers stay whole -------------------------------------------------------------


@pytest.mark.parametrize("width", [30, 40, 57, 60, 61, 64, 80, 120])
def test_a_phone_number_is_never_broken_across_lines(width):
    text = ("If you cannot reach them, call the out-of-hours number, 020 7946 0999; if it gets worse "
            "quickly, call emergency services (999 / 112 / 911). Or +44 (0)20 7946 0000.")
    shown = terminal.plain_text(lambda out: out.print(terminal.Message(text, style="bold")), width)
    lines = shown.splitlines()
    for number in ("020 7946 0999", "999 / 112 / 911", "+44 (0)20 7946 0000"):
        assert sum(number in line for line in lines) == 1, (number, shown)
    assert " ".join(shown.split()) == text  # nothing lost, nothing added (no stray placeholder)
    assert widest(shown) <= width


def test_dates_and_temperatures_still_wrap_as_words():
    text = "Day 4 (Fri 5 Jun 2026) 38.0 °C, then 2026-06-04 2026-06-05 " * 3
    shown = terminal.plain_text(lambda out: out.print(terminal.Message(text)), 24)
    assert widest(shown) <= 24 and " ".join(shown.split()) == text.strip()


@pytest.mark.parametrize("day", [2, 19])  # (day 2 at 80 columns is the break first reported)
@pytest.mark.parametrize("width", WIDTHS)
def test_log_and_today_keep_the_clinic_numbers_on_one_line(rehab, patient, clinic, monkeypatch, width, day):
    monkeypatch.setenv("COLUMNS", str(width))
    logged = ok(log(rehab, day, "--temperature", "38.0")).stdout
    today = ok(rehab("today")).stdout
    flags = ok(rehab("flags")).stdout
    for shown in (logged, today, flags):
        assert widest(shown) <= width
        for number in PHONES:
            assert shown.count(number) == " ".join(shown.replace("│", " ").split()).count(number) > 0, shown


@pytest.mark.parametrize("width", WIDTHS)
def test_the_get_help_now_panel_is_as_wide_as_the_terminal(rehab, patient, clinic, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    ok(log(rehab, 20, "--symptom", "calf-pain"))
    lines = ok(rehab("today")).stdout.splitlines()
    top = next(line for line in lines if "GET HELP NOW" in line)
    assert top.startswith("╭") and len(top) == width
    assert all(len(line) == width for line in lines if line.startswith("│"))


# --- flags: who acknowledged and why ------------------------------------------------------


def test_flags_says_who_acknowledged_a_flag_and_why(rehab, patient, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    ok(log(rehab, 5, "--temperature", "38.0"))
    note = "Seen in clinic, scan negative [bold]not markup[/bold] :smile:"
    ok(rehab("flags", "ack", "red-flag", "--date", on(5), "--note", note, "--by", "Mr [red]Hester"))
    said = " ".join(ok(rehab("flags")).stdout.split())
    assert f"(acknowledged by Mr [red]Hester: {note})" in said
    # without --by, the note alone
    ok(log(rehab, 6, "--symptom", "numbness"))
    ok(rehab("flags", "ack", "red-flag", "--date", on(6), "--note", "Expected after the block"))
    said = " ".join(ok(rehab("flags")).stdout.split())
    assert "(acknowledged: Expected after the block)" in said


# --- temperature in Fahrenheit ------------------------------------------------------------


@pytest.mark.parametrize(("typed", "hint"), [("99", "99F"), ("100.4", "100.4F"), ("93", "93F"), ("110", "110F")])
def test_a_fahrenheit_reading_without_its_f_gets_a_hint(rehab, patient, db_path, typed, hint):
    before = snapshot(db_path)
    message = one_line(log(rehab, 5, "--temperature", typed), 2)
    assert message.endswith(f"(for Fahrenheit write {hint})\n")
    assert "between 34.0 and 43.0 °C" in message
    assert snapshot(db_path) == before


@pytest.mark.parametrize("typed", ["45", "120", "92", "99C", "99 °C", "30"])
def test_no_fahrenheit_hint_where_it_would_not_help(rehab, patient, typed):
    assert "Fahrenheit" not in one_line(log(rehab, 5, "--temperature", typed), 2)
