"""Reports as CSV, JSON and Markdown.

CSV and JSON stream: each patient's report is written as it arrives, so `report --all`
never holds every patient in memory. A CSV text cell that a spreadsheet would run as a
formula (= + - @ tab CR first) is neutralised with a leading apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable

from rehab.render import documents, words

CSV_COLUMNS = ("patient_id", "date", "day", "pain", "weight_bearing", "boot", "activity",
               "symptoms", "milestones", "note", "patient_name", "flags")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(handle, reports: Iterable[dict]) -> None:
    """One row per entry, header first; `flags` lists the rules flagged on the entry's date."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        patient = report["patient"]
        flagged: dict[str, list[str]] = {}
        for flag in report["flags"]:
            flagged.setdefault(flag["date"], []).append(flag["rule"])
        for entry in report["entries"]:
            row = {
                **entry,
                "patient_id": patient["id"],
                "patient_name": patient["name"],
                "boot": {True: "yes", False: "no", None: ""}[entry["boot"]],
                "symptoms": ";".join(entry["symptoms"]),
                "milestones": ";".join(entry["milestones"]),
                "flags": ";".join(dict.fromkeys(flagged.get(entry["date"], []))),
            }
            writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_json(handle, reports: Iterable[dict]) -> None:
    """{"patients": [report, ...]}, written one patient at a time."""
    handle.write('{"patients": [')
    for index, report in enumerate(reports):
        handle.write(("," if index else "") + "\n")
        handle.write(json.dumps(report, ensure_ascii=False, separators=(",", ":")))
    handle.write("\n]}\n")


def markdown(pages: list[dict], summary: list[list[str]] | None) -> str:
    out: list[str] = []
    if summary is not None:
        out += [f"# {documents.SUMMARY_TITLE}", "", documents.SUMMARY_NOTE, ""]
        out += _table(documents.SUMMARY_HEADINGS, summary)
    for page in pages:
        out += [f"# {_text(page['title'])}", ""]
        out += [f"- **{label}:** {_text(value)}" for label, value in page["facts"]] + [""]
        out += ["## Adherence", ""] + [f"- **{label}:** {value}" for label, value in page["adherence"]] + [""]
        out += ["## Pain (0–10)", ""] + [f"- **{label}:** {value}" for label, value in page["pain"]] + [""]
        out += ["## Weight-bearing, boot and activity by phase", ""]
        out += _table(documents.PHASE_HEADINGS, page["phases"])
        out += ["## Milestones", ""] + _table(documents.MILESTONE_HEADINGS, page["milestones"])
        out += ["## Flags", ""] + (_table(documents.FLAG_HEADINGS, page["flags"]) if page["flags"]
                                   else ["No flags in this period.", ""])
        out += ["## Entries", ""]
        if page["entries"]:
            out += _table(documents.ENTRY_HEADINGS, page["entries"]) + [documents.ENTRY_LEGEND, ""]
        else:
            out += ["No entries in this period.", ""]
    out += [f"_{words.NOTICE}_", ""]
    return "\n".join(out)


def _table(headings: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(_text(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines + [""]


def _text(value) -> str:
    """One line of Markdown in which a user's text cannot start markup or raw HTML."""
    text = " ".join(str(value).split())
    for char in "\\`*_[]<>#":
        text = text.replace(char, "\\" + char)
    return text
