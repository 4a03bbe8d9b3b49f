"""The plan: `rehab timeline` and `rehab protocols`."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from rehab.commands.common import (DateOpt, JsonOpt, PatientOpt, complete_procedure, complete_side, day_arg, emit,
                                   journal_for, patient_line, print_json, protocol_for, settings_of, terminal)
from rehab.errors import RehabError


# --- protocols ------------------------------------------------------------------------------

protocols_app = typer.Typer(help="List, show and check recovery protocols.", no_args_is_help=True)


@protocols_app.command("list")
def protocols_list(ctx: typer.Context, as_json: JsonOpt = False):
    """The protocols this tool knows: built-in and from --protocols-dir."""
    from rehab.protocols import load_all

    protocols = load_all(settings_of(ctx).protocols_dir)
    if as_json:
        print_json([{"id": p.id, "name": p.name, "aliases": p.aliases, "summary": p.summary} for p in protocols.values()])
        return
    from rich.table import Table

    table = Table()
    table.add_column("Id", no_wrap=True)  # what --procedure takes: never cut short
    table.add_column("Name")
    table.add_column("Also known as")
    for p in protocols.values():
        table.add_row(p.id, p.name, ", ".join(p.aliases))
    terminal().print(table)


@protocols_app.command("show")
def protocols_show(ctx: typer.Context, protocol_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonOpt = False):
    """One protocol; with --json, a file you can save and edit as your own protocol."""
    protocol = protocol_for(ctx, protocol_id)
    if as_json:
        print_json(protocol.model_dump(mode="json"))
        return
    from rehab.render.terminal import protocol_view

    protocol_view(terminal(), protocol)


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


def timeline(
    ctx: typer.Context,
    patient: PatientOpt = None,
    surgery_date: Annotated[Optional[str], typer.Option("--surgery-date", metavar="DATE", help="Day 0, for a plan without a stored patient.")] = None,
    procedure: Annotated[Optional[str], typer.Option("--procedure", metavar="PROCEDURE", autocompletion=complete_procedure, help="Procedure id or name (rehab protocols list).")] = None,
    on: DateOpt = None,
    as_json: JsonOpt = False,
    fmt: Annotated[TimelineFormat, typer.Option("--format", metavar="FORMAT", help="text, markdown, html, pdf or ics.")] = TimelineFormat.text,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write to this file (whole or not at all; - for standard output).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")] = False,
    name: Annotated[Optional[str], typer.Option("--name", metavar="NAME", help="Patient name to print (without --patient).")] = None,
    side: Annotated[Optional[str], typer.Option("--side", metavar="left|right", autocompletion=complete_side, help="Which ankle (without --patient).")] = None,
    surgeon: Annotated[Optional[str], typer.Option("--surgeon", metavar="NAME", help="Surgeon to print (without --patient).")] = None,
    paper: Annotated[Paper, typer.Option("--paper", metavar="a4|letter", help="Paper size for pdf and html.")] = Paper.a4,
    clinic: Annotated[Optional[str], typer.Option("--clinic", metavar="NAME", help="Clinic name to print (default from the clinic config file).")] = None,
    clinic_phone: Annotated[Optional[str], typer.Option("--clinic-phone", metavar="PHONE", help="Clinic phone number to print.")] = None,
    clinic_email: Annotated[Optional[str], typer.Option("--clinic-email", metavar="EMAIL", help="Clinic email to print.")] = None,
):
    """The dated recovery plan: phases, milestones and where a day falls."""
    from rehab import timeline as tl

    if as_json and fmt is not TimelineFormat.text:
        raise RehabError("give --json or --format, not both")
    if fmt in (TimelineFormat.pdf,) and output is None:
        raise RehabError("--format pdf needs --output FILE (or --output - to send it to a pipe)")
    if output is not None:
        from rehab.files import check_writable

        check_writable(output, force, binary=fmt is TimelineFormat.pdf and not as_json)
    today = day_arg(on)
    if patient is not None and (surgery_date or procedure):
        raise RehabError("give either --patient or --surgery-date with --procedure, not both")
    if patient is not None or not (surgery_date or procedure):
        # A stored patient: the one named, else the current one, as the daily commands do.
        db, record, plan = journal_for(ctx, patient)
        person = record.as_dict()
        done = {m for e in db.entries(record.id, end=today) for m in e.milestones}
    else:
        if surgery_date is None or procedure is None:
            raise RehabError("give both --surgery-date and --procedure (or --patient)")
        surgery = day_arg(surgery_date)
        protocol = protocol_for(ctx, procedure)
        person = None
        done = None  # a plan with no log: nothing is known to have happened
        if name or side or surgeon:
            from rehab.patient_fields import clean_side

            person = {"id": None, "name": name, "side": clean_side(side), "surgeon": surgeon,
                      "surgery_date": surgery.isoformat(), "procedure": protocol.id}
        plan = tl.build(protocol, surgery)

    if as_json:
        emit(tl.to_dict(plan, person), "json", output, force)
        return
    if fmt is TimelineFormat.text:
        from rehab.render.terminal import plain_text, timeline_view

        if output is None:
            timeline_view(terminal(), plan, today, patient_line(person), done)
        else:  # the same view as plain text, 80 columns wide
            emit(plain_text(lambda out: timeline_view(out, plan, today, patient_line(person), done)), "text", output, force)
        return
    if fmt is TimelineFormat.markdown:
        from rehab.render.markdown import timeline_markdown

        emit(timeline_markdown(plan, patient_line(person)), "text", output, force)
        return
    from rehab.render import documents

    if fmt is TimelineFormat.ics:  # a calendar prints no clinic details: its config is not read
        emit(documents.timeline_ics(plan, person), "bytes", output, force)
        return
    clinic_info = documents.clinic_details(clinic, clinic_phone, clinic_email)
    if fmt is TimelineFormat.html:
        emit(documents.timeline_html(plan, person, today, clinic_info, paper.value), "text", output, force)
    else:
        emit(documents.timeline_pdf(plan, person, today, clinic_info, paper.value), "bytes", output, force)
