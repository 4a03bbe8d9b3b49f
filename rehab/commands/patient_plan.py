"""The patient's own plan: `rehab plan adjust|move|list|remove`.

A change is recorded with who made it, a note and when; it is never deleted (`remove` stamps
it removed and it stays listed). What a change does to each day is rehab.plan's business."""

import sys
from typing import Annotated, Optional

import typer

from rehab import vocab, wording
from rehab.commands.common import (JsonOpt, PatientOpt, YesOpt, complete_activity, complete_weight_bearing, journal_for,
                                   print_json, terminal)
from rehab.errors import RehabError

plan_app = typer.Typer(help="Change one patient's plan: what their surgeon or physiotherapist decided.",
                       no_args_is_help=True)

WHEN_HELP = "YYYY-MM-DD (or another accepted date), 'day N' or 'week N' (day 7N)"
NoteOpt = Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="Why: what was decided, and where.")]
ByOpt = Annotated[Optional[str], typer.Option("--by", metavar="NAME", help="Who made the change (a surgeon, a physiotherapist).")]
UntilOpt = Annotated[Optional[str], typer.Option("--until", metavar="WHEN", help=f"The last day, included: {WHEN_HELP}. Default: to the end of the plan.")]


def _text(value: str | None, what: str, limit: int) -> str | None:
    """On one line, as the printed plan shows a change; no control characters (an escape
    sequence that `plan list` would echo, a NUL that PostgreSQL refuses): rehab.text's rules."""
    from rehab import text

    return text.line(value, what, limit)


def _ceiling(text: str | None) -> int | None:
    if text is None:
        return None
    raw = text.strip()
    if not raw.lstrip("-").isdigit() or not 0 <= int(raw) <= 10:
        raise RehabError(f"--pain-ceiling must be a whole number from 0 to 10, not {raw!r}")
    return int(raw)


def _days(plan, start: str, until: str | None, first: str) -> tuple[int, int | None]:
    from rehab.dates import plan_day

    from_day = plan_day(start, plan.surgery_date, first)
    until_day = plan_day(until, plan.surgery_date, "--until") if until is not None else None
    if until_day is not None and until_day < from_day:
        raise RehabError(f"--until ({_named(until, until_day)}) is before {first} ({_named(start, from_day)})")
    return from_day, until_day


def _named(text: str, day: int) -> str:
    """A WHEN as typed, with its day where the text does not say it."""
    typed = " ".join(text.split())
    return typed if typed.lower() == f"day {day}" else f"{typed}, day {day}"


def _said(plan, change) -> str:
    titles = {m.id: m.title for m in plan.milestones}
    return wording.change_line(change.as_dict(plan.surgery_date), titles)


@plan_app.command("adjust")
def plan_adjust(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", metavar="WHEN", help=f"The first day: {WHEN_HELP}.")],
    patient: PatientOpt = None,
    until: UntilOpt = None,
    weight_bearing: Annotated[Optional[str], typer.Option("--weight-bearing", "--wb", metavar="LEVEL", autocompletion=complete_weight_bearing, help="The most weight-bearing allowed: none, toe-touch, partial, as-tolerated, full (or NWB, TTWB, PWB, WBAT, FWB).")] = None,
    boot: Annotated[Optional[bool], typer.Option("--boot/--no-boot", help="Whether the boot is to be worn.")] = None,
    allow: Annotated[Optional[list[str]], typer.Option("--allow", metavar="ACTIVITY", autocompletion=complete_activity, help="An activity allowed on these days (repeatable): rest, walking, low-impact, sport.")] = None,
    forbid: Annotated[Optional[list[str]], typer.Option("--forbid", metavar="ACTIVITY", autocompletion=complete_activity, help="An activity withheld on these days (repeatable).")] = None,
    pain_ceiling: Annotated[Optional[str], typer.Option("--pain-ceiling", metavar="N", help="The most pain expected on these days, 0–10.")] = None,
    note: NoteOpt = None,
    by: ByOpt = None,
):
    """Change what the plan says for some days: weight-bearing, boot, activities, pain."""
    from rehab.model import Adjustment
    from rehab.plan import check_change

    level = vocab.weight_bearing(weight_bearing) if weight_bearing is not None else None
    allowed = tuple(dict.fromkeys(vocab.activity(a) for a in allow or ()))
    forbidden = tuple(dict.fromkeys(vocab.activity(a) for a in forbid or ()))
    # Its days are known once the patient's plan is read: checked first from day 0.
    asked = Adjustment(None, "adjust", 0, weight_bearing=level, boot=boot, allow=allowed, forbid=forbidden,
                       pain_ceiling=_ceiling(pain_ceiling))
    check_change(asked, "--weight-bearing, --boot/--no-boot, --allow, --forbid or --pain-ceiling")
    note_text, by_text = _text(note, "a note", 2000), _text(by, "--by", 200)
    db, person, plan = journal_for(ctx, patient)
    from_day, until_day = _days(plan, start, until, "--from")
    change = db.add_adjustment(person.id, asked._replace(from_day=from_day, until_day=until_day, note=note_text,
                                                         by=by_text))
    typer.echo(f"Changed {person.name}'s plan (change {change.id}): {_said(plan, change)}")


@plan_app.command("move")
def plan_move(
    ctx: typer.Context,
    milestone: Annotated[str, typer.Argument(metavar="MILESTONE", help="The milestone's id, e.g. wound-review (rehab timeline --json).")],
    to: Annotated[str, typer.Option("--to", metavar="WHEN", help=f"Its new day: {WHEN_HELP}.")],
    patient: PatientOpt = None,
    until: Annotated[Optional[str], typer.Option("--until", metavar="WHEN", help="The last day of its window, included (default: a single day).")] = None,
    note: NoteOpt = None,
    by: ByOpt = None,
):
    """Give one milestone a new day (or window) for this patient."""
    from rehab.model import Adjustment

    note_text, by_text = _text(note, "a note", 2000), _text(by, "--by", 200)
    db, person, plan = journal_for(ctx, patient)
    known = {m.id for m in plan.milestones}
    if milestone not in known:
        raise RehabError(wording.unknown_milestone(milestone, known))
    from_day, until_day = _days(plan, to, until, "--to")
    if until_day == from_day:
        until_day = None  # a window of one day is that day
    change = db.add_adjustment(person.id, Adjustment(None, "move", from_day, until_day, milestone=milestone,
                                                     note=note_text, by=by_text))
    typer.echo(f"Changed {person.name}'s plan (change {change.id}): {_said(plan, change)}")


@plan_app.command("list")
def plan_list(ctx: typer.Context, patient: PatientOpt = None, as_json: JsonOpt = False):
    """Every change to the patient's plan, in the order recorded (removed ones marked)."""
    db, person, plan = journal_for(ctx, patient)
    changes = [a.as_dict(plan.surgery_date) for a in db.adjustments(person.id)]
    if as_json:
        print_json(changes)
        return
    out = terminal()
    if not changes:
        out.print(f"No changes to {person.name}'s plan: it is the protocol's ({plan.protocol.name}).")
        return
    from rehab.render.terminal import plan_changes_view

    plan_changes_view(out, changes, {m.id: m.title for m in plan.milestones})


@plan_app.command("remove")
def plan_remove(
    ctx: typer.Context,
    change_id: Annotated[str, typer.Argument(metavar="ID", help="The change's id (rehab plan list).")],
    patient: PatientOpt = None,
    yes: YesOpt = False,
):
    """Take a change out of the plan; it stays listed, marked removed."""
    db, person, plan = journal_for(ctx, patient)
    number = int(change_id) if change_id.strip().isdigit() else None
    found = next((a for a in db.adjustments(person.id) if a.id == number), None)
    if found is None:
        raise RehabError(f"no change {change_id!r} in {person.id}'s plan (see 'rehab plan list')")
    if found.removed_at is not None:
        raise RehabError(f"change {found.id} was already removed on {found.removed_at.date().isoformat()}")
    said = _said(plan, found)
    if not yes:
        if not sys.stdin.isatty():
            raise RehabError(f"removing change {found.id} takes it out of {person.id}'s plan: add --yes to confirm")
        if not typer.confirm(f"Take this change out of {person.name}'s plan?\n  {said}\n", default=False):
            raise RehabError("nothing was removed")
    db.remove_adjustment(person.id, found.id)
    typer.echo(f"Removed change {found.id} from {person.name}'s plan (it stays listed): {said}")
