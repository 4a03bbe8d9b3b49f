"""Finding, reading and checking instrument files: the built-in ones beside this module, and
a clinic's in the `instruments` folder of the protocols folder (--protocols-dir), where a file
whose id equals a built-in one replaces it. Read with a safe YAML loader, like protocols."""

from __future__ import annotations

from pathlib import Path

from rehab.errors import NotFound

BUILTIN_DIR = Path(__file__).parent
MAX_BYTES = 256 * 1024
FOLDER = "instruments"  # inside the protocols folder


def load_file(path: Path):
    from rehab.protocols.loader import read_text

    return parse(read_text(Path(path), MAX_BYTES, "instrument"), str(path))


def parse(text: str, origin: str):
    """An instrument from YAML text; a problem raises ProtocolError naming file, field and line."""
    from rehab.instruments.models import Instrument
    from rehab.protocols.loader import checked

    return checked(text, origin, Instrument, "an instrument is a YAML mapping with id, name, items, ...")


def _clinic_dir(protocols_dir: str | Path | None) -> Path | None:
    from rehab.protocols.loader import _extra_dir

    extra = _extra_dir(protocols_dir)
    if extra is None or not (extra / FOLDER).is_dir():
        return None
    return extra / FOLDER


def builtin_ids() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load_all(protocols_dir: str | Path | None = None) -> dict:
    """Built-in instruments, then the clinic's, which replace a built-in with the same id."""
    found = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        instrument = load_file(path)
        found[instrument.id] = instrument
    extra = _clinic_dir(protocols_dir)
    if extra:
        for path in sorted([*extra.glob("*.yaml"), *extra.glob("*.yml"), *extra.glob("*.json")]):
            instrument = load_file(path)
            found[instrument.id] = instrument
    return found


def find(name: str, protocols_dir: str | Path | None = None):
    """An instrument by id, case-insensitive; unknown: NotFound naming the ones there are."""
    wanted = name.strip().lower()
    if _clinic_dir(protocols_dir) is None and wanted in builtin_ids():
        return load_file(BUILTIN_DIR / f"{wanted}.yaml")  # the common case: read one file
    instruments = load_all(protocols_dir)
    if wanted in instruments:
        return instruments[wanted]
    raise NotFound(f"unknown instrument {name!r}: use one of {', '.join(sorted(instruments))}")
