"""The words and labels the core and every view share, each written once, so the terminal,
Markdown, HTML, PDF, calendar and the flags' messages say the same."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from rehab import vocab

# The emergency numbers of the UK, the EU and North America; a clinic file adds its own.
EMERGENCY_NUMBERS = "999 / 112 / 911"
# Said wherever a command finds no patient to show (the store's error, the empty list).
NO_PATIENTS = "no patients yet: add one with 'rehab patient add NAME --surgery-date D --procedure P'"


def emergency_line(numbers: str = EMERGENCY_NUMBERS) -> str:
    """The line under a red flag: the clinic's emergency number where its file gives one."""
    return ("If it gets worse, or for chest pain or sudden breathlessness, call emergency services "
            f"({numbers}) now.")


EMERGENCY_LINE = emergency_line()
NOTICE = (
    "This plan informs; it does not diagnose. It is your surgeon's plan to change: "
    "follow your surgical team's advice where it differs."
)
EMERGENCY_NOW = f"Call emergency services now ({EMERGENCY_NUMBERS})"
# A report is read by the physiotherapist or surgeon, not the patient: it speaks to them.
REPORT_NOTICE = (
    "For the clinical team. This report summarises what the patient logged against their plan; "
    "it informs and does not diagnose. The plan is the operating surgeon's to change."
)
RED_FLAG_ADVICE = (
    f"For chest pain or sudden breathlessness, call emergency services ({EMERGENCY_NUMBERS}) now. For any "
    "other red flag, contact your surgical team now; if you cannot reach them, your out-of-hours or "
    "urgent care service."
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
    return f"Contact your surgical team now{team}. {if_unreachable(contacts)}"


def if_unreachable(contacts: Contacts) -> str:
    """Whom to call when the surgical team cannot be reached (said once, after the team's line)."""
    after = (f"call the out-of-hours number, {contacts.out_of_hours_phone}" if contacts.out_of_hours_phone
             else "call your out-of-hours or urgent care service")
    return (f"If you cannot reach them, {after}; "
            f"if it gets worse quickly, call emergency services ({contacts.emergency_phone or EMERGENCY_NUMBERS}).")


def symptom_meanings(symptoms: list[str], fever_note: str = "") -> list[str]:
    """What the red-flag symptoms can mean, one sentence per meaning, in the order given:
    signs that mean the same are named together, so "blood clot in the leg (DVT)" is said
    once however many of its signs were logged. `fever_note` follows the word fever
    (" (a temperature of 38.0 °C or more)"); a symptom this version does not know "needs to
    be checked"."""
    grouped: dict[str, list[str]] = {}
    for symptom in symptoms:
        sign, meaning, _ = vocab.SIGNS.get(symptom, (symptom.replace("-", " "), "needs to be checked", False))
        grouped.setdefault(meaning, []).append(sign + (fever_note if symptom == "fever" else ""))
    return [_upper_first(f"{and_list(signs)} {meaning if len(signs) == 1 else _plural_verb(meaning)}.")
            for meaning, signs in grouped.items()]


def _plural_verb(meaning: str) -> str:
    """'can be a sign of X' -> 'can be signs of X'; 'needs to be seen' -> 'need to be seen'."""
    if meaning.startswith("can be a sign of "):
        return "can be signs of " + meaning.removeprefix("can be a sign of ")
    if meaning.startswith("needs "):
        return "need " + meaning.removeprefix("needs ")
    return meaning


def and_list(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def act_now_line(contacts: Contacts) -> str:
    """The standing line on which signs to act on, and whom to call (today, the printed plan):
    emergency services first, for the signs that cannot wait; then the surgical team, named
    once, for the rest (issue 18, item 21)."""
    number = contacts.emergency_phone or EMERGENCY_NUMBERS
    return ("Act now on a red flag. Chest pain or sudden breathlessness: call emergency services now "
            f"({number}). Fever, calf pain or swelling, a red, leaking or opening wound, bleeding, "
            "numbness, cold toes or toes you cannot move, severe pain: " + _lower_first(act_now(contacts, False)))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def recovery_week(day: int) -> str:
    """Day 13 is in "week 2 of recovery": people count the week they are in from one
    (JSON's `week` stays day // 7, the weeks completed)."""
    return f"week {day // 7 + 1} of recovery"


def days_until(days: int) -> str:
    """'today', 'tomorrow', 'in 5 days': as every view says it."""
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def entry_summary(entry: dict) -> str:
    """An entry as `log` confirms it and `today` repeats it, in the same words: 'pain 3/10,
    partial weight-bearing, boot on, walking, 37.2 °C, swelling mild; milestone: wound-review'."""
    parts = [f"pain {entry['pain']}/10", vocab.WEIGHT_BEARING_LABEL[entry["weight_bearing"]]]
    if entry.get("boot") is not None:
        parts.append("boot on" if entry["boot"] else "boot off")
    if entry.get("activity"):
        parts.append(entry["activity"])
    if entry.get("temperature") is not None:
        parts.append(f"{entry['temperature']:.1f} °C")
    if entry.get("swelling"):
        parts.append(f"swelling {entry['swelling']}")
    if entry.get("exercises"):
        parts.append(f"exercises {entry['exercises']}")
    text = ", ".join(parts)
    milestones = entry.get("milestones") or ()
    if milestones:
        text += f"; milestone{'s' if len(milestones) > 1 else ''}: {', '.join(milestones)}"
    return text


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


def unknown_milestone(milestone: str, known) -> str:
    """A milestone id the patient's plan does not have (`log --milestone`, `plan move`, import)."""
    return f"unknown milestone {milestone!r}: use one of {', '.join(sorted(known))}"


def before_surgery(day: date, surgery: date) -> str:
    """A day that cannot be logged or a follow-up that cannot end: before day 0."""
    return f"{day.isoformat()} is before the surgery date ({surgery.isoformat()})"


def already_logged(day: date) -> str:
    """Logging a day that has an entry, without --replace (log's check and the store's)."""
    return f"{day.isoformat()} already has an entry; add --replace to change it (the old values are kept)"


def patient_line(person: dict | None) -> str | None:
    """'Ann Lee · left ankle · surgeon Dr Rao': who a printed plan is for."""
    if not person:
        return None
    parts = [person.get("name"), person.get("side") and f"{person['side']} ankle",
             person.get("surgeon") and f"surgeon {person['surgeon']}"]
    return " · ".join(p for p in parts if p) or None


# --- changes to the patient's plan (rehab plan adjust|move) ------------------------------------

CHANGES_TITLE = "Changes your team made to this plan"
REPORT_CHANGES_TITLE = "Changes the team made to the patient's plan"  # a report's heading


def change_what(change: dict, milestone_titles: dict[str, str] | None = None) -> str:
    """What one change does, in plain words: 'sport allowed; pain up to 5/10'."""
    if change["kind"] == "move":
        name = (milestone_titles or {}).get(change["milestone"], change["milestone"])
        if change["until_day"] is None:
            return f"{name} moved to day {change['from_day']} ({_iso_label(change['from_date'])})"
        return (f"{name} moved to days {change['from_day']}–{change['until_day']} "
                f"({_iso_label(change['from_date'])} – {_iso_label(change['until_date'])})")
    parts = []
    if change["weight_bearing"]:
        parts.append(f"weight-bearing up to {vocab.WEIGHT_BEARING_LABEL[change['weight_bearing']]}")
    if change["boot"] is not None:
        parts.append("boot on" if change["boot"] else "no boot")
    parts += [f"{a} allowed" for a in change["allow"]]
    parts += [f"no {a}" for a in change["forbid"]]
    if change["pain_ceiling"] is not None:
        parts.append(f"pain expected up to {change['pain_ceiling']}/10")
    return "; ".join(parts)


def change_days(change: dict) -> str:
    """The days an adjustment covers: 'days 0–6 (Tue 1 Sep 2026 – Mon 7 Sep 2026)'."""
    if change["kind"] == "move":
        return ""
    if change["until_day"] is None:
        return f"from day {change['from_day']} ({_iso_label(change['from_date'])})"
    return (f"days {change['from_day']}–{change['until_day']} "
            f"({_iso_label(change['from_date'])} – {_iso_label(change['until_date'])})")


def change_who(change: dict) -> str:
    """Who made a change and when it was recorded, and its note."""
    who = f"by {change['by']}" if change.get("by") else "by your team"
    when = f", recorded {_iso_label(change['created_at'][:10])}" if change.get("created_at") else ""
    note = f": “{change['note']}”" if change.get("note") else ""
    removed = f" (removed {_iso_label(change['removed_at'][:10])})" if change.get("removed_at") else ""
    return f"{who}{when}{note}{removed}"


def change_line(change: dict, milestone_titles: dict[str, str] | None = None) -> str:
    """One change as a sentence: 'From day 42 (Tue 13 Oct 2026): sport allowed — by Dr Ng, ...'."""
    days = change_days(change)
    what = change_what(change, milestone_titles)
    text = f"{days[:1].upper()}{days[1:]}: {what}" if days else what[:1].upper() + what[1:]
    return f"{text} — {change_who(change)}"


def _iso_label(text: str) -> str:
    return date_label(date.fromisoformat(text))


def plan_change_lines(plan) -> list[str]:
    """The changes in force in a patient's plan (rehab.plan.Plan), one sentence each; none
    for a protocol's plan."""
    titles = {m.id: m.title for m in plan.milestones}
    return [change_line(a.as_dict(plan.surgery_date), titles) for a in getattr(plan, "adjustments", ())]


# --- a change inside the phase it affects: every view's phase row says it in these words ----------

def phase_change_label(found) -> str:
    """One stretch of a phase the patient's team changed (rehab.plan.PhaseChange), as every
    view's phase row says it: 'days 0–6: at most NWB (changed)'."""
    return f"{phase_change_days(found)}: {phase_change_what(found)} (changed)"


def phase_change_days(found) -> str:
    """'days 0–6', 'day 5', 'day 42 on'."""
    start, end = found.start_day, found.end_day
    return f"day {start} on" if end is None else f"day {start}" if start == end else f"days {start}–{end}"


def phase_change_what(found) -> str:
    """'at most NWB', 'boot off', 'sport allowed', 'no walking', 'pain up to 5/10'."""
    return {
        "weight_bearing": lambda: f"at most {vocab.WEIGHT_BEARING_ABBREV[found.value]}",
        "boot": lambda: "boot on" if found.value else "boot off",
        "activity": lambda: f"{found.activity} allowed" if found.value else f"no {found.activity}",
        "pain_ceiling": lambda: f"pain up to {found.value}/10",
    }[found.what]()


def phase_change_dict(found) -> dict:
    """A phase's changed stretch in JSON (a report's phase rows, `today --json`)."""
    return {"what": found.what, "activity": found.activity, "start_day": found.start_day,
            "end_day": found.end_day, "change_id": found.change.id, "label": phase_change_label(found)}


def day_change_line(found: dict, change: dict) -> str:
    """A changed stretch beside the line of `today` it changes, with who made the change and
    their note: 'days 0–6: at most NWB (changed) — by Mr Hester, recorded …: “…”'."""
    return f"{found['label']} — {change_who(change)}"


def phase_change_labels(plan, phase, *what: str) -> list[str]:
    """The phase's changed stretches (only those of the kinds named, if any are), in the
    order a phase row prints them; none for a protocol's plan."""
    found = plan.phase_changes(phase) if hasattr(plan, "phase_changes") else []
    return [phase_change_label(f) for f in found if not what or f.what in what]


def with_changes(text: str, labels: Sequence[str]) -> str:
    """A phase row's cell with the changes to it: 'TTWB/PWB; days 0–6: at most NWB (changed)'."""
    return "; ".join([text, *labels]) if text else "; ".join(labels)


PHASE_CHANGES_TITLE = "Your team changed this phase"
# Said before a phase's or a day's instructions, when a change covers it: the protocol's
# instructions were written for everyone, the change for this patient.
FOLLOW_THE_CHANGE = ("Where the instructions below say otherwise, follow your team's change above: "
                     "it was made for you, the instructions for everyone.")


# The calendar's event for a change, on the days it covers.
CHANGE_COMES_FIRST = ("Where your plan's instructions for these days say otherwise, follow this change: "
                      "it was made for you, the instructions for everyone.")
CHANGE_WITHDRAWN = "Your team took this change out of your plan: follow your plan as it is now."


def phase_change_lines(plan, phase) -> list[str]:
    """Each change behind a phase's changed stretches, once, as a full sentence with who made
    it and their note (the calendar, which the patient reads on their phone)."""
    found = plan.phase_changes(phase) if hasattr(plan, "phase_changes") else []
    changes = [a for a in getattr(plan, "adjustments", ()) if any(f.change is a for f in found)]
    return [change_line(a.as_dict(plan.surgery_date)) for a in changes]


def moved_note(plan, milestone_id: str) -> str:
    """' (moved by Mr Hester)' for a milestone a change moved, else ''."""
    change = getattr(plan, "moved", lambda _: None)(milestone_id)
    if change is None:
        return ""
    return f" (moved by {change.by})" if change.by else " (moved by your team)"


# --- a report speaks to the clinician --------------------------------------------------------
# Flag messages are written to the patient (`log`, `today`, `flags`); a report is read by the
# physiotherapist or surgeon. These rewrite a message's every address to the patient, in order
# (the longer phrases first); tests/test_report_wording.py runs every rule's messages through
# them and finds no "you" or "your" left, so a new message in the patient's words is caught.
_TO_CLINICIAN = (
    ("needs checking: Contact your surgical team now", "needs checking: advise the patient to contact their "
                                                       "surgical team now"),
    ("Contact your surgical team now", "Advise the patient to contact their surgical team now"),
    (". If you cannot reach them, call", "; if they cannot reach them, to call"),
    ("; if it gets worse quickly, call emergency services", "; if it gets worse quickly, to call emergency services"),
    ("Call emergency services now", "The patient should call emergency services now"),
    ("then tell your surgical team", "then tell their surgical team"),
    ("call your out-of-hours or urgent care service", "call their out-of-hours or urgent care service"),
    ("tell your surgical team or physiotherapist", "advise the patient to tell their surgical team or physiotherapist"),
    ("contact your surgical team or physiotherapist", "advise the patient to contact their surgical team or "
                                                      "physiotherapist"),
    ("is worth telling your surgical team about", "is worth the patient telling their surgical team about"),
    ("is a reason to contact your surgical team", "is a reason for the patient to contact their surgical team"),
    ("mention it to your physiotherapist or surgical team", "advise the patient to mention it to their "
                                                            "physiotherapist or surgical team"),
    ("If it has happened, log it with", "If it has happened, it can be logged with"),
    ("if it has not, contact your surgical team to arrange it",
     "if it has not, advise the patient to contact their surgical team to arrange it"),
    ("follow your progress; you can still log missed days with --date",
     "follow the patient's progress; missed days can still be logged with --date"),
    (": you logged ", ": the patient logged "),
    (" by your team", " by the patient's team"),
    ("your ", "the patient's "),  # "your FHL tendon release plan", last: the rest are said above
)


def for_clinician(message: str) -> str:
    """A flag's message, written to the patient, as a report says it to the clinician:
    'Contact your surgical team now' becomes 'Advise the patient to contact their surgical
    team now'; 'your FHL release plan', 'the patient's FHL release plan'."""
    for patient_words, clinician_words in _TO_CLINICIAN:
        message = message.replace(patient_words, clinician_words)
    return message
