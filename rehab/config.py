"""The user's configuration files. Today one: the clinic's contact details printed on a plan,
a small YAML file, replaced as a whole by options (see `block`).

The file is `clinic.yaml` in the user config directory for rehab (on Linux
$XDG_CONFIG_HOME/rehab/clinic.yaml), for example:

    name: Ankle Unit, St Elsewhere
    phone: 020 7946 0000
    out_of_hours_phone: 020 7946 0999
    email: ankle.unit@example.org
    address: 1 Hospital Road, London
    emergency_phone: 999
"""

from __future__ import annotations

from pathlib import Path

from rehab.errors import NotFound, RehabError
from rehab.text import line

KEYS = ("name", "phone", "out_of_hours_phone", "email", "address", "emergency_phone")


MAX_BYTES = 64 * 1024


def clinic_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("rehab")) / "clinic.yaml"


def clinic(name: str | None = None, phone: str | None = None, email: str | None = None) -> dict:
    """The clinic's details (every key, a non-empty string or None), by `block`'s rule: the
    file is read only when no option names the clinic."""
    # The rules of every one-line field (rehab.text): an escape sequence or a NUL byte never
    # reaches a printed plan, a calendar or the terminal.
    options = {"name": line(name, "--clinic"), "phone": line(phone, "--clinic-phone"),
               "email": line(email, "--clinic-email")}
    return block(options, {} if given(options) else _read(clinic_path()))


def given(options: dict) -> bool:
    return any(_clean(value) for value in options.values())


def block(options: dict, from_file: dict) -> dict:
    """One clinic's details, never two clinics' mixed: options given (--clinic, --clinic-phone,
    --clinic-email) are the whole block, the rest left empty; without any, the file is. Options
    naming clinic X beside the file's address and emergency number would print a plan telling
    a patient to ring one clinic at another's numbers."""
    chosen = options if given(options) else from_file
    return {key: _clean(chosen.get(key)) for key in KEYS}


def _read(path: Path) -> dict:
    try:
        from rehab.files import read_bytes

        # A regular file only, and small: a FIFO named clinic.yaml must not hang a printout.
        text = read_bytes(path, MAX_BYTES, "clinic file").decode("utf-8")
    except NotFound:
        return {}
    except RehabError as exc:
        raise RehabError(f"cannot read the clinic file: {exc}") from None
    except UnicodeDecodeError as exc:
        raise RehabError(f"cannot read the clinic file {path}: {exc}") from None
    import yaml

    try:
        # Every value as text: a phone number such as 0207 must not turn into an octal int.
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds str/list/dict only
    except RecursionError:  # '[[[[...' thousands deep
        raise RehabError(f"the clinic file {path} is not valid YAML (nested too deeply)") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where else ""
        raise RehabError(f"the clinic file {path} is not valid YAML{at}") from None
    if data is None or data == "":
        return {}
    if not isinstance(data, dict):
        raise RehabError(f"the clinic file {path} must be a mapping of {', '.join(KEYS)}")
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        raise RehabError(f"the clinic file {path} has unknown key {unknown[0]!r}: use {', '.join(KEYS)}")
    result = {}
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            raise RehabError(f"in the clinic file {path}, {key} must be plain text")
        result[key] = None if value in ("~", "null", "Null", "NULL") else line(value, f"in the clinic file {path}, {key}")
    return result


def _clean(value) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None
