"""The report's charts and the tables beside them, as a clinician reads them (issue 18, item 13):
labels never cut by a line or by the chart's edge, a word never split across lines, the pain
line broken where days are missing, and words instead of an empty chart before surgery."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pypdf
import pytest
from fpdf import FPDF

from rehab import deviations, report
from rehab import timeline as tl
from rehab.model import Entry, Patient, PatientRecord
from rehab.protocols import find
from rehab.render import chart, formats, pdf
from rehab.render.documents import CHART_WIDTH, ReportDocument

SURGERY = date(2026, 3, 2)


def record(days, procedure="fhl-release", symptoms=None) -> PatientRecord:
    """A patient who logged on the given days after surgery (pain falling slowly)."""
    symptoms = symptoms or {}
    entries = [Entry(SURGERY + timedelta(days=d), pain=max(0, 6 - d // 10),
                     weight_bearing="partial" if d < 14 else "as-tolerated" if d < 42 else "full",
                     boot=d < 14, activity="rest" if d < 10 else "walking",
                     symptoms=symptoms.get(d, ()), milestones=(), note=None) for d in days]
    return PatientRecord(Patient("ann", "Ann Lee", SURGERY, procedure, "left", None), entries)


def built(rec: PatientRecord, as_of: date, first: date | None = None, last: date | None = None) -> dict:
    plan = tl.build(find(rec.patient.procedure), rec.patient.surgery_date)
    return report.build(rec, plan, deviations.evaluate(plan, rec.entries, as_of), {}, as_of, first, last)


def written(fmt: str, reports: list[dict]):
    f = formats.REPORT[fmt]
    handle = io.BytesIO() if f.binary else io.StringIO()
    f.write(handle, ReportDocument(reports, ()))
    return handle.getvalue()


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def labels(c: chart.Chart) -> list[chart.Label]:
    return [s for s in c.shapes if isinstance(s, chart.Label)]


def real_width(label: chart.Label) -> float:
    """The label's width in the bundled PDF font (the same family the HTML asks for first)."""
    measure = FPDF(unit="mm")
    measure.add_font("R", "", str(pdf.FONTS / "DejaVuSansCondensed.ttf"))
    measure.add_font("R", "B", str(pdf.FONTS / "DejaVuSansCondensed-Bold.ttf"))
    measure.set_font("R", "B" if label.bold else "", label.size * pdf.PT_PER_MM)
    return measure.get_string_width(label.text)


def box(label: chart.Label, width: float) -> tuple[float, float, float, float]:
    x0 = label.x - {"start": 0, "middle": width / 2, "end": width}[label.anchor]
    return x0, label.y - label.size * 0.8, x0 + width, label.y + label.size * 0.2


# --- the pain line --------------------------------------------------------------------------------

def test_pain_runs_join_across_one_missing_day_and_break_across_more():
    assert chart.pain_runs([0, 1, 2, 4, 8, 9, 20]) == [[0, 1, 2, 3], [4, 5], [6]]
    assert chart.pain_runs([]) == []
    assert chart.pain_runs([5]) == [[0]]


def test_the_pain_line_is_not_drawn_across_days_without_entries():
    days = [d for d in range(30) if d not in range(12, 18)]  # six days unlogged: 12-17
    pain = chart.report_charts(built(record(days), SURGERY + timedelta(days=29)), CHART_WIDTH)[0]
    frame_x = chart._Frame(built(record(days), SURGERY + timedelta(days=29)), CHART_WIDTH).x
    before, after = frame_x(11.5), frame_x(18.5)
    lines = [s for s in pain.shapes if isinstance(s, chart.Line) and s.width == 0.45]
    assert len(lines) == 2
    for line in lines:
        xs = [x for x, _ in line.points]
        assert not any(a <= before + 0.01 and b >= after - 0.01 for a, b in zip(xs, xs[1:]))
    # every logged day is still marked
    assert sum(isinstance(s, chart.Mark) and s.shape == "circle" for s in pain.shapes) == len(days)


# --- labels ----------------------------------------------------------------------------------------

def test_milestone_labels_are_not_crossed_by_a_phase_or_report_date_line():
    """"Return to spor|t": the phase's dashed line ran through the label."""
    days = range(0, 201)
    for last in (60, 90, 200):
        pain = chart.report_charts(built(record(days), SURGERY + timedelta(days=last)), CHART_WIDTH)[0]
        verticals = [s for s in pain.shapes if isinstance(s, chart.Line) and len(s.points) == 2
                     and s.points[0][0] == s.points[1][0]]
        diamonds = min(s.y for s in pain.shapes if isinstance(s, chart.Mark) and s.shape == "diamond")
        milestone_labels = [lb for lb in labels(pain) if not lb.bold and lb.y < diamonds]
        assert milestone_labels
        for label in milestone_labels:
            x0, y0, x1, y1 = box(label, real_width(label))
            for line in verticals:
                (x, top), (_, bottom) = line.points
                if line.width < 0.2:
                    continue  # the label's own leader
                assert not (x0 < x < x1 and top < y1 and bottom > y0), (label.text, line)
            # ... nor by the edge between two phase bands: they sit on a white strip over them
            index = pain.shapes.index(label)
            assert any(isinstance(s, chart.Rect) and s.fill == 255 and s.x <= x0 and x1 <= s.x + s.w
                       and s.y <= y0 and y1 <= s.y + s.h and pain.shapes.index(s) < index
                       and all(pain.shapes.index(b) < pain.shapes.index(s) for b in pain.shapes
                               if isinstance(b, chart.Rect) and b.fill == 236)
                       for s in pain.shapes), label.text


@pytest.mark.parametrize("first, last", [(18, 85), (45, 84), (9, 84), (0, 200), (150, 190)])
def test_every_label_lies_inside_its_chart(first, last):
    """A narrow last band put "Phase 4" past the right edge, where an SVG clips it."""
    rec = record(range(0, 201))
    doc = built(rec, SURGERY + timedelta(days=last), SURGERY + timedelta(days=first), SURGERY + timedelta(days=last))
    for c in chart.report_charts(doc, CHART_WIDTH):
        for label in labels(c):
            x0, _, x1, _ = box(label, real_width(label))
            assert x0 >= 0 and x1 <= c.width, (label.text, x0, x1, c.width)


def test_label_width_estimates_count_wide_characters_as_a_full_em():
    assert chart.text_width("王小明", 2.0) == pytest.approx(6.0)
    assert chart.text_width("abc", 2.0) == pytest.approx(3 * 2.0 * chart.CHAR_WIDTH)


# --- words are never split ------------------------------------------------------------------------

@pytest.mark.parametrize("room", [12.0, 18.0, 24.0, 30.0, 45.0])
def test_wrap_breaks_only_at_spaces_hyphens_commas_and_slashes(room):
    doc = pdf._Document("a4", "t")
    doc.add_page()
    doc.font(8)
    text = "red-flag (calf-pain, calf-swelling) and weight-bearing-ahead or full/partial"
    lines = doc.wrap(text, room)
    assert " ".join(lines).replace("- ", "-").replace("/ ", "/") == text
    for line, following in zip(lines, lines[1:]):
        assert not (line[-1].isalpha() and following[0].isalpha() and f"{line}{following}" in text), (line, following)
    assert all(doc.get_string_width(line) <= room + 0.01 for line in lines)


def test_the_flag_table_never_splits_a_symptom_or_a_date():
    """'calf-swellin g': several symptoms ran together in the narrow rule column."""
    rec = record(range(0, 35), symptoms={31: ("calf-pain", "calf-swelling", "leg-warmth")})
    text = pdf_text(written("pdf", [built(rec, SURGERY + timedelta(days=34))]))
    assert "red-flag (calf-pain, calf-swelling, leg-warmth)" in text
    assert not re.search(r"swellin\s+g|2026-\s+04|URGEN\s+T", text)


# --- before surgery -------------------------------------------------------------------------------

def test_before_surgery_the_report_says_what_will_appear_instead_of_an_empty_chart():
    doc = built(record([], "os-trigonum-excision"), SURGERY - timedelta(days=5))
    chart_words = "Nothing to chart yet: surgery is on Mon 2 Mar 2026."
    phase_words = ("No phase has begun yet. The first, “Protect and rest” (Weeks 0–2 · days 0–13), begins on the "
                   "day of surgery, Mon 2 Mar 2026; each phase has a row here from the day it begins.")
    text = pdf_text(written("pdf", [doc]))
    assert chart_words in text and phase_words in text
    assert "Activities (allowed / logged)" not in text  # no empty phase table
    html = written("html", [doc])
    assert "<svg" not in html and chart_words in html and phase_words in html
    assert phase_words in written("markdown", [doc])
    # from the day of surgery the chart is back
    after = built(record([0]), SURGERY)
    assert "Nothing to chart yet" not in written("html", [after]) and "<svg" in written("html", [after])
