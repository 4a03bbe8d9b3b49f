"""Printed and exported documents, each read back with a real parser: PDF with pypdf, HTML with
html.parser, ICS with icalendar, CSV with csv, JSON with json."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pypdf
import pytest
from icalendar import Calendar

from rehab import deviations, report, vocab
from rehab import timeline as tl
from rehab.errors import RehabError
from rehab.protocols import builtin_ids, find
from rehab.model import Acknowledgement, Entry, Patient, PatientRecord
from rehab import config, wording
from rehab.render import formats, tabular
from rehab.render.documents import PlanDocument, ReportDocument

LONG_NAME = "Maria-Guadalupe Zoë Łukasiewicz-Ó Ceallaigh de la Fuente y Hernández"
SURGEON = "Professor Siobhán Ó Ceallaigh-Fitzgerald FRCS (Tr & Orth)"
CLINIC = {"name": "Department of Foot and Ankle Surgery, St Elsewhere University Hospital",
          "phone": "+44 20 7946 0000 ext. 4321", "email": "foot.ankle@st-elsewhere.example",
          "address": "Orthopaedic Outpatients, Level 2, 1 Hospital Road, London SE1 7EH",
          "emergency_phone": "999"}
SURGERY = date(2026, 3, 2)
TODAY = date(2026, 3, 25)
INJECTED = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@x", "\tTAB", "\rCR"]


def person(name=LONG_NAME, pid="zoe") -> dict:
    return {"id": pid, "name": name, "surgery_date": SURGERY.isoformat(), "procedure": "fhl-release",
            "side": "left", "surgeon": SURGEON}


def flat(text: str) -> str:
    """Extracted text with every run of whitespace as one space (lines wrap anywhere)."""
    return " ".join(text.split())


def rendered(fmt: formats.Format, document):
    """A document as a format writes it: bytes for a binary format, else text."""
    handle = io.BytesIO() if fmt.binary else io.StringIO()
    fmt.write(handle, document)
    return handle.getvalue()


def timeline_pdf(plan, who, today, clinic, paper) -> bytes:
    return rendered(formats.TIMELINE["pdf"], PlanDocument(plan, who, today, clinic, paper))


def timeline_html(plan, who, today, clinic, paper) -> str:
    return rendered(formats.TIMELINE["html"], PlanDocument(plan, who, today, clinic, paper))


def timeline_ics(plan, who) -> str:
    return rendered(formats.TIMELINE["ics"], PlanDocument(plan, who, TODAY))


def _reports(reports, summary) -> ReportDocument:
    if summary is None:
        return ReportDocument(reports, ())
    # As `report --all` makes it: the PDF gathers each report's row and orders them itself.
    return ReportDocument(reports, (), lambda built: summary, summary_row=report.summary_row,
                          order=report.attention_order)


def report_pdf(reports, summary) -> bytes:
    return rendered(formats.REPORT["pdf"], _reports(reports, summary))


def report_html(reports, summary) -> str:
    return rendered(formats.REPORT["html"], _reports(reports, summary))


def report_markdown(reports, summary) -> str:
    return rendered(formats.REPORT["markdown"], _reports(reports, summary))


def report_json(handle, reports) -> None:
    formats.REPORT["json"].write(handle, _reports(reports, None))


def pdf_pages(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def key_dates(plan: tl.Timeline) -> list[str]:
    return [wording.date_label(m.date) if m.end_date is None else wording.date_span(m.date, m.end_date)
            for m in plan.milestones]


class Tags(HTMLParser):
    """Every start tag with its attributes, and all the text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def all_text(self) -> str:
        return flat(" ".join(self.text))


def assert_self_contained(html: str) -> Tags:
    parsed = Tags(html)
    names = [t for t, _ in parsed.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    for _, attrs in parsed.tags:
        for key in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(key) or ""), attrs
    assert "@import" not in html and "url(" not in html
    return parsed


# --- the one-page timeline -------------------------------------------------------------------

@pytest.fixture(scope="module")
def timeline_pdfs() -> dict:
    """Every built-in protocol on A4 and Letter, with long names and full clinic details."""
    out = {}
    for pid in builtin_ids():
        plan = tl.build(find(pid), SURGERY)
        for paper in ("a4", "letter"):
            out[pid, paper] = (plan, timeline_pdf(plan, person(), TODAY, CLINIC, paper))
    return out


@pytest.mark.parametrize("pid", ["arthroscopic-debridement", "fhl-release", "os-trigonum-excision"])
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_timeline_pdf_is_one_page_with_every_key_date(timeline_pdfs, pid, paper):
    plan, data = timeline_pdfs[pid, paper]
    pages = pdf_pages(data)
    assert len(pages) == 1
    text = pages[0]
    for needle in (LONG_NAME, SURGEON, "Left ankle", plan.protocol.name, wording.NOTICE,
                   f"Contact your surgical team now on {CLINIC['phone']} for:",
                   wording.if_unreachable(wording.Contacts.of(CLINIC)), "Today: day 23", CLINIC["phone"],
                   CLINIC["address"],
                   wording.date_label(SURGERY), *key_dates(plan)):
        assert flat(needle) in text, needle
    for phase in plan.phases:
        assert phase.title in text
        assert wording.date_label(phase.start_date) in text
    for sign, _, _ in vocab.SIGNS.values():
        assert sign[1:] in text  # the first letter is capitalised on the page
    assert text.count("DVT") == 1 and text.count("Contact your surgical team") == 1


def test_timeline_pdf_paper_sizes_and_embedded_font(timeline_pdfs):
    for paper, size in (("a4", (595, 842)), ("letter", (612, 792))):
        page = pypdf.PdfReader(io.BytesIO(timeline_pdfs["fhl-release", paper][1])).pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "DejaVu" in str(font["/BaseFont"]) and "/FontFile2" in descriptor


def test_timeline_pdf_fits_the_longest_name_a_patient_may_have():
    plan = tl.build(find("os-trigonum-excision"), SURGERY)
    longest = ("Zoë Łukasiewicz–Ó Ceallaigh " * 8)[:200].strip()  # 200 characters: the most a name may be
    data = timeline_pdf(plan, person(longest), TODAY, CLINIC, "letter")
    pages = pdf_pages(data)
    assert len(pages) == 1
    assert "Zoë Łukasiewicz–Ó Ceallaigh Zoë" in pages[0]


def test_timeline_before_surgery_and_without_clinic_or_patient():
    plan = tl.build(find("fhl-release"), SURGERY)
    text = pdf_pages(timeline_pdf(plan, None, SURGERY - timedelta(days=5), {}, "a4"))
    assert len(text) == 1
    assert "surgery in 5 days" in text[0]
    assert "Today:" not in text[0] and "Your clinic" not in text[0] and "Patient:" not in text[0]


def test_timeline_html(tmp_path):
    plan = tl.build(find("fhl-release"), SURGERY)
    html = timeline_html(plan, person("<script>alert(1)</script> Zoë"), TODAY, CLINIC, "letter")
    parsed = assert_self_contained(html)
    text = parsed.all_text
    assert "<script>alert(1)</script> Zoë" in text
    assert "size: letter" in html and "@page" in html
    for needle in (wording.NOTICE, wording.if_unreachable(wording.Contacts.of(CLINIC)), SURGEON, CLINIC["email"],
                   f"Contact your surgical team now on {CLINIC['phone']} for:", *key_dates(plan)):
        assert flat(needle) in text, needle
    assert any(tag == "svg" for tag, _ in parsed.tags)
    assert "size: A4" in timeline_html(plan, None, TODAY, {}, "a4")


def test_unknown_paper_is_refused():
    plan = tl.build(find("fhl-release"), SURGERY)
    with pytest.raises(RehabError, match="paper"):
        timeline_html(plan, None, TODAY, {}, "a3")


# --- ICS ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("surgery", ["2026-03-29", "2026-10-25", "2026-03-08", "2026-01-31", "2026-12-31"])
def test_ics_dates_match_the_timeline(surgery):
    plan = tl.build(find("fhl-release"), date.fromisoformat(surgery))
    calendar = Calendar.from_ical(timeline_ics(plan, None))
    assert str(calendar["VERSION"]) == "2.0" and "rehab" in str(calendar["PRODID"])
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    # "New normal" (6-12 months) is two one-day events, at the window's start and at its end
    assert len(events) == len(plan.milestones) + len(plan.phases) + 1
    stem = f"fhl-release-{surgery}"
    for m in plan.milestones:
        event = events[f"{stem}-milestone-{m.id}@rehab"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and type(end) is date  # all-day, VALUE=DATE
        if m.id == "new-baseline":
            closes = events[f"{stem}-milestone-{m.id}-end@rehab"]
            assert (start, end) == (m.date, m.date + timedelta(days=1))
            assert (closes.decoded("DTSTART"), closes.decoded("DTEND")) == (m.end_date, m.end_date + timedelta(days=1))
            assert str(event["SUMMARY"]).startswith(m.title) and "opens" in str(event["SUMMARY"])
            assert "closes" in str(closes["SUMMARY"])
            continue
        assert (start, end) == (m.date, m.last_date + timedelta(days=1))
        assert str(event["SUMMARY"]) == m.title
    for p in plan.phases:
        event = events[f"{stem}-phase-{p.id}@rehab"]
        assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (p.start_date, p.start_date + timedelta(days=1))
        assert p.title in str(event["SUMMARY"])
    for event in events.values():
        assert wording.NOTICE in str(event["DESCRIPTION"]) and "DTSTAMP" in event


def test_ics_gives_each_phase_the_activities_the_printed_plan_gives():
    """Sport opens at day 70, inside the 6–12 week phase: the calendar must not read as leave
    to start it on day 42, any more than the printed plan does."""
    plan = tl.build(find("fhl-release"), SURGERY)
    events = {str(e["UID"]): e for e in Calendar.from_ical(timeline_ics(plan, None)).walk("VEVENT")}
    for p in plan.phases:
        description = str(events[f"fhl-release-{SURGERY}-phase-{p.id}@rehab"]["DESCRIPTION"])
        assert f"Activities: {', '.join(plan.activity_labels(p))}." in " ".join(description.split())
    assert any("sport from day 70" in label for p in plan.phases for label in plan.activity_labels(p))


def test_the_pdf_renderer_returns_what_it_could_not_draw_and_prints_nothing(capsys):
    plan = tl.build(find("fhl-release"), SURGERY)
    handle = io.BytesIO()
    missing = formats.TIMELINE["pdf"].write(handle, PlanDocument(plan, person("日本 Zoë"), TODAY))
    assert missing == "日本" and handle.getvalue().startswith(b"%PDF")
    assert capsys.readouterr() == ("", "")
    assert formats.TIMELINE["pdf"].write(io.BytesIO(), PlanDocument(plan, person("Zoë"), TODAY)) == ""


def test_ics_a_later_file_updates_the_events_with_a_higher_sequence(monkeypatch):
    from rehab.render import ics

    plan = tl.build(find("os-trigonum-excision"), SURGERY)

    def sequences():
        events = Calendar.from_ical(timeline_ics(plan, person())).walk("VEVENT")
        return {int(e["SEQUENCE"]) for e in events}

    first = sequences()
    real = ics.datetime

    class Later(real):
        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + timedelta(hours=1)

    monkeypatch.setattr(ics, "datetime", Later)
    later = sequences()
    assert len(first) == len(later) == 1 and min(later) >= max(first) + 60


def test_ics_phase_activities_say_when_sport_opens():
    plan = tl.build(find("fhl-release"), SURGERY)
    events = Calendar.from_ical(timeline_ics(plan, None)).walk("VEVENT")
    phase = next(e for e in events if "Return to activity" in str(e["SUMMARY"]))
    assert "sport from day 70" in str(phase["DESCRIPTION"])


def test_ics_uids_are_stable_per_patient():
    old = tl.build(find("fhl-release"), SURGERY)
    moved = tl.build(find("fhl-release"), SURGERY + timedelta(days=3))

    def uids(plan):
        return sorted(str(e["UID"]) for e in Calendar.from_ical(timeline_ics(plan, person())).walk("VEVENT"))

    assert uids(old) == uids(old) == uids(moved)  # a moved operation updates the same events
    assert all(uid.startswith("zoe-") for uid in uids(old))
    # Without a stored patient, the name keeps two patients' plans apart.

    def anonymous(name):
        doc = timeline_ics(old, {"id": None, "name": name} if name else None)
        return {str(e["UID"]) for e in Calendar.from_ical(doc).walk("VEVENT")}

    assert not anonymous("Ann Lee") & anonymous("Bob Roy")
    assert not anonymous("王小明") & anonymous("李小龍")  # no ASCII reading: kept apart all the same
    assert all(uid.startswith("ann-lee-fhl-release-") for uid in anonymous("Ann Lee"))
    assert all(uid.startswith("fhl-release-") for uid in anonymous(None))
    assert "VALUE=DATE" in timeline_ics(old, None)


# --- reports ------------------------------------------------------------------------------------

def _patient_record(pid: str, name: str, notes: dict[int, str]) -> PatientRecord:
    entries = []
    for day in range(24):
        if day in (5, 6, 7, 15):
            continue
        entries.append(Entry(
            SURGERY + timedelta(days=day), pain=6 if day == 17 else max(1, 6 - day // 4),
            weight_bearing="full" if day == 9 else "partial" if day < 14 else "as-tolerated",
            boot=day < 15, activity="rest" if day < 10 else "walking",
            symptoms=("calf-pain",) if day == 17 else (), milestones=("wound-review",) if day == 14 else (),
            note=notes.get(day)))
    patient = Patient(pid, name, SURGERY, "fhl-release", "left", SURGEON)
    return PatientRecord(patient, entries)


NOTES = {1: "<script>alert(1)</script>", 2: "knee | ankle", 12: "Walked to the shop – fine", 13: "Siobhán Ó Ceallaigh rang"}
NOTES |= {20 + i: text for i, text in enumerate(INJECTED[:4])}


@pytest.fixture(scope="module")
def reports() -> list[dict]:
    plan_protocol = find("fhl-release")
    first = _patient_record("zoe", "Zoë Łukasiewicz", NOTES)
    second = _patient_record("amir", "Amir Haddad", {3: "fine"})
    second.entries = second.entries[:5]
    out = []
    for rec in (first, second):
        plan = tl.build(plan_protocol, SURGERY)
        flags = deviations.evaluate(plan, rec.entries, TODAY)
        acks = {}
        if rec.patient.id == "zoe":
            wb = next(f for f in flags if f.rule == "weight-bearing-ahead")
            acks = {wb.key: Acknowledgement(wb.date, wb.rule, wb.subject, "discussed; fine", "J. Physio",
                                            datetime(2026, 3, 12, 10, 0))}
        out.append(report.build(rec, plan, flags, acks, TODAY, None, None))
    return out


@pytest.fixture(scope="module")
def summary(reports) -> list[dict]:
    return report.attention_order([report.summary_row(r) for r in reports])


@pytest.fixture(scope="module")
def one_pdf(reports) -> list[str]:
    return pdf_pages(report_pdf(reports[:1], None))


@pytest.fixture(scope="module")
def all_pdf(reports, summary) -> list[str]:
    return pdf_pages(report_pdf(reports, summary))


def test_report_fixture_has_an_urgent_and_an_acknowledged_flag(reports):
    flags = reports[0]["flags"]
    assert any(f["rule"] == "red-flag" and f["severity"] == "urgent" for f in flags)
    assert any(f["acknowledged"] for f in flags) and not all(f["acknowledged"] for f in flags)


def test_report_pdf(reports, one_pdf):
    text = " ".join(one_pdf)
    for needle in ("Zoë Łukasiewicz", "Siobhán Ó Ceallaigh", "–", "FHL tendon release", "20 of 24",
                   "Walked to the shop – fine", "<script>alert(1)</script>", "J. Physio", "discussed; fine"):
        assert needle in text, needle
    for flag in reports[0]["flags"]:
        assert flag["rule"] in text and flat(flag["message"]) in text, flag
    # a report speaks to the clinician; "your surgeon's plan" is the patient's printed plan's
    assert all(flat(wording.REPORT_NOTICE) in page and flat(wording.NOTICE) not in page for page in one_pdf)


def test_report_pdf_all_opens_with_the_summary_and_a_page_per_patient(all_pdf, summary):
    assert "Who needs attention" in all_pdf[0]
    assert all_pdf[0].index("Zoë Łukasiewicz") < all_pdf[0].index("Amir Haddad")  # the urgent one first
    starts = [i for i, page in enumerate(all_pdf) if page.startswith("Progress report:")]
    assert [all_pdf[i].split(" Patient:")[0].split(" OPEN RED FLAGS:")[0] for i in starts] == [
        "Progress report: Zoë Łukasiewicz", "Progress report: Amir Haddad"]
    # Zoë's unacknowledged red flag heads her report
    assert "OPEN RED FLAGS: 2026-03-19: calf-pain" in all_pdf[starts[0]]
    assert "OPEN RED FLAGS" not in all_pdf[starts[1]]
    assert all(flat(wording.REPORT_NOTICE) in page for page in all_pdf)
    assert summary[0]["urgent"] >= 1


def test_report_pdf_all_numbers_every_page_wherever_the_footer_wraps(reports, summary, monkeypatch):
    """A clinic's PDF is drawn in parts whose footers hold a mark where the page number goes,
    replaced when the parts are joined: the mark never splits over two lines, wherever the
    notice before it ends, so every page gets its number."""
    for extra in range(0, 150, 10):
        monkeypatch.setattr(wording, "REPORT_NOTICE", "For the clinical team " + "w" * extra + " ends here.")
        pages = pdf_pages(report_pdf(reports, summary))
        assert [re.search(r"Page (\d+) of (\d+)", page).groups() for page in pages] == [
            (str(n), str(len(pages))) for n in range(1, len(pages) + 1)], extra


def test_report_pdf_all_pages_are_a4_as_the_parts_were(reports, summary):
    """The joined PDF's pages keep what each part's page tree gave them: the paper's size."""
    reader = pypdf.PdfReader(io.BytesIO(report_pdf(reports, summary)))
    assert len(reader.pages) > 3
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (595.3, 841.9)


def test_report_html(reports, summary):
    html = report_html(reports, summary)
    parsed = assert_self_contained(html)
    text = parsed.all_text
    assert "<script>alert(1)</script>" in text and "knee | ankle" in text
    assert text.index("Who needs attention") < text.index("Progress report: Zoë Łukasiewicz")
    # the patients follow the summary's order, whatever order the reports came in
    reordered = Tags(report_html(reports[::-1], summary)).all_text
    assert reordered.index("Progress report: Zoë") < reordered.index("Progress report: Amir")
    for flag in reports[0]["flags"]:
        assert flat(flag["message"]) in text
    assert text.count(wording.REPORT_NOTICE) == 1  # in the footer every printed page repeats
    assert wording.NOTICE not in text
    assert sum(tag == "svg" for tag, _ in parsed.tags) == 4  # pain and weight-bearing, per patient
    single = Tags(report_html(reports[:1], None)).all_text
    assert "Who needs attention" not in single


def test_report_markdown(reports, summary):
    text = report_markdown(reports, summary)
    assert text.startswith("# Who needs attention")
    assert "<script>" not in text and "\\<script\\>" in text
    entries = text.split("## Entries")[1].split("\n\n")[1].splitlines()
    cells = {len(re.split(r"(?<!\\)\|", line)) for line in entries}
    assert len(entries) == len(reports[0]["entries"]) + 2 and cells == {11}  # a "|" in a note adds no column
    for flag in reports[0]["flags"]:
        assert flag["rule"] in text


# --- CSV and JSON ------------------------------------------------------------------------------------

def _streamed(reports, handle, marker: str):
    """Yield the reports, checking that the first was written before the second is asked for."""
    yield reports[0]
    assert marker in handle.getvalue()
    yield from reports[1:]


def _csv_patients():
    """The report fixture's two patients as `report --format csv` reads them: records and flags."""
    for record in (_patient_record("zoe", "Zoë Łukasiewicz", NOTES), _patient_record("amir", "Amir Haddad", {3: "fine"})):
        entries = record.entries if record.patient.id == "zoe" else record.entries[:5]
        yield record.patient, entries, deviations.evaluate(tl.build(find("fhl-release"), SURGERY), entries, TODAY)


def test_csv(reports):
    handle = io.StringIO(newline="")
    tabular.write_entry_rows(handle, _streamed(list(_csv_patients()), handle, "zoe"))
    rows = list(csv.reader(io.StringIO(handle.getvalue(), newline="")))
    header, body = rows[0], rows[1:]
    assert header[:10] == ["patient_id", "date", "day", "pain", "weight_bearing", "boot", "activity",
                           "symptoms", "milestones", "note"]
    assert len(body) == sum(len(r["entries"]) for r in reports)
    col = {name: i for i, name in enumerate(header)}
    notes = [row[col["note"]] for row in body]
    for injected in INJECTED[:4]:
        assert "'" + injected in notes
    assert all(re.fullmatch(r"\d+", row[col["pain"]]) and re.fullmatch(r"\d+", row[col["day"]]) for row in body)
    calf = next(row for row in body if row[col["symptoms"]])
    assert calf[col["symptoms"]] == "calf-pain" and "red-flag" in calf[col["flags"]].split(";")
    assert "<script>alert(1)</script>" in notes and "Walked to the shop – fine" in notes
    # The rows are the entries and flags the patients' full reports give.
    assert [(row[col["patient_id"]], row[col["date"]]) for row in body] == [
        (r["patient"]["id"], e["date"]) for r in reports for e in r["entries"]]
    flagged = {(r["patient"]["id"], f["date"]) for r in reports for f in r["flags"]}
    assert {(row[col["patient_id"]], row[col["date"]]) for row in body if row[col["flags"]]} == {
        key for key in flagged if key in {(r["patient"]["id"], e["date"]) for r in reports for e in r["entries"]}}


def test_csv_neutralises_every_formula_start():
    patient = Patient("-x", "=cmd|' /C calc'!A0", date(2026, 3, 2), "fhl-release")
    direct = io.StringIO(newline="")
    tabular.write_entry_rows(direct, [(patient, [Entry(date(2026, 3, 3), 3, "partial", note=text)
                                                    for text in INJECTED], [])])
    rows = list(csv.DictReader(io.StringIO(direct.getvalue(), newline="")))
    assert [r["note"] for r in rows] == ["'" + text for text in INJECTED]
    assert rows[0]["patient_id"] == "'-x" and rows[0]["patient_name"].startswith("'=")


def test_json(reports):
    handle = io.StringIO()
    report_json(handle, _streamed(reports, handle, '"zoe"'))
    raw = handle.getvalue()
    assert "Zoë" in raw  # not \u-escaped
    doc = json.loads(raw)
    assert list(doc) == ["patients"] and doc["patients"] == json.loads(json.dumps(reports))
    for item in doc["patients"]:
        assert {"patient", "timeline", "entries", "flags", "adherence", "pain"} <= set(item)
        assert set(item["adherence"]) == {"days_expected", "days_logged", "ratio", "longest_gap"}
        assert {"latest", "average_7d", "change_vs_previous_week", "lowest", "highest"} <= set(item["pain"])
    empty = io.StringIO()
    report_json(empty, iter(()))
    assert json.loads(empty.getvalue()) == {"patients": []}


# --- clinic details and start-up ----------------------------------------------------------------------

def test_clinic_details_from_file_and_options(isolated):
    folder = isolated / "home" / "config" / "rehab"
    assert config.clinic(None, None, None) == dict.fromkeys(
        ("name", "phone", "out_of_hours_phone", "email", "address", "emergency_phone"))
    folder.mkdir(parents=True)
    (folder / "clinic.yaml").write_text("name: Ankle Unit\nphone: 0207\naddress: 1 Road\nemail:\n"
                                        "out_of_hours_phone: 0208\n", encoding="utf-8")
    assert config.clinic(None, None, None) == {"name": "Ankle Unit", "phone": "0207", "email": None,
                                               "address": "1 Road", "emergency_phone": None,
                                               "out_of_hours_phone": "0208"}
    # an option replaces the whole block: never the file's address beside another clinic's email
    assert config.clinic(None, None, "desk@example.org") == {
        "name": None, "phone": None, "email": "desk@example.org", "address": None,
        "emergency_phone": None, "out_of_hours_phone": None}
    assert config.clinic("Other", "1", None)["name"] == "Other"


@pytest.mark.parametrize("content, message", [
    ("name: [unclosed", "not valid YAML"),
    ("- a list\n", "must be a mapping"),
    ("fax: 123\n", "unknown key 'fax'"),
    ("name:\n  nested: 1\n", "plain text"),
    ('name: "Ankle\\e[2J Unit"\n', "name may not contain an escape character"),
    ('phone: "0207\\x00"\n', "phone may not contain a NUL byte"),
])
def test_malformed_clinic_file_names_the_file(isolated, content, message):
    path = isolated / "home" / "config" / "rehab" / "clinic.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RehabError, match=message) as error:
        config.clinic(None, None, None)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("option", ["--clinic", "--clinic-phone", "--clinic-email"])
@pytest.mark.parametrize("bad", ["Ankle\x1b]0;owned\x07 Unit", "desk\x00@example.org", "\x9b31m"],
                         ids=["escape-sequence", "nul", "c1-control"])
def test_clinic_options_refuse_control_characters(rehab, db_path, option, bad):
    """As every one-line field does (rehab.text): a plan printed with them would carry the
    terminal sequence or the NUL into the PDF, the HTML and the calendar."""
    result = rehab("timeline", "--surgery-date", "2026-03-01", "--procedure", "fhl-release", "--format",
                   "markdown", option, bad)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"rehab: {option} may not contain") and result.stderr.count("\n") == 1
    assert not db_path.exists()
    fine = rehab("timeline", "--surgery-date", "2026-03-01", "--procedure", "fhl-release", "--format",
                 "html", option, "  Ankle\tUnit \n ")  # whitespace made one space, as in a name
    assert fine.exit_code == 0 and "Ankle Unit" in fine.stdout


def test_documents_module_imports_no_heavy_library():
    code = ("import sys, rehab.render.documents; "
            "print(sorted(m for m in ('fpdf', 'jinja2', 'icalendar', 'platformdirs') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_clinic_csv_from_entries_matches_the_csv_of_full_reports(tmp_path):
    """`report --all --format csv` writes rows straight from the entries; they must say what
    the full report document says of the same entries and flags."""
    import io

    from rehab import deviations, report as report_data
    from rehab import timeline as tl
    from rehab.protocols import find
    from rehab.model import Entry, Patient, PatientRecord

    surgery = date(2026, 1, 31)
    patient = Patient("zoe", "=Zoë Łukasiewicz", surgery, "fhl-release", "left")
    entries = [Entry(surgery + timedelta(days=d), p, wb, boot, act, sym, ms, note) for d, p, wb, boot, act, sym, ms, note in [
        (0, 6, "partial", True, "rest", (), ("big-toe-motion",), "+44 7700"),
        (1, 6, "full", False, None, ("fever", "calf-pain"), (), "-ok"),
        (3, 2, "toe-touch", None, "walking", (), (), None),
        (9, 9, "partial", True, "walking", (), (), "@home\ttab"),
    ]]
    record = PatientRecord(patient, entries)
    protocol = find("fhl-release")
    as_of, first, last = surgery + timedelta(days=10), surgery + timedelta(days=1), None
    plan = tl.build(protocol, surgery)
    flags = deviations.evaluate(plan, entries, as_of)
    document = report_data.build(record, plan, flags, {}, as_of, first, last)
    in_range = report_data.in_range(entries, *report_data.report_range(surgery, as_of, first, last))
    direct = io.StringIO(newline="")
    tabular.write_entry_rows(direct, [(patient, in_range, flags)])
    rows = list(csv.DictReader(io.StringIO(direct.getvalue(), newline="")))
    assert len(rows) == 3  # the three entries from day 1
    for row, entry in zip(rows, document["entries"], strict=True):
        assert (row["date"], int(row["day"]), int(row["pain"]), row["weight_bearing"]) == (
            entry["date"], entry["day"], entry["pain"], entry["weight_bearing"])
        assert row["boot"] == wording.BOOT_WORDS[entry["boot"]] and row["activity"] == (entry["activity"] or "")
        assert row["symptoms"].split(";") == (entry["symptoms"] or [""])
        assert row["note"] == ("'" + entry["note"] if entry["note"] and entry["note"][0] in "=+-@\t\r" else entry["note"] or "")
        rules = {f["rule"] for f in document["flags"] if f["date"] == entry["date"]}
        assert set(filter(None, row["flags"].split(";"))) == rules
    assert rows[0]["patient_name"] == "'=Zoë Łukasiewicz"


def test_report_entries_do_not_star_less_weight_in_the_first_phase():
    plan = tl.build(find("fhl-release"), SURGERY)
    phases = tl.to_dict(plan, None)["phases"]
    none_day1 = {"date": "2026-03-03", "day": 1, "pain": 3, "weight_bearing": "none", "boot": True,
                 "activity": "rest", "symptoms": [], "milestones": [], "note": None}
    full_day1 = {**none_day1, "weight_bearing": "full"}
    none_day20 = {**none_day1, "date": "2026-03-22", "day": 20}
    from rehab.render.documents import _entry_row

    assert _entry_row(none_day1, phases)[3] == "NWB"
    assert _entry_row(full_day1, phases)[3] == "FWB *"
    assert _entry_row(none_day20, phases)[3] == "NWB *"


def test_the_printed_plan_counts_the_week_the_patient_is_in():
    plan = tl.build(find("fhl-release"), SURGERY)
    pages = pdf_pages(timeline_pdf(plan, person(), SURGERY + timedelta(days=19), {}, "a4"))
    assert "day 19 after surgery (week 3 of recovery)" in pages[0]
    assert "Possible blood clot" in " ".join(pages) and "Blood clot in the leg" not in " ".join(pages)
