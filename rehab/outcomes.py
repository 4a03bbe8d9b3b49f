"""Outcomes: questionnaire scores, their change from baseline, when they are due, and the
clinical measures with their limb symmetry. Pure: no I/O (instruments arrive loaded).

Scoring follows the published papers (cited in each instrument file): FAAM is the sum of the
answered items as a percentage of the most they could score, given only when enough items
were answered; LEFS is the plain sum of all twenty items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from rehab.errors import RehabError
from rehab.model import Measure, Score

NA_WORDS = ("na", "n/a")


# --- answers --------------------------------------------------------------------------------


def parse_answer(instrument, text: str, position: int | None = None) -> int | None:
    """One answer: a value on the instrument's scale, or None for "na" where allowed."""
    word = text.strip().lower()
    where = f"answer {position}" if position is not None else "the answer"
    if word in NA_WORDS:
        if not instrument.not_applicable:
            raise RehabError(f"{where} is 'na', but every {instrument.id} item must be answered 0–{instrument.top}")
        return None
    if not word.isdigit() or int(word) > instrument.top:
        shown = text.strip()[:20]
        allowed = f"0–{instrument.top}" + (" or na" if instrument.not_applicable else "")
        raise RehabError(f"{where} is {shown!r}: answer {allowed}")
    return int(word)


def parse_answers(instrument, text: str) -> tuple[int | None, ...]:
    """`--answers`: comma-separated, one per item in the instrument's order."""
    parts = [p for p in text.replace(" ", "").split(",")] if text.strip() else []
    if len(parts) != len(instrument.items):
        raise RehabError(f"{instrument.id} has {len(instrument.items)} items; --answers gave {len(parts)}")
    return tuple(parse_answer(instrument, part, index) for index, part in enumerate(parts, 1))


def check_answers(instrument, answers: Sequence[int | None]) -> None:
    """Answers already read (an imported score): one per item, each one `--answers` takes."""
    if len(answers) != len(instrument.items):
        raise RehabError(f"{instrument.id} has {len(instrument.items)} items; the score has {len(answers)} answers")
    for index, answer in enumerate(answers, 1):
        parse_answer(instrument, "na" if answer is None else str(answer), index)


def score(instrument, answers: Sequence[int | None]) -> float | int | None:
    """The instrument's score for complete answers, or None when too few items were answered.

    percent: sum / (top x answered) x 100, rounded half-up to one decimal (Martin 2005);
    sum: every item answered, their total (Binkley 1999)."""
    if len(answers) != len(instrument.items):
        raise ValueError(f"{len(answers)} answers for {len(instrument.items)} items")
    given = [a for a in answers if a is not None]
    if len(given) < instrument.min_answered:
        return None
    if instrument.scoring == "sum":
        return sum(given)
    exact = Decimal(sum(given) * 100) / Decimal(instrument.top * len(given))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- baseline, change, meaning --------------------------------------------------------------


def score_documents(instruments: dict, scores: Iterable[Score], surgery: date) -> list[dict]:
    """The contract's `score --json` documents, in date order: the baseline is the first scored
    questionnaire on the instrument; every later one has its change and whether it reaches
    the MCID. `instruments` maps id to instrument (a stored score of an instrument no longer
    known still shows, without max or MCID)."""
    ordered = sorted(scores, key=lambda s: (s.date, s.id or 0))
    baselines: dict[str, Score] = {}
    for s in ordered:
        if s.score is not None:
            baselines.setdefault(s.instrument, s)
    return [score_document(instruments.get(s.instrument), s, baselines.get(s.instrument), surgery) for s in ordered]


def score_document(instrument, s: Score, baseline: Score | None, surgery: date) -> dict:
    mcid = instrument.mcid if instrument else None
    value, base = _plain(instrument, s.score), _plain(instrument, baseline.score if baseline else None)
    change = None
    if value is not None and base is not None and s is not baseline:
        change = value - base if isinstance(value, int) else float(Decimal(str(value)) - Decimal(str(base)))
    return {
        "id": s.id,
        "instrument": s.instrument,
        "name": instrument.short_name if instrument else s.instrument,
        "date": s.date.isoformat(),
        "day": (s.date - surgery).days,
        "answers": list(s.answers),
        "answered": sum(a is not None for a in s.answers),
        "not_applicable": sum(a is None for a in s.answers),
        "score": value,
        "max": instrument.max if instrument else None,
        "baseline": base,
        "change": change,
        "mcid": mcid,
        "meaningful": None if change is None or mcid is None else abs(change) >= mcid,
    }


def _plain(instrument, value):
    """A sum is a whole number (a database may hand it back as 55.0); a percentage a float."""
    if value is None:
        return None
    if instrument is not None and instrument.scoring == "sum":
        return int(value)
    return float(value)


# --- when questionnaires are due -------------------------------------------------------------


class DuePoint(NamedTuple):
    instrument: str
    label: str  # "before surgery", "6 weeks", ...
    due_date: date
    opens: date  # the first day a score satisfies it
    closes: date  # the last day


def due_points(schedule, surgery: date) -> list[DuePoint]:
    """Every questionnaire the protocol's schedule asks for, by due date then instrument.
    "before surgery" is due the day before surgery; a score up to the surgery day counts."""
    if schedule is None:
        return []
    window = timedelta(days=schedule.window_days)
    points = []
    for when in schedule.due:
        if isinstance(when, str):  # "before surgery"
            due = surgery - timedelta(days=1)
            opens, closes, label = due - window, surgery, when
        else:
            due = when.date_after(surgery)
            opens, closes, label = due - window, due + window, when.text
        points.extend(DuePoint(i, label, due, opens, closes) for i in schedule.instruments)
    return sorted(points, key=lambda p: (p.due_date, schedule.instruments.index(p.instrument)))


def due_status(points: Sequence[DuePoint], scores: Iterable[Score], on: date) -> list[dict]:
    """Each due point with what happened: "done" (a questionnaire within its window, even one
    with too many items not applicable to score), "due" (its window is open today), "upcoming"
    or "missed"."""
    taken: dict[str, list[date]] = {}
    for s in scores:
        taken.setdefault(s.instrument, []).append(s.date)
    rows = []
    for p in points:
        inside = sorted(d for d in taken.get(p.instrument, ()) if p.opens <= d <= p.closes and d <= on)
        if inside:
            status = "done"
        elif p.opens <= on <= p.closes:
            status = "due"
        elif on < p.opens:
            status = "upcoming"
        else:
            status = "missed"
        rows.append({
            "instrument": p.instrument, "label": p.label, "due_date": p.due_date.isoformat(),
            "from": p.opens.isoformat(), "until": p.closes.isoformat(), "status": status,
            "done_on": inside[0].isoformat() if inside else None,
        })
    return rows


def outcomes_due(points: Sequence[DuePoint], scores: Iterable[Score], on: date) -> list[dict]:
    """`today --json`'s "outcomes_due": the questionnaires whose window is open and not yet done."""
    return [{"instrument": r["instrument"], "due_date": r["due_date"], "label": r["label"], "until": r["until"]}
            for r in due_status(points, scores, on) if r["status"] == "due"]


# --- measures and symmetry -------------------------------------------------------------------


class MeasureKind(NamedTuple):
    name: str
    title: str
    unit: str
    low: int
    high: int
    whole: bool  # a count (whole number) rather than a length to one decimal


MEASURES = {
    "knee-to-wall": MeasureKind("knee-to-wall", "Knee-to-wall (ankle dorsiflexion)", "cm", 0, 20, False),
    "calf-raises": MeasureKind("calf-raises", "Single-leg calf raises to fatigue", "raises", 0, 100, True),
}
SIDES = ("operated", "other")
PAIR_DAYS = 7


def measure_kind(name: str) -> MeasureKind:
    kind = MEASURES.get(name.strip().lower())
    if kind is None:
        raise RehabError(f"unknown measure {name!r}: use one of {', '.join(MEASURES)}")
    return kind


def measure_value(kind: MeasureKind, text: str) -> float | int:
    """A measure's value, checked against its range: whole for a count, one decimal for cm."""
    word = text.strip()
    try:
        number = Decimal(word)
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or (kind.whole and number != number.to_integral_value()):
        what = "a whole number" if kind.whole else "a number"
        raise RehabError(f"{kind.name} is {what} of {kind.unit}, {kind.low}–{kind.high}; got {word[:20]!r}")
    if not kind.low <= number <= kind.high:
        raise RehabError(f"{kind.name} is {kind.low}–{kind.high} {kind.unit}; got {word[:20]!r}")
    if kind.whole:
        return int(number)
    return float(number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def side(text: str) -> str:
    word = text.strip().lower()
    if word not in SIDES:
        raise RehabError(f"--side is operated or other; got {text[:20]!r}")
    return word


def measure_document(m: Measure, surgery: date) -> dict:
    kind = MEASURES.get(m.name)
    value = int(m.value) if kind and kind.whole else m.value
    return {"id": m.id, "name": m.name, "date": m.date.isoformat(), "day": (m.date - surgery).days,
            "side": m.side, "value": value, "unit": kind.unit if kind else None}


def symmetry(measures: Iterable[Measure]) -> list[dict]:
    """Limb symmetry: each operated-side measure with the other side's nearest measure of the
    same name within 7 days (each used once; same-day first, then the nearer, then the
    earlier), percent = operated / other x 100 to one decimal (null when the other is 0)."""
    ordered = sorted(measures, key=lambda m: (m.date, m.id or 0))
    used: set[int] = set()
    rows = []
    for op in (m for m in ordered if m.side == "operated"):
        candidates = [(abs((o.date - op.date).days), o.date, index) for index, o in enumerate(ordered)
                      if o.side == "other" and o.name == op.name and index not in used
                      and abs((o.date - op.date).days) <= PAIR_DAYS]
        if not candidates:
            continue
        _, _, index = min(candidates)
        used.add(index)
        other = ordered[index]
        percent = None
        if other.value:
            exact = Decimal(str(op.value)) * 100 / Decimal(str(other.value))
            percent = float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        kind = MEASURES.get(op.name)
        shown = (lambda v: int(v)) if kind and kind.whole else (lambda v: v)
        rows.append({"name": op.name, "date": op.date.isoformat(), "other_date": other.date.isoformat(),
                     "operated": shown(op.value), "other": shown(other.value), "percent": percent})
    return rows


def latest_measures(measures: Iterable[Measure], surgery: date) -> list[dict]:
    """The most recent value of each measure on each side."""
    latest: dict[tuple[str, str], Measure] = {}
    for m in sorted(measures, key=lambda m: (m.date, m.id or 0)):
        latest[(m.name, m.side)] = m
    return [measure_document(latest[key], surgery) for key in sorted(latest, key=lambda k: (list(MEASURES).index(k[0]) if k[0] in MEASURES else 99, k[0], SIDES.index(k[1]) if k[1] in SIDES else 9))]


# --- the whole picture ------------------------------------------------------------------------


def outcomes_document(instruments: dict, schedule, scores: Sequence[Score], measures: Sequence[Measure],
                      surgery: date, on: date) -> dict:
    """`outcomes --json`: scores (as score --json), measures, symmetry, and the due points."""
    return {
        "scores": score_documents(instruments, scores, surgery),
        "measures": [measure_document(m, surgery) for m in sorted(measures, key=lambda m: (m.date, m.id or 0))],
        "symmetry": symmetry(measures),
        "due": due_status(due_points(schedule, surgery), scores, on),
    }
