"""`rehab timeline`, `rehab protocols validate` and `rehab --version` from the command line."""

from __future__ import annotations

import importlib.metadata
import json
import re
from datetime import date, timedelta

import pytest

from conftest import mode, ok, one_line

from rehab import __version__
from rehab.protocols.loader import BUILTIN_DIR

PLAN = ("timeline", "--surgery-date", "2026-03-01", "--procedure", "fhl-release")


def row(stdout: str, text: str) -> str:
    """The one table line that contains text."""
    lines = [line for line in stdout.splitlines() if text in line]
    assert len(lines) == 1, (text, lines)
    return lines[0]


# --- text -----------------------------------------------------------------------------------


def test_text_has_dates_with_weekdays(rehab):
    result = rehab(*PLAN, "--date", "2026-03-20")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "FHL tendon release" in out
    # Phase starts, milestone dates, with their weekdays.
    for label in ("Sun 1 Mar 2026", "Sun 15 Mar 2026", "Sun 12 Apr 2026", "Sun 24 May 2026",
                  "Sun 10 May 2026", "Tue 1 Sep 2026", "Mon 1 Mar 2027"):
        assert label in out, label
    assert "Fri 20 Mar 2026 is day 19, in week 3 of recovery" in out


@pytest.mark.parametrize(
    ("on", "marked"),
    [
        ("2026-03-01", "days 0–13"),  # surgery day
        ("2026-03-14", "days 0–13"),  # day 13
        ("2026-03-15", "days 14–41"),  # day 14
        ("2026-04-12", "days 42–83"),  # day 42
        ("2026-05-24", "day 84+"),  # day 84
        ("2030-01-01", "day 84+"),
    ],
)
def test_text_marks_the_phase_of_the_date(rehab, on, marked):
    result = rehab(*PLAN, "--date", on)
    assert result.exit_code == 0, result.stderr
    for span in ("days 0–13", "days 14–41", "days 42–83", "day 84+"):
        line = row(result.stdout, span)
        assert ("▶" in line) == (span == marked), line


def milestone_column(stdout: str) -> list[str]:
    """The milestone table's rows, in order: their mark and title ("▶ where this date falls")."""
    table = stdout[stdout.index("Milestone"):]
    return [" ".join(cell.strip() for cell in line.split("│")[1:3]).strip()
            for line in table.splitlines() if line.startswith("│")]


@pytest.mark.parametrize(("on", "after", "before"), [
    ("2026-03-20", "Start physiotherapy", "Low-impact exercise"),  # day 19, between day 14 and day 42
    ("2026-05-17", "Return to sport", "New normal"),  # day 77: in the open return-to-sport window
    ("2026-03-15", "Start physiotherapy", "Low-impact exercise"),  # day 14: after the day's milestones
    ("2026-02-20", None, "Start moving the big toe"),  # before surgery: above them all
    ("2028-01-01", "New normal", None),  # after the last
])
def test_the_milestone_table_marks_where_the_date_falls_between_milestones(rehab, on, after, before):
    result = ok(rehab(*PLAN, "--date", on))
    rows = milestone_column(result.stdout)
    marked = [k for k, text in enumerate(rows) if "▶" in text]
    assert len(marked) == 1, rows  # one ▶ among the milestones, on a row of its own
    k = marked[0]
    assert rows[k] == "▶ where this date falls"
    assert (rows[k - 1].strip() if k else None) == after
    assert (rows[k + 1].strip() if k + 1 < len(rows) else None) == before
    said = " ".join(result.stdout.split())
    assert "▶ marks where" in said and "its place among the milestones" in said


def test_the_narrow_plan_marks_where_the_date_falls_between_milestones(rehab, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    lines = ok(rehab(*PLAN, "--date", "2026-03-20")).stdout.splitlines()
    k = next(k for k, line in enumerate(lines) if line.startswith("▶ where this date falls"))
    assert "day 19 · Fri 20 Mar 2026" in lines[k]
    assert lines[k - 1].strip().startswith("Start physiotherapy: day 14")
    assert lines[k + 1].strip().startswith("Low-impact exercise: day 42")


def test_text_before_surgery(rehab):
    result = rehab(*PLAN, "--date", "2026-02-20")
    assert result.exit_code == 0, result.stderr
    assert "9 days before surgery" in result.stdout
    for span in ("days 0–13", "days 14–41", "days 42–83", "day 84+"):
        assert "▶" not in row(result.stdout, span)


def test_text_day_before_surgery_is_singular(rehab):
    result = rehab(*PLAN, "--date", "2026-02-28")
    assert result.exit_code == 0
    assert "1 day before surgery" in result.stdout


def test_surgery_today(rehab):
    result = rehab("timeline", "--surgery-date", "today", "--procedure", "os trigonum excision")
    assert result.exit_code == 0, result.stderr
    assert "is day 0, in week 1 of recovery" in result.stdout
    assert "▶" in row(result.stdout, "days 0–13")
    doc = json.loads(rehab("timeline", "--surgery-date", "today", "--procedure", "debridement", "--json").stdout)
    assert doc["surgery_date"] == date.today().isoformat()


def test_planning_ahead(rehab):
    surgery = date.today() + timedelta(days=30)
    result = rehab("timeline", "--surgery-date", surgery.isoformat(), "--procedure", "fhl-release")
    assert result.exit_code == 0, result.stderr
    assert "30 days before surgery" in result.stdout
    doc = json.loads(rehab("timeline", "--surgery-date", surgery.isoformat(), "--procedure", "fhl-release",
                           "--json").stdout)
    assert doc["phases"][0]["start_date"] == surgery.isoformat()
    assert doc["phases"][1]["start_date"] == (surgery + timedelta(days=14)).isoformat()


def test_month_name_dates_are_accepted(rehab):
    for form in ("1 Mar 2026", "March 1, 2026"):
        result = rehab("timeline", "--surgery-date", form, "--procedure", "fhl-release", "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["surgery_date"] == "2026-03-01"


# --- json -----------------------------------------------------------------------------------


def test_json_is_one_document_and_nothing_else(rehab):
    result = rehab(*PLAN, "--json", "--date", "2026-03-20")
    assert result.exit_code == 0
    assert result.stderr == ""
    doc = json.loads(result.stdout)  # fails on any extra text before or after
    assert result.stdout.strip().startswith("{") and result.stdout.strip().endswith("}")
    assert doc["patient"] is None
    assert (doc["procedure"]["id"], doc["procedure"]["name"]) == ("fhl-release", "FHL tendon release")
    assert doc["surgery_date"] == "2026-03-01"
    assert [(p["start_date"], p["end_date"]) for p in doc["phases"]] == [
        ("2026-03-01", "2026-03-14"), ("2026-03-15", "2026-04-11"),
        ("2026-04-12", "2026-05-23"), ("2026-05-24", None),
    ]
    assert [(p["start_day"], p["end_day"]) for p in doc["phases"]] == [(0, 13), (14, 41), (42, 83), (84, None)]
    milestones = {m["id"]: (m["day"], m["date"], m["end_day"], m["end_date"]) for m in doc["milestones"]}
    assert milestones == {
        "big-toe-motion": (0, "2026-03-01", None, None),
        "wound-review": (14, "2026-03-15", None, None),
        "physio-start": (14, "2026-03-15", None, None),
        "low-impact-activity": (42, "2026-04-12", None, None),
        "return-to-sport": (70, "2026-05-10", 84, "2026-05-24"),
        "new-baseline": (184, "2026-09-01", 365, "2027-03-01"),
    }
    for phase in doc["phases"]:
        assert isinstance(phase["weight_bearing"], list) and isinstance(phase["instructions"], list)
        assert {"id", "title"} <= set(phase)
    for milestone in doc["milestones"]:
        assert {"id", "title"} <= set(milestone)


def test_json_with_patient_details(rehab):
    result = rehab(*PLAN, "--json", "--name", "Ann Example", "--side", "left")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["patient"]["name"] == "Ann Example"
    assert doc["patient"]["side"] == "left"


def test_json_does_not_depend_on_the_date_option(rehab):
    a = rehab(*PLAN, "--json", "--date", "2026-02-01")
    b = rehab(*PLAN, "--json", "--date", "2027-06-01")
    assert a.exit_code == b.exit_code == 0
    assert json.loads(a.stdout) == json.loads(b.stdout)


@pytest.mark.parametrize("tz", ["Europe/London", "Pacific/Auckland"])
def test_json_is_the_same_in_every_time_zone(rehab, monkeypatch, tz):
    """Surgery on the night the European clocks go forward: no zone shifts a day."""
    import time

    try:
        with monkeypatch.context() as patch:
            patch.setenv("TZ", tz)
            time.tzset()
            result = rehab("timeline", "--surgery-date", "2026-03-29", "--procedure", "fhl-release", "--json")
    finally:
        time.tzset()  # back to the zone of the run
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(p["start_date"], p["end_date"]) for p in doc["phases"]] == [
        ("2026-03-29", "2026-04-11"), ("2026-04-12", "2026-05-09"),
        ("2026-05-10", "2026-06-20"), ("2026-06-21", None),
    ]
    assert [(m["date"], m["end_date"]) for m in doc["milestones"] if m["end_date"]] == [
        ("2026-06-07", "2026-06-21"), ("2026-09-29", "2027-03-29"),
    ]


# --- markdown and --output ------------------------------------------------------------------


def test_markdown_has_the_tables(rehab):
    result = rehab(*PLAN, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("# ")
    assert "| Phase | Days | Dates |" in out
    assert "| Milestone | Day | Date |" in out
    assert "## Phases" in out and "## Milestones" in out
    assert "|---|" in out
    phase_rows = [line for line in out.splitlines() if line.startswith("| ") and "days 14–41" in line]
    assert len(phase_rows) == 1
    assert "Sun 15 Mar 2026 – Sat 11 Apr 2026" in phase_rows[0]
    assert "from Sun 24 May 2026" in row(out, "day 84+ |")
    assert "Sun 10 May 2026 – Sun 24 May 2026" in out
    # Sport is listed in weeks 6-12 but opens with the return-to-sport window (day 70).
    assert row(out, "| days 42–83 |").rstrip(" |").endswith("low-impact, sport from day 70")
    assert row(out, "day 84+ |").rstrip(" |").endswith("low-impact, sport")


def test_markdown_escapes_what_the_user_typed(rehab):
    """A name is text, never markup: no raw HTML tag, link or emphasis reaches the document."""
    result = rehab(*PLAN, "--format", "markdown", "--name", "<img src=x onerror=alert(1)> *Zoë* [x](y) | z")
    assert result.exit_code == 0, result.stderr
    assert not re.search(r"(?<!\\)[<*\[|](img|Zoë|x\]| z)", result.stdout)  # each special character escaped
    assert r"\<img src=x onerror=alert(1)\> \*Zoë\* \[x\](y) \| z" in result.stdout


def test_markdown_output_file(tmp_path, rehab):
    shown = rehab(*PLAN, "--format", "markdown")
    target = tmp_path / "plan.md"
    result = rehab(*PLAN, "--format", "markdown", "--output", target)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8").strip() == shown.stdout.strip()
    assert mode(target) == 0o600
    # Nothing else is left beside it (no temporary files).
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["plan.md"]


def test_json_output_file(tmp_path, rehab):
    target = tmp_path / "plan.json"
    result = rehab(*PLAN, "--json", "--output", target)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(target.read_text())["surgery_date"] == "2026-03-01"
    assert mode(target) == 0o600


def test_output_refuses_an_existing_file(tmp_path, rehab):
    target = tmp_path / "plan.md"
    target.write_text("my notes\n")
    before = target.stat()
    message = one_line(rehab(*PLAN, "--format", "markdown", "--output", target), 2)
    assert "--force" in message
    assert target.read_text() == "my notes\n"
    assert target.stat().st_mtime_ns == before.st_mtime_ns
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".plan.md")]  # no temp files left


def test_output_force_replaces_the_file(tmp_path, rehab):
    target = tmp_path / "plan.md"
    target.write_text("my notes\n")
    target.chmod(0o644)
    result = rehab(*PLAN, "--format", "markdown", "--output", target, "--force")
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert "my notes" not in text
    assert "| Phase | Days | Dates |" in text
    assert mode(target) == 0o600


def test_text_output_is_the_terminal_view_as_plain_text(tmp_path, rehab):
    target = tmp_path / "plan.txt"
    result = rehab(*PLAN, "--format", "text", "--output", target, "--date", "2026-03-20")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and "Wrote" in result.stderr
    written = target.read_text(encoding="utf-8")
    assert written == rehab(*PLAN, "--date", "2026-03-20").stdout  # what the terminal shows (NO_COLOR, 80 columns)
    assert "\x1b" not in written and "Sun 1 Mar 2026" in written and mode(target) == 0o600
    plain = tmp_path / "default.txt"
    assert rehab(*PLAN, "--output", plain).exit_code == 0  # text is the default format
    assert plain.read_text(encoding="utf-8").startswith("FHL tendon release")


def test_output_into_a_missing_folder(tmp_path, rehab):
    target = tmp_path / "nowhere" / "plan.md"
    one_line(rehab(*PLAN, "--format", "markdown", "--output", target), 2)
    assert not target.parent.exists()


# --- bad input ------------------------------------------------------------------------------

BAD_DATES = ["03/04/2026", "3/4/26", "2026/03/04", "4.3.2026", "20260304", "", "bogus",
             "2026-02-30", "2026-13-01", "3 Mar", "Mar 2026"]
AMBIGUOUS = {"03/04/2026", "3/4/26", "2026/03/04", "4.3.2026", "20260304"}


@pytest.mark.parametrize("text", BAD_DATES)
def test_bad_surgery_date(rehab, text):
    message = one_line(rehab("timeline", "--surgery-date", text, "--procedure", "fhl-release"), 2)
    assert repr(text) in message
    if text in AMBIGUOUS:
        assert "YYYY-MM-DD" in message


@pytest.mark.parametrize("text", ["03/04/2026", "2026-02-30", "3 Mar", "Mar 2026"])
def test_bad_date_option(rehab, text):
    message = one_line(rehab(*PLAN, "--date", text), 2)
    assert repr(text) in message
    if text in AMBIGUOUS:
        assert "YYYY-MM-DD" in message


BAD_USAGE = [
    ("unknown procedure", ["timeline", "--surgery-date", "2026-03-01", "--procedure", "knee-replacement"],
     "knee-replacement"),
    ("missing --procedure", ["timeline", "--surgery-date", "2026-03-01"], "--procedure"),
    ("missing --surgery-date", ["timeline", "--procedure", "fhl-release"], "--surgery-date"),
    ("nothing at all", ["timeline"], "patient add"),
    ("--patient with --surgery-date", ["timeline", "--patient", "ann", "--surgery-date", "2026-03-01",
                                       "--procedure", "fhl-release"], "--patient"),
    ("unknown option", [*PLAN, "--bogus"], "--bogus"),
    ("bad --format", [*PLAN, "--format", "xml"], "xml"),
    ("option without its value", ["timeline", "--procedure", "fhl-release", "--surgery-date"], "--surgery-date"),
    ("unknown command", ["timelines"], "timelines"),
    ("pdf without --output", [*PLAN, "--format", "pdf"], "--output"),
    ("--json with another --format", [*PLAN, "--json", "--format", "html"], "--json"),
]


@pytest.mark.parametrize(("case", "args", "word"), BAD_USAGE, ids=[c[0] for c in BAD_USAGE])
def test_bad_usage(rehab, db_path, case, args, word):
    message = one_line(rehab(*args), 2)
    assert word in message
    assert not db_path.exists()  # a refused command touched no database


# --- protocols validate and --version -------------------------------------------------------


def test_validate_a_good_file(rehab):
    result = rehab("protocols", "validate", BUILTIN_DIR / "os-trigonum-excision.yaml")
    assert result.exit_code == 0, result.stderr
    assert "valid" in result.stdout and "os-trigonum-excision" in result.stdout


def test_validate_a_bad_file(tmp_path, rehab):
    source = (BUILTIN_DIR / "fhl-release.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(source.replace("boot: true", "boot: sometimes", 1), encoding="utf-8")
    message = one_line(rehab("protocols", "validate", bad), 2)
    assert str(bad) in message
    assert "phases[0].boot" in message
    assert "(line " in message


def test_validate_a_missing_file(tmp_path, rehab):
    message = one_line(rehab("protocols", "validate", tmp_path / "nothing.yaml"), 2)
    assert "nothing.yaml" in message


def test_version(rehab):
    result = rehab("--version")
    assert result.exit_code == 0
    assert result.stdout == f"rehab {__version__}\n"
    assert __version__ == importlib.metadata.version("rehab")


def test_timeline_without_options_is_the_current_patients_plan(rehab):
    assert rehab("patient", "add", "Ann Lee", "--surgery-date", "2026-01-31", "--procedure", "fhl").exit_code == 0
    own = json.loads(rehab("timeline", "--json").stdout)
    assert own["patient"]["id"] == "ann-lee" and own["surgery_date"] == "2026-01-31"
    assert own["procedure"]["id"] == "fhl-release"


def test_a_protocol_saved_as_json_is_a_custom_protocol(rehab, tmp_path):
    folder = tmp_path / "clinic"
    folder.mkdir()
    shown = json.loads(rehab("protocols", "show", "fhl-release", "--json").stdout)
    shown["id"], shown["name"], shown["aliases"] = "our-fhl", "Our FHL release", []
    (folder / "our-fhl.json").write_text(json.dumps(shown), encoding="utf-8")
    result = rehab("--protocols-dir", str(folder), "timeline", "--surgery-date", "2026-01-31", "--procedure", "our-fhl", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["procedure"] == {"id": "our-fhl", "name": "Our FHL release"}


def test_a_combined_plan_saved_as_json_validates_as_it_is(rehab, tmp_path):
    """The contract: saved to a file, `protocols show --json` is a valid custom protocol. The
    combination's id held '+', which a protocol file's id may not."""
    shown = ok(rehab("protocols", "show", "fhl-release+os-trigonum-excision", "--json"))
    saved = tmp_path / "both.json"
    saved.write_text(shown.stdout, encoding="utf-8")
    result = ok(rehab("protocols", "validate", str(saved)))
    assert "valid protocol 'fhl-release-and-os-trigonum-excision'" in result.stdout
    plan = ok(rehab("--protocols-dir", str(tmp_path), "timeline", "--surgery-date", "2026-01-31", "--procedure",
                    "fhl-release-and-os-trigonum-excision", "--json"))
    combined = ok(rehab("timeline", "--surgery-date", "2026-01-31", "--procedure", "fhl-release+os-trigonum-excision", "--json"))
    assert json.loads(plan.stdout)["phases"] == json.loads(combined.stdout)["phases"]


def test_a_name_the_pdf_font_cannot_draw_prints_as_question_marks_and_says_so(tmp_path, rehab, monkeypatch):
    import pypdf

    # a computer without a font for it: fontconfig with no fonts (tests/test_pdf_fonts.py: with one)
    (tmp_path / "fonts.conf").write_text("<fontconfig></fontconfig>\n")
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))

    target = tmp_path / "plan.pdf"
    result = rehab(*PLAN, "--name", "日本 Zoë Łukasiewicz", "--format", "pdf", "--output", target)
    assert result.exit_code == 0, result.stderr
    assert "cannot draw" in result.stderr and "日" in result.stderr and "html" in result.stderr
    text = pypdf.PdfReader(target).pages[0].extract_text()
    assert "?? Zoë Łukasiewicz" in text  # the rest of the name is whole, nothing silently dropped
    latin = rehab(*PLAN, "--name", "Zoë Łukasiewicz", "--format", "pdf", "--output", tmp_path / "latin.pdf")
    assert "cannot draw" not in latin.stderr


def test_a_calendar_does_not_read_the_clinic_file_it_never_prints(rehab, isolated):
    config = isolated / "home" / "config" / "rehab"
    config.mkdir(parents=True)
    (config / "clinic.yaml").write_text("name: Ankle Unit\nfax: 0207\n", encoding="utf-8")  # an unknown key
    assert one_line(rehab(*PLAN, "--format", "html"), 2).count("clinic.yaml") == 1  # the plan prints it
    result = rehab(*PLAN, "--format", "ics")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("BEGIN:VCALENDAR")


@pytest.mark.parametrize("columns", [40, 60, 80, 120])
def test_timeline_wraps_clinical_words_and_never_cuts_them(rehab, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = rehab("timeline", "--surgery-date", "2026-03-02", "--procedure", "fhl", "--date", "2026-03-31")
    assert result.exit_code == 0, result.stderr
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= columns
    flat = " ".join(result.stdout.replace("│", " ").split())
    for word in ("toe-touch", "as-tolerated", "Weight-bearing" if columns >= 80 else "weight-bearing:"):
        assert word in flat
    assert "day 29, in week 5 of recovery" in flat


def test_an_ad_hoc_timeline_marks_no_milestone_done(rehab):
    result = rehab("timeline", "--surgery-date", "2026-03-02", "--procedure", "fhl", "--date", "2026-05-31")
    assert result.exit_code == 0 and "✓" not in result.stdout


def test_markdown_plan_names_the_clinics_numbers_for_a_red_flag(rehab, isolated):
    """As on the printed plan: the team's number and the out-of-hours number, from clinic.yaml."""
    args = ("timeline", "--surgery-date", "2026-03-02", "--procedure", "fhl-release", "--format", "markdown")
    generic = ok(rehab(*args)).stdout
    assert "020 7946 0000" not in generic and "Contact your surgical team" in generic
    folder = isolated / "home" / "config" / "rehab"
    folder.mkdir(parents=True)
    (folder / "clinic.yaml").write_text("name: Ankle Unit\nphone: 020 7946 0000\n"
                                        "out_of_hours_phone: 020 7946 0999\n", encoding="utf-8")
    text = ok(rehab(*args)).stdout
    advice = text.split("## When to get help now", 1)[1]
    assert "020 7946 0000" in advice and "020 7946 0999" in advice
