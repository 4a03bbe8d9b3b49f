"""Reports, backups and the demo: `rehab report`, `export`, `import`, `demo`."""

import sys
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Literal, Optional

import typer

from rehab.commands.common import (DateOpt, ForceOpt, PatientOpt, Settings, clinic_contacts, day_arg, open_db, protocol_for, settings_of, terminal,
                                   write_document)
from rehab.commands.journal import today
from rehab.errors import RehabError
from rehab.render import formats


# --- reports and backups --------------------------------------------------------------------


def report(
    ctx: typer.Context,
    fmt: Annotated[Literal[tuple(formats.REPORT)], typer.Option("--format", metavar="FORMAT", help=formats.choices(formats.REPORT))],
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE", help="The file to write (whole or not at all; - for standard output).")],
    patient: PatientOpt = None,
    everyone: Annotated[bool, typer.Option("--all", help="Every patient, opening with who needs attention.")] = False,
    start: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="First day of the report.")] = None,
    end: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Last day of the report.")] = None,
    on: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="Report as of this day (default today).")] = None,
    force: ForceOpt = False,
):
    """A progress report for the physiotherapist: adherence, pain, flags, entries."""
    from rehab.files import check_writable

    chosen = formats.REPORT[fmt]
    if everyone and patient:
        raise RehabError("give --patient or --all, not both")
    first = day_arg(start) if start else None
    last = day_arg(end) if end else None
    if first and last and first > last:
        raise RehabError("--from is after --to")
    as_of = day_arg(on)
    check_writable(output, force, binary=chosen.binary)
    db = open_db(ctx)
    ids = None if everyone else [db.current(patient).id]
    count = (lambda: len(db.taken_ids())) if everyone else (lambda: 1)
    from rehab import instruments
    from rehab import report as report_data
    from rehab.model import acknowledgements_by_flag
    from rehab import system_fonts
    from rehab.render.documents import ReportDocument

    known = instruments.load_all(settings_of(ctx).protocols_dir)
    with _progress(count) as bar:
        evaluated = bar.track(_evaluated(ctx, db, ids, as_of), "Building reports")
        reports = (report_data.build(record, plan, flags, acknowledgements_by_flag(flags, record.acknowledgements),
                                     as_of, first, last, known) for record, plan, flags in evaluated)
        # The CSV needs only the entries and the day's flags, not each whole report.
        rows = ((record.patient, report_data.in_range(record.entries, *report_data.report_range(
            record.patient.surgery_date, as_of, first, last)), flags) for record, _, flags in evaluated)
        summarize = ((lambda built: report_data.attention_order([report_data.summary_row(r) for r in built]))
                     if everyone else None)
        write_document(chosen, ReportDocument(reports, rows, summarize, drawn=bar.drawn,
                                              summary_row=report_data.summary_row if everyone else None,
                                              order=report_data.attention_order if everyone else None,
                                              fonts=system_fonts.font_for),
                       output, force)


def _evaluated(ctx, db, ids, as_of: date):
    """Each patient's record, dated plan and flags, as the records stream from the database."""
    from rehab import deviations
    from rehab import timeline as tl
    from rehab.errors import NotFound
    from rehab.plan import effective

    protocols: dict = {}
    contacts = clinic_contacts()  # red-flag advice in reports and FHIR names the clinic's numbers too
    for record in db.records(ids):
        procedure = record.patient.procedure
        if procedure not in protocols:
            try:
                protocols[procedure] = protocol_for(ctx, procedure)
            except NotFound:  # its file was removed: still listed, saying so (report.unplanned)
                protocols[procedure] = None
        if protocols[procedure] is None:
            yield record, None, []
            continue
        # The patient's own plan: their protocol(s) with their team's changes.
        plan = effective(tl.build(protocols[procedure], record.patient.surgery_date), record.adjustments)
        yield record, plan, deviations.evaluate(plan, record.entries, as_of, revisions=record.revisions,
                                                contacts=contacts, discharged_on=record.patient.discharged_on)


@contextmanager
def _progress(count):
    """A progress bar on a terminal (stderr), for the long --all runs; silent elsewhere.
    It follows the reports as they are built, then (for a PDF) as their pages are drawn,
    most of a clinic PDF's time."""
    # The count is a query, asked only when a bar will be drawn.
    if not sys.stderr.isatty() or (total := count()) < 2:
        yield _Bar(None, 0)
        return
    from rich.progress import Progress

    from rehab.render.terminal import console

    with Progress(console=console(stderr=True), transient=True) as progress:
        yield _Bar(progress, total)


class _Bar:
    def __init__(self, progress, total: int):
        self.progress, self.total, self.task, self.drawing = progress, total, None, False

    def track(self, items, label: str):
        if self.progress is None:
            yield from items
            return
        self.task = self.progress.add_task(label, total=self.total)
        for item in items:
            yield item
            self.progress.advance(self.task)

    def drawn(self) -> None:
        if self.progress is None or self.task is None:
            return
        if not self.drawing:  # a task of its own, so the time left is estimated afresh
            self.drawing = True
            self.progress.update(self.task, visible=False)
            self.task = self.progress.add_task("Drawing the PDF", total=self.total)
        self.progress.advance(self.task)


def export_data(
    ctx: typer.Context,
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE", help="The file to write (- for standard output).")],
    fmt: Annotated[Literal[tuple(formats.EXPORT)], typer.Option("--format", metavar="FORMAT", help=formats.choices(formats.EXPORT))] = "json",
    patient: Annotated[Optional[str], typer.Option("--patient", "-p", metavar="P", help="Only this patient (id or name; default: everyone).")] = None,
    on: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="fhir: flags and plan progress as of this day (default today).")] = None,
    force: ForceOpt = False,
):
    """Everything in the database as one document: a JSON backup, or a FHIR R4 Bundle."""
    from datetime import datetime, timezone

    from rehab.files import check_writable, describe

    chosen = formats.EXPORT[fmt]
    as_of = day_arg(on)
    check_writable(output, force, binary=chosen.binary)
    chosen.ready()
    db = open_db(ctx)
    ids = None if patient is None else [db.current(patient).id]
    document = formats.ExportDocument(records=lambda: db.records(ids, with_times=True),
                                      evaluated=lambda: _evaluated(ctx, db, ids, as_of),
                                      questionnaires=lambda: _instruments(ctx),
                                      default_id=db.default_id(), as_of=as_of,
                                      timestamp=datetime.now(timezone.utc))
    count = write_document(chosen, document, output, force, quiet=True)
    sys.stderr.write(f"Exported {count} patient{'s' if count != 1 else ''} to {describe(output)}\n")


def _instruments(ctx):
    from rehab import instruments

    return instruments.load_all(settings_of(ctx).protocols_dir)


# Larger than any clinic's export (200 patients with six months each is about 10 MiB).
IMPORT_LIMIT = 512 * 1024 * 1024


def import_data(ctx: typer.Context, path: Annotated[str, typer.Argument(metavar="FILE", help="A rehab export file (- for standard input).")]):
    """Load an export file: all of it, or nothing."""
    import io

    from rehab import import_checks
    from rehab.backup import read_export
    from rehab.files import read_bytes

    # "-": standard input, e.g. gunzip -c backup.json.gz | rehab import -. A regular file
    # otherwise, read to a limit: /dev/zero or a FIFO must not hang or fill the memory.
    data = read_bytes(path, IMPORT_LIMIT, "export file")
    try:
        # utf-8-sig: a file saved by an editor that starts it with a byte-order mark.
        document = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RehabError("not a rehab export: the file is not UTF-8 text") from None
    del data
    try:
        records, default_id = read_export(io.StringIO(document))
    except RecursionError:  # JSON nested thousands deep: no export looks like that
        raise RehabError("not a rehab export: the JSON is nested too deeply") from None
    except ValueError:  # Python refuses to read an integer of over 4,300 digits
        raise RehabError("not a rehab export: it holds a number too long to read") from None
    del document
    import_checks.check_records(records)

    known = {}
    for i, record in enumerate(records):
        procedure = record.patient.procedure
        if procedure not in known:
            try:
                known[procedure] = protocol_for(ctx, procedure)
            except RehabError:
                raise RehabError(f"patients[{i}].procedure: unknown procedure {procedure!r}") from None
        # Store the protocol's id, as `patient add` does, whatever name the file used.
        record.patient = record.patient._replace(procedure=known[procedure].id)
    from rehab import instruments
    from rehab.protocols.loader import load_all

    folder = settings_of(ctx).protocols_dir
    import_checks.check_plans(records, {p.id: p for p in known.values()},
                              lambda: {m.id for p in load_all(folder).values() for m in p.milestones},
                              instruments.load_all(folder) if any(r.scores for r in records) else {})
    db = open_db(ctx, create=True)
    db.import_records(records, default_id)
    entries = sum(len(r.entries) for r in records)
    typer.echo(f"Imported {len(records)} patient{'s' if len(records) != 1 else ''} and {entries} entries.")


def demo(ctx: typer.Context, on: DateOpt = None):
    """A sample patient with three weeks of entries, in a separate demo database."""
    from rehab import demo as sample
    from rehab import store

    day = day_arg(on)
    patient, entries = sample.patient_and_entries(day)  # before anything is deleted
    path = sample.demo_path(settings_of(ctx).db)
    db = store.open_store(str(path), create=True)
    db.reset()  # the demo starts afresh each time, in its own database only
    db.add_patient(patient)
    for entry in entries:
        db.log(patient.id, entry.date, lambda _old, entry=entry: entry, replace=False)
    scores, measures = sample.outcomes(patient.surgery_date)
    for score in scores:
        db.add_score(patient.id, score)
    for measure in measures:
        db.add_measure(patient.id, measure)
    out = terminal()
    out.print(f"Demo database: {path}\n", style="dim")
    ctx.find_root().obj = Settings(db=str(path), protocols_dir=settings_of(ctx).protocols_dir)
    ctx.invoke(today, ctx=ctx, patient=None, on=day.isoformat(), as_json=False)
    # One command a line, the path quoted (a home folder may hold a space), printed without
    # wrapping: each line can be copied and pasted whole.
    import shlex

    out.print("\nExplore:", style="dim")
    for command in ("history", "flags", "outcomes"):
        out.print(f"  rehab --db {shlex.quote(str(path))} {command}", style="dim", soft_wrap=True)
