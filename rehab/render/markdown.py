"""Markdown views: for pasting into a clinic letter or a chat with the physiotherapist."""

from __future__ import annotations

from rehab.render import words
from rehab.timeline import Timeline


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def timeline_markdown(timeline: Timeline, patient_line: str | None = None) -> str:
    protocol = timeline.protocol
    lines = [f"# Recovery plan: {_cell(protocol.name)}", ""]
    if patient_line:
        lines += [_cell(patient_line), ""]
    lines += [f"Surgery: **{words.date_label(timeline.surgery_date)}** (day 0)", ""]
    lines += ["## Phases", "", "| Phase | Days | Dates | Weight-bearing | Boot | Activities |", "|---|---|---|---|---|---|"]
    for p in timeline.phases:
        lines.append(
            f"| {_cell(p.title)} | {words.day_span(p.start_day, p.end_day)} | "
            f"{words.date_span(p.start_date, p.end_date)} | "
            f"{', '.join(p.phase.weight_bearing.allowed)} | {'yes' if p.phase.boot else 'no'} | "
            f"{', '.join(timeline.activity_labels(p))} |"
        )
    lines += ["", "## Milestones", "", "| Milestone | Day | Date |", "|---|---|---|"]
    for m in timeline.milestones:
        days = str(m.day) if m.end_day is None else f"{m.day}–{m.end_day}"
        when = words.date_label(m.date) if m.end_date is None else words.date_span(m.date, m.end_date)
        lines.append(f"| {_cell(m.title + words.moved_note(timeline, m.id))} | {days} | **{when}** |")
    changes = words.plan_change_lines(timeline)
    if changes:
        lines += ["", f"## {words.CHANGES_TITLE}", ""] + [f"- {_cell(line)}" for line in changes]
    for p in timeline.phases:
        lines += ["", f"## {_cell(p.title)} ({words.day_span(p.start_day, p.end_day)})", ""]
        lines += [f"- {_cell(i)}" for i in p.phase.instructions]
    lines += ["", "## When to get help now", "", f"{words.RED_FLAG_ADVICE}", "", f"_{words.NOTICE}_", ""]
    return "\n".join(lines)
