"""What every command shares: the global settings, option types, and small helpers to
parse a day, open the store, find a protocol and print."""

import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer



@dataclass
class Settings:
    db: str | None
    protocols_dir: str | None


def settings_of(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Settings) else Settings(None, None)


# --- shared option types -------------------------------------------------------------------

DateOpt = Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="The day to look at (default today): YYYY-MM-DD, 3 Mar 2026, today or yesterday.")]
PatientOpt = Annotated[Optional[str], typer.Option("--patient", "-p", metavar="P", help="Patient id or name (default: the current patient).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
PROCEDURE_HELP = "Procedure id or name (rehab protocols list); repeat it, or join ids with '+', for several done together."


# --- what a TAB offers for options whose values come from a fixed list ----------------------
# Each reads only rehab.vocab or a folder listing (no database, no pydantic): a TAB stays quick.


# (Typer keeps only the values that start with what was typed, so abbreviations such as
# PWB, which the options accept, are not offered.)


def complete_weight_bearing(incomplete: str) -> list[tuple[str, str]]:
    from rehab import vocab

    return [(n, vocab.WEIGHT_BEARING_LABEL[n]) for n in vocab.WEIGHT_BEARING if n.startswith(incomplete)]


def complete_activity(incomplete: str) -> list[str]:
    from rehab import vocab

    return [n for n in vocab.ACTIVITIES if n.startswith(incomplete)]


def complete_symptom(incomplete: str) -> list[tuple[str, str]]:
    from rehab import vocab

    return [(n, meaning) for n, (meaning, _) in vocab.SYMPTOMS.items() if n.startswith(incomplete)]


def complete_side(incomplete: str) -> list[str]:
    return [n for n in ("left", "right") if n.startswith(incomplete)]


# A YAML file's top-level `id: x` (a line of its own, not indented).
_PROTOCOL_ID = re.compile(r'^id:[ \t]*["\']?([\w.-]+)', re.MULTILINE)


def complete_procedure(ctx: typer.Context, incomplete: str) -> list[str]:
    """The ids of the built-in protocols and of those in --protocols-dir, read from each
    file's top-level `id` (a name typed in the file, not its file name) without loading it."""
    import os

    folders = [Path(__file__).resolve().parent.parent / "protocols"]
    extra = ctx.find_root().params.get("protocols_dir") or os.environ.get("REHAB_PROTOCOLS_DIR")
    if extra:
        folders.append(Path(extra).expanduser())
    ids = set()
    for folder in folders:
        try:
            files = [f for f in folder.iterdir() if f.suffix in (".yaml", ".yml", ".json")]
        except OSError:
            continue
        for file in files:
            try:
                text = file.read_text(encoding="utf-8-sig", errors="replace")[:262144]
            except OSError:
                continue
            if file.suffix == ".json":  # its own top-level key, wherever the keys are sorted
                try:
                    found = json.loads(text).get("id")
                except (ValueError, AttributeError):
                    found = None
                if isinstance(found, str):
                    ids.add(found)
            elif match := _PROTOCOL_ID.search(text):
                ids.add(match.group(1))
    return sorted(i for i in ids if i.startswith(incomplete))



def day_arg(text: str | None, default: date | None = None) -> date:
    from rehab.dates import local_today, parse_date

    if text is None:
        return default or local_today()
    return parse_date(text)


def print_json(document) -> None:
    write_utf8(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def write_utf8(text: str) -> None:
    """A document for a program to read (JSON, Markdown, HTML) goes out as UTF-8, whatever
    the terminal's locale: names like "Zoë Łukasiewicz" must survive a pipe."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def terminal():
    from rehab.render.terminal import console

    return console()


def open_db(ctx: typer.Context, create: bool = False):
    from rehab import store

    return store.open_store(settings_of(ctx).db, create)


def protocol_for(ctx: typer.Context, procedure: str | list[str]):
    """The protocol of one procedure, or of several done together (repeated --procedure,
    ids joined with '+', or a patient's combined id), combined."""
    from rehab.protocols import find_combined

    return find_combined(procedure, settings_of(ctx).protocols_dir)


def emit_json(document, output: str | None, force: bool) -> None:
    """Print a JSON document, or write it whole to --output."""
    if output is None:
        print_json(document)
        return
    from rehab.files import is_stdout, write_private

    written = write_private(output, json.dumps(document, ensure_ascii=False, indent=2) + "\n", force)
    if not is_stdout(output):
        sys.stderr.write(f"Wrote {written}\n")


def write_document(fmt, document, output: str | None, force: bool = False, quiet: bool = False):
    """Write a document in a format of rehab.render.formats, whole, to --output (default
    standard output). Says what was written, and what the format could not draw."""
    from rehab.files import STDOUT, atomic_output, describe, is_stdout

    with atomic_output(output or STDOUT, force, binary=fmt.binary) as handle:
        result = fmt.write(handle, document)
    if isinstance(result, str) and result:
        sys.stderr.write(f"rehab: the PDF's font cannot draw {result[:20]}; those characters print as '?' "
                         "(the html format shows them)\n")
    if output is not None and not is_stdout(output) and not quiet:
        sys.stderr.write(f"Wrote {describe(output)}\n")
    return result


def journal_for(ctx: typer.Context, ref: str | None):
    """The store, the patient a command is about, and their own dated plan: their
    protocol(s) with the changes their team recorded (rehab.plan.Plan)."""
    from rehab import timeline as tl
    from rehab.plan import effective

    from rehab.errors import NotFound

    db = open_db(ctx)
    patient = db.current(ref)
    try:
        protocol = protocol_for(ctx, patient.procedure)
    except NotFound:
        # Stored patients' procedures were found when they were added: one that is not found
        # now came from a protocols folder this command was not given (or its file was removed).
        raise NotFound(f"{patient.id}'s protocol {patient.procedure!r} is not among the protocols found: if it "
                       "came from a folder of protocol files, give that folder with --protocols-dir or "
                       "REHAB_PROTOCOLS_DIR") from None
    plan = effective(tl.build(protocol, patient.surgery_date), db.adjustments(patient.id))
    return db, patient, plan


def clinic_contacts():
    """The clinic's numbers for red-flag advice (clinic.yaml). A file that does not read never
    stops a patient logging or seeing a red flag: it is said on stderr and left out."""
    from rehab import config
    from rehab.errors import RehabError
    from rehab.wording import Contacts

    try:
        return Contacts.of(config.clinic())
    except RehabError as exc:
        sys.stderr.write(f"rehab: {exc} (red flags are shown without the clinic's numbers)\n")
        return Contacts()
