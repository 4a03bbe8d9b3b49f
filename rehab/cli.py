"""The `rehab` command line: parse, call the core, render. No logic of its own.

Heavy modules (the database, PDF, charts) are imported inside the commands that need them,
so `rehab --help`, completion and `rehab timeline` start quickly.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from rehab import __version__
from rehab.errors import RehabError


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
        except click.exceptions.Abort:
            _fail("aborted", 1)
        except RehabError as exc:
            if debug:
                raise
            _fail(str(exc), exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - the one place an unexpected fault is reported
            from rehab.errors import StoreError

            if debug:
                raise
            if isinstance(exc, StoreError):
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
        _print_json(protocol.model_dump(mode="json", exclude_none=True))
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


def main() -> None:
    """Console-script entry point."""
    typer.main.get_command(app).main(prog_name="rehab")
