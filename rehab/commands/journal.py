"""The daily loop: `rehab log`, `today`, `history` and `flags`."""

import sys
from dataclasses import replace as replace_fields
from datetime import date
from typing import Annotated, Optional

import typer

from rehab import text as text_field
from rehab import vocab, wording
from rehab.commands.common import (DateOpt, JsonOpt, PatientOpt, complete_activity, complete_symptom,
                                   clinic_contacts, complete_weight_bearing, day_arg, journal_for, print_json,
                                   terminal)
from rehab.errors import RehabError


# --- the daily loop -------------------------------------------------------------------------


def _prompt_or_fail(value, option: str, question: str, choices: list[str], parse):
    """Ask on a terminal until the answer reads; anywhere else a missing value is an error,
    never a hang."""
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise RehabError(f"missing {option} (give it as an option; prompting needs a terminal)")
    from rich.prompt import Prompt
    from rich.text import Text

    out = terminal()
    while True:
        # A Text, not a str: Rich would read "[none/toe-touch/...]" as markup and drop it.
        try:
            answer = Prompt.ask(Text(f"{question} [{'/'.join(choices)}]" if choices else question), console=out)
        except BaseException:
            # Ctrl-C (a signal, see cli.main) or Ctrl-D at the prompt: end the prompt's line,
            # so that "aborted; nothing was written" is said on a line of its own.
            out.print()
            raise
        try:
            return parse(answer)
        except RehabError as exc:
            out.print(str(exc), style="red")


def _symptom_list(text: str) -> tuple[str, ...]:
    """'fever, calf pain' (or 'fever calf-pain') as symptom ids; nothing for an empty answer."""
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if len(parts) == 1:
        try:
            return (vocab.symptom(parts[0].strip()),)
        except RehabError:
            parts = parts[0].split()  # several signs written with spaces between them
    return tuple(dict.fromkeys(vocab.symptom(p.strip()) for p in parts))


def _yes_no(text: str) -> bool:
    answer = text.strip().lower()
    if answer in ("y", "yes"):
        return True
    if answer in ("n", "no"):
        return False
    raise RehabError("answer yes or no")


def log(
    ctx: typer.Context,
    patient: PatientOpt = None,
    on: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="The day to log (default today): YYYY-MM-DD, 3 Mar 2026, today or yesterday.")] = None,
    pain: Annotated[Optional[str], typer.Option("--pain", metavar="N", help="Pain now, 0–10.")] = None,
    weight_bearing: Annotated[Optional[str], typer.Option("--weight-bearing", "--wb", metavar="LEVEL", autocompletion=complete_weight_bearing, help="none, toe-touch, partial, as-tolerated, full (or NWB, TTWB, PWB, WBAT, FWB).")] = None,
    boot: Annotated[Optional[bool], typer.Option("--boot/--no-boot", help="Wore the boot today, or not.")] = None,
    activity: Annotated[Optional[str], typer.Option("--activity", metavar="ACTIVITY", autocompletion=complete_activity, help="rest, walking, low-impact or sport.")] = None,
    symptoms: Annotated[Optional[list[str]], typer.Option("--symptom", metavar="SYMPTOM", autocompletion=complete_symptom, help="A red-flag symptom (repeatable; with --replace, added to the day's): " + ", ".join(vocab.SYMPTOMS) + ".")] = None,
    milestones: Annotated[Optional[list[str]], typer.Option("--milestone", metavar="ID", help="A milestone reached today, e.g. wound-review (repeatable; with --replace, added to the day's).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="Anything worth telling your physiotherapist.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Change the day's entry: what you give replaces, the rest is kept (the old entry stays in history).")] = False,
    clear_symptoms: Annotated[bool, typer.Option("--clear-symptoms", help="With --replace: drop the day's symptoms first (to correct one logged by mistake).")] = False,
    clear_milestones: Annotated[bool, typer.Option("--clear-milestones", help="With --replace: drop the day's milestones first.")] = False,
    temperature: Annotated[Optional[str], typer.Option("--temperature", metavar="T", help="Body temperature in °C, 34.0–43.0 (or °F written like 100.9F).")] = None,
    swelling: Annotated[Optional[str], typer.Option("--swelling", metavar="S", help="Swelling of the ankle: " + ", ".join(vocab.SWELLING) + ".")] = None,
    exercises: Annotated[Optional[str], typer.Option("--exercises", metavar="E", help="Home exercises: " + ", ".join(vocab.EXERCISES) + ".")] = None,
):
    """Log a day: pain, weight-bearing, boot, activity, symptoms, temperature."""
    from rehab import deviations
    from rehab.dates import local_today
    from rehab.entry_input import EntryInput

    # Check everything typed before opening the database.
    today = local_today()
    given = EntryInput.read(day_arg(on, today), today, pain=pain, weight_bearing=weight_bearing, boot=boot,
                            activity=activity, symptoms=symptoms, milestones=milestones, note=note, replace=replace,
                            clear_symptoms=clear_symptoms, clear_milestones=clear_milestones,
                            temperature=temperature, swelling=swelling, exercises=exercises)
    day = given.day
    db, person, plan = journal_for(ctx, patient)
    given.check_plan(person.surgery_date, (m.id for m in plan.milestones))
    if given.pain is None or given.weight_bearing is None:
        # Ask for what is missing and the day's entry does not give: refuse a logged day
        # without --replace before asking anything.
        now = given.merged(db.entry(person.id, day))
        pain_value = _prompt_or_fail(now.pain, "--pain", "Pain now", ["0–10"], vocab.pain)
        wb_value = _prompt_or_fail(now.weight_bearing, "--weight-bearing", "Weight-bearing", list(vocab.WEIGHT_BEARING),
                                   vocab.weight_bearing)
        given = replace_fields(given, pain=pain_value, weight_bearing=wb_value)
        from rehab.plan import as_plan

        day_plan = as_plan(plan).on(plan.day_of(day))
        if now.boot is None and day_plan is not None and day_plan.boot and sys.stdin.isatty():
            # The day's plan expects the boot: ask, so whether it was worn is not silently unrecorded.
            worn = _prompt_or_fail(None, "--boot", "Did you wear the boot today?", ["yes", "no"], _yes_no)
            given = replace_fields(given, boot=worn)
        if sys.stdin.isatty():
            # The warning signs and a temperature are what call for urgent advice: a daily
            # check-in asks for them rather than leaving them to an option nobody types.
            if not now.symptoms:
                signs = _prompt_or_fail(None, "--symptom", "Any warning signs today? Enter for none, or any of",
                                        [", ".join(vocab.SYMPTOMS)], _symptom_list)
                given = replace_fields(given, symptoms=signs)
            if now.temperature is None:
                taken = _prompt_or_fail(None, "--temperature", "Temperature, if you took it (37.2 or 99.0F; Enter to skip)",
                                        [], lambda text: vocab.temperature(text) if text.strip() else None)
                given = replace_fields(given, temperature=taken)
    # Read, merge and write in one transaction (two --replace at once must not lose either).
    entry, replaced = db.log(person.id, day, given.build, replace)
    entries = db.entries(person.id, end=day)
    facts = _facts(db, person)
    raised = [f.as_dict() for f in deviations.flags_on(plan, entries, day, **facts)]
    from rehab.render.journal import logged_view

    logged_view(terminal(), entry.as_dict(plan.surgery_date), replaced is not None, raised, facts["contacts"])


def _facts(db, person, contacts: bool = True) -> dict:
    """What the rules read besides the entries: the entries' earlier versions (a corrected
    red flag stays), the clinic's numbers and the end of follow-up."""
    return {"revisions": db.revisions(person.id), "discharged_on": person.discharged_on,
            "contacts": clinic_contacts() if contacts else None}


def _flags_with_acks(db, person, plan, entries, on: date, facts: dict | None = None):
    """Every flag up to a date, and the patient's acknowledgements by flag key."""
    from rehab import deviations

    from rehab.model import acknowledgements_by_flag

    flags = deviations.evaluate(plan, entries, on, **(facts or _facts(db, person)))
    return flags, acknowledgements_by_flag(flags, db.acknowledgements(person.id))


def today(ctx: typer.Context, patient: PatientOpt = None, on: DateOpt = None, as_json: JsonOpt = False):
    """Where you are today: phase, what to do, next milestone, flags, recent pain."""
    from rehab import deviations, today as today_doc

    day = day_arg(on)
    db, person, plan = journal_for(ctx, patient)
    entries = db.entries(person.id, end=day)
    facts = _facts(db, person)
    flags, acks = _flags_with_acks(db, person, plan, entries, day, facts)
    shown = deviations.open_flags(flags, set(acks), day, last_logged=entries[-1].date if entries else None,
                                  discharged_on=person.discharged_on,
                                  recorded={m for e in entries for m in e.milestones})
    doc = today_doc.today_document(person, plan, entries, shown, day, db.scores(person.id))
    doc["act_now"] = wording.act_now_line(facts["contacts"])
    if as_json:
        print_json(doc)
        return
    from rehab.render.journal import before_surgery_view, today_view

    out = terminal()
    today_view(out, doc)
    if doc["day"] < 0:
        before_surgery_view(out, list(plan.protocol.before_surgery))


HISTORY_DAYS = 28


def history(
    ctx: typer.Context,
    patient: PatientOpt = None,
    start: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="First day to show.")] = None,
    end: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Last day to show.")] = None,
    as_json: JsonOpt = False,
    every: Annotated[bool, typer.Option("--all", help="Every entry (the table shows the last four weeks by default).")] = False,
    on: DateOpt = None,
):
    """The log, oldest first, with flags marked and a pain chart."""
    from rehab.dates import local_today

    first = day_arg(start) if start else None
    last = day_arg(end) if end else None
    if first and last and first > last:
        raise RehabError("--from is after --to")
    # --date: the entries up to that day and the flags as of then, like every other command
    # that depends on today (a day corrected later shows its corrected values, its revisions).
    as_of = day_arg(on) if on else None
    if as_of is not None:
        if first and first > as_of:
            raise RehabError("--from is after --date")
        last = min(last, as_of) if last else as_of
    db, person, plan = journal_for(ctx, patient)
    revisions = db.revisions(person.id)
    earlier: dict[date, list] = {}  # each day's earlier versions, oldest first (as the store gives them)
    for revision in revisions:
        earlier.setdefault(revision.entry.date, []).append(revision)
    if as_json:
        print_json([{**e.as_dict(plan.surgery_date),
                     "revisions": [r.as_dict(plan.surgery_date) for r in earlier.get(e.date, ())]}
                    for e in db.entries(person.id, first, last)])
        return
    from rehab import deviations
    from rehab.render.journal import SEVERITY_MARK, history_view

    all_entries = db.entries(person.id, end=as_of)  # flags need the whole log, the table only the range
    shown = [e for e in all_entries if (first is None or e.date >= first) and (last is None or e.date <= last)]
    hidden = 0
    if not (first or end or every) and shown:  # no range asked for (--date alone still shows four weeks)
        # A long table buries today's news, and Rich measuring hundreds of rows is slow.
        recent = [e for e in shown if (shown[-1].date - e.date).days < HISTORY_DAYS]
        hidden, shown = len(shown) - len(recent), recent
    flagged: dict[str, list[str]] = {}
    facts = {"revisions": revisions, "discharged_on": person.discharged_on}
    for flag in deviations.evaluate(plan, all_entries, as_of or max(local_today(), last or local_today()), **facts):
        mark = SEVERITY_MARK[flag.severity]
        marks = flagged.setdefault(flag.date.isoformat(), [])
        if mark not in marks:
            marks.append(mark)
    fever = plan.protocol.thresholds.fever_celsius
    history_view(terminal(), [{**e.as_dict(plan.surgery_date), "corrected": e.date in earlier,
                               "corrections": len(earlier.get(e.date, ())),
                               "corrected_away": deviations.corrected_away(
                                   e, [r.entry for r in earlier.get(e.date, ())], fever)}
                              for e in shown], flagged, hidden)


# --- flags ----------------------------------------------------------------------------------

flags_app = typer.Typer(help="Deviations from the plan; acknowledge them with a note.")


@flags_app.callback(invoke_without_command=True)
def flags(ctx: typer.Context, patient: PatientOpt = None, on: DateOpt = None, as_json: JsonOpt = False):
    """Every flag up to a date (default today), oldest first."""
    if ctx.invoked_subcommand is not None:
        # `flags -p ben ack ...` acknowledges Ben's flag (flags_ack reads the patient from
        # here); a date or --json before the subcommand would be silently ignored: refused.
        given = [name for name, value in (("--date", on), ("--json", as_json)) if value]
        if given:
            raise RehabError(f"{given[0]} goes after '{ctx.invoked_subcommand}', not before it "
                             f"(see 'rehab flags {ctx.invoked_subcommand} --help')")
        return
    day = day_arg(on)
    db, person, plan = journal_for(ctx, patient)
    entries = db.entries(person.id, end=day)
    found, acks = _flags_with_acks(db, person, plan, entries, day)
    from rehab.deviations import flag_document

    replaced = db.acknowledgement_revisions(person.id)
    docs = [flag_document(f, acks, replaced) for f in found]
    if as_json:
        print_json(docs)
        return
    from rehab.render.journal import flags_view

    flags_view(terminal(), docs)


def _one_patient(here: str | None, before: str | None) -> str | None:
    """The patient named after the subcommand or before it (`flags -p ben ack ...`)."""
    if here is not None and before is not None and here != before:
        raise RehabError(f"two patients given, {before!r} and {here!r}: give --patient once")
    return here if here is not None else before


@flags_app.command("ack")
def flags_ack(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(metavar="RULE", help="The flag's rule id, e.g. pain-spike.")],
    on: Annotated[str, typer.Option("--date", metavar="DATE", help="The flag's date.")],
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="What was done about it.")],
    patient: PatientOpt = None,
    subject: Annotated[Optional[str], typer.Option("--subject", metavar="SUBJECT", help="Which one, when a rule flagged a date twice.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", metavar="NAME", help="Who acknowledges it.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Change an earlier acknowledgement of this flag (the earlier one is kept).")] = False,
):
    """Acknowledge a flag with a note; it stays in history and reports, marked as seen."""
    from datetime import datetime, timezone

    from rehab.model import Acknowledgement

    day = day_arg(on)
    note = text_field.note(note, "the --note")
    by = text_field.line(by, "--by")
    if not note.strip():
        raise RehabError("an acknowledgement needs a --note")
    patient = _one_patient(patient, ctx.parent.params.get("patient") if ctx.parent else None)
    db, person, plan = journal_for(ctx, patient)
    entries = db.entries(person.id)
    from rehab import deviations

    found = deviations.evaluate(plan, entries, max(day, day_arg(None)), **_facts(db, person, contacts=False))
    # An episode's flag is dated on its first day; any day of the run names it too.
    matching = [f for f in found if f.date <= day <= f.last_date and f.rule == rule
                and (subject is None or f.subject == subject)]
    if not matching:
        raise RehabError(f"no {rule!r} flag on {day.isoformat()} for {person.id} (see 'rehab flags')")
    if len(matching) > 1:
        subjects = ", ".join(f.subject for f in matching)
        raise RehabError(f"{len(matching)} {rule!r} flags on {day.isoformat()}: choose one with --subject ({subjects})")
    flag = matching[0]
    db.acknowledge(person.id, Acknowledgement(flag.date, flag.rule, flag.subject, note.strip(),
                                              by, datetime.now(timezone.utc).replace(microsecond=0)), replace)
    typer.echo(f"Acknowledged {flag.rule} on {flag.date.isoformat()} for {person.id}.")
