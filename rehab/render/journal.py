"""Terminal views of the journal: patients, today, a new entry, history and flags.

Each takes the plain documents the core builds (the same ones --json prints)."""

from __future__ import annotations

import textwrap

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rehab import vocab
from rehab.today import sparkline
from rehab import wording
from rehab.render.terminal import Message, bullet, print_wrapped

SEVERITY_STYLE = {"urgent": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_MARK = {"urgent": "!!", "warning": "!", "info": "i"}


def patients_view(out: Console, patients: list[dict], default_id: str | None) -> None:
    if not patients:
        out.print(wording.NO_PATIENTS[0].upper() + wording.NO_PATIENTS[1:])
        return
    table = Table("", "Id", "Name", "Surgery", "Procedure", "Side")
    for p in patients:
        table.add_row("*" if p["id"] == default_id else "", p["id"], p["name"], p["surgery_date"],
                      p["procedure"], p["side"] or "")
    out.print(table)
    out.print("* the current patient (change it with rehab patient use)", style="dim")


def patient_view(out: Console, patient: dict, entries: int) -> None:
    for label, key in (("Id", "id"), ("Name", "name"), ("Surgery date", "surgery_date"),
                       ("Procedure", "procedure"), ("Side", "side"), ("Surgeon", "surgeon")):
        out.print(f"{label + ':':<14}{patient.get(key) or '—'}")
    out.print(f"{'Entries:':<14}{entries}")


def flag_lines(flags: list[dict]) -> list[Message]:
    """A flag a line: its mark, date and message; who acknowledged it and why, where someone
    did. A clinic's phone number in a message is never broken across lines."""
    lines = []
    for f in flags:
        style = SEVERITY_STYLE[f["severity"]]
        line = Text(f"{SEVERITY_MARK[f['severity']]:>2} ", style=style)
        line.append(f"{f['date']} ", style="dim")
        line.append(f["message"], style=style if f["severity"] == "urgent" else None)
        if f.get("acknowledged"):
            line.append(f"  ({acknowledged_words(f.get('acknowledgement'))})", style="dim")
        lines.append(Message(line))
    return lines


def acknowledged_words(ack: dict | None) -> str:
    """'acknowledged by Mr Hester: Seen in clinic, scan negative', as typed (the views print
    Text, never read as Rich markup: "[b]" stays "[b]")."""
    if not ack:
        return "acknowledged"
    by = f" by {ack['by']}" if ack.get("by") else ""
    note = f": {ack['note']}" if ack.get("note") else ""
    return f"acknowledged{by}{note}"


def today_view(out: Console, doc: dict) -> None:
    patient = doc["patient"]
    urgent = [f for f in doc["flags"] if f["severity"] == "urgent"]
    act_now = doc.get("act_now") or wording.RED_FLAG_ADVICE
    if urgent:
        # As wide as the text under it (the terminal's width): one measure for the whole view.
        out.print(Panel(Group(*flag_lines(urgent), Message(act_now, style="bold")),
                        title="GET HELP NOW", border_style="red"))
    title = f"{patient['name']} · {patient['procedure']}"
    if doc["day"] < 0:
        days = -doc["day"]
        out.print(Text(title, style="bold"))
        out.print(f"Surgery is {wording.days_until(days)} ({patient['surgery_date']}).")
        outcomes_due_lines(out, doc.get("outcomes_due", []))
        return
    out.print(Text(f"{title} · day {doc['day']} · {wording.recovery_week(doc['day'])}", style="bold"))
    phase = doc["phase"]
    if phase:
        end = f"until day {phase['end_day']}" if phase["end_day"] is not None else "from here on"
        out.print(Text(f"{phase['title']} ({end})", style="bold"))
        plan = doc.get("plan") or {"weight_bearing": phase["weight_bearing"], "boot": phase["boot"]}
        out.print(f"Weight-bearing: {', '.join(plan['weight_bearing'])} · "
                  f"boot: {wording.BOOT_WORDS[plan['boot']]} · allowed: {', '.join(doc['activities_today'])}")
        for item in phase["instructions"]:  # every one: the last are often the warning signs
            bullet(out, item)
        if phase.get("exercises"):
            out.print(Text("Exercises:", style="bold"))
            for item in phase["exercises"]:
                bullet(out, item)
        changes = doc.get("plan_changes") or []
        if changes:
            out.print(Text("Your team changed your plan for today:", style="bold"))
            for change in changes:
                bullet(out, wording.change_line(change))
    entry = doc["entry"]
    if doc.get("follow_up_ended"):
        out.print(Text(f"Follow-up ended on {patient['discharged_on']}: no more reminders to log "
                       "(you still can). Contact your team if anything changes.", style="bold"))
    if entry:
        out.print(Text(f"Logged today: {wording.entry_summary(entry)}", style="green"))
    elif not doc.get("follow_up_ended"):
        out.print(Text("Not logged yet today: rehab log --pain N --weight-bearing LEVEL", style="bold yellow"))
    following = doc["next_milestone"]
    if following:
        when = (f"open until {following['end_date']}" if following["open"] and following["end_date"]
                else wording.days_until(following["in_days"]))
        moved = f", moved by {following['moved_by']}" if following.get("moved_by") else ""
        out.print(f"Next: {following['title']} — {following['date']} ({when}{moved})")
    if doc.get("adjustments") and not doc.get("plan_changes") and doc["day"] >= 0:
        count = len(doc["adjustments"])
        out.print(f"Your team has made {count} change{'s' if count != 1 else ''} to your plan "
                  "(rehab timeline shows it).", style="dim")
    others = [f for f in doc["flags"] if f["severity"] != "urgent"]
    if others:
        out.print(Text("To look at:", style="bold"))
        for line in flag_lines(others):
            out.print(line)
    out.print(f"Pain, last 14 days: {sparkline(doc['pain_last_14_days'])}  (· = no entry)")
    outcomes_due_lines(out, doc.get("outcomes_due", []))
    out.print(Message(act_now, style="bold"))  # the standing line: which signs to act on, whom to call
    out.print(wording.NOTICE, style="dim")


def outcomes_due_lines(out: Console, due: list[dict]) -> None:
    """A questionnaire due: which, until when, and the command that answers it."""
    for d in due:
        out.print(Text(f"Questionnaire due ({d['label']}, by {d['until']}): rehab score {d['instrument']}",
                       style="bold cyan"))


def before_surgery_view(out: Console, items: list[str]) -> None:
    if items:
        out.print(Text("To prepare:", style="bold"))
        for item in items:
            bullet(out, item)


def logged_view(out: Console, entry: dict, replaced: bool, flags: list[dict], contacts=None) -> None:
    verb = "Replaced" if replaced else "Logged"
    out.print(f"{verb} {entry['date']} (day {entry['day']}): {wording.entry_summary(entry)}")
    if replaced:
        out.print("The earlier values are kept in the history.", style="dim")
    for line in flag_lines(flags):
        out.print(line)
    if any(f["severity"] == "urgent" for f in flags):
        # Each red flag already says whom to contact, with the clinic's numbers; add only
        # the emergency line.
        emergency = contacts.emergency_phone if contacts and contacts.emergency_phone else None
        out.print(Message(wording.emergency_line(emergency or wording.EMERGENCY_NUMBERS), style="bold red"))


HISTORY_FIXED = ("Date", "Day", "Pain", "WB", "Boot", "Activity")
# The narrowest the symptoms and the note may get before the table turns to one block per
# entry (a narrower table would squeeze what the patient wrote to nothing).
MIN_TEXT_WIDTH = 7


def history_view(out: Console, entries: list[dict], flagged: dict[str, list[str]], hidden: int = 0) -> None:
    if not entries:
        out.print("No entries in this range.")
        return
    if hidden:
        out.print(f"The last four weeks; {hidden} earlier entr{'y is' if hidden == 1 else 'ies are'} "
                  "not shown (use --all or --from).", style="dim")
    rows = []
    for e in entries:
        # A corrected day (log --replace) says so: its earlier values are in history --json.
        marks = flagged.get(e["date"], []) + (["corrected"] if e.get("corrected") else [])
        boot = wording.BOOT_WORDS[e["boot"]]
        rows.append((e["date"], str(e["day"]), str(e["pain"]), vocab.WEIGHT_BEARING_ABBREV[e["weight_bearing"]],
                     boot, e["activity"] or "", ", ".join(e["symptoms"]), e["note"] or "",
                     Text(" ".join(marks), style="red" if "!!" in marks else "yellow"),
                     ", ".join(e.get("milestones") or ())))
    widths = [max(len(title), *(len(row[k]) for row in rows)) for k, title in enumerate(HISTORY_FIXED)]
    marks_width = max(len(row[8]) for row in rows)
    # Columns nobody's entries fill are left out, so the notes get the room.
    with_symptoms = any(row[6] for row in rows)
    with_milestones = any(row[9] for row in rows)
    # Every column adds 3 (padding and a border) to its width, the table 1 more.
    needed = (sum(w + 3 for w in widths) + (marks_width + 3 if marks_width else 0)
              + (1 + with_symptoms + with_milestones) * (MIN_TEXT_WIDTH + 3) + 1)
    if out.width < needed:
        _history_blocks(out, rows)
    else:
        _history_table(out, rows, widths, marks_width, with_symptoms, with_milestones)
    out.print(pain_chart(entries, columns=out.width - 6))
    if marks_width:  # a key only for marks this table shows
        out.print("!! urgent, ! warning, i info: see rehab flags", style="dim")
    if any(e.get("corrected") for e in entries):
        out.print("corrected: the day's entry was changed; the earlier values are kept "
                  "(rehab history --json)", style="dim")


def _history_table(out: Console, rows: list[tuple], widths: list[int], marks_width: int,
                   with_symptoms: bool, with_milestones: bool) -> None:
    table = Table()
    # The short columns get their width up front: Rich then measures only the free text,
    # which is most of the cost of drawing a long table.
    for title, width in zip(HISTORY_FIXED, widths):
        table.add_column(title, width=width, no_wrap=True)
    # What the patient wrote is shown whole, folded, never cut short with "…".
    if with_symptoms:
        table.add_column("Symptoms", overflow="fold")
    if with_milestones:
        table.add_column("Milestones", overflow="fold")
    table.add_column("Note", overflow="fold")
    if marks_width:
        table.add_column("", width=marks_width, no_wrap=True)
    for row in rows:
        cells = [*row[:6], *([row[6]] if with_symptoms else []), *([row[9]] if with_milestones else []),
                 row[7], *([row[8]] if marks_width else [])]
        table.add_row(*cells)
    out.print(table)


def _history_blocks(out: Console, rows: list[tuple]) -> None:
    """A narrow terminal: each entry as a line of its numbers, then its words, indented."""
    width = max(out.width, 20)
    for date_text, day, pain, wb, boot, activity, symptoms, note, marks, milestones in rows:
        parts = [date_text, f"day {day}", f"pain {pain}", wb, boot and f"boot {boot}", activity]
        lines = textwrap.wrap(" · ".join(p for p in parts if p), width=width - len(marks.plain) - 1)
        for line in lines[:-1]:
            out.print(line)
        out.print(Text(lines[-1] + " ").append_text(marks) if marks.plain else lines[-1])
        for label, text in (("symptoms", symptoms), ("milestones", milestones), ("note", note)):
            if text:
                print_wrapped(out, f"{label}: {text}", "    ", "    ")


def pain_chart(entries: list[dict], height: int = 5, columns: int = 60) -> Text:
    """Pain 0–10 as columns, one per entry, newest right; the last 60 entries at most, fewer
    if the terminal is narrower."""
    shown = entries[-max(1, min(60, columns)):]
    rows = []
    for level in range(height, 0, -1):
        threshold = level * 10 / height
        cells = "".join("█" if e["pain"] >= threshold - 10 / height / 2 else " " for e in shown)
        rows.append(f"{round(threshold):>3} │{cells}".rstrip())
    rows.append("    └" + "─" * len(shown))
    rows.append(f"     pain by entry, {shown[0]['date']} → {shown[-1]['date']}")
    return Text("\n".join(rows))


def flags_view(out: Console, flags: list[dict]) -> None:
    if not flags:
        out.print("No flags: nothing has strayed from the plan.")
        return
    for line in flag_lines(flags):
        out.print(line)
    if any(f["severity"] == "urgent" for f in flags):
        out.print(Message(wording.RED_FLAG_ADVICE, style="bold"))
