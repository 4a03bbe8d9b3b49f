"""The plan: `rehab timeline` and `rehab protocols`."""

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from rehab import config, wording
from rehab.commands.common import (PROCEDURE_HELP, DateOpt, ForceOpt, JsonOpt, PatientOpt, complete_procedure, complete_side, day_arg, emit_json,
                                   journal_for, print_json, protocol_for, settings_of, terminal, write_document)
from rehab.errors import RehabError
from rehab.render import formats


# --- protocols ------------------------------------------------------------------------------

protocols_app = typer.Typer(help="List, show and check recovery protocols.", no_args_is_help=True)


@protocols_app.command("list")
def protocols_list(ctx: typer.Context, as_json: JsonOpt = False):
    """The protocols this tool knows: built-in and from --protocols-dir."""
    from rehab.protocols.loader import load_all_with_origin

    protocols = load_all_with_origin(settings_of(ctx).protocols_dir)
    if as_json:
        print_json([{"id": p.id, "name": p.name, "aliases": p.aliases, "summary": p.summary, "origin": origin}
                    for p, origin in protocols.values()])
        return
    from rich.table import Table

    table = Table()
    table.add_column("Id", no_wrap=True)  # what --procedure takes: never cut short
    table.add_column("Name", overflow="fold")
    table.add_column("Also known as", overflow="fold")
    table.add_column("From", no_wrap=True)
    for p, origin in protocols.values():
        table.add_row(p.id, p.name, ", ".join(p.aliases),
                      "built-in" if origin == "built-in" else "replaced" if origin.startswith("replaces") else "added")
    out = terminal()
    out.print(table)
    # The files' paths under the table, one a line, where they are never squeezed.
    for p, origin in protocols.values():
        if origin != "built-in":
            out.print(f"{p.id} {origin}", soft_wrap=True)


@protocols_app.command("show")
def protocols_show(ctx: typer.Context, protocol_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonOpt = False):
    """One protocol; with --json, a file you can save and edit as your own protocol."""
    protocol = protocol_for(ctx, protocol_id)
    if as_json:
        from rehab.protocols.combine import file_id

        print_json({**protocol.to_data(), "id": file_id(protocol.id)})
        return
    from rehab.render.terminal import protocol_view

    protocol_view(terminal(), protocol)


@protocols_app.command("validate")
def protocols_validate(ctx: typer.Context, path: Annotated[Path, typer.Argument(metavar="FILE")]):
    """Check a protocol file (or an outcome questionnaire's); a problem is named with its field and line."""
    from rehab import instruments
    from rehab.protocols import load_file

    if _is_questionnaire(path):
        instrument = instruments.load_file(path)
        typer.echo(f"{path}: valid questionnaire {instrument.id!r} ({len(instrument.items)} items, "
                   f"scored as a {instrument.scoring}, MCID {instrument.mcid})")
        return
    protocol = load_file(path)
    scheduled = protocol.outcomes.instruments if protocol.outcomes else []
    if scheduled:
        known = instruments.load_all(settings_of(ctx).protocols_dir)
        unknown = [i for i in scheduled if i not in known]
        if unknown:
            raise RehabError(f"{path}: outcomes.instruments: unknown questionnaire {unknown[0]!r}: "
                             f"use one of {', '.join(sorted(known))}, or add its file to <protocols dir>/instruments/")
    typer.echo(f"{path}: valid protocol {protocol.id!r} ({len(protocol.phases)} phases, {len(protocol.milestones)} milestones)")


def _is_questionnaire(path: Path) -> bool:
    """An outcome questionnaire's file (items, no phases) rather than a protocol's."""
    import yaml

    try:
        # Only a regular file, read to a bounded size: a FIFO or /dev/zero is load_file's to refuse.
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            data = yaml.safe_load(handle.read(262144).decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return False  # load_file says what is wrong with it
    return isinstance(data, dict) and "items" in data and "phases" not in data


# --- timeline -------------------------------------------------------------------------------


Paper = Literal["a4", "letter"]
TimelineFormat = Literal[tuple(formats.TIMELINE)]


def timeline(
    ctx: typer.Context,
    patient: PatientOpt = None,
    surgery_date: Annotated[Optional[str], typer.Option("--surgery-date", metavar="DATE", help="Day 0, for a plan without a stored patient.")] = None,
    procedure: Annotated[Optional[list[str]], typer.Option("--procedure", metavar="PROCEDURE", autocompletion=complete_procedure, help=PROCEDURE_HELP)] = None,
    on: DateOpt = None,
    as_json: JsonOpt = False,
    fmt: Annotated[TimelineFormat, typer.Option("--format", metavar="FORMAT", help=formats.choices(formats.TIMELINE))] = "text",
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write to this file (whole or not at all; - for standard output).")] = None,
    force: ForceOpt = False,
    name: Annotated[Optional[str], typer.Option("--name", metavar="NAME", help="Patient name to print (without --patient).")] = None,
    side: Annotated[Optional[str], typer.Option("--side", metavar="left|right", autocompletion=complete_side, help="Which ankle (without --patient).")] = None,
    surgeon: Annotated[Optional[str], typer.Option("--surgeon", metavar="NAME", help="Surgeon to print (without --patient).")] = None,
    paper: Annotated[Paper, typer.Option("--paper", metavar="a4|letter", help="Paper size for pdf and html.")] = "a4",
    clinic: Annotated[Optional[str], typer.Option("--clinic", metavar="NAME", help="Clinic name to print. Any --clinic option replaces the whole clinic file's details (address, emergency number too): one clinic's details, never two mixed.")] = None,
    clinic_phone: Annotated[Optional[str], typer.Option("--clinic-phone", metavar="PHONE", help="Clinic phone number to print; like --clinic, replaces the clinic file's details.")] = None,
    clinic_email: Annotated[Optional[str], typer.Option("--clinic-email", metavar="EMAIL", help="Clinic email to print; like --clinic, replaces the clinic file's details.")] = None,
):
    """The dated recovery plan: phases, milestones and where a day falls."""
    from rehab import timeline as tl

    chosen = formats.TIMELINE[fmt]
    if as_json and fmt != "text":
        raise RehabError("give --json or --format, not both")
    if chosen.binary and output is None:
        raise RehabError(f"--format {fmt} needs --output FILE (or --output - to send it to a pipe)")
    if output is not None:
        from rehab.files import check_writable

        check_writable(output, force, binary=chosen.binary and not as_json)
    today = day_arg(on)
    plan, person, done, withdrawn = _plan_for(ctx, patient, surgery_date, procedure, name, side, surgeon)

    if as_json:
        emit_json(tl.to_dict(plan, person), output, force)
    elif fmt == "text" and output is None:
        from rehab.render.terminal import timeline_view

        timeline_view(terminal(), plan, today, wording.patient_line(person), done)
    else:
        from rehab import system_fonts
        from rehab.render.documents import PlanDocument

        # A calendar prints no clinic details: the config is not read. Options replace the file.
        details = config.clinic(clinic, clinic_phone, clinic_email) if chosen.prints_clinic else {}
        write_document(chosen, PlanDocument(plan, person, today, details, paper, fonts=system_fonts.font_for,
                                            withdrawn=withdrawn), output, force)


def _plan_for(ctx, patient, surgery_date, procedure, name, side, surgeon):
    """The dated plan and who it is for: a stored patient's own, or one worked out from a
    surgery date and procedure (with the name, side and surgeon to print, if given)."""
    from rehab import timeline as tl

    if patient is not None and (surgery_date or procedure):
        raise RehabError("give either --patient or --surgery-date with --procedure, not both")
    if patient is not None or not (surgery_date or procedure):
        # A stored patient: the one named, else the current one, as the daily commands do.
        db, record, plan = journal_for(ctx, patient)
        # the milestones recorded (✓ in the terminal); a plan without a log marks none done;
        # the changes taken out of the plan, which a calendar that holds them must cancel
        return (plan, record.as_dict(), {m for e in db.entries(record.id) for m in e.milestones},
                tuple(a for a in db.adjustments(record.id) if not a.in_force))
    if surgery_date is None or not procedure:
        raise RehabError("give both --surgery-date and --procedure (or --patient)")
    surgery = day_arg(surgery_date)
    protocol = protocol_for(ctx, procedure)
    person = None
    if name or side or surgeon:
        from rehab import text as text_field
        from rehab.patient_fields import clean_side

        # The same rules as a stored patient's: a line break or an escape sequence in a name
        # would start a Markdown heading or a new line of the calendar file.
        name, surgeon = text_field.line(name, "--name"), text_field.line(surgeon, "--surgeon")
        person = {"id": None, "name": name, "side": clean_side(side), "surgeon": surgeon,
                  "surgery_date": surgery.isoformat(), "procedure": protocol.id,
                  "procedures": protocol.id.split("+")}
    return tl.build(protocol, surgery), person, set(), ()
