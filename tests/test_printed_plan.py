"""The printed plan (`rehab timeline --format pdf|html|markdown`): its red-flag panel, its
timeline band, an ad-hoc plan, the clinic's contact block. PDFs are read back with pypdf."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pypdf
import pytest

from rehab import timeline as tl
from rehab import vocab, wording
from rehab.protocols import builtin_ids, find
from rehab.render import documents, formats
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
