"""Terminal views of outcomes: a stored score, a stored measure, and the whole picture.
Each takes the documents the core builds (the same ones --json prints)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

STATUS_WORD = {"done": "done", "due": "DUE NOW", "upcoming": "upcoming", "missed": "missed"}


def number(value, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:g}{unit}" if isinstance(value, int) else f"{value:.1f}{unit}"


def signed(value) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    text = f"{value:+d}" if isinstance(value, int) else f"{value:+.1f}"
    return text.replace("-", "−")


def unit_of(doc: dict) -> str:
    return "%" if doc.get("max") == 100 else ""


def change_words(doc: dict) -> str:
    """'+11.9 from the baseline of 50.0%: a meaningful change (MCID 8)'."""
    if doc["score"] is None:
        return ""
    if doc["change"] is None:
        return "This is the baseline: later scores are compared with it."
    unit = unit_of(doc)
    base = f"{signed(doc['change'])} from the baseline of {number(doc['baseline'], unit)}"
    if doc["meaningful"]:
        direction = "better" if doc["change"] > 0 else "worse"
        return f"{base}: a meaningful change ({direction}; the smallest that matters is {doc['mcid']} points)."
    return f"{base}: less than the {doc['mcid']} points that count as a meaningful change."


def score_view(out: Console, doc: dict, min_answered: int, items: int) -> None:
    when = f"{doc['date']} (day {doc['day']})"
    if doc["score"] is None:
        out.print(f"Recorded {doc['name']} for {when}: {doc['answered']} of {items} items answered. "
                  f"A score needs at least {min_answered} answered, so it has none; the answers are kept.")
        return
    out.print(Text(f"{doc['name']} for {when}: {number(doc['score'], unit_of(doc))}"
                   f" (of {number(doc['max'], unit_of(doc))}; {doc['answered']} of {items} answered)", style="bold"))
    out.print(change_words(doc))


def measure_view(out: Console, doc: dict, kind, pair: dict | None) -> None:
    value = f"{doc['value']:g}" if isinstance(doc["value"], int) else f"{doc['value']:.1f}"
    out.print(f"Recorded {kind.title.lower()}: {value} {kind.unit}, {doc['side']} side, "
              f"{doc['date']} (day {doc['day']}).")
    if pair and pair["percent"] is not None:
        out.print(f"Limb symmetry: the operated side is {pair['percent']:.1f}% of the other "
                  f"({number(pair['operated'])} against {number(pair['other'])}).")
    elif doc["side"] == "operated":
        out.print(Text(f"Measure the other side within 7 days for the symmetry: "
                       f"rehab measure {kind.name} VALUE --side other", style="dim"))


def outcomes_view(out: Console, doc: dict, patient: dict, names: dict[str, str]) -> None:
    out.print(Text(f"{patient['name']} · outcomes", style="bold"))
    if not doc["scores"]:
        out.print("No questionnaires yet. Record one: rehab score faam-adl (or faam-sports, lefs).")
    by_instrument: dict[str, list[dict]] = {}
    for s in doc["scores"]:
        by_instrument.setdefault(s["instrument"], []).append(s)
    for instrument, scores in by_instrument.items():
        table = Table("Date", "Day", "Score", "Answered", "Change", "Meaningful",
                      title=f"{names.get(instrument, instrument)} (MCID {scores[0]['mcid']})", title_justify="left")
        for s in scores:
            meaningful = "—" if s["meaningful"] is None else "yes" if s["meaningful"] else "no"
            change = "baseline" if s["score"] is not None and s["change"] is None else signed(s["change"])
            table.add_row(s["date"], str(s["day"]), number(s["score"], unit_of(s)),
                          f"{s['answered']}/{len(s['answers'])}", change, meaningful)
        out.print(table)
    if doc["measures"]:
        table = Table("Date", "Day", "Measure", "Side", "Value", title="Measures", title_justify="left")
        for m in doc["measures"]:
            table.add_row(m["date"], str(m["day"]), m["name"], m["side"], f"{number(m['value'])} {m['unit'] or ''}".strip())
        out.print(table)
    if doc["symmetry"]:
        table = Table("Date", "Measure", "Operated", "Other", "Symmetry", title="Limb symmetry (operated / other)",
                      title_justify="left")
        for s in doc["symmetry"]:
            table.add_row(s["date"], s["name"], number(s["operated"]), number(s["other"]), number(s["percent"], "%"))
        out.print(table)
    if doc["due"]:
        table = Table("Due", "When", "Questionnaire", "Status", title="Questionnaire schedule", title_justify="left")
        for d in doc["due"]:
            status = STATUS_WORD[d["status"]] + (f" ({d['done_on']})" if d["done_on"] else "")
            table.add_row(d["due_date"], d["label"], names.get(d["instrument"], d["instrument"]), status)
        out.print(table)
        open_now = [d for d in doc["due"] if d["status"] == "due"]
        for d in open_now:
            out.print(Text(f"Answer now: rehab score {d['instrument']} (until {d['until']})", style="bold yellow"))
