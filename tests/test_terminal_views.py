"""What the terminal views show, at the widths people use (60, 80 and 120 columns): phone
numbers kept whole, the red-flag panel as wide as the rest, who acknowledged a flag and why,
the Fahrenheit hint, history's temperature, swelling and exercises, corrected days, and the
plan's changes listed without a word or a date cut."""

from __future__ import annotations

import re
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


# --- plan list: never a word or a date cut ------------------------------------------------

CHANGES = [
    ("plan", "adjust", "--from", "day 5", "--until", "day 20", "--weight-bearing", "partial",
     "--note", "Good progress", "--by", "Ms Physio"),
    ("plan", "adjust", "--from", "day 9", "--weight-bearing", "none", "--boot",
     "--note", "non-weight-bearing for two more weeks after review", "--by", "Mr Hester"),
    ("plan", "move", "wound-review", "--to", "day 10", "--by", "Mr Hester", "--note", "clinic slot"),
    ("plan", "move", "return-to-sport", "--to", "week 12", "--until", "week 26", "--by", "Mr Hester"),
]
WHOLE = ["non-weight-bearing", "weight-bearing", "Recorded", "Hester", "Physio", "progress", "review"]


def cells(text: str) -> list[str]:
    """Every table cell's text and every line, as the eye reads them (a word cut at a
    column's edge or a line's end is not found whole)."""
    return [cell.strip() for line in text.splitlines() for cell in re.split(r"[│┃]", line)]


@pytest.mark.parametrize("width", WIDTHS + [100])
def test_plan_list_never_cuts_a_word_or_a_date(rehab, patient, monkeypatch, width):
    for change in CHANGES:
        ok(rehab(*change))
    monkeypatch.setenv("COLUMNS", str(width))
    text = ok(rehab("plan", "list")).stdout
    assert widest(text) <= width
    pieces = " ".join(cells(text)).split()
    for word in WHOLE:
        assert any(word.lower() in piece.lower() for piece in pieces), (word, text)
    for piece in pieces:  # every date whole: ISO, or as "Thu 11 Jun 2026" (never "2026-11" then "-30")
        assert not re.fullmatch(r"[0-9]{4}-[0-9]{2}|-?[0-9]{2}|-[0-9]{2}-?[0-9]*", piece) or piece.isdigit(), piece
    assert not re.search(r"[0-9]{4}-[0-9]{2}$", text, re.M)
    labels = re.findall(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{1,2}(?: [A-Z][a-z]{2})?(?: [0-9]{4})?", " \n".join(cells(text)))
    assert labels and all(re.fullmatch(r"\w{3} [0-9]{1,2} \w{3} [0-9]{4}", label) for label in labels), labels
    if width < 80:
        assert "┃" not in text  # a list, not a squeezed table
    if "┃" not in text:
        said = " ".join(text.split())
        assert re.search(r"Wound check moved to day 10 \(\w{3} [0-9]+ \w{3} [0-9]{4}\) — by Mr Hester, "
                         r"recorded \w{3} [0-9]+ \w{3} [0-9]{4}: “clinic slot”", said), said


def test_plan_list_days_column_says_a_moved_milestones_new_day(rehab, patient, monkeypatch):
    for change in CHANGES:
        ok(rehab(*change))
    monkeypatch.setenv("COLUMNS", "120")
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in ok(rehab("plan", "list")).stdout.splitlines()
            if line.startswith("│") and line.split("│")[1].strip()]
    assert [row[1] for row in rows] == ["days 5–20", "from day 9", "day 10", "days 84–182"]


def test_a_date_or_a_phone_number_is_kept_whole_in_a_wrapped_line():
    text = "Return to sport moved to days 84–182 (Mon 24 Aug 2026 – Mon 30 Nov 2026), call 020 7946 0999"
    for width in range(20, 60):
        shown = terminal.plain_text(lambda out: out.print(terminal.Message(text)), width)
        lines = shown.splitlines()
        for piece in ("Mon 24 Aug 2026", "Mon 30 Nov 2026", "020 7946 0999"):
            assert any(piece in line for line in lines), (width, shown)
    assert terminal.unbroken_words(text)[-4:] == ["(Mon 24 Aug 2026 –", "Mon 30 Nov 2026),", "call", "020 7946 0999"]


# --- history: temperature, swelling, exercises and corrected days ---------------------------


def marks_of(text: str, day: str) -> str:
    """What history says about a day: its block (a narrow terminal) or its table row, the
    cells of each column read down its lines and joined (a folded cell is whole again)."""
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if day in line)
    if not lines[start].startswith("│"):  # a block: up to the next day's, or the chart
        end = next((k for k in range(start + 1, len(lines)) if re.match(r"[0-9]{4}-|.*│", lines[k])), len(lines))
        return " ".join(" ".join(lines[start:end]).split())
    end = next(k for k in range(start + 1, len(lines) + 1)
               if k == len(lines) or not lines[k].startswith("│") or lines[k].split("│")[1].strip())
    columns = zip(*(line.split("│")[1:-1] for line in lines[start:end]))
    return " ".join(" ".join(" ".join(cells).split()) for cells in columns)


def hidden_columns(text: str) -> str:
    said = " ".join(text.split())
    return said.split("Not shown at this width:")[1].split("(")[0] if "Not shown at this width:" in said else ""


@pytest.mark.parametrize("width", WIDTHS)
def test_history_shows_temperature_swelling_and_exercises(rehab, patient, monkeypatch, width):
    ok(log(rehab, 17, "--swelling", "moderate", "--exercises", "partly"))
    ok(log(rehab, 18, "--temperature", "38.0"))
    ok(log(rehab, 19, "--temperature", "36.9", "--swelling", "mild", "--exercises", "skipped"))
    monkeypatch.setenv("COLUMNS", str(width))
    text = ok(rehab("history")).stdout
    assert widest(text) <= width
    fever = marks_of(text, on(18))
    assert "38.0 °C" in fever and "!!" in fever  # the red flag's mark has its reason beside it
    assert "36.9 °C" in marks_of(text, on(19))
    hidden = hidden_columns(text)
    assert "temp" not in hidden and "swelling" not in hidden
    for day, swelling, exercises in ((17, "moderate", "partly"), (19, "mild", "skipped")):
        row = marks_of(text, on(day))
        assert swelling in row
        assert exercises in row or "exercises" in hidden  # shown, or said not to be
    if width >= 120:
        assert not hidden and "┃ Temp" in text and "Exercises" in text


def test_history_leaves_out_temperature_swelling_and_exercises_nobody_logged(rehab, patient, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    ok(log(rehab, 18))
    text = ok(rehab("history")).stdout
    assert "Temp" not in text and "Swelling" not in text and "Exercises" not in text and "Not shown" not in text


@pytest.mark.parametrize("width", WIDTHS)
def test_a_corrected_day_says_what_red_flag_values_were_first_logged(rehab, patient, monkeypatch, width):
    ok(log(rehab, 18, "--symptom", "fever", "--temperature", "38.6", "--note", "felt hot"))
    ok(rehab("log", "--date", on(18), "--replace", "--clear-symptoms", "--temperature", "37.0"))
    ok(log(rehab, 19, pain="4"))
    ok(rehab("log", "--date", on(19), "--replace", "--pain", "2"))  # corrected, no red flag taken away
    monkeypatch.setenv("COLUMNS", str(width))
    text = ok(rehab("history")).stdout
    assert widest(text) <= width
    day = marks_of(text, on(18))
    assert "37.0 °C" in day and "corrected; first logged: fever, 38.6 °C" in day
    other = marks_of(text, on(19))
    assert "corrected" in other and "first logged" not in other


def test_a_day_corrected_twice_names_every_red_flag_value_it_had(rehab, patient, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    ok(log(rehab, 18, "--symptom", "numbness"))
    ok(rehab("log", "--date", on(18), "--replace", "--symptom", "calf-pain", "--temperature", "38.4"))
    ok(rehab("log", "--date", on(18), "--replace", "--clear-symptoms", "--temperature", "36.8"))
    day = marks_of(ok(rehab("history")).stdout, on(18))
    assert "corrected; logged earlier: calf-pain, numbness, 38.4 °C" in day


# --- timeline: the milestone table's dates whole --------------------------------------------


@pytest.mark.parametrize("width", [80, 100, 120])
def test_the_milestone_table_never_splits_a_date(rehab, patient, monkeypatch, width):
    ok(rehab("plan", "move", "return-to-sport", "--to", "week 12", "--until", "week 26", "--by", "Mr Hester"))
    monkeypatch.setenv("COLUMNS", str(width))
    text = ok(rehab("timeline")).stdout
    table = text[text.index("Milestones"):]
    table = table[:table.index("└")]
    assert widest(text) <= width
    dates = [cell for line in table.splitlines() if line.startswith("│")
             for cell in line.split("│")[4].split("–") if cell.strip()]
    assert dates and all(re.fullmatch(r"\s*(from )?\w{3} [0-9]{1,2} \w{3} [0-9]{4}\s*", d) for d in dates), dates
