"""Markdown views: for pasting into a clinic letter or a chat with the physiotherapist."""

from __future__ import annotations

from rehab import wording
from rehab.render.documents import PlanDocument, red_flag_groups

# Characters that start Markdown markup or raw HTML, or end a table cell.
_SPECIAL = "\\`*_[]<>#|"


def escape(value: object) -> str:
    """One line of Markdown in which a user's text (a name, a note) cannot start markup or
    raw HTML, nor break a table: every document's one escaper."""
    text = " ".join(str(value).split())
    for char in _SPECIAL:
        text = text.replace(char, "\\" + char)
    return text


def write_timeline(handle, document: PlanDocument) -> None:
    handle.write(timeline_markdown(document))


def timeline_markdown(document: PlanDocument) -> str:
    timeline = document.plan
    patient_line = wording.patient_line(document.person)
    protocol = timeline.protocol
    lines = [f"# Recovery plan: {escape(protocol.name)}", ""]
    if patient_line:
        lines += [escape(patient_line), ""]
    lines += [f"Surgery: **{wording.date_label(timeline.surgery_date)}** (day 0)", ""]
    lines += ["## Phases", "", "| Phase | Days | Dates | Weight-bearing | Boot | Activities |", "|---|---|---|---|---|---|"]
    for p in timeline.phases:
        # A change inside the phase, in the cell it changes; the pain expected, under the name.
        def changed(text: str, *what: str) -> str:
            return escape(wording.with_changes(text, wording.phase_change_labels(timeline, p, *what)))

        lines.append(
            f"| {changed(p.title, 'pain_ceiling')} | {wording.day_span(p.start_day, p.end_day)} | "
            f"{wording.date_span(p.start_date, p.end_date)} | "
            f"{changed(', '.join(p.phase.weight_bearing.allowed), 'weight_bearing')} | "
            f"{changed(wording.BOOT_WORDS[p.phase.boot], 'boot')} | "
            f"{changed(', '.join(timeline.activity_labels(p)), 'activity')} |"
        )
    lines += ["", "## Milestones", "", "| Milestone | Day | Date |", "|---|---|---|"]
    for m in timeline.milestones:
        days = str(m.day) if m.end_day is None else f"{m.day}–{m.end_day}"
        when = wording.date_label(m.date) if m.end_date is None else wording.date_span(m.date, m.end_date)
        lines.append(f"| {escape(m.title + wording.moved_note(timeline, m.id))} | {days} | **{when}** |")
    changes = wording.plan_change_lines(timeline)
    if changes:
        lines += ["", f"## {wording.CHANGES_TITLE}", ""] + [f"- {escape(line)}" for line in changes]
    for p in timeline.phases:
        lines += ["", f"## {escape(p.title)} ({wording.day_span(p.start_day, p.end_day)})", ""]
        changes = wording.phase_change_lines(timeline, p)
        if changes:  # before the protocol's instructions, which were written for everyone
            lines += [f"**{escape(wording.PHASE_CHANGES_TITLE)}:**", "", *(f"- {escape(c)}" for c in changes),
                      "", f"**{escape(wording.FOLLOW_THE_CHANGE)}**", ""]
        lines += [f"- {escape(i)}" for i in p.phase.instructions]
    # The printed plan's panel: emergency services first, then the surgical team, with the
    # clinic's own numbers when the clinic file gives them.
    flags = red_flag_groups(timeline.protocol.thresholds.fever_celsius, wording.Contacts.of(document.clinic))
    emergency, team = flags["emergency"], flags["team"]
    lines += ["", "## When to get help now", "", f"**{escape(emergency['action'])}** "
              f"{escape(_listed(emergency['signs']))} ({escape(emergency['title'].lower())}).", "",
              f"**{escape(team['action'])}**", ""]
    lines += [f"- *{escape(g['title'])}*: {escape(_listed(g['signs']))}" for column in team["columns"] for g in column]
    lines += ["", f"**{escape(team['otherwise'])}**", "", f"_{wording.NOTICE}_", ""]
    return "\n".join(lines)


def _listed(signs: list[str]) -> str:
    """Signs printed as bullets elsewhere, run together in one line: 'calf pain; a warm leg'."""
    return "; ".join(sign[:1].lower() + sign[1:] for sign in signs)
