"""Every output format of `timeline`, `report` and `export`, in one registry.

A format is a name, whether it is binary (bytes: never shown on a terminal), and its renderer:
"module:function", imported only when the format is used, called as renderer(handle, document)
with a handle the command opened (binary for a binary format, UTF-8 text otherwise). What the
document is depends on the command: a documents.PlanDocument for `timeline`, a
documents.ReportDocument for `report`, an ExportDocument for `export`. Adding a format is adding
an entry here (and its renderer); the commands read their choices from these tables.

Renderers of plans and reports return the characters they could not draw (a PDF font without
a glyph; "" or None for the rest), for the command to mention; export renderers return how
many patients they wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Format:
    name: str
    binary: bool
    renderer: str  # "module:function"
    help: str  # a few words for --format's help
    prints_clinic: bool = False  # reads the clinic's details (rehab.config) to print them
    needs: tuple[str, str] | None = None  # (module, what to say without it): an optional extra

    def ready(self) -> None:
        """Refuse early (exit 2, nothing done) when the format's optional extra is missing."""
        if self.needs is None:
            return
        module, missing = self.needs
        try:
            __import__(module)
        except ImportError:
            from rehab.errors import RehabError

            raise RehabError(missing) from None

    def write(self, handle, document):
        module, function = self.renderer.split(":")
        return getattr(__import__(module, fromlist=[function]), function)(handle, document)


def _table(*formats: Format) -> dict[str, Format]:
    return {f.name: f for f in formats}


TIMELINE = _table(
    Format("text", False, "rehab.render.terminal:write_timeline", "as the terminal shows it"),
    Format("markdown", False, "rehab.render.markdown:write_timeline", "for a letter or a chat", prints_clinic=True),
    Format("html", False, "rehab.render.html:write_timeline", "the printable one-page plan", prints_clinic=True),
    Format("pdf", True, "rehab.render.pdf:write_timeline", "the same as a PDF file", prints_clinic=True),
    Format("ics", False, "rehab.render.ics:write_timeline", "a calendar of phases and milestones"),
)

REPORT = _table(
    Format("html", False, "rehab.render.html:write_reports", "printable"),
    Format("pdf", True, "rehab.render.pdf:write_reports", "the same as a PDF file"),
    Format("csv", False, "rehab.render.tabular:write_csv", "one row per entry"),
    Format("json", False, "rehab.render.tabular:write_json", "every report's data"),
    Format("markdown", False, "rehab.render.tabular:write_markdown", "for a letter or a chat"),
)


@dataclass
class ExportDocument:
    """Everything `export` writes, read from the database only by the format that needs it."""

    records: Callable[[], Iterable]  # PatientRecords with their times (the JSON backup)
    evaluated: Callable[[], Iterable]  # (record, dated plan, flags) for each patient (FHIR)
    questionnaires: Callable[[], object]  # the outcome instruments (FHIR: each score's items)
    default_id: str | None
    as_of: date
    timestamp: datetime


def write_backup(handle, document: ExportDocument) -> int:
    from rehab.backup import write_export

    return write_export(handle, document.records(), document.default_id, document.timestamp)


def write_fhir(handle, document: ExportDocument) -> int:
    from rehab.errors import Fault
    from rehab.render import fhir

    written = 0

    def patients():  # counted as they stream past: none is kept once written
        nonlocal written
        for record, plan, flags in document.evaluated():
            written += 1
            yield fhir.PatientData(record, plan, flags)

    try:
        fhir.write_bundle(handle, patients(), document.as_of, document.timestamp, document.questionnaires())
    except fhir.BuildError as exc:
        raise Fault(f"{exc}; nothing was written") from None
    return written


EXPORT = _table(
    Format("json", False, "rehab.render.formats:write_backup", "a rehab backup, the default"),
    Format("fhir", False, "rehab.render.formats:write_fhir", "a FHIR R4 Bundle",
           needs=("fhir.resources.R4B",
                  "the FHIR export needs the fhir.resources package: pip install 'rehab[fhir]'")),
)


def choices(table: dict[str, Format]) -> str:
    """'json (a rehab backup, the default) or fhir (a FHIR R4 Bundle)': --format's help."""
    names = [f"{f.name} ({f.help})" for f in table.values()]
    return ", ".join(names[:-1]) + " or " + names[-1] + "."
