"""What the printable documents say: the surgeon's one-page timeline and the
physiotherapist's reports.

A command gathers a document's inputs (a PlanDocument or a ReportDocument); each renderer
(rehab.render.formats lists them) builds its plain "page" here, the text it prints, so HTML,
PDF and Markdown say the same thing. This module imports no renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from rehab import vocab
from rehab import wording
from rehab.timeline import Timeline

PAPERS = ("a4", "letter")
CHART_WIDTH = 186.0  # mm: the text width of A4 with 12 mm margins; renderers scale charts to fit

# Red flags, grouped for the printed box, each group titled with what its signs can mean
# where they share one meaning (vocab.SIGNS): its signs are then listed bare, so "DVT" is
# printed once. A symptom vocab.py adds later lands in "Other".
RED_FLAG_GROUPS = (
    ("Possible blood clot in the leg (DVT)", vocab.LEG_CLOT,
     ("calf-pain", "calf-swelling", "leg-warmth", "leg-discolouration")),
    ("Possible infection, or a wound problem", vocab.INFECTION,
     ("fever", "wound-redness", "wound-discharge", "wound-opening", "bleeding")),
    ("Nerves and blood supply", None, ("numbness", "cold-toes", "cannot-move-toes")),
    ("Pain and walking", None, ("severe-pain", "cannot-bear-weight")),
)
EMERGENCY_TITLE = ("Possible blood clot in the lung", vocab.LUNG_CLOT)
# Emergency services first (chest pain, breathlessness), then the surgical team, named once.
EMERGENCY_ACTION = "Call emergency services now ({number}) for:"
TEAM_ACTION = "Contact your surgical team now{phone} for:"


# --- what each kind of document is made from ----------------------------------------------------

# (characters, bold) -> a font on the computer that has them all, as (file, face index), or None
FontFinder = Callable[[str, bool], "tuple[str, int] | None"]


@dataclass
class PlanDocument:
    """A printed plan (`rehab timeline`): the dated plan, who it is for, the day it is printed."""

    plan: Timeline
    person: dict | None
    today: date
    clinic: dict = field(default_factory=dict)  # rehab.config.clinic(), for the formats that print it
    paper: str = "a4"
    fonts: FontFinder | None = None  # rehab.system_fonts.font_for, for the PDF's characters its font lacks
    # The patient's changes taken out of the plan (plan remove): the calendar cancels their events.
    withdrawn: tuple = ()


@dataclass
class ReportDocument:
    """Progress reports (`rehab report`), streamed: each is built as a format asks for it."""

    reports: Iterable[dict]  # rehab.report.build documents
    entry_rows: Iterable[tuple]  # (patient, entries, flags): all the CSV needs, without whole reports
    summarize: Callable[[list[dict]], list[dict]] | None = None  # --all: the "who needs attention" rows
    # Called once per patient as a slow format (PDF) draws their pages: the command's progress bar.
    drawn: Callable[[], None] | None = None
    # --all, for a format that keeps no more than one report at a time (PDF): a report's row of
    # the summary, and the rows in the summary's order (summarize is these two, for all reports).
    summary_row: Callable[[dict], dict] | None = None
    order: Callable[[list[dict]], list[dict]] | None = None
    fonts: FontFinder | None = None  # as PlanDocument.fonts


CLINIC_LABELS = {"name": "Clinic", "phone": "Phone", "out_of_hours_phone": "Out of hours", "email": "Email",
                 "address": "Address", "emergency_phone": "Emergency"}


def clinic_lines(clinic: dict) -> list[tuple[str, str]]:
    """(label, value) for each of the clinic's details that is set, in a fixed order."""
    return [(label, clinic[key]) for key, label in CLINIC_LABELS.items() if clinic.get(key)]


# The numbers a patient needs in a hurry: a printed plan leaves a line to write each one the
# clinic's details do not give.
WRITE_IN = (("phone", "Phone"), ("out_of_hours_phone", "Out of hours"), ("emergency_phone", "Emergency number"))


def contact_block(clinic: dict, person: dict | None) -> dict:
    """The printed plan's contact block: the clinic's details, and labelled lines to write on
    for the numbers it lacks (with no clinic file at all, the surgeon's name too)."""
    given = clinic_lines(clinic)
    surgeon = (person or {}).get("surgeon")
    blanks = [label for key, label in WRITE_IN if not clinic.get(key)]
    if not given:
        if surgeon:
            given = [("Surgeon", surgeon)]
        else:
            blanks.insert(0, "Surgeon")
    return {"title": "Your clinic" if clinic_lines(clinic) else "Your surgical team: write their numbers here",
            "lines": given, "blanks": blanks}


def paper_size(paper: str) -> str:
    value = (paper or "a4").lower()
    if value not in PAPERS:
        from rehab.errors import RehabError

        raise RehabError(f"unknown paper size {paper!r}: use a4 or letter")
    return value


def ordered_pages(document: ReportDocument) -> tuple[list[dict], list[list[str]] | None]:
    """The report pages and the --all summary table, every format's view of a ReportDocument."""
    pages, summary, _ = linked_pages(document)
    return pages, summary


def linked_pages(document: ReportDocument) -> tuple[list[dict], list[list[str]] | None, list[str] | None]:
    """As ordered_pages, with the anchor of each summary row's report (page["anchor"]), for
    a format that links the two (HTML)."""
    built = list(document.reports)
    summary = document.summarize(built) if document.summarize else None
    anchors = None if summary is None else [anchor(row["patient_id"]) for row in summary]
    return report_pages(built, summary), summary_page(summary), anchors


def anchor(patient_id: str) -> str:
    """A safe HTML id for a patient's report: letters, digits and hyphens kept, any other
    character (an imported id may hold any) written as _hex_, so two ids never share one."""
    return "patient-" + re.sub(r"[^A-Za-z0-9-]", lambda m: f"_{ord(m.group()):x}_", patient_id)


def urgent_rows(summary: list[list[str]]) -> set[int]:
    """The summary rows printed in bold: patients with an open urgent flag."""
    return {i for i, row in enumerate(summary) if row[1] != "0"}


# --- the timeline page -----------------------------------------------------------------------

def timeline_page(document: PlanDocument) -> dict:
    """What the one-page plan says: every renderer prints exactly this."""
    from rehab.render import chart

    plan, person, today = document.plan, document.person, document.today
    protocol = plan.protocol
    contacts = wording.Contacts.of(document.clinic)
    person = person or {}
    day = plan.day_of(today)
    phase = plan.phase_on(today)
    if day < 0:
        status = f"Printed {wording.date_label(today)}: surgery in {-day} day{'s' if day != -1 else ''}."
    else:
        status = (f"Printed {wording.date_label(today)}: day {day} after surgery ({wording.recovery_week(day)})"
                  + (f", phase “{phase.title}”." if phase else "."))
    return {
        "title": f"Your recovery plan: {protocol.name}",
        "facts": _facts([
            ("Patient", person.get("name")),
            ("Side", _side(person.get("side"))),
            ("Procedure", protocol.name),
            ("Surgeon", person.get("surgeon")),
            ("Surgery", f"{wording.date_label(plan.surgery_date)} (day 0)"),
            ("Patient id", person.get("id")),
        ]),
        "status": status,
        "summary": protocol.summary,
        "band": chart.timeline_band(plan, today, CHART_WIDTH),
        "key_dates": [
            {
                "title": m.title + wording.moved_note(plan, m.id),
                "when": wording.date_label(m.date) if m.end_date is None else wording.date_span(m.date, m.end_date),
                "days": f"day {m.day}" if m.end_day is None else f"days {m.day}–{m.end_day}",
            }
            for m in plan.milestones
        ],
        "phases": [
            {
                "title": p.title,
                "weeks": _weeks(p.start_day, p.end_day),
                "date_lines": _date_lines(p.start_date, p.end_date),
                "weight_bearing": wording.with_changes(
                    _allowed(p.phase.weight_bearing.allowed, p.phase.weight_bearing.expected_by_end),
                    wording.phase_change_labels(plan, p, "weight_bearing")),
                "boot": wording.with_changes("Boot on" if p.phase.boot else "No boot",
                                             wording.phase_change_labels(plan, p, "boot")),
                "activities": wording.with_changes(", ".join(plan.activity_labels(p)),
                                                   wording.phase_change_labels(plan, p, "activity")),
                # What the table has no column for (the pain expected), under the phase's name.
                "changes": wording.phase_change_labels(plan, p, "pain_ceiling"),
                "goals": list(p.phase.goals) or ([p.phase.summary] if p.phase.summary else []),
                "current": phase is not None and p.id == phase.id,
            }
            for p in plan.phases
        ],
        "changes_title": wording.CHANGES_TITLE,
        "changes": wording.plan_change_lines(plan),
        # With the clinic's numbers where clinic.yaml gives them (contract: on the printed plan).
        "red_flags": red_flag_groups(protocol.thresholds.fever_celsius, contacts),
        "clinic": contact_block(document.clinic, document.person),
        "notice": wording.NOTICE,
    }


def red_flag_groups(fever_celsius: float, contacts: wording.Contacts = wording.Contacts()) -> dict:
    """The signs that call for emergency services, then the rest grouped for the surgical
    team, then whom to call when the team cannot be reached."""
    fever = f"{fever_celsius:g} °C / {fever_celsius * 9 / 5 + 32:.1f} °F"

    def sign(symptom: str, group_meaning: str | None) -> str:
        name, meaning, _ = vocab.SIGNS[symptom]
        text = name if meaning == group_meaning else f"{name} {meaning}"
        text = text[0].upper() + text[1:]
        return f"{text} (a temperature of {fever} or higher)" if symptom == "fever" else text

    emergency = [s for s, (_, _, urgent) in vocab.SIGNS.items() if urgent]
    team = [s for s in vocab.SIGNS if s not in emergency]
    grouped = {s for _, _, members in RED_FLAG_GROUPS for s in members}
    groups = [(title, meaning, [s for s in members if s in team]) for title, meaning, members in RED_FLAG_GROUPS]
    groups.append(("Other", None, [s for s in team if s not in grouped]))
    title, meaning = EMERGENCY_TITLE
    return {
        "emergency": {"action": EMERGENCY_ACTION.format(number=contacts.emergency_phone or wording.EMERGENCY_NUMBERS),
                      "title": title, "signs": [sign(s, meaning) for s in emergency]},
        "team": {"action": TEAM_ACTION.format(phone=f" on {contacts.phone}" if contacts.phone else ""),
                 "columns": _balance([{"title": title, "signs": [sign(s, meaning) for s in members]}
                                      for title, meaning, members in groups if members], 2),
                 "otherwise": wording.if_unreachable(contacts)},
    }


def _balance(groups: list[dict], columns: int) -> list[list[dict]]:
    """Groups in reading order, split into columns of about the same number of lines."""
    total = sum(len(g["signs"]) + 1 for g in groups)
    out: list[list[dict]] = [[] for _ in range(columns)]
    done, column = 0, 0
    for group in groups:
        lines = len(group["signs"]) + 1
        if out[column] and done + lines / 2 > total * (column + 1) / columns and column < columns - 1:
            column += 1
        out[column].append(group)
        done += lines
    return out


# --- the report pages ------------------------------------------------------------------------

def report_pages(reports: list[dict], summary: list[dict] | None) -> list[dict]:
    """One page per report; after a summary, in its order (who needs attention first)."""
    if summary:
        rank = {row["patient_id"]: i for i, row in enumerate(summary)}
        reports = sorted(reports, key=lambda r: rank.get(r["patient"]["id"], len(rank)))
    return [report_page(r) for r in reports]


def report_page(report: dict) -> dict:
    """A report dict (rehab.report.build) as the text every report format prints."""
    from rehab.render import chart, outcome_report

    patient, timeline = report["patient"], report["timeline"]
    surgery = date.fromisoformat(patient["surgery_date"])
    adherence, pain = report["adherence"], report["pain"]
    as_of = date.fromisoformat(report["as_of"])
    day = report["day"]
    phases = timeline["phases"] if timeline else []
    titles = {m["id"]: m["title"] for m in timeline["milestones"]} if timeline else {}
    before = date.fromisoformat(report["range"]["to"]) < surgery  # the report ends before surgery
    return {
        "title": f"Progress report: {patient['name']}",
        "anchor": anchor(patient["id"]),
        "facts": _facts([
            # Open red flags head the report, however old (contract: until acknowledged).
            ("OPEN RED FLAGS", "; ".join(f"{f['date']}: {f['subject'].replace(',', ', ')}"
                                         + (" (later corrected)" if f.get("corrected") else "")
                                         for f in report.get("open_red_flags", []))
             + " — not yet acknowledged: act on them, then rehab flags ack" if report.get("open_red_flags") else None),
            ("Patient", f"{patient['name']} ({patient['id']})"),
            ("Follow-up ended", patient.get("discharged_on")),
            ("Procedure", timeline["procedure"]["name"] if timeline else patient["procedure"]),
            ("No plan", report.get("problem")),
            ("Side", _side(patient.get("side"))),
            ("Surgeon", patient.get("surgeon")),
            ("Surgery", wording.date_label(surgery)),
            ("As of", f"{wording.date_label(as_of)}: " + (f"day {day}, {wording.recovery_week(day)}" if day >= 0
                                                         else f"{-day} days before surgery")),
            ("Phase", report["phase"]["title"] if report["phase"] else "not started"),
            ("Report covers", _covered(report["range"]["from"], report["range"]["to"])),
        ]),
        "adherence": [
            ("Days logged", f"{adherence['days_logged']} of {adherence['days_expected']}"
             + (f" ({_percent(adherence['ratio'])})" if adherence["ratio"] is not None else "")),
            ("Longest gap", _days(adherence["longest_gap"])),
        ],
        "pain": [
            ("Latest", _number(pain["latest"])),
            ("7-day average", _decimal(pain["average_7d"])),
            ("Change vs previous week", _signed(pain["change_vs_previous_week"])
             + (f" (previous week {_decimal(pain['average_previous_7d'])})"
                if pain.get("average_previous_7d") is not None else "")),
            ("Lowest / highest", f"{_number(pain['lowest'])} / {_number(pain['highest'])}"),
        ],
        "charts": chart.report_charts(report, CHART_WIDTH) if timeline and not before else [],
        # Before surgery there is nothing to chart and no phase has begun: said in words.
        "charts_note": NO_CHART_YET.format(surgery=wording.date_label(surgery)) if timeline and before else None,
        "phases": [_phase_row(row) for row in report["weight_bearing"]],
        "phases_note": _no_phase_yet(phases, surgery) if not report["weight_bearing"] else None,
        "changes": [_change_row(c, titles) for c in report.get("plan_changes", [])],
        "milestones": [_milestone_row(m) for m in report["milestones"]],
        "flags": [_flag_row(f) for f in report["flags"]],
        # "urgent" and/or "open" (not acknowledged) for each flag row: printed in bold
        "flag_marks": [" ".join(mark for mark, on in (("urgent", f["severity"] == "urgent"),
                                                      ("open", not f["acknowledged"])) if on)
                       for f in report["flags"]],
        "entries": [_entry_row(e, phases) for e in report["entries"]],
        "outcomes": outcome_report.section(report, CHART_WIDTH) if "outcomes" in report else None,
    }


def summary_page(rows: list[dict] | None) -> list[list[str]] | None:
    """The --all "who needs attention" table, rows already in attention order."""
    if rows is None:
        return None
    return [
        [f"{r['name']} ({r['patient_id']})", str(r["urgent"]), str(r["warning"]),
         f"{_percent(r['adherence'])} ({r['days_logged']}/{r['days_expected']})" if r["adherence"] is not None else "–",
         _days(r["longest_gap"]), _number(r["latest_pain"]),
         (f"day {r['day']}" if r["day"] >= 0 else "before surgery") + (f", {r['phase']}" if r["phase"] else "")
         + (_silent(r) if r.get("silent_days") else "")
         + (f"; discharged {r['discharged_on']}" if r.get("discharged_on") else "")
         + ("; protocol not found: no plan or flags" if r.get("problem") else "")]
        for r in rows
    ]


def _silent(row: dict) -> str:
    # Days since the last entry, as the report's "silence" counts them (a missed-log flag
    # counts the days with nothing logged before today, which may still be logged).
    if row.get("last_entry"):
        return f"; last entry {_days(row['silent_days'])} ago"
    return f"; nothing logged since surgery, {_days(row['silent_days'])} ago"


NO_CHART_YET = ("Nothing to chart yet: surgery is on {surgery}. From that day, the pain and weight-bearing "
                "the patient logs each day are charted here against what each phase allows.")
NO_PHASE_YET = ("No phase has begun yet. The first, “{title}” ({weeks}), begins on the day of surgery, {surgery}; "
                "each phase has a row here from the day it begins.")
NO_FLAGS = "No flags in this period."
NO_ENTRIES = "No entries in this period."
SUMMARY_TITLE = "Who needs attention"
SUMMARY_NOTE = ("Open urgent flags first (not acknowledged: a red flag however old, other flags from the "
                "last 7 days, as the patient's 'rehab today' shows them), then patients silent longer than their "
                "plan allows, then open warnings, then the lowest share of days logged; discharged patients "
                "last. Each patient's report follows in this order.")
SUMMARY_HEADINGS = ["Patient", "Urgent", "Warnings", "Adherence", "Longest gap", "Latest pain", "Where"]
PHASE_HEADINGS = ["Phase", "Allowed", "Logged", "Boot (plan / logged)", "Activities (allowed / logged)"]
MILESTONE_HEADINGS = ["Milestone", "Planned", "Reached"]
CHANGES_HEADINGS = ["Id", "Change", "By", "Recorded", "Note", "Status"]
CHANGES_NONE = "No changes: the plan is the protocol's."
FLAG_HEADINGS = ["Date", "Severity", "Rule", "Message", "Acknowledged"]
ENTRY_HEADINGS = ["Date", "Day", "Pain", "WB", "Boot", "Activity", "Symptoms", "Milestones", "Note"]
CHART_LEGEND = ("● pain logged; dashed line: the phase's expected pain ceiling; grey bands (lower chart): "
                "weight-bearing levels the phase allows, ■ level logged; ◇ milestone planned, ◆ recorded; "
                "▲ urgent flag; heavy dashed line: report date; thin dashed lines: phase boundaries.")
ENTRY_LEGEND = ("WB: NWB none, TTWB toe-touch, PWB partial, WBAT as tolerated, FWB full. "
                "* outside what the plan allows that day.")


def _phase_row(row: dict) -> list[str]:
    logged = row["logged"]
    counts = ", ".join(f"{vocab.WEIGHT_BEARING_ABBREV[lvl]} ×{n}" for lvl, n in logged["weight_bearing"].items())
    beyond = [f"{logged['above_allowed']} above" if logged["above_allowed"] else "",
              f"{logged['below_allowed']} below" if logged["below_allowed"] else ""]
    acts = ", ".join(f"{a} ×{n}" for a, n in logged["activities"].items()) or "–"

    def changed(text: str, what: str) -> str:
        """The cell with the team's changes to it inside the phase (the pain expected, which
        has no column, under the phase's name)."""
        return wording.with_changes(text, [c["label"] for c in row.get("changes", ()) if c["what"] == what])

    return [
        changed(f"{row['title']} ({_iso_span(row['start_date'], row['end_date'])})", "pain_ceiling"),
        changed("/".join(vocab.WEIGHT_BEARING_ABBREV[lvl] for lvl in row["allowed"])
                + (f"; {vocab.WEIGHT_BEARING_ABBREV[row['expected_by_end']]} by end" if row["expected_by_end"] else ""),
                "weight_bearing"),
        (counts or "nothing logged") + "".join(f"; {b}" for b in beyond if b),
        f"{changed(wording.BOOT_PLAN[row['boot']], 'boot')} / worn {logged['boot_worn']}, off {logged['boot_off']}",
        f"{changed(', '.join(row.get('activity_labels', row['activities'])), 'activity')} / {acts}"
        + (f"; {logged['activity_not_allowed']} not allowed" if logged["activity_not_allowed"] else ""),
    ]


def _no_phase_yet(phases: list[dict], surgery: date) -> str | None:
    """Why the phase table is empty, when no phase has begun (None without a plan)."""
    if not phases:
        return None
    first = phases[0]
    return NO_PHASE_YET.format(title=first["title"], weeks=_weeks(first["start_day"], first["end_day"]),
                               surgery=wording.date_label(surgery))


def _change_row(change: dict, titles: dict[str, str]) -> list[str]:
    days = wording.change_days(change)
    what = wording.change_what(change, titles)
    recorded = wording.date_label(date.fromisoformat(change["created_at"][:10])) if change["created_at"] else "–"
    status = (f"removed {wording.date_label(date.fromisoformat(change['removed_at'][:10]))}"
              if change["removed_at"] else "in force")
    return [str(change["id"]), f"{days}: {what}" if days else what, change["by"] or "–", recorded,
            change["note"] or "", status]


def _milestone_row(m: dict) -> list[str]:
    planned = _iso_span(m["date"], m["end_date"]) if m["end_date"] else wording.date_label(date.fromisoformat(m["date"]))
    if m["reached_on"]:
        reached = f"recorded {wording.date_label(date.fromisoformat(m['reached_on']))}"
    elif not m["due"]:
        reached = "not due yet"
    else:
        reached = "NOT recorded yet" if m["confirm"] else "date passed"
    return [m["title"], planned, reached]


def _flag_row(flag: dict) -> list[str]:
    ack = flag.get("acknowledgement")
    if ack:
        seen = f"yes, {ack['acknowledged_at'][:10]}" + (f" by {ack['by']}" if ack.get("by") else "")
        seen += f": {ack['note']}" if ack.get("note") else ""
    else:
        seen = "NO – open"
    # "calf-pain, calf-swelling": spaced, so a narrow column breaks between the symptoms
    rule = flag["rule"] + (f" ({flag['subject'].replace(',', ', ')})" if flag.get("subject") else "")
    return [flag["date"], flag["severity"].upper(), rule, flag["message"], seen]


def _entry_row(entry: dict, phases: list[dict]) -> list[str]:
    phase = next((p for p in phases if p["start_day"] <= entry["day"]
                  and (p["end_day"] is None or entry["day"] <= p["end_day"])), None)
    wb = vocab.WEIGHT_BEARING_ABBREV[entry["weight_bearing"]]
    outside = entry.get("outside_plan")  # against the patient's own plan that day, where known
    # less weight than the first phase allows is the safe side, not a deviation
    safe_side = bool(phase) and phase["start_day"] <= 0 and vocab.wb_rank(entry["weight_bearing"]) < min(
        vocab.wb_rank(level) for level in phase["weight_bearing"])
    if (outside is not None and "weight_bearing" in outside) or (
            outside is None and phase and entry["weight_bearing"] not in phase["weight_bearing"] and not safe_side):
        wb += " *"
    activity = entry["activity"] or "–"
    if (outside is not None and "activity" in outside) or (
            outside is None and phase and entry["activity"] and entry["activity"] not in phase["activities"]):
        activity += " *"
    return [entry["date"], str(entry["day"]), str(entry["pain"]), wb, wording.BOOT_PLAN[entry["boot"]], activity,
            ", ".join(entry["symptoms"]), ", ".join(entry["milestones"]), entry["note"] or ""]


# --- small words ------------------------------------------------------------------------------

def _facts(pairs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    return [(label, value) for label, value in pairs if value]


def _side(side: str | None) -> str | None:
    return f"{side.capitalize()} ankle" if side else None


def _weeks(start_day: int, end_day: int | None) -> str:
    from rehab.render.chart import week_span

    return f"{week_span(start_day, end_day)} · {wording.day_span(start_day, end_day)}"


def _date_lines(start: date, end: date | None) -> list[str]:
    """A phase's dates on two short lines for a narrow column."""
    if end is None:
        return ["from", wording.date_label(start)]
    return [f"{wording.date_label(start)} –", wording.date_label(end)]


def _allowed(levels, expected: str | None) -> str:
    text = wording.weight_bearing_list(levels)
    return text + (f"; {vocab.WEIGHT_BEARING_ABBREV[expected]} by the end" if expected else "")


def _covered(start: str, end: str) -> str:
    """The report's days; none yet when the range ends before it starts (surgery ahead)."""
    if end < start:
        return f"nothing yet (from {wording.date_label(date.fromisoformat(start))})"
    return _iso_span(start, end)


def _iso_span(start: str, end: str | None) -> str:
    return wording.date_span(date.fromisoformat(start), date.fromisoformat(end) if end else None)


def _percent(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio * 100:.0f}%"


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _number(value) -> str:
    return "–" if value is None else f"{value:g}"


def _decimal(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _signed(value) -> str:
    return "–" if value is None else f"{value:+.1f}"
