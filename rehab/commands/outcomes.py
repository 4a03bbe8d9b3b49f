"""Outcomes: `rehab score` (a questionnaire), `rehab measure` (a clinical test, one side) and
`rehab outcomes` (everything so far, with the due dates)."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from rehab.commands.common import (DateOpt, JsonOpt, PatientOpt, day_arg, journal_for, print_json, settings_of,
                                   terminal)
from rehab.errors import RehabError

BACK_WORDS = ("b", "back")


def _dated(on: str | None):
    """The day asked for, never after today (a baseline may come before surgery)."""
    from rehab.dates import local_today

    today = local_today()
    day = day_arg(on, today)
    if day > today:
        raise RehabError(f"{day.isoformat()} is in the future: record it on the day it is done")
    return day


def _complete_instrument(incomplete: str) -> list[str]:
    from rehab.instruments import builtin_ids

    return [i for i in builtin_ids() if i.startswith(incomplete)]


def _complete_measure(incomplete: str) -> list[str]:
    from rehab.outcomes import MEASURES

    return [m for m in MEASURES if m.startswith(incomplete)]


def score(
    ctx: typer.Context,
    instrument_name: Annotated[str, typer.Argument(metavar="INSTRUMENT", autocompletion=_complete_instrument, help="faam-adl, faam-sports or lefs.")],
    patient: PatientOpt = None,
    on: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="The day it was filled in (default today; may be before surgery).")] = None,
    answers: Annotated[Optional[str], typer.Option("--answers", metavar="LIST", help="One answer per item, in order, comma-separated: 0-4, or na where allowed (FAAM). Without it, a terminal asks item by item.")] = None,
    as_json: JsonOpt = False,
):
    """Record an outcome questionnaire (FAAM, LEFS) and show its score and change."""
    from rehab import instruments, outcomes
    from rehab.model import Score

    instrument = instruments.find(instrument_name, settings_of(ctx).protocols_dir)
    day = _dated(on)
    given = outcomes.parse_answers(instrument, answers) if answers is not None else None
    if given is None and not sys.stdin.isatty():
        raise RehabError("missing --answers (a comma-separated list, one per item; asking item by item needs a terminal)")
    db, person, plan = journal_for(ctx, patient)
    if given is None:
        given = ask(instrument, terminal())
    stored = db.add_score(person.id, Score(None, instrument.id, day, given, outcomes.score(instrument, given)))
    docs = outcomes.score_documents({instrument.id: instrument}, db.scores(person.id, instrument.id), person.surgery_date)
    doc = next(d for d in docs if d["id"] == stored.id)
    if as_json:
        print_json(doc)
        return
    from rehab.render.outcomes import score_view

    score_view(terminal(), doc, instrument.min_answered, len(instrument.items))


def ask(instrument, out) -> tuple[int | None, ...]:
    """Each item in turn, the scale shown; a bad answer is asked again, `b` goes back one."""
    from rich.prompt import Prompt
    from rich.text import Text

    from rehab import outcomes

    out.print(Text(instrument.name, style="bold"))
    out.print(instrument.summary)
    out.print(Text(instrument.question + ":"))
    for choice in sorted(instrument.scale, key=lambda c: -c.value):
        out.print(f"  {choice.value}  {choice.label}")
    if instrument.not_applicable:
        out.print("  na not applicable (something other than your foot or ankle stops you)")
    out.print(Text("Type b to go back to the previous item.", style="dim"))
    allowed = f"0-{instrument.top}" + ("/na" if instrument.not_applicable else "") + "/b"
    given: list[int | None] = []
    total = len(instrument.items)
    while len(given) < total:
        item = instrument.items[len(given)]
        # A Text, not a str: Rich would read "[0-4/na/b]" as markup and drop it.
        reply = Prompt.ask(Text(f"{len(given) + 1}/{total} {item.label} [{allowed}]"), console=out)
        if reply.strip().lower() in BACK_WORDS:
            if given:
                given.pop()
            else:
                out.print("This is the first item.", style="yellow")
            continue
        try:
            given.append(outcomes.parse_answer(instrument, reply))
        except RehabError as exc:
            out.print(str(exc), style="red")
    return tuple(given)


def measure(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", autocompletion=_complete_measure, help="knee-to-wall (cm, 0-20) or calf-raises (single-leg heel raises to fatigue, 0-100).")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="Centimetres for knee-to-wall, a count for calf-raises.")],
    patient: PatientOpt = None,
    on: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="The day it was measured (default today).")] = None,
    side: Annotated[str, typer.Option("--side", metavar="SIDE", help="operated (default) or other.")] = "operated",
):
    """Record a clinical measure on one side; with both sides, the limb symmetry."""
    from rehab import outcomes
    from rehab.model import Measure

    kind = outcomes.measure_kind(name)
    number = outcomes.measure_value(kind, value)
    which = outcomes.side(side)
    day = _dated(on)
    db, person, plan = journal_for(ctx, patient)
    stored = db.add_measure(person.id, Measure(None, kind.name, day, which, number))
    pairs = [p for p in outcomes.symmetry(db.measures(person.id)) if p["name"] == kind.name
             and stored.date.isoformat() in (p["date"], p["other_date"])]
    from rehab.render.outcomes import measure_view

    measure_view(terminal(), outcomes.measure_document(stored, person.surgery_date), kind, pairs[-1] if pairs else None)


def outcomes_command(ctx: typer.Context, patient: PatientOpt = None, on: DateOpt = None, as_json: JsonOpt = False):
    """Questionnaire scores with their change, measures with symmetry, and what is due."""
    from rehab import instruments, outcomes

    day = day_arg(on)
    db, person, plan = journal_for(ctx, patient)
    known = instruments.load_all(settings_of(ctx).protocols_dir)
    doc = outcomes.outcomes_document(known, getattr(plan.protocol, "outcomes", None), db.scores(person.id),
                                     db.measures(person.id), person.surgery_date, day)
    if as_json:
        print_json(doc)
        return
    from rehab.render.outcomes import outcomes_view

    outcomes_view(terminal(), doc, person.as_dict(), {i.id: i.short_name for i in known.values()})
