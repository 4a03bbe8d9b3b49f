"""The outcomes section of a report as text every format prints (HTML, PDF, Markdown): the
questionnaires with change and meaning, their chart, the schedule, measures with symmetry,
swelling and home exercises. Built from report["outcomes"] (rehab.report.outcomes_section)."""

from __future__ import annotations

from rehab.render import chart
from rehab.render.outcomes import number, signed, unit_of

SCORE_HEADINGS = ["Questionnaire", "Date", "Day", "Score", "Answered", "Change from baseline", "Meaningful"]
DUE_HEADINGS = ["Due", "When", "Questionnaire", "Status"]
MEASURE_HEADINGS = ["Measure", "Side", "Latest", "Date", "Day"]
SYMMETRY_HEADINGS = ["Measure", "Date", "Operated", "Other", "Symmetry"]
LEGEND = ("Scores are drawn as a share of the best possible score (FAAM is a percentage; LEFS, 0–80, "
          "is drawn as a percentage of 80 and labelled with its points). Dashed verticals: when "
          "questionnaires are due, with how many of them were done within 7 days. A change is "
          "meaningful when it is at least the instrument's MCID (minimal clinically important "
          "difference): FAAM daily living 8, FAAM sports 9, LEFS 9 points. Solid vertical: surgery; "
          "heavy dashed: the report's date.")
MEASURE_NAMES = {"knee-to-wall": "Knee-to-wall (cm)", "calf-raises": "Calf raises (single leg)"}


def section(report: dict, width: float) -> dict:
    data = report["outcomes"]
    names = {i["id"]: i["name"] for i in data["instruments"]}
    return {
        # Grouped by questionnaire (in the schedule's order), each oldest first: a row's change
        # reads against the baseline just above it.
        "scores": [_score_row(s, names) for s in sorted(data["scores"], key=lambda s: list(names).index(s["instrument"]))],
        "chart": chart.outcomes_chart(report, width),
        "due": [_due_row(d, names) for d in _due_shown(data["due"])],
        "measures": [[MEASURE_NAMES.get(m["name"], m["name"]), m["side"], number(m["value"]),
                      m["date"], str(m["day"])] for m in data["latest_measures"]],
        "symmetry": [[MEASURE_NAMES.get(s["name"], s["name"]), s["date"], number(s["operated"]),
                      number(s["other"]), number(s["percent"], "%")] for s in data["symmetry"]],
        "logged": [("Swelling", _swelling(data["swelling"])), ("Home exercises", _exercises(data["exercises"]))],
        "legend": LEGEND,
    }


def _score_row(s: dict, names: dict) -> list[str]:
    unit = unit_of(s)
    score = number(s["score"], unit) if s["score"] is not None else "no score (too few answered)"
    if s["score"] is not None and s["change"] is None:
        change, meaningful = "baseline", "–"
    elif s["change"] is None:
        change = meaningful = "–"
    else:
        change = signed(s["change"])
        meaningful = "–" if s["meaningful"] is None else (
            ("yes, better" if s["change"] > 0 else "yes, worse") if s["meaningful"] else f"no (MCID {s['mcid']})")
    return [names.get(s["instrument"], s["instrument"]), s["date"], str(s["day"]), score,
            f"{s['answered']}/{len(s['answers'])}", change, meaningful]


def _due_shown(due: list[dict]) -> list[dict]:
    """What has come due so far and the next questionnaires to come, not the whole year ahead."""
    upcoming = [d["due_date"] for d in due if d["status"] == "upcoming"]
    following = min(upcoming, default=None)
    return [d for d in due if d["status"] != "upcoming" or d["due_date"] == following]


def _due_row(d: dict, names: dict) -> list[str]:
    status = {"done": f"done {d['done_on']}", "due": f"due now (until {d['until']})",
              "upcoming": f"upcoming ({d['from']} to {d['until']})", "missed": "missed"}[d["status"]]
    return [d["due_date"], d["label"], names.get(d["instrument"], d["instrument"]), status]


def _swelling(tally: dict) -> str:
    if not tally["days"]:
        return "not logged in this period (rehab log --swelling none|mild|moderate|severe)"
    counts = ", ".join(f"{level} {n}" for level, n in tally["counts"].items())
    return f"{counts} (of {tally['days']} days logged); latest {tally['latest']} on {tally['latest_date']}"


def _exercises(tally: dict) -> str:
    if not tally["days"]:
        return "not logged in this period (rehab log --exercises done|partly|skipped)"
    counts = tally["counts"]
    share = int(100 * counts["done"] / tally["days"] + 0.5)  # half up
    return (f"done on {counts['done']} of {tally['days']} days logged ({share}%), partly {counts['partly']}, "
            f"skipped {counts['skipped']}; latest {tally['latest']} on {tally['latest_date']}")
