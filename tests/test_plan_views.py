"""A change to the patient's plan that covers part of a phase is said inside that phase, in
the same words, by every view: the terminal timeline, Markdown, HTML, the printed plan (its
table and its timeline band), the calendar, the report's phase table and `today`.

The case is the user walk-through's: an os trigonum excision with an FHL release, and the
surgeon's order to keep all weight off the foot for the first week (days 0–6), inside a
phase that allows toe-touch and partial weight-bearing."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pypdf
import pytest
from icalendar import Calendar

from rehab import wording
from rehab.model import Adjustment
from rehab.plan import effective
from rehab.protocols import find
from rehab.timeline import build

from conftest import ok

SURGERY = date(2026, 6, 1)
OST = build(find("os-trigonum-excision"), SURGERY)
RECORDED = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)
NWB = "days 0–6: at most NWB (changed)"
NOTE = "no weight through the foot for the first week"


def change(n: int, from_day: int, until_day: int | None = None, **what) -> Adjustment:
    return Adjustment(n, "adjust", from_day, until_day, created_at=RECORDED + timedelta(hours=n), **what)


def flat(text: str) -> str:
    return " ".join(text.split())


def column(table: str, index: int) -> str:
    """One column of a Rich table, its wrapped lines run together (index 1: the ▶ column)."""
    return flat(" ".join(line.split("│")[index] for line in table.splitlines() if line.count("│") > index))


# --- the core: where a phase differs, and the one wording ----------------------------------------

def test_a_change_inside_a_phase_is_found_on_its_days_only():
    plan = effective(OST, [change(1, 0, 6, weight_bearing="none", by="Mr Hester")])
    protect, mobilise = plan.phases[0], plan.phases[1]
    (found,) = plan.phase_changes(protect)
    assert (found.what, found.start_day, found.end_day, found.value, found.change.id) == ("weight_bearing", 0, 6, "none", 1)
    assert wording.phase_change_labels(plan, protect) == [NWB]
    assert plan.phase_changes(mobilise) == []


def test_a_change_across_phases_is_cut_at_each_phase_and_the_later_change_wins():
    plan = effective(OST, [change(1, 10, 20, boot=False), change(2, 12, 13, boot=True)])
    protect, mobilise = plan.phases[0], plan.phases[1]
    # days 12-13 the later change keeps the boot on, as the protocol does: no difference there
    assert wording.phase_change_labels(plan, protect) == ["days 10–11: boot off (changed)"]
    assert wording.phase_change_labels(plan, mobilise) == []  # the protocol has no boot from day 14


def test_what_the_protocol_already_says_is_not_a_change():
    plan = effective(OST, [change(1, 0, 13, boot=True), change(2, 75, allow=("sport",))])
    assert all(plan.phase_changes(p) == [] for p in plan.phases)  # boot phase; sport open from day 70


def test_each_kind_of_change_has_its_words_and_an_open_ended_one_runs_on():
    plan = effective(OST, [change(1, 42, allow=("sport",)), change(2, 0, 3, forbid=("walking",)),
                           change(3, 90, pain_ceiling=1), change(4, 100, weight_bearing="partial")])
    labels = [label for p in plan.phases for label in wording.phase_change_labels(plan, p)]
    assert labels == ["days 0–3: no walking (changed)", "days 42–69: sport allowed (changed)",
                      "day 100 on: at most PWB (changed)", "day 90 on: pain up to 1/10 (changed)"]
    assert wording.phase_change_labels(plan, plan.phases[-1], "pain_ceiling") == ["day 90 on: pain up to 1/10 (changed)"]


def test_a_protocols_own_plan_has_no_changes():
    assert all(wording.phase_change_labels(OST, p) == [] for p in OST.phases)
    assert all(wording.phase_change_lines(OST, p) == [] for p in OST.phases)


def test_the_full_lines_name_who_and_why_once_each():
    plan = effective(OST, [change(1, 0, 6, weight_bearing="none", boot=False, by="Mr Hester", note=NOTE)])
    (line,) = wording.phase_change_lines(plan, plan.phases[0])
    assert "by Mr Hester" in line and NOTE in line and "Days 0–6" in line


# --- every view, through the command line ----------------------------------------------------------

@pytest.fixture
def sam(rehab):
    ok(rehab("patient", "add", "Sam Patel", "--surgery-date", SURGERY.isoformat(), "--procedure",
             "os trigonum excision", "--procedure", "fhl-release", "--side", "right", "--surgeon", "Mr Hester"))
    ok(rehab("plan", "adjust", "--from", "day 0", "--until", "day 6", "--weight-bearing", "none",
             "--by", "Mr Hester", "--note", NOTE))
    return "sam-patel"


def phase_events(rehab, tmp_path) -> dict[str, tuple[str, str]]:
    path = tmp_path / "sam.ics"
    ok(rehab("timeline", "--patient", "sam-patel", "--format", "ics", "--output", str(path), "--force"))
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]).split("-phase-")[1].removesuffix("@rehab"): (str(e["summary"]), str(e["description"]))
            for e in calendar.walk("VEVENT") if "-phase-" in str(e["uid"])}


def test_the_calendar_says_the_change_with_who_and_why_before_the_instructions(rehab, sam, tmp_path):
    events = phase_events(rehab, tmp_path)
    summary, text = events["protect"]
    assert "changed by your team" in summary
    assert f"Weight-bearing: toe-touch (TTWB), partial (PWB); {NWB}." in text
    assert "by Mr Hester" in text and NOTE in text
    # said before the protocol's instruction it overrides, with which to follow
    assert text.index(NOTE) < text.index(wording.FOLLOW_THE_CHANGE) < text.index("Put only part of your weight")
    later_summary, later = events["mobilise"]
    assert "(changed)" not in later and "changed" not in later_summary


def test_the_terminal_timeline_says_the_change_in_the_phase_row(rehab, sam, monkeypatch):
    for columns in ("120", "80"):
        monkeypatch.setenv("COLUMNS", columns)
        text = ok(rehab("timeline", "--patient", sam, "--date", "2026-06-03")).stdout
        table = text.split("Milestones")[0]
        assert "Weight-bearin\n" not in table and "Weight-bearing" in table  # the heading whole
        assert NWB in column(table, 5)
        assert all(len(line) <= int(columns) for line in text.splitlines())
    monkeypatch.setenv("COLUMNS", "60")
    text = ok(rehab("timeline", "--patient", sam, "--date", "2026-06-03")).stdout
    protect = flat(text.split("Walk, move")[0])
    assert f"weight-bearing: toe-touch, partial; {NWB}" in protect


def test_markdown_and_html_plans_say_the_change_in_the_phase_row(rehab, sam):
    markdown = ok(rehab("timeline", "--patient", sam, "--format", "markdown")).stdout
    row = next(line for line in markdown.splitlines() if line.startswith("| Protect"))
    assert f"| toe-touch, partial; {NWB} |" in row
    section = markdown.split("## Protect")[-1]
    assert section.index(NOTE) < section.index("Put only part of your weight")
    html = ok(rehab("timeline", "--patient", sam, "--format", "html")).stdout
    phases = html.split('<table class="phases">')[1].split("</table>")[0]
    assert NWB in phases


def test_the_printed_plans_table_and_band_say_the_change(rehab, sam, tmp_path):
    path = tmp_path / "plan.pdf"
    ok(rehab("timeline", "--patient", sam, "--date", "2026-06-03", "--format", "pdf", "--output", str(path)))
    (page,) = pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages
    text = flat(page.extract_text())
    table = text.split("Phases")[-1]
    assert "at most NWB (changed)" in table
    band = text.split("Key dates")[0]  # the timeline band, above the key dates
    assert "TTWB/PWB · boot" in band and "NWB changed" in band and "your team changed it" in band


def test_the_reports_phase_table_says_the_change(rehab, sam, tmp_path):
    path = tmp_path / "report.json"
    ok(rehab("report", "-p", sam, "--to", "2026-06-20", "--format", "json", "--output", str(path)))
    report = json.loads(path.read_text())
    (row, *_) = report["patients"][0]["weight_bearing"]
    assert [(c["what"], c["start_day"], c["end_day"], c["label"]) for c in row["changes"]] == [
        ("weight_bearing", 0, 6, NWB)]
    for fmt in ("markdown", "html"):
        out = tmp_path / f"report.{fmt}"
        ok(rehab("report", "-p", sam, "--to", "2026-06-20", "--format", fmt, "--output", str(out)))
        assert f"TTWB/PWB; PWB by end; {NWB}" in out.read_text()
    pdf = tmp_path / "report.pdf"
    ok(rehab("report", "-p", sam, "--to", "2026-06-20", "--format", "pdf", "--output", str(pdf)))
    text = flat(" ".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages))
    assert "at most NWB (changed)" in text


# --- today: the change beside the line it changes, before the instructions ----------------------

def test_today_puts_the_change_under_the_line_it_changes_before_the_instructions(rehab, sam, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    text = ok(rehab("today", "--date", "2026-06-03")).stdout
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Weight-bearing: none"))
    assert NWB in lines[at + 1] and "by Mr Hester" in lines[at + 1] and NOTE in lines[at + 1]
    assert lines[at + 2] == wording.FOLLOW_THE_CHANGE
    assert text.index(wording.FOLLOW_THE_CHANGE) < text.index("Put only part of your weight")
    assert text.count(NOTE) == 1  # said once, where it applies
    doc = json.loads(ok(rehab("today", "--date", "2026-06-03", "--json")).stdout)
    assert [(d["what"], d["label"]) for d in doc["plan_differs"]] == [("weight_bearing", NWB)]


def test_today_after_the_change_says_nothing_of_it_beside_the_lines(rehab, sam):
    text = ok(rehab("today", "--date", "2026-06-08")).stdout  # day 7: the protocol again
    assert "(changed)" not in text and wording.FOLLOW_THE_CHANGE not in text


def test_today_puts_sport_opened_early_before_the_wait_for_sport_instruction(rehab, sam, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    ok(rehab("plan", "adjust", "--from", "week 6", "--allow", "sport", "--by", "Dr Ng", "--note", "cleared for football"))
    text = ok(rehab("today", "--date", (SURGERY + timedelta(days=50)).isoformat())).stdout
    line = next(line for line in text.splitlines() if "sport allowed (changed)" in line)
    assert "days 42–69: sport allowed (changed) — by Dr Ng" in line and "cleared for football" in line
    assert text.index(line) < text.index(wording.FOLLOW_THE_CHANGE) < text.index("Wait for the return-to-sport window")


# --- the printed plan's timeline band ---------------------------------------------------------------

def band(plan, day: int):
    from rehab.render import chart

    return chart, chart.timeline_band(plan, plan.date_of(day), 186.0)


def test_the_band_marks_the_changed_days_of_a_phase_in_a_box_of_their_own():
    plan = effective(OST, [change(1, 0, 6, weight_bearing="none")])
    chart, drawn = band(plan, 2)
    (box,) = [s for s in drawn.shapes if isinstance(s, chart.Rect) and s.fill == 255 and s.stroke]
    inside = [s.text for s in drawn.shapes if isinstance(s, chart.Label)
              and box.x <= s.x <= box.x + box.w and box.y <= s.y <= box.y + box.h]
    assert inside and "NWB" in " ".join(inside) and "changed" in " ".join(inside), inside
    first_phase = [s for s in drawn.shapes if isinstance(s, chart.Rect) and s.stroke == 0.6][0]
    assert box.x == first_phase.x and box.w < first_phase.w / 2 + 1  # days 0–6 of 0–13
    assert any(isinstance(s, chart.Label) and s.text == chart.CHANGED_KEY for s in drawn.shapes)
    # the today line crosses none of it
    dashed = [s for s in drawn.shapes if isinstance(s, chart.Line) and s.dash]
    for label in (s for s in drawn.shapes if isinstance(s, chart.Label)):
        w = chart.text_width(label.text, label.size)
        left = label.x - {"start": 0, "middle": w / 2, "end": w}[label.anchor]
        for line in dashed:
            (x, y0), (_, y1) = line.points
            assert not (left < x < left + w and min(y0, y1) < label.y + label.size * 0.2
                        and max(y0, y1) > label.y - label.size * 0.75), label.text


def test_the_band_of_an_unchanged_plan_has_no_changed_boxes():
    chart, drawn = band(effective(OST, [change(1, 0, 13, boot=True)]), 2)  # the protocol's own boot
    assert not any(isinstance(s, chart.Rect) and s.fill == 255 and s.stroke for s in drawn.shapes)
    assert not any(isinstance(s, chart.Label) and s.text == chart.CHANGED_KEY for s in drawn.shapes)


# --- the calendar: each change on the days it covers; a removed one cancelled ---------------------

def change_events(rehab, tmp_path) -> dict[str, dict]:
    path = tmp_path / "sam.ics"
    ok(rehab("timeline", "--patient", "sam-patel", "--format", "ics", "--output", str(path), "--force"))
    return {str(e["uid"]).split("-change-")[1].removesuffix("@rehab"): e
            for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT") if "-change-" in str(e["uid"])}


def test_the_calendar_shows_a_change_on_every_day_it_covers_and_cancels_it_when_removed(rehab, sam, tmp_path):
    (event,) = change_events(rehab, tmp_path).values()
    assert (event["dtstart"].dt, event["dtend"].dt) == (SURGERY, SURGERY + timedelta(days=7))  # days 0–6
    assert "non-weight-bearing" in str(event["summary"]) and NOTE in str(event["description"])
    assert event.get("status") is None
    ok(rehab("plan", "adjust", "--from", "day 14", "--until", "day 60", "--weight-bearing", "partial"))
    ok(rehab("plan", "remove", "1", "--yes"))
    events = change_events(rehab, tmp_path)
    assert str(events["1"]["status"]) == "CANCELLED" and "Cancelled change" in str(events["1"]["summary"])
    assert wording.CHANGE_WITHDRAWN in str(events["1"]["description"])
    # longer than a month: its first and last days, not a block across the calendar
    assert (events["2"]["dtstart"].dt, events["2-end"]["dtstart"].dt) == (
        SURGERY + timedelta(days=14), SURGERY + timedelta(days=60))
    assert events["2"].get("status") is None
    phases = phase_events(rehab, tmp_path)  # the removed change is no longer said in its phase
    assert NOTE not in phases["protect"][1] and "changed" not in phases["protect"][0]


def test_the_fhir_care_plan_says_the_change_in_the_phase(rehab, sam, tmp_path):
    path = tmp_path / "bundle.json"
    ok(rehab("export", "--format", "fhir", "--output", str(path), "--date", "2026-06-03"))
    bundle = json.loads(path.read_text())
    (plan,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    phases = {a["detail"]["code"]["coding"][0]["code"]: a["detail"]["description"] for a in plan["activity"]}
    assert phases["phase:protect"].endswith(f"; {NWB}")
    assert "(changed)" not in phases["phase:mobilise"]


def test_timeline_json_carries_each_phases_changes(rehab, sam):
    doc = json.loads(ok(rehab("timeline", "--patient", sam, "--json")).stdout)
    assert [[c["label"] for c in p["changes"]] for p in doc["phases"]] == [[NWB], [], [], []]
    assert doc["phases"][0]["weight_bearing"] == ["toe-touch", "partial"]  # the protocol's, as the contract has it
    adhoc = json.loads(ok(rehab("timeline", "--surgery-date", SURGERY.isoformat(), "--procedure",
                                "os-trigonum-excision", "--json")).stdout)
    assert all("changes" not in p for p in adhoc["phases"])
