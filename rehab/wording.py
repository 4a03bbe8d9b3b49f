"""The words and labels the core and every view share, each written once, so the terminal,
Markdown, HTML, PDF, calendar and the flags' messages say the same."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from rehab import vocab

# The emergency numbers of the UK, the EU and North America; a clinic file adds its own.
EMERGENCY_NUMBERS = "999 / 112 / 911"
EMERGENCY_LINE = (
    "If it gets worse, or for chest pain or sudden breathlessness, call emergency services "
    f"({EMERGENCY_NUMBERS}) now."
)
NOTICE = (
    "This plan informs; it does not diagnose. It is your surgeon's plan to change: "
    "follow your surgical team's advice where it differs."
)
RED_FLAG_ADVICE = (
    "Contact your surgical team now; if you cannot reach them, your out-of-hours or urgent care "
    f"service. For chest pain or sudden breathlessness, call emergency services ({EMERGENCY_NUMBERS}) now."
)


class Contacts(NamedTuple):
    """The clinic's numbers a red flag names (clinic.yaml, read by the shell); None: not given."""

    phone: str | None = None  # the surgical team
    out_of_hours_phone: str | None = None  # out of hours, or the urgent care service
    emergency_phone: str | None = None  # emergency services, where the clinic names them

    @classmethod
    def of(cls, clinic: dict | None) -> Contacts:
        clinic = clinic or {}
        return cls(clinic.get("phone"), clinic.get("out_of_hours_phone"), clinic.get("emergency_phone"))


def act_now(contacts: Contacts, emergency: bool) -> str:
    """What a red flag tells the patient to do, now, with the clinic's numbers where known."""
    if emergency:
        number = contacts.emergency_phone or EMERGENCY_NUMBERS
        return f"Call emergency services now ({number}), then tell your surgical team."
    team = f" on {contacts.phone}" if contacts.phone else ""
    after = (f"call the out-of-hours number, {contacts.out_of_hours_phone}" if contacts.out_of_hours_phone
             else "call your out-of-hours or urgent care service")
    return (f"Contact your surgical team now{team}. If you cannot reach them, {after}; "
            f"if it gets worse quickly, call emergency services ({contacts.emergency_phone or EMERGENCY_NUMBERS}).")


def act_now_line(contacts: Contacts) -> str:
    """The standing line on which signs to act on, and whom to call (today, the printed plan)."""
    return ("Act now on a red flag (fever, calf pain or swelling, a red, leaking or opening wound, "
            "bleeding, numbness, cold toes or toes you cannot move, severe pain): "
            + act_now(contacts, False) + " For chest pain or sudden breathlessness: "
            + act_now(contacts, True))


def day_span(start: int, end: int | None) -> str:
    return f"day {start}+" if end is None else f"days {start}–{end}"


def date_label(day: date) -> str:
    """'Mon 3 Mar 2026': the weekday helps people put a date in their diary."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def date_span(start: date, end: date | None) -> str:
    if end is None:
        return f"from {date_label(start)}"
    return f"{date_label(start)} – {date_label(end)}"


def weight_bearing_list(levels: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"{lvl} ({vocab.WEIGHT_BEARING_ABBREV[lvl]})" for lvl in levels)


# Whether the boot was worn, as tables print it (not logged: blank).
BOOT_WORDS = {True: "yes", False: "no", None: ""}
# Whether a plan expects the boot (None: not said), as a report's tables and charts print it.
BOOT_PLAN = {True: "boot", False: "no boot", None: "–"}


def patient_line(person: dict | None) -> str | None:
    """'Ann Lee · left ankle · surgeon Dr Rao': who a printed plan is for."""
    if not person:
        return None
    parts = [person.get("name"), person.get("side") and f"{person['side']} ankle",
             person.get("surgeon") and f"surgeon {person['surgeon']}"]
    return " · ".join(p for p in parts if p) or None
