"""The sample patient `rehab demo` shows: three weeks after os trigonum excision, mostly on
plan, with one off-plan day (full weight-bearing without the boot on day 9)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rehab.model import Entry, Patient

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
