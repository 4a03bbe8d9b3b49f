"""The sample patient `rehab demo` shows: three weeks after os trigonum excision, mostly on
plan, with one off-plan day (full weight-bearing without the boot on day 9)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rehab.model import Entry, Measure, Patient, Score

DEMO_ID = "sam-demo"


def demo_path(db: str | None) -> Path:
    """Beside the main database, never inside it: rehab.db -> rehab-demo.db."""
    from rehab.store.location import default_path, locate

    main = (locate(db).path if db else None) or default_path()
    return main.with_name(f"{main.stem}-demo{main.suffix or '.db'}")


# (day, pain, weight-bearing, boot, activity, note): a plausible first three weeks.
_DAYS = [
    (0, 6, "none", True, "rest", "Home from hospital. Leg up most of the day."),
    (1, 6, "none", True, "rest", None),
    (2, 5, "none", True, "rest", None),
    (3, 5, "toe-touch", True, "rest", None),
    (4, 4, "toe-touch", True, "rest", "Swelling lower in the morning."),
    (5, 4, "toe-touch", True, "walking", None),
    (6, 4, "partial", True, "walking", None),
    (7, 3, "partial", True, "walking", None),
    (8, 3, "partial", True, "walking", None),
    (9, 6, "full", False, "walking", "Walked to the shop without the boot. Sore tonight."),
    (10, 4, "partial", True, "walking", None),
    (11, 3, "partial", True, "walking", None),
    (12, 3, "partial", True, "walking", None),
    (13, 3, "partial", True, "walking", None),
    (14, 3, "partial", False, "walking", "Wound check: healing well. First physio session booked."),
    (15, 3, "as-tolerated", False, "walking", None),
    (16, 2, "as-tolerated", False, "walking", None),
    (17, 2, "as-tolerated", False, "walking", None),
    (18, 2, "as-tolerated", False, "walking", "Physio: ankle circles and calf raises."),
    (19, 2, "as-tolerated", False, "walking", None),
    (20, 2, "full", False, "walking", None),
]


def patient_and_entries(today: date) -> tuple[Patient, list[Entry]]:
    """Surgery 21 days before `today`, so today is day 21 and not yet logged."""
    surgery = today - timedelta(days=21)
    patient = Patient(DEMO_ID, "Sam Demo", surgery, "os-trigonum-excision", "right", "Demo Surgeon")
    entries = [
        Entry(surgery + timedelta(days=day), pain, wb, boot, activity, (),
              ("wound-review", "physio-start") if day == 14 else (), note)
        for day, pain, wb, boot, activity, note in _DAYS
    ]
    return patient, entries


# Six days before surgery, the baseline questionnaires of someone whose ankle hurts at the back
# when the foot points down: everyday walking mostly fine, stairs, tiptoes and sport hard.
_BASELINE = {
    "faam-adl": (4, 4, 3, 3, 3, 3, 2, 3, 3, 2, 1, 3, 4, 4, 3, 3, 3, 4, 3, 2, 2),
    "faam-sports": (1, 1, 1, 2, 1, 1, 0, None),
    "lefs": (3, 1, 4, 4, 4, 2, 3, 4, 2, 4, 4, 3, 3, 3, 4, 1, 1, 1, 1, 4),
}


def outcomes(surgery: date) -> tuple[list[Score], list[Measure]]:
    """The baseline questionnaires (scored by their instruments) and a knee-to-wall test of both
    sides at the first physiotherapy session (day 18)."""
    from rehab import instruments
    from rehab.outcomes import score

    before = surgery - timedelta(days=6)
    scores = [Score(None, i, before, answers, score(instruments.find(i), answers)) for i, answers in _BASELINE.items()]
    physio = surgery + timedelta(days=18)
    measures = [Measure(None, "knee-to-wall", physio, "operated", 7.5),
                Measure(None, "knee-to-wall", physio, "other", 11.0)]
    return scores, measures
