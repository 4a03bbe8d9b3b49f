"""`rehab patient add|list|show|use|edit|remove`."""

import sys
from typing import Annotated, Optional

import typer

from rehab import wording
from rehab.commands.common import (PROCEDURE_HELP, JsonOpt, YesOpt, complete_procedure, complete_side, day_arg, open_db, print_json, protocol_for,
                                   terminal)
from rehab.errors import RehabError


# --- patients -------------------------------------------------------------------------------

patient_app = typer.Typer(help="Add, list, show, choose, edit and remove patients.", no_args_is_help=True)

SideOpt = Annotated[Optional[str], typer.Option("--side", metavar="left|right", autocompletion=complete_side, help="Which ankle.")]
SurgeonOpt = Annotated[Optional[str], typer.Option("--surgeon", metavar="NAME", help="The surgeon's name.")]


# A surgery date further back than this is most likely a typing slip (1926 for 2026).
OLD_SURGERY_YEARS = 5


@patient_app.command("add")
def patient_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The patient's name.")],
    surgery_date: Annotated[str, typer.Option("--surgery-date", metavar="DATE", help="Day 0: YYYY-MM-DD or 3 Mar 2026.")],
    procedure: Annotated[list[str], typer.Option("--procedure", metavar="PROCEDURE", autocompletion=complete_procedure, help=PROCEDURE_HELP)],
    side: SideOpt = None,
    surgeon: SurgeonOpt = None,
    patient_id: Annotated[Optional[str], typer.Option("--id", metavar="ID", help="A short id (default: made from the name).")] = None,
):
    """Add a patient; the first one added becomes the current patient."""
    from rehab import patient_fields as fields
    from rehab.model import Patient

    clean_name = fields.clean_name(name)
    surgery = day_arg(surgery_date)
    protocol = protocol_for(ctx, procedure)
    side_value = fields.clean_side(side)
    surgeon_value = fields.clean_optional(surgeon, "surgeon")
    wanted_id = fields.clean_id(patient_id) if patient_id else None
    db = open_db(ctx, create=True)
    # Without --id the next free id is chosen inside the store's transaction: two `patient
    # add "Jane Doe"` at once get jane-doe and jane-doe-2.
    patient = db.add_patient(Patient(wanted_id or "", clean_name, surgery, protocol.id, side_value, surgeon_value),
                             None if wanted_id else (lambda taken: fields.unique_id(clean_name, taken)))
    current = " (current patient)" if db.default_id() == patient.id else ""
    typer.echo(f"Added {patient.name} as {patient.id!r}{current}: {protocol.name}, surgery {surgery.isoformat()}.")
    if not wanted_id and patient.id != fields.slug(clean_name):
        # Another patient already has the id this name makes: say which one this is.
        typer.echo(f"Another patient already has the id {fields.slug(clean_name)!r}: this one is "
                   f"{patient.id!r}. Use --patient {patient.id} for them (or give --id).")
    from rehab.dates import local_today

    years = (local_today() - surgery).days / 365.25
    if years >= OLD_SURGERY_YEARS:
        sys.stderr.write(f"rehab: note: the surgery date {surgery.isoformat()} is {int(years)} years ago; "
                         f"if it is a typing slip, correct it with rehab patient edit {patient.id} --surgery-date D\n")


@patient_app.command("list")
def patient_list(ctx: typer.Context, as_json: JsonOpt = False):
    """All patients; * marks the current one."""
    db = open_db(ctx)
    people = [p.as_dict() for p in db.patients()]
    default = db.default_id()
    if as_json:
        print_json([{**p, "current": p["id"] == default} for p in people])
        return
    from rehab.render.journal import patients_view

    patients_view(terminal(), people, default)


@patient_app.command("show")
def patient_show(ctx: typer.Context, ref: Annotated[Optional[str], typer.Argument(metavar="P", help="Id or name.")] = None,
                 as_json: JsonOpt = False):
    """One patient (default: the current one)."""
    db = open_db(ctx)
    patient = db.current(ref)
    entries = db.entries(patient.id)
    if as_json:
        print_json({**patient.as_dict(), "entries": len(entries), "current": db.default_id() == patient.id})
        return
    from rehab.render.journal import patient_view

    patient_view(terminal(), patient.as_dict(), len(entries))


@patient_app.command("use")
def patient_use(ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="P", help="Id or name.")]):
    """Make a patient the current one."""
    db = open_db(ctx)
    patient = db.patient(ref)
    db.use(patient.id)
    typer.echo(f"{patient.name} ({patient.id}) is now the current patient.")


@patient_app.command("edit")
def patient_edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="P", help="Id or name.")],
    name: Annotated[Optional[str], typer.Option("--name", metavar="NAME", help="New name.")] = None,
    surgery_date: Annotated[Optional[str], typer.Option("--surgery-date", metavar="DATE", help="New surgery date.")] = None,
    procedure: Annotated[Optional[list[str]], typer.Option("--procedure", metavar="PROCEDURE", autocompletion=complete_procedure, help="New procedure (repeat it, or join ids with '+', for several).")] = None,
    side: SideOpt = None,
    surgeon: SurgeonOpt = None,
):
    """Change a patient's details (the id stays)."""

    from rehab import patient_fields as fields

    if not any(v is not None for v in (name, surgery_date, procedure or None, side, surgeon)):
        raise RehabError("nothing to change: give --name, --surgery-date, --procedure, --side or --surgeon")
    changes = {}
    if name is not None:
        changes["name"] = fields.clean_name(name)
    if surgery_date is not None:
        changes["surgery_date"] = day_arg(surgery_date)
    if procedure:
        changes["procedure"] = protocol_for(ctx, procedure).id
    if side is not None:
        changes["side"] = fields.clean_side(side)
    if surgeon is not None:
        changes["surgeon"] = fields.clean_optional(surgeon, "surgeon")
    db = open_db(ctx)
    patient = db.patient(ref)
    # One transaction (the store also refuses a surgery date after a logged day).
    db.edit_patient(patient.id, lambda current: current._replace(**changes))
    typer.echo(f"Updated {patient.id}.")


@patient_app.command("discharge")
def patient_discharge(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="P", help="Id or name.")],
    on: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="The day follow-up ends (default today).")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Reopen follow-up.")] = False,
):
    """End follow-up: no more reminders to log after that day (--undo reopens it)."""
    from rehab.dates import local_today

    if undo and on is not None:
        raise RehabError("--undo reopens follow-up: it takes no --date")
    today = local_today()
    day = None if undo else day_arg(on, today)
    if day is not None and day > today:
        raise RehabError(f"{day.isoformat()} is in the future: discharge a patient on or before today")
    db = open_db(ctx)
    patient = db.patient(ref)
    if undo and patient.discharged_on is None:
        raise RehabError(f"{patient.id} is in follow-up already (not discharged)")
    if day is not None and day < patient.surgery_date:
        raise RehabError(wording.before_surgery(day, patient.surgery_date))
    db.discharge(patient.id, day)
    if day is None:
        typer.echo(f"Follow-up of {patient.name} ({patient.id}) reopened.")
    else:
        typer.echo(f"Follow-up of {patient.name} ({patient.id}) ended on {day.isoformat()}: "
                   "no reminders to log after that day.")


@patient_app.command("remove")
def patient_remove(ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="P", help="Id or name.")],
                   yes: YesOpt = False):
    """Remove a patient and all their entries (asks first)."""
    db = open_db(ctx)
    patient = db.patient(ref)
    if not yes:
        if not sys.stdin.isatty():
            raise RehabError(f"removing {patient.id} deletes all their entries: add --yes to confirm")
        if not typer.confirm(f"Remove {patient.name} ({patient.id}) and all their entries?", default=False):
            raise RehabError("nothing was removed")
    count = db.remove_patient(patient.id)
    typer.echo(f"Removed {patient.name} ({patient.id}) and {count} entr{'y' if count == 1 else 'ies'}.")
