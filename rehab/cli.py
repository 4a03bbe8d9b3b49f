"""The `rehab` command line: parse, call the core, render. No logic of its own.

Heavy modules (the database, PDF, charts) are imported inside the commands that need them,
so `rehab --help`, completion and `rehab timeline` start quickly.
"""


import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from rehab import __version__
from rehab.errors import RehabError

try:  # Typer >= 0.29 carries its own copy of Click
    from typer import _click as click
except ImportError:  # pragma: no cover - older Typer uses Click itself
    import click


class RehabGroup(TyperGroup):
    """The one exit point: every error becomes one plain line on stderr and an exit status."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        debug = _debug_requested(args)
        try:
            code = super().main(args=args, prog_name=prog_name or "rehab", complete_var=complete_var,
                                standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # `rehab patient` alone: show its help
            click.echo(exc.ctx.get_help())
            code = 0
        except click.ClickException as exc:
            _fail(_usage_line(exc), 2)
        except (typer.Abort, KeyboardInterrupt, EOFError):
            _fail("aborted; nothing was written", 1)
        except RehabError as exc:
            if debug:
                raise
            _fail(str(exc), exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - the one place an unexpected fault is reported
            from rehab.errors import Fault

            if debug:
                raise
            if isinstance(exc, Fault):
                _fail(str(exc), exc.exit_code)
            _fail(f"unexpected error ({type(exc).__name__}); run again with --debug for details", 1)
        sys.exit(code or 0)


def _debug_requested(args) -> bool:
    argv = sys.argv[1:] if args is None else list(args)
    return "--debug" in argv or os.environ.get("REHAB_DEBUG") == "1"


def _usage_line(exc: click.ClickException) -> str:
    message = exc.format_message().replace("\n", " ").strip()
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        return f"{message} (see '{ctx.command_path} --help')"
    return message


def _fail(message: str, code: int):
    sys.stderr.write(f"rehab: {message}\n")
    sys.exit(code)


app = typer.Typer(
    cls=RehabGroup,
    help="Recovery after posterior ankle impingement surgery: dated timelines, a daily log, "
    "and flags when recovery strays from the plan.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Settings:
    db: str | None
    protocols_dir: str | None


def _settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Settings) else Settings(None, None)


def _version(value: bool):
    if value:
        typer.echo(f"rehab {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", envvar="REHAB_DB", help="SQLite file or SQLAlchemy URL.", show_envvar=True)] = None,
    protocols_dir: Annotated[Optional[str], typer.Option("--protocols-dir", envvar="REHAB_PROTOCOLS_DIR", help="Folder of extra protocol files.", show_envvar=True)] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
):
    ctx.obj = Settings(db=db, protocols_dir=protocols_dir)


# --- shared option types -------------------------------------------------------------------

DateOpt = Annotated[Optional[str], typer.Option("--date", help="The day to look at (default today): YYYY-MM-DD, today, yesterday.")]
PatientOpt = Annotated[Optional[str], typer.Option("--patient", "-p", help="Patient id or name (default: the current patient).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


def _date(text: str | None, default: date | None = None) -> date:
    from rehab.dates import local_today, parse_date

    if text is None:
        return default or local_today()
    return parse_date(text)


def _print_json(document) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _out():
    from rehab.render.terminal import console

    return console()


# --- protocols ------------------------------------------------------------------------------

protocols_app = typer.Typer(help="List, show and check recovery protocols.", no_args_is_help=True)
app.add_typer(protocols_app, name="protocols")


@protocols_app.command("list")
def protocols_list(ctx: typer.Context, as_json: JsonOpt = False):
    """The protocols this tool knows: built-in and from --protocols-dir."""
    from rehab.protocols import load_all

    protocols = load_all(_settings(ctx).protocols_dir)
    if as_json:
        _print_json([{"id": p.id, "name": p.name, "aliases": p.aliases, "summary": p.summary} for p in protocols.values()])
        return
    from rich.table import Table

    table = Table("Id", "Name", "Also known as")
    for p in protocols.values():
        table.add_row(p.id, p.name, ", ".join(p.aliases))
    _out().print(table)


@protocols_app.command("show")
def protocols_show(ctx: typer.Context, protocol_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonOpt = False):
    """One protocol; with --json, a file you can save and edit as your own protocol."""
    from rehab.protocols import find

    protocol = find(protocol_id, _settings(ctx).protocols_dir)
    if as_json:
        _print_json(protocol.model_dump(mode="json"))
        return
    from rehab.render.terminal import protocol_view

    protocol_view(_out(), protocol)


@protocols_app.command("validate")
def protocols_validate(path: Annotated[Path, typer.Argument(metavar="FILE")]):
    """Check a protocol file; a problem is named with its field and line."""
    from rehab.protocols import load_file

    protocol = load_file(path)
    typer.echo(f"{path}: valid protocol {protocol.id!r} ({len(protocol.phases)} phases, {len(protocol.milestones)} milestones)")


# --- timeline -------------------------------------------------------------------------------


class TimelineFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"
    ics = "ics"


class Paper(str, Enum):
    a4 = "a4"
    letter = "letter"


@app.command()
def timeline(
    ctx: typer.Context,
    patient: PatientOpt = None,
    surgery_date: Annotated[Optional[str], typer.Option("--surgery-date", help="Day 0, for a plan without a stored patient.")] = None,
    procedure: Annotated[Optional[str], typer.Option("--procedure", help="Procedure id or name.")] = None,
    on: DateOpt = None,
    as_json: JsonOpt = False,
    fmt: Annotated[TimelineFormat, typer.Option("--format", help="text, markdown, html, pdf or ics.")] = TimelineFormat.text,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (whole or not at all).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")] = False,
    name: Annotated[Optional[str], typer.Option("--name", help="Patient name to print (without --patient).")] = None,
    side: Annotated[Optional[str], typer.Option("--side", help="left or right (without --patient).")] = None,
    surgeon: Annotated[Optional[str], typer.Option("--surgeon", help="Surgeon to print (without --patient).")] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size for pdf and html.")] = Paper.a4,
    clinic: Annotated[Optional[str], typer.Option("--clinic", help="Clinic name to print (default from the clinic config file).")] = None,
    clinic_phone: Annotated[Optional[str], typer.Option("--clinic-phone", help="Clinic phone number to print.")] = None,
    clinic_email: Annotated[Optional[str], typer.Option("--clinic-email", help="Clinic email to print.")] = None,
):
    """The dated recovery plan: phases, milestones and where a day falls."""
    from rehab import timeline as tl
    from rehab.protocols import find

    settings = _settings(ctx)
    if fmt in (TimelineFormat.pdf,) and output is None:
        raise RehabError("--format pdf needs --output FILE")
    if output is not None:
        from rehab.files import check_writable

        check_writable(output, force)
    today = _date(on)
    if patient is not None:
        if surgery_date or procedure:
            raise RehabError("give either --patient or --surgery-date with --procedure, not both")
        from rehab import store

        record = store.open_store(settings.db).patient(patient)
        protocol = find(record.procedure, settings.protocols_dir)
        person = record.as_dict()
        surgery = record.surgery_date
    else:
        if surgery_date is None or procedure is None:
            raise RehabError("give --patient, or both --surgery-date and --procedure")
        surgery = _date(surgery_date)
        protocol = find(procedure, settings.protocols_dir)
        person = None
        if name or side or surgeon:
            from rehab.patients import clean_side

            person = {"id": None, "name": name, "side": clean_side(side), "surgeon": surgeon,
                      "surgery_date": surgery.isoformat(), "procedure": protocol.id}
    plan = tl.build(protocol, surgery)

    if as_json:
        _emit(tl.to_dict(plan, person), "json", output, force)
        return
    if fmt is TimelineFormat.text:
        if output is not None:
            raise RehabError("--output needs --format markdown, html, pdf or ics (or --json)")
        from rehab.render.terminal import timeline_view

        timeline_view(_out(), plan, today, _patient_line(person))
        return
    if fmt is TimelineFormat.markdown:
        from rehab.render.markdown import timeline_markdown

        _emit(timeline_markdown(plan, _patient_line(person)), "text", output, force)
        return
    from rehab.render import documents

    clinic_info = documents.clinic_details(clinic, clinic_phone, clinic_email)
    if fmt is TimelineFormat.ics:
        _emit(documents.timeline_ics(plan, person), "bytes", output, force)
    elif fmt is TimelineFormat.html:
        _emit(documents.timeline_html(plan, person, today, clinic_info, paper.value), "text", output, force)
    else:
        _emit(documents.timeline_pdf(plan, person, today, clinic_info, paper.value), "bytes", output, force)


def _patient_line(person: dict | None) -> str | None:
    if not person:
        return None
    parts = [person.get("name"), person.get("side") and f"{person['side']} ankle",
             person.get("surgeon") and f"surgeon {person['surgeon']}"]
    return " · ".join(p for p in parts if p) or None


def _emit(document, kind: str, output: Path | None, force: bool) -> None:
    """Print a document, or write it whole to --output."""
    if kind == "json":
        document = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        if isinstance(document, bytes):
            sys.stdout.buffer.write(document)
        else:
            sys.stdout.write(document if document.endswith("\n") else document + "\n")
        return
    from rehab.files import write_private

    written = write_private(output, document, force)
    sys.stderr.write(f"Wrote {written}\n")


# --- patients -------------------------------------------------------------------------------

patient_app = typer.Typer(help="Add, list, show, choose, edit and remove patients.", no_args_is_help=True)
app.add_typer(patient_app, name="patient")

SideOpt = Annotated[Optional[str], typer.Option("--side", help="left or right.")]
SurgeonOpt = Annotated[Optional[str], typer.Option("--surgeon", help="The surgeon's name.")]


def _store(ctx: typer.Context):
    from rehab import store

    return store.open_store(_settings(ctx).db)


def _protocol(ctx: typer.Context, procedure: str):
    from rehab.protocols import find

    return find(procedure, _settings(ctx).protocols_dir)


@patient_app.command("add")
def patient_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The patient's name.")],
    surgery_date: Annotated[str, typer.Option("--surgery-date", help="Day 0: YYYY-MM-DD.")],
    procedure: Annotated[str, typer.Option("--procedure", help="Procedure id or name.")],
    side: SideOpt = None,
    surgeon: SurgeonOpt = None,
    patient_id: Annotated[Optional[str], typer.Option("--id", help="A short id (default: made from the name).")] = None,
):
    """Add a patient; the first one added becomes the current patient."""
    from rehab import patients as fields
    from rehab.records import Patient

    clean_name = fields.clean_name(name)
    surgery = _date(surgery_date)
    protocol = _protocol(ctx, procedure)
    side_value = fields.clean_side(side)
    surgeon_value = fields.clean_optional(surgeon, "surgeon")
    wanted_id = fields.clean_id(patient_id) if patient_id else None
    db = _store(ctx)
    new_id = wanted_id or fields.unique_id(clean_name, db.taken_ids())
    patient = db.add_patient(Patient(new_id, clean_name, surgery, protocol.id, side_value, surgeon_value))
    current = " (current patient)" if db.default_id() == patient.id else ""
    typer.echo(f"Added {patient.name} as {patient.id!r}{current}: {protocol.name}, surgery {surgery.isoformat()}.")


@patient_app.command("list")
def patient_list(ctx: typer.Context, as_json: JsonOpt = False):
    """All patients; * marks the current one."""
    db = _store(ctx)
    people = [p.as_dict() for p in db.patients()]
    default = db.default_id()
    if as_json:
        _print_json([{**p, "current": p["id"] == default} for p in people])
        return
    from rehab.render.journal import patients_view

    patients_view(_out(), people, default)


@patient_app.command("show")
def patient_show(ctx: typer.Context, ref: Annotated[Optional[str], typer.Argument(metavar="[P]", help="Id or name.")] = None,
                 as_json: JsonOpt = False):
    """One patient (default: the current one)."""
    db = _store(ctx)
    patient = db.current(ref)
    entries = db.entries(patient.id)
    if as_json:
        _print_json({**patient.as_dict(), "entries": len(entries), "current": db.default_id() == patient.id})
        return
    from rehab.render.journal import patient_view

    patient_view(_out(), patient.as_dict(), len(entries))


@patient_app.command("use")
def patient_use(ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="P", help="Id or name.")]):
    """Make a patient the current one."""
    db = _store(ctx)
    patient = db.patient(ref)
    db.use(patient.id)
    typer.echo(f"{patient.name} ({patient.id}) is now the current patient.")


@patient_app.command("edit")
def patient_edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="P", help="Id or name.")],
    name: Annotated[Optional[str], typer.Option("--name", help="New name.")] = None,
    surgery_date: Annotated[Optional[str], typer.Option("--surgery-date", help="New surgery date.")] = None,
    procedure: Annotated[Optional[str], typer.Option("--procedure", help="New procedure.")] = None,
    side: SideOpt = None,
    surgeon: SurgeonOpt = None,
):
    """Change a patient's details (the id stays)."""
    from dataclasses import replace

    from rehab import patients as fields

    if not any(v is not None for v in (name, surgery_date, procedure, side, surgeon)):
        raise RehabError("nothing to change: give --name, --surgery-date, --procedure, --side or --surgeon")
    changes = {}
    if name is not None:
        changes["name"] = fields.clean_name(name)
    if surgery_date is not None:
        changes["surgery_date"] = _date(surgery_date)
    if procedure is not None:
        changes["procedure"] = _protocol(ctx, procedure).id
    if side is not None:
        changes["side"] = fields.clean_side(side)
    if surgeon is not None:
        changes["surgeon"] = fields.clean_optional(surgeon, "surgeon")
    db = _store(ctx)
    patient = db.patient(ref)
    if "surgery_date" in changes:
        first = db.entries(patient.id)[:1]
        if first and first[0].date < changes["surgery_date"]:
            raise RehabError(f"{patient.id} has an entry on {first[0].date}, before the new surgery date")
    db.edit_patient(replace(patient, **changes))
    typer.echo(f"Updated {patient.id}.")


@patient_app.command("remove")
def patient_remove(ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="P", help="Id or name.")],
                   yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False):
    """Remove a patient and all their entries (asks first)."""
    db = _store(ctx)
    patient = db.patient(ref)
    if not yes:
        if not sys.stdin.isatty():
            raise RehabError(f"removing {patient.id} deletes all their entries: add --yes to confirm")
        if not typer.confirm(f"Remove {patient.name} ({patient.id}) and all their entries?", default=False):
            raise RehabError("nothing was removed")
    count = db.remove_patient(patient.id)
    typer.echo(f"Removed {patient.name} ({patient.id}) and {count} entr{'y' if count == 1 else 'ies'}.")


# --- the daily loop -------------------------------------------------------------------------


def _journal(ctx: typer.Context, ref: str | None):
    """The store, the patient a command is about, and their dated plan."""
    from rehab import timeline as tl

    db = _store(ctx)
    patient = db.current(ref)
    plan = tl.build(_protocol(ctx, patient.procedure), patient.surgery_date)
    return db, patient, plan


def _prompt_or_fail(value, option: str, question: str, choices: list[str], parse):
    """Ask on a terminal until the answer reads; anywhere else a missing value is an error,
    never a hang."""
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise RehabError(f"missing {option} (give it as an option; prompting needs a terminal)")
    from rich.prompt import Prompt

    out = _out()
    while True:
        answer = Prompt.ask(f"{question} [{'/'.join(choices)}]", console=out)
        try:
            return parse(answer)
        except RehabError as exc:
            out.print(f"[red]{exc}[/red]")


@app.command()
def log(
    ctx: typer.Context,
    patient: PatientOpt = None,
    on: DateOpt = None,
    pain: Annotated[Optional[str], typer.Option("--pain", help="Pain now, 0–10.")] = None,
    weight_bearing: Annotated[Optional[str], typer.Option("--weight-bearing", "--wb", help="none, toe-touch, partial, as-tolerated, full (or NWB, TTWB, PWB, WBAT, FWB).")] = None,
    boot: Annotated[Optional[bool], typer.Option("--boot/--no-boot", help="Wore the boot today, or not.")] = None,
    activity: Annotated[Optional[str], typer.Option("--activity", help="rest, walking, low-impact or sport.")] = None,
    symptoms: Annotated[Optional[list[str]], typer.Option("--symptom", help="A red-flag symptom (repeatable).")] = None,
    milestones: Annotated[Optional[list[str]], typer.Option("--milestone", help="A milestone reached today, e.g. wound-review (repeatable).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="Anything worth telling your physiotherapist.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace the day's entry (the old one is kept in history).")] = False,
):
    """Log a day: pain, weight-bearing, boot, activity, symptoms."""
    from rehab import deviations, vocab
    from rehab.dates import local_today
    from rehab.records import Entry

    # Check everything typed before opening the database.
    today = local_today()
    day = _date(on, today)
    pain_value = vocab.pain(pain) if pain is not None else None
    wb_value = vocab.weight_bearing(weight_bearing) if weight_bearing is not None else None
    activity_value = vocab.activity(activity) if activity is not None else None
    symptom_values = tuple(dict.fromkeys(vocab.symptom(s) for s in symptoms or ()))
    if note is not None and len(note) > 2000:
        raise RehabError("a note may be at most 2000 characters")
    if day > today:
        raise RehabError(f"{day.isoformat()} is in the future: log a day once it has happened")
    db, person, plan = _journal(ctx, patient)
    if day < person.surgery_date:
        raise RehabError(f"{day.isoformat()} is before the surgery date ({person.surgery_date.isoformat()})")
    known = {m.id for m in plan.milestones}
    for m in milestones or ():
        if m not in known:
            raise RehabError(f"unknown milestone {m!r}: use one of {', '.join(sorted(known))}")
    if not replace and db.entry(person.id, day) is not None:
        raise RehabError(f"{day.isoformat()} already has an entry; add --replace to change it (the old values are kept)")
    pain_value = _prompt_or_fail(pain_value, "--pain", "Pain now", ["0–10"], vocab.pain)
    wb_value = _prompt_or_fail(wb_value, "--weight-bearing", "Weight-bearing", list(vocab.WEIGHT_BEARING),
                               vocab.weight_bearing)
    entry = Entry(day, pain_value, wb_value, boot, activity_value, symptom_values,
                  tuple(dict.fromkeys(milestones or ())), note)
    replaced = db.log(person.id, entry, replace)
    entries = db.entries(person.id, end=day)
    raised = [f.as_dict() for f in deviations.flags_on(plan, entries, day)]
    from rehab.render.journal import logged_view

    logged_view(_out(), entry.as_dict(plan.surgery_date), replaced is not None, raised)


def _flags_with_acks(db, patient_id: str, plan, entries, on: date):
    """Every flag up to a date, each marked with its acknowledgement if it has one."""
    from rehab import deviations

    acks = {a.key: a for a in db.acknowledgements(patient_id)}
    flags = deviations.evaluate(plan, entries, on)
    return flags, acks


@app.command()
def today(ctx: typer.Context, patient: PatientOpt = None, on: DateOpt = None, as_json: JsonOpt = False):
    """Where you are today: phase, what to do, next milestone, flags, recent pain."""
    from rehab import daily, deviations

    day = _date(on)
    db, person, plan = _journal(ctx, patient)
    entries = db.entries(person.id, end=day)
    flags, acks = _flags_with_acks(db, person.id, plan, entries, day)
    shown = deviations.open_flags(flags, set(acks), day)
    doc = daily.today_document(person, plan, entries, shown, day)
    if as_json:
        _print_json(doc)
        return
    from rehab.render.journal import before_surgery_view, today_view

    out = _out()
    today_view(out, doc)
    if doc["day"] < 0:
        before_surgery_view(out, list(plan.protocol.before_surgery))


@app.command()
def history(
    ctx: typer.Context,
    patient: PatientOpt = None,
    start: Annotated[Optional[str], typer.Option("--from", help="First day to show.")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last day to show.")] = None,
    as_json: JsonOpt = False,
):
    """The log, oldest first, with flags marked and a pain chart."""
    first = _date(start) if start else None
    last = _date(end) if end else None
    if first and last and first > last:
        raise RehabError("--from is after --to")
    db, person, plan = _journal(ctx, patient)
    entries = db.entries(person.id, first, last)
    docs = [e.as_dict(plan.surgery_date) for e in entries]
    if as_json:
        _print_json(docs)
        return
    from rehab import deviations
    from rehab.dates import local_today
    from rehab.render.journal import SEVERITY_MARK, history_view

    all_entries = db.entries(person.id)
    flagged: dict[str, list[str]] = {}
    for flag in deviations.evaluate(plan, all_entries, max(local_today(), last or local_today())):
        mark = SEVERITY_MARK[flag.severity]
        marks = flagged.setdefault(flag.date.isoformat(), [])
        if mark not in marks:
            marks.append(mark)
    history_view(_out(), docs, flagged)


# --- flags ----------------------------------------------------------------------------------

flags_app = typer.Typer(help="Deviations from the plan; acknowledge them with a note.")
app.add_typer(flags_app, name="flags")


@flags_app.callback(invoke_without_command=True)
def flags(ctx: typer.Context, patient: PatientOpt = None, on: DateOpt = None, as_json: JsonOpt = False):
    """Every flag up to a date (default today), oldest first."""
    if ctx.invoked_subcommand is not None:
        return
    day = _date(on)
    db, person, plan = _journal(ctx, patient)
    entries = db.entries(person.id, end=day)
    found, acks = _flags_with_acks(db, person.id, plan, entries, day)
    docs = [_flag_doc(f, acks) for f in found]
    if as_json:
        _print_json(docs)
        return
    from rehab.render.journal import flags_view

    flags_view(_out(), docs)


def _flag_doc(flag, acks: dict) -> dict:
    ack = acks.get(flag.key)
    return {**flag.as_dict(), "acknowledged": ack is not None, "acknowledgement": ack.as_dict() if ack else None}


@flags_app.command("ack")
def flags_ack(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(help="The flag's rule id, e.g. pain-spike.")],
    on: Annotated[str, typer.Option("--date", help="The flag's date.")],
    note: Annotated[str, typer.Option("--note", help="What was done about it.")],
    patient: PatientOpt = None,
    subject: Annotated[Optional[str], typer.Option("--subject", help="Which one, when a rule flagged a date twice.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who acknowledges it.")] = None,
):
    """Acknowledge a flag with a note; it stays in history and reports, marked as seen."""
    from datetime import datetime, timezone

    from rehab.records import Acknowledgement

    day = _date(on)
    if not note.strip():
        raise RehabError("an acknowledgement needs a --note")
    db, person, plan = _journal(ctx, patient)
    entries = db.entries(person.id)
    found, _ = _flags_with_acks(db, person.id, plan, entries, max(day, _date(None)))
    matching = [f for f in found if f.date == day and f.rule == rule and (subject is None or f.subject == subject)]
    if not matching:
        raise RehabError(f"no {rule!r} flag on {day.isoformat()} for {person.id} (see 'rehab flags')")
    if len(matching) > 1:
        subjects = ", ".join(f.subject for f in matching)
        raise RehabError(f"{len(matching)} {rule!r} flags on {day.isoformat()}: choose one with --subject ({subjects})")
    flag = matching[0]
    db.acknowledge(person.id, Acknowledgement(flag.date, flag.rule, flag.subject, note.strip(),
                                              by, datetime.now(timezone.utc).replace(microsecond=0)))
    typer.echo(f"Acknowledged {flag.rule} on {flag.date.isoformat()} for {person.id}.")


# --- reports and backups --------------------------------------------------------------------


class ReportFormat(str, Enum):
    html = "html"
    pdf = "pdf"
    csv = "csv"
    json = "json"
    markdown = "markdown"


@app.command()
def report(
    ctx: typer.Context,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="html, pdf, csv, json or markdown.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write (whole or not at all).")],
    patient: PatientOpt = None,
    everyone: Annotated[bool, typer.Option("--all", help="Every patient, opening with who needs attention.")] = False,
    start: Annotated[Optional[str], typer.Option("--from", help="First day of the report.")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last day of the report.")] = None,
    on: Annotated[Optional[str], typer.Option("--date", help="Report as of this day (default today).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")] = False,
):
    """A progress report for the physiotherapist: adherence, pain, flags, entries."""
    from rehab.files import atomic_output, check_writable

    if everyone and patient:
        raise RehabError("give --patient or --all, not both")
    first = _date(start) if start else None
    last = _date(end) if end else None
    if first and last and first > last:
        raise RehabError("--from is after --to")
    as_of = _date(on)
    check_writable(output, force)
    db = _store(ctx)
    ids = None if everyone else [db.current(patient).id]
    total = len(db.taken_ids()) if everyone else 1
    reports = _progress(_reports(ctx, db, ids, as_of, first, last), total, "Building reports")
    from rehab.render import documents

    if fmt in (ReportFormat.csv, ReportFormat.json):
        writer = documents.write_report_csv if fmt is ReportFormat.csv else documents.write_report_json
        with atomic_output(output, force) as handle:
            writer(handle, reports)
    else:
        from rehab import report as report_data

        built = list(reports)
        summary = report_data.attention_order([report_data.summary_row(r) for r in built]) if everyone else None
        render = {ReportFormat.html: documents.report_html, ReportFormat.pdf: documents.report_pdf,
                  ReportFormat.markdown: documents.report_markdown}[fmt]
        from rehab.files import write_private

        write_private(output, render(built, summary), force)
    sys.stderr.write(f"Wrote {output}\n")


def _reports(ctx, db, ids, as_of: date, first: date | None, last: date | None):
    """One report document per patient, built as the records stream from the database."""
    from rehab import deviations
    from rehab import report as report_data
    from rehab import timeline as tl

    protocols: dict = {}
    for record in db.records(ids):
        procedure = record.patient.procedure
        if procedure not in protocols:
            protocols[procedure] = _protocol(ctx, procedure)
        plan = tl.build(protocols[procedure], record.patient.surgery_date)
        flags = deviations.evaluate(plan, record.entries, as_of)
        acks = {a.key: a for a in record.acknowledgements}
        yield report_data.build(record, protocols[procedure], flags, acks, as_of, first, last)


def _progress(items, total: int, label: str):
    """A progress bar on a terminal (stderr), for the long --all runs; silent elsewhere."""
    if total < 2 or not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import Progress

    from rehab.render.terminal import console

    with Progress(console=console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        for item in items:
            yield item
            progress.advance(task)


@app.command("export")
def export_data(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The JSON file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
):
    """Everything in the database as one JSON document (a backup)."""
    from rehab.backup import write_export
    from rehab.files import atomic_output, check_writable

    check_writable(output, force)
    db = _store(ctx)
    with atomic_output(output, force) as handle:
        count = write_export(handle, db.records(), db.default_id())
    sys.stderr.write(f"Exported {count} patient{'s' if count != 1 else ''} to {output}\n")


@app.command("import")
def import_data(ctx: typer.Context, path: Annotated[Path, typer.Argument(metavar="FILE", help="A rehab export file.")]):
    """Load an export file: all of it, or nothing."""
    from rehab.backup import read_export

    try:
        with open(path, encoding="utf-8") as handle:
            records, default_id = read_export(handle)
    except FileNotFoundError:
        raise RehabError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RehabError(f"{path}: is a folder") from None
    except PermissionError:
        raise RehabError(f"{path}: cannot be read (permission denied)") from None
    from dataclasses import replace

    known: dict[str, str] = {}
    for i, record in enumerate(records):
        procedure = record.patient.procedure
        if procedure not in known:
            try:
                known[procedure] = _protocol(ctx, procedure).id
            except RehabError:
                raise RehabError(f"patients[{i}].procedure: unknown procedure {procedure!r}") from None
        # Store the protocol's id, as `patient add` does, whatever name the file used.
        record.patient = replace(record.patient, procedure=known[procedure])
    db = _store(ctx)
    db.import_records(records, default_id)
    entries = sum(len(r.entries) for r in records)
    typer.echo(f"Imported {len(records)} patient{'s' if len(records) != 1 else ''} and {entries} entries.")


@app.command()
def demo(ctx: typer.Context, on: DateOpt = None):
    """A sample patient with three weeks of entries, in a separate demo database."""
    from rehab import demo as sample
    from rehab import store

    day = _date(on)
    patient, entries = sample.patient_and_entries(day)  # before anything is deleted
    path = sample.demo_path(_settings(ctx).db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = store.open_store(str(path))
    db.add_patient(patient)
    for entry in entries:
        db.log(patient.id, entry, replace_existing=False)
    out = _out()
    out.print(f"Demo database: {path}\n", style="dim")
    ctx.find_root().obj = Settings(db=str(path), protocols_dir=_settings(ctx).protocols_dir)
    ctx.invoke(today, ctx=ctx, patient=None, on=day.isoformat(), as_json=False)
    out.print(f"\nExplore: rehab --db {path} history   ·   rehab --db {path} flags", style="dim")


_command = None


def main() -> None:
    """Console-script entry point."""
    global _command
    if _command is None:  # built once per process (Typer builds the whole tree each time)
        _command = typer.main.get_command(app)
    _command.main(prog_name="rehab")
