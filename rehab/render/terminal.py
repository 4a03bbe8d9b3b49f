"""Terminal views with Rich. Each takes plain data and prints; none decides anything."""

from __future__ import annotations

import os
import re
import sys
from datetime import date

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rehab import wording
from rehab.timeline import Timeline


# C0 controls but newline and tab, DEL, and the C1 controls (0x9b starts a sequence too).
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)], "?")


class _Console(Console):
    """A console that never passes a control character from the text it prints: a name or a
    note stored before such characters were refused (or written into the database by hand)
    cannot rewrite the user's terminal. Rich's own styling and cursor moves are untouched."""

    def _render_buffer(self, buffer) -> str:
        from rich.segment import Segment

        return super()._render_buffer(
            Segment(text.translate(_CONTROLS), style, control) if not control and not text.isprintable() else
            Segment(text, style, control) for text, style, control in buffer)


# What is read as one piece and must not be broken across lines: a phone number (groups of
# digits joined by single spaces or " / ": "020 7946 0999", "+44 (0)20 7946 0999",
# "999 / 112 / 911"), a date as the views write it ("Mon 24 Aug 2026", with the dash that
# starts a span: "Mon 1 Jun 2026 –" never leaves the dash alone) and a temperature
# ("38.6 °C"). Rich breaks lines at any whitespace (its pattern is \s, which a no-break
# space matches too), so while such text is wrapped the spaces inside these are swapped for
# a character that is not whitespace, then swapped back.
_GROUP = r"(?![0-9]{4}-[0-9]{2}-[0-9]{2})\(?\+?[0-9][0-9()-]*[0-9)]"  # (not an ISO date)
_PHONE = rf"(?<![\w.]){_GROUP}(?:(?: | / ){_GROUP})+(?!\w|\.[0-9])"
_DATE = r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4}\b(?: –)?"
_TEMPERATURE = r"\b[0-9]{2,3}\.[0-9] °[CF]"
_WHOLE = re.compile(f"{_PHONE}|{_DATE}|{_TEMPERATURE}")
_KEEP = "\ue000"  # private use, one cell wide, never typed


def _joined(text: str) -> str:
    return _WHOLE.sub(lambda m: m.group(0).replace(" ", _KEEP), text)


def unbroken_words(text: str) -> list[str]:
    """The pieces a Message is wrapped between: its words; a phone number, a date or a
    temperature as one."""
    return [word.replace(_KEEP, " ") for word in _joined(text).split()]


class _Unbroken(Text):
    """Text that Rich wraps (in its own __rich_console__ too) without breaking what _WHOLE finds."""

    def _joined(self) -> Text:
        joined = self.copy()  # a plain Text: same length, same styles
        joined.plain = _joined(self.plain)
        return joined

    def wrap(self, console, width, **options):
        if _KEEP in self.plain:  # typed after all: wrapped as usual
            return super().wrap(console, width, **options)
        lines = self._joined().wrap(console, width, **options)
        for line in lines:
            line.plain = line.plain.replace(_KEEP, " ")
        return lines

    def __rich_measure__(self, console, options):
        return self._joined().__rich_measure__(console, options)


class Message:
    """A message whose phone numbers, dates and temperatures are never broken across lines,
    wherever it is printed (a line of its own, a panel, a table cell): "call 020 7946 0999"
    is read and dialled whole. Not a Text itself: Console.print joins Texts into a new one."""

    def __init__(self, text: Text | str, style: str = ""):
        self.text = text if isinstance(text, Text) else Text(text, style=style)

    def _unbroken(self) -> _Unbroken:
        unbroken = _Unbroken(self.text.plain, style=self.text.style, justify=self.text.justify,
                             overflow=self.text.overflow, no_wrap=self.text.no_wrap, end=self.text.end)
        unbroken._spans[:] = self.text._spans
        return unbroken

    def wrap(self, console, width, **options):
        return self._unbroken().wrap(console, width, **options)

    def __rich_console__(self, console, options):
        yield self._unbroken()

    def __rich_measure__(self, console, options):
        return self._unbroken().__rich_measure__(console, options)


def console(stderr: bool = False) -> Console:
    """Plain text when NO_COLOR is set or the output is not a terminal (Rich checks both)."""
    stream = sys.stderr if stderr else sys.stdout
    # Off a terminal Rich uses $COLUMNS or 80 columns. markup=False: notes and names are
    # printed as typed, never read as Rich markup ("[paracetamol]" would vanish) nor as
    # emoji codes (":smile:"). NO_COLOR means no styling at all, bold included.
    plain = "NO_COLOR" in os.environ
    return _Console(file=stream, markup=False, emoji=False, highlight=False, no_color=plain,
                    color_system=None if plain else "auto")


def plain_text(render, width: int = 80) -> str:
    """What a view prints, as plain text for a file: no colour, no styling."""
    import io

    out = _Console(file=io.StringIO(), width=width, markup=False, emoji=False, highlight=False,
                   no_color=True, color_system=None, force_terminal=False)
    render(out)
    return out.file.getvalue()


def write_timeline(handle, document) -> None:
    """The plan as `rehab timeline` shows it, as plain text 80 columns wide (for a file)."""
    line = wording.patient_line(document.person)
    handle.write(plain_text(lambda out: timeline_view(out, document.plan, document.today, line)))


def bullet(out: Console, text: str, indent: int = 1) -> None:
    """' • text', its wrapped lines lined up under the text, not under the bullet."""
    print_wrapped(out, text, " " * indent + "• ", " " * (indent + 2))


def print_wrapped(out: Console, text: str, first: str, rest: str) -> None:
    """Text wrapped at the terminal's width under its own indents (`first` and `rest` are
    as wide). Rich wraps it, counting screen cells, so wide characters line up too."""
    lines = Message(text).wrap(out, max(out.width, 20) - len(first), overflow="fold")
    for i, line in enumerate(lines):
        line.rstrip()
        out.print(Text(first if i == 0 else rest).append_text(line), soft_wrap=True)


# The milestone table's row that says where the date asked falls (▶).
HERE = "where this date falls"


# Below this width the plan's tables would squeeze clinical words ("as-toler…"): each
# phase and milestone is printed as a short block of wrapped lines instead.
TABLE_MIN_WIDTH = 80


def timeline_view(out: Console, timeline: Timeline, on: date, patient_line: str | None = None,
                  done: set[str] | None = None) -> None:
    """The plan in the terminal. `done`: milestone ids the patient recorded (✓); without a
    patient's log nothing is marked done, only the day's place (▶)."""
    protocol = timeline.protocol
    day = timeline.day_of(on)
    heading = f"{protocol.name} — surgery {wording.date_label(timeline.surgery_date)}"
    if patient_line:
        heading = f"{patient_line}\n{heading}"
    out.print(Text(heading, style="bold"))
    if day < 0:
        out.print(f"{wording.date_label(on)} is {-day} day{'s' if day != -1 else ''} before surgery.")
    else:
        out.print(f"{wording.date_label(on)} is day {day}, in {wording.recovery_week(day)}.")

    current = timeline.phase_on(on)
    phase_rows = []
    for p in timeline.phases:
        mark = "▶" if current is not None and p.id == current.id else ""
        # A change inside the phase is said in its row, in the cell it changes (what has no
        # column here, activities and the pain expected, under the phase's name).
        others = wording.phase_change_labels(timeline, p, "activity", "pain_ceiling")
        phase_rows.append((mark, "\n".join([p.title, *others]), wording.day_span(p.start_day, p.end_day),
                           wording.date_span(p.start_date, p.end_date),
                           wording.with_changes(", ".join(p.phase.weight_bearing.allowed),
                                                wording.phase_change_labels(timeline, p, "weight_bearing")),
                           wording.with_changes(wording.BOOT_WORDS[p.phase.boot],
                                                wording.phase_change_labels(timeline, p, "boot"))))
    milestone_rows = []
    for m in timeline.milestones:
        mark = "✓" if m.id in (done or ()) else ""
        days = str(m.day) if m.end_day is None else f"{m.day}–{m.end_day}"
        when = wording.date_label(m.date) if m.end_date is None else wording.date_span(m.date, m.end_date)
        milestone_rows.append((mark, m.title + wording.moved_note(timeline, m.id), days, when))
    # ▶ means one thing in both tables, where the date falls: among the milestones it is a
    # row of its own, after those that start on or before it (a window it is in, too).
    place = sum(1 for m in timeline.milestones if m.day <= day)
    milestone_rows.insert(place, ("▶", HERE, str(day), wording.date_label(on)))

    if out.width < TABLE_MIN_WIDTH:
        _timeline_blocks(out, phase_rows, milestone_rows)
    else:
        phases = Table(title="Phases", title_justify="left", expand=False, show_lines=False)
        phases.add_column("", width=1)
        widths = _phase_widths(out.width, phase_rows)
        for title, width in zip(("Phase", "Days", "Dates", "Weight-bearing", "Boot"), widths):
            phases.add_column(title, overflow="fold", width=width)
        for row in phase_rows:
            phases.add_row(*row, style="bold" if row[0] else None)
        out.print(phases)

        milestones = Table(title="Milestones", title_justify="left")
        milestones.add_column("", width=1)
        for title, width in zip(("Milestone", "Day", "Date"), _milestone_widths(out.width, milestone_rows)):
            milestones.add_column(title, overflow="fold", width=width)
        for row in milestone_rows:  # (a Message: a date is never split over two lines)
            milestones.add_row(*row[:3], Message(row[3]), style="bold" if row[0] == "▶" else None)
        out.print(milestones)
    changes = wording.plan_change_lines(timeline)
    if changes:
        out.print(Text(wording.CHANGES_TITLE, style="bold"))
        for line in changes:
            bullet(out, line)
    out.print("▶ marks where " + wording.date_label(on) + " falls: its phase, and its place among the milestones"
              + ("; ✓ a milestone recorded." if done else "."), style="dim")
    out.print(wording.NOTICE, style="dim")


def _phase_widths(width: int, rows: list[tuple]) -> tuple[int | None, ...]:
    """The phase table's column widths where Rich's own would split a heading: a narrow
    terminal and a change in the weight-bearing or boot cells, which Rich then squeezes
    ("Weight-bearin/g"; its min_width does not hold). Otherwise Rich's."""
    if width >= 100 or not any("(changed)" in row[4] + row[5] for row in rows):
        return (None,) * 5
    room = width - 1 - 19 - 10  # the ▶ column, the borders and padding, "days 14–41"
    weight = max(len("Weight-bearing"), room * 28 // 100)
    phase, dates = room * 26 // 100, room * 24 // 100
    return phase, 10, dates, weight, room - phase - dates - weight


def _milestone_widths(width: int, rows: list[tuple]) -> tuple[int, int, int]:
    """The milestone table's Milestone, Day and Date widths: each date whole on a line
    (Rich's own squeezing would put "2026" on a line by itself); the titles wrap."""
    from rich.cells import cell_len

    day = max(len("Day"), *(len(row[2]) for row in rows))
    free = [(1, "Milestone"), (3, "Date")]
    least = [max(len(h), *(cell_len(w) for row in rows for w in unbroken_words(row[k]))) for k, h in free]
    most = [max(len(h), *(cell_len(row[k]) for row in rows)) for k, h in free]
    room = width - (1 + 3) - (day + 3) - 3 * len(free) - 1
    title, when = share(max(room, sum(least)), least, most)
    return title, day, when


def _timeline_blocks(out: Console, phase_rows: list[tuple], milestone_rows: list[tuple]) -> None:
    """A narrow terminal: every word whole, wrapped under its heading."""
    out.print(Text("Phases", style="bold"))
    for mark, title, days, dates, levels, boot in phase_rows:
        style = "bold" if mark else None
        title, *others = title.split("\n")
        out.print(Text(f"{mark or ' '} {title}", style=style), soft_wrap=False)
        print_wrapped(out, f"{days} · {dates}", "    ", "    ")
        print_wrapped(out, f"weight-bearing: {levels}", "    ", "    ")
        print_wrapped(out, f"boot: {boot}", "    ", "    ")
        for line in others:
            print_wrapped(out, line, "    ", "    ")
    out.print(Text("Milestones", style="bold"))
    for mark, title, days, when in milestone_rows:
        text = f"{title}: day{'s' if '–' in days else ''} {days} · {when}"
        if mark == "▶":
            out.print(Text(f"▶ {text}", style="bold"))
        else:
            print_wrapped(out, text, f"{mark or ' '} ", "    ")


def plan_changes_view(out: Console, changes: list[dict], titles: dict[str, str]) -> None:
    """`rehab plan list`: each change with its days, what it does, who made it, when, and
    why; a removed one dimmed. A table where every word and date fits whole in its column,
    else one short block per change (a narrow terminal)."""
    from rich.cells import cell_len

    rows = []
    for c in changes:
        removed = f" (removed {c['removed_at'][:10]})" if c["removed_at"] else ""
        rows.append((str(c["id"]), change_days(c), wording.change_what(c, titles) + removed, c["by"] or "",
                     c["created_at"][:10] if c["created_at"] else "", c["note"] or ""))
    headings = ("Id", "Days", "Change", "By", "Recorded", "Note")
    # Id, days and dates never wrap; who, what and why wrap between words, never inside one.
    fixed = [max([cell_len(h), *(cell_len(r[k]) for r in rows)]) for k, h in enumerate(headings[:2])]
    recorded = max([len(headings[4]), *(len(r[4]) for r in rows)])
    free = [(k, headings[k]) for k in (2, 3, 5)]
    longest = [max([cell_len(h), *(cell_len(w) for r in rows for w in unbroken_words(r[k]))]) for k, h in free]
    natural = [max([cell_len(h), *(cell_len(r[k]) for r in rows)]) for k, h in free]
    room = out.width - sum(w + 3 for w in fixed) - (recorded + 3) - 3 * len(free) - 1
    if out.width < TABLE_MIN_WIDTH or room < sum(longest):
        for row, c in zip(rows, changes):
            print_wrapped(out, wording.change_line(c, titles), f"{row[0]:>2}  ", "    ")
        return
    widths = share(room, longest, natural)
    table = Table()
    for heading, width in zip(headings[:2], fixed):
        table.add_column(heading, width=width, no_wrap=True)
    for (k, heading), width in zip(free, widths):
        if k == 5:
            table.add_column(headings[4], width=recorded, no_wrap=True)
        table.add_column(heading, width=width)
    for row, c in zip(rows, changes):
        table.add_row(*row[:2], *(Message(cell) for cell in row[2:]), style="dim" if c["removed_at"] else None)
    out.print(table)


def change_days(change: dict) -> str:
    """The days a change is about: those an adjustment covers ('days 5–20', 'from day 9'),
    or a moved milestone's new day or window ('day 10', 'days 84–182')."""
    if change["until_day"] is not None:
        return wording.day_span(change["from_day"], change["until_day"])
    return f"{'day' if change['kind'] == 'move' else 'from day'} {change['from_day']}"


def share(room: int, least: list[int], most: list[int]) -> list[int]:
    """Widths for columns that wrap: each at least its longest word (`least`), at most its
    whole text (`most`). The room beyond the least is poured evenly into those still short,
    so a short column (a name) gets its whole width and the long ones share the rest."""
    widths = list(least)
    spare = room - sum(least)
    short = [k for k in range(len(widths)) if widths[k] < most[k]]
    while spare > 0 and short:
        each = max(spare // len(short), 1)
        for k in list(short):
            give = min(each, most[k] - widths[k], spare)
            widths[k] += give
            spare -= give
            if widths[k] == most[k]:
                short.remove(k)
    return widths


def protocol_view(out: Console, protocol) -> None:
    out.print(Text(f"{protocol.name} ({protocol.id})", style="bold"))
    if protocol.aliases:
        out.print("Also known as: " + ", ".join(protocol.aliases), style="dim")
    out.print(protocol.summary)
    for phase in protocol.phases:
        end = phase.end.text if phase.end else "onwards"
        out.print()
        out.print(Text(f"{phase.title}  ({phase.start.text} – {end})", style="bold"))
        out.print(f"  Weight-bearing: {wording.weight_bearing_list(phase.weight_bearing.allowed)}"
                  f"; boot: {wording.BOOT_WORDS[phase.boot]}; activities: {', '.join(phase.activities)}"
                  f"; pain ceiling {phase.pain_ceiling}/10")
        for item in phase.instructions:
            bullet(out, item, indent=2)
    out.print()
    out.print(Text("Milestones", style="bold"))
    for m in protocol.milestones:
        when = m.at.text + (f" – {m.until.text}" if m.until else "")
        confirm = " (record it with rehab log --milestone " + m.id + ")" if m.confirm else ""
        out.print(f"  {m.id}: {m.title}, {when}{confirm}")
    schedule = getattr(protocol, "outcomes", None)
    if schedule:
        out.print()
        out.print(Text("Outcome questionnaires", style="bold"))
        due = ", ".join(map(str, schedule.due))
        out.print(f"  {', '.join(schedule.instruments)}: due {due} "
                  f"(within {schedule.window_days} days either side; rehab score ID)")
    out.print()
    out.print("Sources: " + "; ".join(s.title for s in protocol.sources), style="dim")
