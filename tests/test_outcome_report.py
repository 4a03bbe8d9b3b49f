"""The outcomes section of a report: its data (rehab.report), its chart, and what the HTML,
Markdown and PDF say, from a record built by hand."""

from __future__ import annotations

import io
from datetime import date, timedelta

from rehab import instruments, report
from rehab import timeline as tl
from rehab.model import Entry, Measure, Patient, PatientRecord, Score
from rehab.protocols import find
from rehab.render import chart, formats
from rehab.render.documents import ReportDocument

SURGERY = date(2026, 3, 10)
KNOWN = instruments.load_all()


def day(n: int) -> date:
    return SURGERY + timedelta(days=n)


def the_record() -> PatientRecord:
    patient = Patient("zoe", "Zoë <Łukasiewicz>", SURGERY, "fhl-release", "left")
    entries = [
        Entry(day(40), 2, "full", swelling="moderate", exercises="done"),
        Entry(day(41), 2, "full", swelling="mild", exercises="partly"),
        Entry(day(42), 2, "full", swelling="mild", exercises="done"),
        Entry(day(43), 2, "full", exercises="skipped"),
        Entry(day(44), 2, "full"),
    ]
    scores = [
        Score(1, "faam-adl", day(-3), (2,) * 21, 50.0),
        Score(2, "lefs", day(-3), (2,) * 20, 40),
        Score(3, "faam-adl", day(42), (3,) * 10 + (2,) * 11, 61.9),
        Score(4, "lefs", day(43), (2,) * 12 + (3,) * 8, 48),
        Score(5, "faam-sports", day(42), (1,) * 6 + (None, None), None),
        Score(6, "faam-adl", day(90), (4,) * 21, 100.0),  # after the report's end
    ]
    measures = [Measure(1, "knee-to-wall", day(41), "operated", 8.0), Measure(2, "knee-to-wall", day(43), "other", 10.0),
                Measure(3, "calf-raises", day(44), "operated", 9)]
    return PatientRecord(patient, entries, [], [], scores=scores, measures=measures)


def build(start=None):
    plan = tl.build(find("fhl-release"), SURGERY)
    return report.build(the_record(), plan, [], {}, day(44), start, None, KNOWN)


def test_the_outcomes_section_holds_scores_schedule_measures_swelling_and_exercises():
    section = build()["outcomes"]
    assert [(s["instrument"], s["day"], s["score"], s["change"], s["meaningful"]) for s in section["scores"]] == [
        ("faam-adl", -3, 50.0, None, None), ("lefs", -3, 40, None, None), ("faam-adl", 42, 61.9, 11.9, True),
        ("faam-sports", 42, None, None, None), ("lefs", 43, 48, 8, False)]
    assert [i["id"] for i in section["instruments"]] == ["faam-adl", "faam-sports", "lefs"]
    six_weeks = {d["instrument"]: d["status"] for d in section["due"] if d["label"] == "6 weeks"}
    assert six_weeks == {"faam-adl": "done", "faam-sports": "done", "lefs": "done"}
    before = {d["instrument"]: d["status"] for d in section["due"] if d["label"] == "before surgery"}
    assert before == {"faam-adl": "done", "faam-sports": "missed", "lefs": "done"}
    assert section["swelling"] == {"days": 3, "counts": {"none": 0, "mild": 2, "moderate": 1, "severe": 0},
                                   "latest": "mild", "latest_date": day(42).isoformat()}
    assert section["exercises"]["counts"] == {"done": 2, "partly": 1, "skipped": 1}
    assert section["symmetry"][0]["percent"] == 80.0
    assert [(m["name"], m["side"], m["value"]) for m in section["latest_measures"]] == [
        ("knee-to-wall", "operated", 8.0), ("knee-to-wall", "other", 10.0), ("calf-raises", "operated", 9)]


def test_a_report_from_a_date_keeps_the_baseline_for_the_change():
    section = build(start=day(30))["outcomes"]
    assert [(s["instrument"], s["baseline"], s["change"]) for s in section["scores"]] == [
        ("faam-adl", 50.0, 11.9), ("faam-sports", None, None), ("lefs", 40, 8)]


def test_the_chart_draws_each_scored_questionnaire_and_marks_the_due_points():
    got = build()
    drawn = chart.outcomes_chart(got, 186.0)
    texts = [s.text for s in drawn.shapes if isinstance(s, chart.Label)]
    assert {"50.0%", "61.9%", "40/80", "48/80"} <= set(texts)
    assert "pre-op · 2/3 done" in texts and "6 wk · 3/3 done" in texts
    assert "12 wk · 0/3 done" in texts  # the next due point is shown ahead
    marks = [s for s in drawn.shapes if isinstance(s, chart.Mark)]
    assert len([m for m in marks if m.shape == "circle"]) == 2 + 1  # two FAAM ADL points + its legend
    # Every label of a value sits apart from every other (none drawn over another).
    boxes = [(s.x, s.y) for s in drawn.shapes if isinstance(s, chart.Label) and s.text in {"50.0%", "40/80"}]
    assert boxes[0] != boxes[1]
    assert chart.outcomes_chart({**got, "outcomes": {**got["outcomes"], "scores": []}}, 186.0) is None


def rendered(name: str, got: dict):
    fmt = formats.REPORT[name]
    handle = io.BytesIO() if fmt.binary else io.StringIO()
    fmt.write(handle, ReportDocument([got], ()))
    return handle.getvalue()


def test_html_markdown_and_pdf_carry_the_section():
    got = build()
    html = rendered("html", got)
    assert "Outcomes: questionnaires" in html and "+11.9" in html and "yes, better" in html
    assert "80.0%" in html and "mild 2" in html and "done on 2 of 4 days logged (50%)" in html
    assert "Zoë &lt;Łukasiewicz&gt;" in html and "<Łukasiewicz>" not in html
    assert html.count("<svg") == 3  # pain, weight-bearing, outcomes
    markdown = rendered("markdown", got)
    assert "## Outcomes: questionnaires" in markdown and "| FAAM daily living | 2026-04-21 | 42 | 61.9% |" in markdown
    assert rendered("pdf", got).startswith(b"%PDF")
