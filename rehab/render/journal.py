"""Terminal views of the journal: patients, today, a new entry, history and flags.

Each takes the plain documents the core builds (the same ones --json prints)."""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rehab import vocab
from rehab.today import sparkline
from rehab import wording
from rehab.render.terminal import Message, bullet, print_wrapped, share, unbroken_words

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
        # The team's changes right under the line they change, with who and why, and which to
        # follow, before the protocol's instructions (written for everyone, not this patient).
        by_id = {c["id"]: c for c in doc.get("plan_changes") or []}
        differs = [d for d in doc.get("plan_differs") or [] if d["change_id"] in by_id]
        for found in differs:
            print_wrapped(out, wording.day_change_line(found, by_id[found["change_id"]]), " ↳ ", "   ")
        if differs:
            out.print(Text(wording.FOLLOW_THE_CHANGE, style="bold"))
        for item in phase["instructions"]:  # every one: the last are often the warning signs
            bullet(out, item)
        if phase.get("exercises"):
            out.print(Text("Exercises:", style="bold"))
            for item in phase["exercises"]:
                bullet(out, item)
        # A change in force today that the lines above do not show (it repeats the protocol).
        said = {d["change_id"] for d in differs}
        others = [c for c in doc.get("plan_changes") or [] if c["id"] not in said]
        if others:
            out.print(Text("Your team changed your plan for today:", style="bold"))
            for change in others:
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


# The short columns, in order. Temperature, swelling and exercises show where some entry has
# them. Where the table does not fit, the least needed go first (HISTORY_DROP: the day is the
# date's, counted; said under the table), and if it still does not fit, each entry becomes
# a block of lines that shows everything.
HISTORY_SHORT = ("Date", "Day", "Pain", "WB", "Boot", "Activity", "Temp", "Swelling", "Exercises")
HISTORY_IF_LOGGED = ("Temp", "Swelling", "Exercises")
HISTORY_DROP = ("Day", "Exercises")
# The narrowest the symptoms and the note may get before the table turns to one block per
# entry (a narrower table would squeeze what the patient wrote to nothing).
MIN_TEXT_WIDTH = 7


def correction_mark(entry: dict) -> str:
    """'corrected', or what a correction took away that was a red flag: 'corrected; first
    logged: fever, 38.6 °C' (the flag stays; the table shows only the new values)."""
    if not entry.get("corrected"):
        return ""
    away = entry.get("corrected_away") or []
    if not away:
        return "corrected"
    when = "first logged" if entry.get("corrections", 1) == 1 else "logged earlier"
    return f"corrected; {when}: {', '.join(away)}"


def _history_row(e: dict, flagged: dict[str, list[str]]) -> dict:
    temperature = e.get("temperature")
    marks = flagged.get(e["date"], [])
    return {"Date": e["date"], "Day": str(e["day"]), "Pain": str(e["pain"]),
            "WB": vocab.WEIGHT_BEARING_ABBREV[e["weight_bearing"]], "Boot": wording.BOOT_WORDS[e["boot"]],
            "Activity": e["activity"] or "", "Temp": f"{temperature:.1f} °C" if temperature is not None else "",
            "Swelling": e.get("swelling") or "", "Exercises": e.get("exercises") or "",
            "Symptoms": ", ".join(e["symptoms"]), "Milestones": ", ".join(e.get("milestones") or ()),
            "Note": e["note"] or "", "flags": " ".join(marks), "corrected": correction_mark(e),
            "style": "red" if "!!" in marks or e.get("corrected_away") else "yellow"}


def history_view(out: Console, entries: list[dict], flagged: dict[str, list[str]], hidden: int = 0) -> None:
    if not entries:
        out.print("No entries in this range.")
        return
    if hidden:
        # The four weeks up to the latest entry shown, which may be long before today.
        latest = wording.date_label(date.fromisoformat(entries[-1]["date"]))
        out.print(f"The four weeks up to the latest entry, {latest}; {hidden} earlier "
                  f"entr{'y is' if hidden == 1 else 'ies are'} not shown (use --all or --from).", style="dim")
    rows = [_history_row(e, flagged) for e in entries]
    for row in rows:
        row["marks"] = " ".join(m for m in (row["flags"], row["corrected"]) if m)
    short = [c for c in HISTORY_SHORT if c not in HISTORY_IF_LOGGED or any(row[c] for row in rows)]
    widths = {c: max(len(c), *(len(row[c]) for row in rows)) for c in short}
    # Columns nobody's entries fill are left out, so the notes get the room.
    free = [c for c in ("Symptoms", "Milestones") if any(row[c] for row in rows)] + ["Note"]
    least = {"Note": MIN_TEXT_WIDTH}
    # Symptom and milestone ids, the marks and what a correction took away are never cut;
    # only the note may fold inside a word.
    if any(row["marks"] for row in rows):
        free.append("marks")
    for column in free:
        if column != "Note":
            words = [cell_len(word) for row in rows for word in unbroken_words(row[column])]
            least[column] = max([0 if column == "marks" else MIN_TEXT_WIDTH, *words])

    def needed(columns: list[str]) -> int:  # every column adds 3 (padding and a border), the table 1
        return sum(widths[c] + 3 for c in columns) + sum(least[c] + 3 for c in free) + 1

    dropped = []
    for column in HISTORY_DROP:
        if needed(short) <= out.width:
            break
        if column in short:
            short.remove(column)
            dropped.append(column)
    if needed(short) > out.width:
        _history_blocks(out, rows)
    else:
        room = out.width - sum(widths[c] + 3 for c in short) - 3 * len(free) - 1
        most = [max(len("" if c == "marks" else c), *(cell_len(row[c]) for row in rows)) for c in free]
        _history_table(out, rows, {**{c: widths[c] for c in short},
                                   **dict(zip(free, share(room, [least[c] for c in free], most)))})
        if dropped:
            out.print(f"Not shown at this width: {', '.join(c.lower() for c in dropped)} (a wider terminal "
                      f"shows {'it' if len(dropped) == 1 else 'them'}; rehab history --json has every value).",
                      style="dim")
    out.print(pain_chart(entries, columns=out.width - 6))
    if any(row["flags"] for row in rows):  # a key only for marks this table shows
        out.print("!! urgent, ! warning, i info: see rehab flags", style="dim")
    if any(e.get("corrected") for e in entries):
        out.print("corrected: the day's entry was changed; the earlier values are kept "
                  "(rehab history --json)", style="dim")


def _history_table(out: Console, rows: list[dict], widths: dict[str, int]) -> None:
    """The columns in `widths`, each as wide as given: Rich need not measure a long table
    (most of the cost of drawing it) nor squeeze a column below what was worked out."""
    table = Table()
    for column, width in widths.items():
        if column in HISTORY_SHORT:
            table.add_column(column, width=width, no_wrap=True)
        else:  # what the patient wrote is shown whole, folded, never cut short with "…"
            table.add_column("" if column == "marks" else column, width=width, overflow="fold")
    for row in rows:
        table.add_row(*(Message(row[c], style=row["style"]) if c == "marks" else row[c] for c in widths))
    out.print(table)


def _history_blocks(out: Console, rows: list[dict]) -> None:
    """A narrow terminal: each entry as a line of its numbers, then its words, indented."""
    width = max(out.width, 20)
    for row in rows:
        parts = [row["Date"], f"day {row['Day']}", f"pain {row['Pain']}", row["WB"],
                 row["Boot"] and f"boot {row['Boot']}", row["Activity"], row["Temp"],
                 row["Swelling"] and f"swelling {row['Swelling']}",
                 row["Exercises"] and f"exercises {row['Exercises']}"]
        marks = Text(row["flags"], style=row["style"])
        # (a Message: "38.0 °C" stays on one line)
        lines = Message(" · ".join(p for p in parts if p)).wrap(out, width - len(marks.plain) - 1)
        for line in lines:
            line.rstrip()
        for line in lines[:-1]:
            out.print(line)
        out.print(lines[-1].append(" ").append_text(marks) if marks.plain else lines[-1])
        for label, text in (("symptoms", row["Symptoms"]), ("milestones", row["Milestones"]), ("note", row["Note"])):
            if text:
                print_wrapped(out, f"{label}: {text}", "    ", "    ")
        if row["corrected"]:
            for line in Message(row["corrected"], style=row["style"]).wrap(out, width - 4):
                line.rstrip()
                out.print(Text("    ").append_text(line))


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
