"""The words and labels the core and every view share, each written once, so the terminal,
Markdown, HTML, PDF, calendar and the flags' messages say the same."""

from __future__ import annotations

from datetime import date

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
EMERGENCY_NOW = f"Call emergency services now ({EMERGENCY_NUMBERS})"
RED_FLAG_ADVICE = (
    "Contact your surgical team today. For chest pain or sudden breathlessness, "
    f"call emergency services ({EMERGENCY_NUMBERS}) now."
)


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
