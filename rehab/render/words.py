"""Small phrases shared by every view, so the terminal, Markdown, HTML and PDF say the same."""

from __future__ import annotations

from datetime import date

from rehab import vocab

EMERGENCY_LINE = (
    "If it gets worse, or for chest pain or sudden breathlessness, call emergency services "
    "(999 / 112 / 911) now."
)
NOTICE = (
    "This plan informs; it does not diagnose. It is your surgeon's plan to change: "
    "follow your surgical team's advice where it differs."
)
RED_FLAG_ADVICE = (
    "Contact your surgical team today. For chest pain or sudden breathlessness, "
    "call emergency services (999 / 112 / 911) now."
)


def recovery_week(day: int) -> str:
    """Day 13 is in "week 2 of recovery": people count the week they are in from one
    (JSON's `week` stays day // 7, the weeks completed)."""
    return f"week {day // 7 + 1} of recovery"


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


def entry_summary(entry: dict) -> str:
    """An entry as `log` confirms it and `today` repeats it, in the same words:
    'pain 3/10, partial weight-bearing, boot on, walking; milestone: wound-review'."""
    parts = [f"pain {entry['pain']}/10", vocab.WEIGHT_BEARING_LABEL[entry["weight_bearing"]]]
    if entry.get("boot") is not None:
        parts.append("boot on" if entry["boot"] else "boot off")
    if entry.get("activity"):
        parts.append(entry["activity"])
    text = ", ".join(parts)
    milestones = entry.get("milestones") or ()
    if milestones:
        text += f"; milestone{'s' if len(milestones) > 1 else ''}: {', '.join(milestones)}"
    return text


def days_until(days: int) -> str:
    """'today', 'tomorrow', 'in 5 days': as every view says it."""
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


# Whether the boot was worn, as tables print it (not logged: blank).
BOOT_WORDS = {True: "yes", False: "no", None: ""}
