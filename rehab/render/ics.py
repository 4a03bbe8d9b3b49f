"""The plan as an iCalendar file: an all-day event for every milestone and phase start.

UIDs are stable (patient id, or name, procedure and surgery date, plus the item), so importing a
newer plan updates the events instead of adding copies. A window's DTEND is the day after
its last day: all-day DTEND is exclusive (RFC 5545). A long window ("New normal", 6-12 months)
is two one-day events, at its start and at its end, not a block that fills months of a
calendar. SEQUENCE grows with the time the file is made, so a calendar that already holds
the events takes a newer file's as updates (RFC 5545 3.8.7.4) rather than ignoring them.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

from icalendar import Calendar, Event, vText

from rehab import __version__
from rehab.patient_fields import slug
from rehab import wording
from rehab.render.documents import PlanDocument
from rehab.timeline import Timeline


def _name_part(name: str | None) -> str:
    """The name as it reads in ASCII ('zoe-lukasiewicz'); a short digest of it where it has
    no ASCII reading (王小明), so that such names stay apart too."""
    if not name:
        return ""
    readable = slug(name)
    if readable == slug(""):  # nothing of the name survived: slug's own fallback
        return "n" + hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:12]
    return readable


# A window longer than this shows as two one-day events (its start and its end).
LONGEST_BLOCK_DAYS = 31
_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _sequence(stamp: datetime) -> int:
    """Minutes since 2024: a later file always carries a higher SEQUENCE than an earlier one."""
    return max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60))


def write_timeline(handle, document: PlanDocument) -> None:
    handle.write(timeline_calendar(document.plan, document.person, document.withdrawn).decode("utf-8"))


def timeline_calendar(plan: Timeline, person: dict | None, withdrawn: tuple = ()) -> bytes:
    protocol = plan.protocol
    person = person or {}
    name = person.get("name")
    # A stored patient's id; for a plan printed without one, its name too, so that two
    # patients operated the same day for the same procedure do not share events.
    owner = person.get("id") or "-".join(
        part for part in (_name_part(name), protocol.id, plan.surgery_date.isoformat()) if part)
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    sequence = _sequence(stamp)

    calendar = Calendar()
    calendar.add("prodid", f"-//rehab//rehab {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property is written as given unless it is typed: as TEXT, its , ; and \ escaped
    # (RFC 5545 3.3.11), as SUMMARY and DESCRIPTION are.
    calendar.add("x-wr-calname", vText(f"Recovery plan: {protocol.name}" + (f" ({name})" if name else "")))

    def event(kind: str, item_id: str, summary: str, first: date, last: date, description: str,
              cancelled: bool = False) -> None:
        entry = Event()
        if cancelled:  # a calendar that holds the event takes it out (RFC 5545 3.8.1.11)
            entry.add("status", "CANCELLED")
        entry.add("uid", f"{owner}-{kind}-{item_id}@rehab")
        entry.add("dtstamp", stamp)
        entry.add("sequence", sequence)
        entry.add("dtstart", first)
        entry.add("dtend", last + timedelta(days=1))
        entry.add("summary", summary)
        entry.add("description", f"{description}\n\n{wording.NOTICE}")
        entry.add("transp", "TRANSPARENT")
        entry.add("categories", ["Recovery plan"])
        calendar.add_component(entry)

    for m in plan.milestones:
        when = (f"Day {m.day} after surgery" if m.end_date is None
                else f"Days {m.day}–{m.end_day} after surgery ({wording.date_span(m.date, m.end_date)})")
        text = m.milestone.description or m.title
        moved = wording.moved_note(plan, m.id).strip(" ()")
        text = f"{moved[:1].upper()}{moved[1:]}, for you: {text}" if moved else text
        if m.end_date is not None and (m.end_date - m.date).days > LONGEST_BLOCK_DAYS:
            event("milestone", m.id, f"{m.title} (window opens)", m.date, m.date, f"{when}. {text}")
            event("milestone", f"{m.id}-end", f"{m.title} (window closes)", m.end_date, m.end_date,
                  f"{when}. {text}")
        else:
            event("milestone", m.id, m.title, m.date, m.last_date, f"{when}. {text}")
    for p in plan.phases:
        rule = p.phase
        changes = wording.phase_change_lines(plan, p)
        # A change comes first, with who made it and why: the calendar is what the patient
        # reads on their phone, and the protocol's instructions below were written for everyone.
        changed = [f"{wording.PHASE_CHANGES_TITLE}:", *(f"- {line}" for line in changes),
                   wording.FOLLOW_THE_CHANGE, ""] if changes else []
        boot = "Wear the boot." if rule.boot else "No boot."
        lines = [
            f"{wording.day_span(p.start_day, p.end_day).capitalize()} after surgery: "
            f"{wording.date_span(p.start_date, p.end_date)}.",
            *changed,
            *([rule.summary] if rule.summary else []),
            "Weight-bearing: " + wording.with_changes(wording.weight_bearing_list(rule.weight_bearing.allowed),
                                                      wording.phase_change_labels(plan, p, "weight_bearing")) + ".",
            wording.with_changes(boot.rstrip("."), wording.phase_change_labels(plan, p, "boot")) + ".",
            "Activities: " + wording.with_changes(", ".join(plan.activity_labels(p)),
                                                  wording.phase_change_labels(plan, p, "activity")) + ".",
            *(f"Pain: {label}." for label in wording.phase_change_labels(plan, p, "pain_ceiling")),
            *(f"- {i}" for i in rule.instructions),
        ]
        summary = f"Recovery phase begins: {p.title}" + (" (changed by your team)" if changes else "")
        event("phase", p.id, summary, p.start_date, p.start_date, "\n".join(lines))
    # Each change the team made, on the days it covers, so the phone says it on each of them;
    # a change taken out of the plan is sent cancelled, so a calendar that holds it drops it.
    for a, cancelled in [*((a, False) for a in getattr(plan, "adjustments", ())), *((a, True) for a in withdrawn)]:
        if a.kind != "adjust":
            continue  # a moved milestone is its milestone's event, on its new day
        change = a.as_dict(plan.surgery_date)
        title = "Cancelled change" if cancelled else "Your team's change"
        summary = f"{title}: {wording.change_what(change)}"
        text = f"{wording.change_line(change)}\n{wording.CHANGE_WITHDRAWN if cancelled else wording.CHANGE_COMES_FIRST}"
        first, last = plan.date_of(a.from_day), plan.date_of(a.until_day if a.until_day is not None else a.from_day)
        if (last - first).days > LONGEST_BLOCK_DAYS:
            event("change", str(a.id), f"{summary} (begins)", first, first, text, cancelled)
            event("change", f"{a.id}-end", f"{summary} (last day)", last, last, text, cancelled)
        else:
            event("change", str(a.id), summary, first, last, text, cancelled)
    return calendar.to_ical()
