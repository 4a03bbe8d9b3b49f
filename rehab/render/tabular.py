"""Reports as CSV, JSON and Markdown.

CSV and JSON stream: each patient's report is written as it arrives, so `report --all`
never holds every patient in memory. A CSV text cell that a spreadsheet would run as a
formula (= + - @ tab CR first) is neutralised with a leading apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable

from rehab import wording
from rehab.render import documents
from rehab.render.markdown import escape as _text

CSV_COLUMNS = ("patient_id", "date", "day", "pain", "weight_bearing", "boot", "activity",
               "symptoms", "milestones", "note", "patient_name", "flags")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(handle, document: documents.ReportDocument) -> None:
    """One row per entry, header first, straight from each patient's entries and flags."""
    write_entry_rows(handle, document.entry_rows)


def write_entry_rows(handle, patients: Iterable[tuple]) -> None:
    """One row per entry, straight from (patient, entries, flags) without building
    each patient's whole report first: `report --all --format csv` for a clinic."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for patient, entries, flags in patients:
        rules = _rules_by_date((f.date.isoformat(), f.rule) for f in flags)
        surgery = patient.surgery_date
        for e in entries:
            day = e.date.isoformat()
            _write_row(writer, patient.id, patient.name, day, (e.date - surgery).days, e.pain, e.weight_bearing,
                       e.boot, e.activity, e.symptoms, e.milestones, e.note, rules.get(day))


def _rules_by_date(pairs) -> dict[str, str]:
    found: dict[str, dict[str, None]] = {}
    for day, rule in pairs:
        found.setdefault(day, {})[rule] = None
    return {day: ";".join(rules) for day, rules in found.items()}


def _write_row(writer, patient_id, name, day, day_number, pain, weight_bearing, boot, activity, symptoms,
               milestones, note, flags) -> None:
    # Numbers and our own vocabulary go out as they are; only text a person typed (ids,
    # names, notes) can start like a formula, so only it goes through the guard.
    writer.writerow((_text_cell(patient_id), day, day_number, pain, weight_bearing, wording.BOOT_WORDS[boot],
                     activity or "", ";".join(symptoms), _text_cell(";".join(milestones)), _text_cell(note),
                     _text_cell(name), flags or ""))


def _text_cell(value) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


def write_json(handle, document: documents.ReportDocument) -> None:
    """{"patients": [report, ...]}, written one patient at a time."""
    handle.write('{"patients": [')
    for index, report in enumerate(document.reports):
        handle.write(("," if index else "") + "\n")
        handle.write(json.dumps(report, ensure_ascii=False, separators=(",", ":")))
    handle.write("\n]}\n")


def write_markdown(handle, document: documents.ReportDocument) -> None:
    pages, summary = documents.ordered_pages(document)
    out: list[str] = []
    if summary is not None:
        out += [f"# {documents.SUMMARY_TITLE}", "", documents.SUMMARY_NOTE, ""]
        out += _table(documents.SUMMARY_HEADINGS, summary)
    for page in pages:
        out += [f"# {_text(page['title'])}", ""]
        out += [f"- **{label}:** {_text(value)}" for label, value in page["facts"]] + [""]
        out += ["## Adherence", ""] + [f"- **{label}:** {value}" for label, value in page["adherence"]] + [""]
        out += ["## Pain (0–10)", ""] + [f"- **{label}:** {value}" for label, value in page["pain"]] + [""]
        out += _outcomes_markdown(page.get("outcomes"))
        out += ["## Weight-bearing, boot and activity by phase", ""]
        out += (_table(documents.PHASE_HEADINGS, page["phases"]) if page["phases"] or not page.get("phases_note")
                else [_text(page["phases_note"]), ""])
        out += [f"## {wording.REPORT_CHANGES_TITLE}", ""] + (_table(documents.CHANGES_HEADINGS, page["changes"])
                                                           if page["changes"] else [documents.CHANGES_NONE, ""])
        out += ["## Milestones", ""] + _table(documents.MILESTONE_HEADINGS, page["milestones"])
        out += ["## Flags", ""] + (_table(documents.FLAG_HEADINGS, page["flags"]) if page["flags"]
                                   else [documents.NO_FLAGS, ""])
        out += ["## Entries", ""]
        if page["entries"]:
            out += _table(documents.ENTRY_HEADINGS, page["entries"]) + [documents.ENTRY_LEGEND, ""]
        else:
            out += [documents.NO_ENTRIES, ""]
    out += [f"_{wording.REPORT_NOTICE}_", ""]
    handle.write("\n".join(out))


def _outcomes_markdown(section: dict | None) -> list[str]:
    from rehab.render import outcome_report as o

    if not section:
        return []
    out = ["## Outcomes: questionnaires", ""]
    out += _table(o.SCORE_HEADINGS, section["scores"]) if section["scores"] else ["No questionnaires recorded.", ""]
    out += _table(o.DUE_HEADINGS, section["due"]) if section["due"] else []
    out += ["## Outcomes: measures, swelling and home exercises", ""]
    out += _table(o.MEASURE_HEADINGS, section["measures"]) if section["measures"] else ["No measures recorded.", ""]
    out += _table(o.SYMMETRY_HEADINGS, section["symmetry"]) if section["symmetry"] else []
    return out + [f"- **{label}:** {_text(value)}" for label, value in section["logged"]] + [""]


def _table(headings: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(_text(cell) for cell in row) + " |" for row in rows]
    return lines + [""]
