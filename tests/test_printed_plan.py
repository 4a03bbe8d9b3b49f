"""The printed plan (`rehab timeline --format pdf|html|markdown`): its red-flag panel, its
timeline band, an ad-hoc plan, the clinic's contact block. PDFs are read back with pypdf."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pypdf
import pytest

from rehab import timeline as tl
from rehab import wording
from rehab.protocols import builtin_ids, find
from rehab.render import chart, documents, formats
from rehab.render.documents import PlanDocument

SURGERY = date(2026, 9, 1)
CLINIC = {"name": "Ankle Unit", "phone": "020 7946 0000", "out_of_hours_phone": "020 7946 0999",
          "email": None, "address": None, "emergency_phone": "999"}


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(document: PlanDocument) -> str:
    handle = io.BytesIO()
    formats.TIMELINE["pdf"].write(handle, document)
    (page,) = pypdf.PdfReader(io.BytesIO(handle.getvalue())).pages
    return flat(page.extract_text())


def text_of(fmt: str, document: PlanDocument) -> str:
    if fmt == "pdf":
        return pdf_text(document)
    handle = io.StringIO()
    formats.TIMELINE[fmt].write(handle, document)
    return flat(handle.getvalue())


def plan(pid: str = "os-trigonum-excision") -> tl.Timeline:
    return tl.build(find(pid), SURGERY)


# --- item 21: the red-flag panel -------------------------------------------------------------

def test_meanings_name_what_several_signs_share_once():
    said = wording.symptom_meanings(["calf-pain", "fever", "calf-swelling", "wound-opening", "bleeding"],
                                    " (38.0 °C or more)")
    assert said == ["Calf pain and calf swelling can be signs of a blood clot in the leg (DVT).",
                    "A fever (38.0 °C or more) can be a sign of infection.",
                    "A wound whose edges open and bleeding through the dressing need to be seen."]
    assert wording.symptom_meanings(["leg-warmth"]) == ["A warm leg can be a sign of a blood clot in the leg (DVT)."]
    assert wording.symptom_meanings(["new-thing"]) == ["New thing needs to be checked."]


def test_every_leg_clot_sign_sits_under_the_one_clot_heading():
    groups = documents.red_flag_groups(38.0)
    titles = {g["title"]: g["signs"] for column in groups["team"]["columns"] for g in column}
    assert titles["Possible blood clot in the leg (DVT)"] == [
        "Calf pain", "Calf swelling", "A warm leg", "Red, blue or darkened skin of the leg"]
    assert "Other" not in titles  # every sign has its group
    assert groups["emergency"]["signs"] == ["Chest pain", "Sudden breathlessness"]


@pytest.mark.parametrize("fmt", ["pdf", "html", "markdown"])
@pytest.mark.parametrize("clinic", [{}, CLINIC])
def test_the_panel_says_emergency_first_and_the_team_once(fmt, clinic):
    whole = text_of(fmt, PlanDocument(plan(), None, SURGERY + timedelta(days=20), clinic))
    text = whole[whole.index("When to get help now"):]  # the panel (Markdown prints the instructions too)
    assert text.count("DVT") == 1
    assert "Blood clot in the leg" not in text
    assert text.count("Contact your surgical team") == 1
    emergency = text.index("Call emergency services now (" + (clinic.get("emergency_phone") or wording.EMERGENCY_NUMBERS))
    team = text.index("Contact your surgical team now" + (f" on {CLINIC['phone']}" if clinic else ""))
    otherwise = text.index(wording.if_unreachable(wording.Contacts.of(clinic)))
    assert emergency < team < otherwise
    if clinic:
        assert "call the out-of-hours number, 020 7946 0999" in text


# --- item 14: the band, an ad-hoc plan, the contact block ---------------------------------------

def band_of(pid: str, day: int):
    return documents.timeline_page(PlanDocument(plan(pid), None, SURGERY + timedelta(days=day)))["band"]


def label_box(label: chart.Label) -> tuple[float, float, float, float]:
    w = chart.text_width(label.text, label.size)
    left = label.x - {"start": 0, "middle": w / 2, "end": w}[label.anchor]
    return left, left + w, label.y - label.size * 0.75, label.y + label.size * 0.2


@pytest.mark.parametrize("pid", builtin_ids())
def test_the_today_line_runs_through_no_label(pid):
    for day in range(0, 120, 2):
        band = band_of(pid, day)
        dashed = [s for s in band.shapes if isinstance(s, chart.Line) and s.dash]
        assert dashed, day
        for label in (s for s in band.shapes if isinstance(s, chart.Label)):
            left, right, top, bottom = label_box(label)
            for line in dashed:
                (x, y0), (_, y1) = line.points
                crosses = left < x < right and min(y0, y1) < bottom and max(y0, y1) > top
                assert not crosses, (day, label.text)


@pytest.mark.parametrize("pid", builtin_ids())
def test_every_phase_box_says_whether_the_boot_is_on(pid):
    band = band_of(pid, 30)
    boxes = [s for s in band.shapes if isinstance(s, chart.Rect) and s.stroke > 0 and s.fill is not None]
    labels = [s for s in band.shapes if isinstance(s, chart.Label) and not s.bold]
    assert len(boxes) == len(plan(pid).phases)  # every phase is checked: zip would stop short
    for box, phase in zip(boxes, plan(pid).phases):
        inside = [lb.text for lb in labels if box.x <= lb.x <= box.x + box.w and box.y <= lb.y <= box.y + box.h]
        assert any(t.endswith(wording.BOOT_PLAN[phase.phase.boot]) for t in inside), (phase.id, inside)


def test_the_os_trigonum_plan_prints_its_first_box_short():
    text = pdf_text(PlanDocument(plan("os-trigonum-excision"), None, SURGERY + timedelta(days=3)))
    assert "NWB–PWB · boot" in text


@pytest.mark.parametrize("fmt", ["text", "pdf", "html", "markdown", "ics"])
def test_an_ad_hoc_plan_claims_no_milestone_done(rehab, tmp_path, fmt):
    """Long after every milestone's date: a plan with no patient behind it records nothing."""
    out = tmp_path / f"plan.{fmt}"
    result = rehab("timeline", "--surgery-date", "2026-01-05", "--procedure", "os trigonum", "--date", "2027-06-01",
                   "--format", fmt, "--output", out)
    assert result.exit_code == 0, result.stderr
    text = pdf_text_of(out) if fmt == "pdf" else out.read_text(encoding="utf-8")
    for claim in ("✓", "✔", "recorded", "COMPLETED", "reached"):
        assert claim not in text


def pdf_text_of(path) -> str:
    return flat(" ".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages))


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_without_a_clinic_file_the_plan_leaves_lines_to_write_the_numbers_on(fmt):
    text = text_of(fmt, PlanDocument(plan(), None, SURGERY, {}))
    block = text[text.index("write their numbers here"):]
    for label in ("Surgeon:", "Phone:", "Out of hours:", "Emergency number:"):
        assert label in block


def test_the_contact_block_fills_in_what_it_knows():
    assert documents.contact_block({}, {"surgeon": "Mr Hester"}) == {
        "title": "Your surgical team: write their numbers here", "lines": [("Surgeon", "Mr Hester")],
        "blanks": ["Phone", "Out of hours", "Emergency number"]}
    full = documents.contact_block(CLINIC, None)
    assert full["title"] == "Your clinic" and full["blanks"] == []
    assert ("Phone", CLINIC["phone"]) in full["lines"]
    partial = documents.contact_block({"name": "Ankle Unit", "phone": "0207"}, None)
    assert partial["blanks"] == ["Out of hours", "Emergency number"]


# --- item 11: one clinic's details, never two mixed -------------------------------------------

FILE = {"name": "Ankle Unit", "phone": "0207", "out_of_hours_phone": "0208", "email": "a@unit.example",
        "address": "1 Hospital Road", "emergency_phone": "112"}


def test_options_given_are_the_whole_clinic_block():
    from rehab import config

    assert config.block({"name": "X", "phone": "1", "email": None}, FILE) == {
        "name": "X", "phone": "1", "out_of_hours_phone": None, "email": None, "address": None,
        "emergency_phone": None}
    assert config.block({"name": None, "phone": None, "email": "x@x.example"}, FILE)["address"] is None


def test_without_options_the_file_is_the_whole_block():
    from rehab import config

    assert config.block({"name": None, "phone": "  ", "email": None}, FILE) == FILE
    assert config.block({}, {}) == dict.fromkeys(config.KEYS)


def test_timeline_clinic_options_print_no_detail_of_the_clinic_file(rehab, isolated):
    folder = isolated / "home" / "config" / "rehab"
    folder.mkdir(parents=True)
    (folder / "clinic.yaml").write_text("name: Ankle Unit\naddress: 1 Hospital Road\nemergency_phone: 112\n"
                                        "out_of_hours_phone: 0208 111\n", encoding="utf-8")
    base = ("timeline", "--surgery-date", "2026-09-01", "--procedure", "fhl", "--date", "2026-09-10",
            "--format", "html")
    mixed = isolated / "x.html"
    assert rehab(*base, "--clinic", "Clinic X", "--clinic-phone", "0300 123", "--clinic-email", "x@x.example",
                 "--output", mixed).exit_code == 0
    text = mixed.read_text(encoding="utf-8")
    assert "Clinic X" in text and "0300 123" in text and "x@x.example" in text
    for from_file in ("Ankle Unit", "1 Hospital Road", "(112)", "0208 111"):
        assert from_file not in text
    plain = isolated / "file.html"
    assert rehab(*base, "--output", plain).exit_code == 0
    text = plain.read_text(encoding="utf-8")
    assert "Ankle Unit" in text and "1 Hospital Road" in text and "(112)" in text and "0208 111" in text


def test_the_markdown_panel_runs_each_groups_signs_together_in_lower_case():
    text = text_of("markdown", PlanDocument(plan("fhl-release"), None, SURGERY, {}))
    assert "for:** chest pain; sudden breathlessness (possible blood clot in the lung)." in text
    assert "*Possible blood clot in the leg (DVT)*: calf pain; calf swelling; a warm leg;" in text


def test_the_printed_fever_line_says_what_raises_the_flag():
    """A red flag is raised at the threshold itself, so the plan cannot say 'above' it."""
    groups = documents.red_flag_groups(38.0)
    signs = [s for column in groups["team"]["columns"] for g in column for s in g["signs"]]
    [fever] = [s for s in signs if "fever" in s.lower()]
    assert "38 °C / 100.4 °F or higher" in fever and "above" not in fever
