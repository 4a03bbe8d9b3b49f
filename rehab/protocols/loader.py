"""Finding, reading and checking protocol files.

Files are read with yaml.safe_load (through SafeLoader), so a file can hold data but never
run code; a size limit keeps a stray large file from stalling the tool. A file checked once
is kept as JSON (rehab/protocols/json_cache.py), so the next command that reads it imports
neither PyYAML nor pydantic.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

from rehab import vocab
from rehab.errors import NotFound, ProtocolError, RehabError
from rehab.protocols import json_cache
from rehab.protocols.models import Protocol

BUILTIN_DIR = Path(__file__).parent
MAX_BYTES = 256 * 1024
ENV_DIR = "REHAB_PROTOCOLS_DIR"


def load_file(path: Path) -> Protocol:
    """One protocol file, checked; a problem raises ProtocolError naming file, field and line."""
    return parse(read_text(Path(path), MAX_BYTES, "protocol"), str(path))


def read_text(path: Path, max_bytes: int, kind: str) -> str:
    """A data file's text (a protocol, an instrument): a regular file only, read to a bounded
    size, UTF-8. A FIFO would hang the read and /dev/zero never end."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            from rehab.files import NOT_REGULAR

            raise ProtocolError(f"{path}: {NOT_REGULAR}, not {_a(kind)} file")
        if info.st_size > max_bytes:
            raise ProtocolError(f"{path}: the file is {info.st_size} bytes; {_a(kind)} may be at most {max_bytes}")
        from rehab.files import read_bytes

        return read_bytes(path, max_bytes, f"{kind} file").decode("utf-8")
    except (FileNotFoundError, NotFound):
        raise NotFound(f"{path}: no such {kind} file") from None
    except IsADirectoryError:
        raise ProtocolError(f"{path}: is a folder, not {_a(kind)} file") from None
    except UnicodeDecodeError:
        raise ProtocolError(f"{path}: is not a UTF-8 text file") from None
    except OSError as exc:
        raise ProtocolError(f"{path}: cannot be read ({exc.strerror})") from None
    except ProtocolError:
        raise
    except RehabError as exc:  # from read_bytes: a folder, a FIFO, larger than the limit
        raise ProtocolError(str(exc)) from None


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def parse(text: str, origin: str) -> Protocol:
    """A protocol from its file's text, checked (or as checked before, from the cache)."""

    def check() -> dict:
        from rehab.protocols import schema

        model = checked(text, origin, schema.Protocol, "a protocol is a YAML mapping with id, name, phases, ...")
        return model.model_dump(mode="json")

    return json_cache.cached(json_cache.key("protocol", text), check, Protocol.from_data)


def checked(text: str, origin: str, model, shape: str):
    """YAML text read safely and validated as `model` (a protocol, an instrument); a problem
    raises ProtocolError naming the file, the field and its line."""
    from pydantic import ValidationError

    import yaml

    # libyaml's safe loader where PyYAML was built with it (ten times faster), else the
    # Python one; both construct plain data only.
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=safe_loader)  # noqa: S506 - a safe loader
    except RecursionError:  # '[[[[...' thousands deep
        raise ProtocolError(f"{origin}: not valid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ProtocolError(f"{origin}{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{origin}: {shape}")
    try:
        return model.model_validate(data)
    except RecursionError:
        raise ProtocolError(f"{origin}: nested too deeply") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        field = _dotted(loc) or "(top level)"
        line = _line_of(text, loc)
        where = f" (line {line})" if line else ""
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        more = len(exc.errors()) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ProtocolError(f"{origin}{where}: {field}: {message}{extra}") from None


def _dotted(loc: tuple) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def _line_of(text: str, loc: tuple) -> int | None:
    """The line of the deepest YAML node on the error's path, for a message a person can follow."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
            if node is None:  # an unknown key: point at the key itself
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _extra_dir(protocols_dir: str | Path | None) -> Path | None:
    chosen = protocols_dir or os.environ.get(ENV_DIR)
    if not chosen:
        return None
    path = Path(chosen).expanduser()
    if not path.is_dir():
        if path.exists():  # a file, a FIFO, /dev/zero: there, but not a folder
            raise RehabError(f"{path}: is not a folder; the protocols folder (--protocols-dir, {ENV_DIR}) "
                             "is a folder of protocol files")
        raise NotFound(f"{path}: the protocols folder does not exist")
    return path


def load_all(protocols_dir: str | Path | None = None) -> dict[str, Protocol]:
    """Built-in protocols, then the folder's, which replace a built-in with the same id."""
    return {pid: protocol for pid, (protocol, _) in load_all_with_origin(protocols_dir).items()}


def load_all_with_origin(protocols_dir: str | Path | None = None) -> dict[str, tuple[Protocol, str]]:
    """As load_all, each with where it came from: "built-in", "added from PATH" or
    "replaces the built-in (PATH)", so a list can say which plan a clinic's file replaced."""
    found: dict[str, tuple[Protocol, str]] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        protocol = load_file(path)
        found[protocol.id] = (protocol, "built-in")
    builtins = set(found)
    extra = _extra_dir(protocols_dir)
    if extra:
        # .json too: `protocols show --json` saved to a file is a protocol (JSON is YAML).
        for path in sorted([*extra.glob("*.yaml"), *extra.glob("*.yml"), *extra.glob("*.json")]):
            protocol = load_file(path)
            origin = f"replaces the built-in ({path})" if protocol.id in builtins else f"added from {path}"
            found[protocol.id] = (protocol, origin)
    return found


def builtin_ids() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def find(name: str, protocols_dir: str | Path | None = None) -> Protocol:
    """A protocol by id or alias, case-insensitive ("FHL release", "os trigonum excision").

    Never a path: every caller (patient add and edit, timeline, import, reports) names a
    protocol, and "../../elsewhere/evil" must not read a file outside the protocol folders:
    only a name that could be an id is looked up as a built-in's file name."""
    wanted_id = vocab.name_key(name).replace(" ", "-")
    if _extra_dir(protocols_dir) is None and _FILE_ID.match(wanted_id):
        builtin = BUILTIN_DIR / f"{wanted_id}.yaml"
        if builtin.is_file():
            return load_file(builtin)  # the common case, a stored id: read one file, not all
    protocols = load_all(protocols_dir)
    wanted = vocab.name_key(name)
    for protocol in protocols.values():
        names = [protocol.id, protocol.name, *protocol.aliases]
        if wanted in {vocab.name_key(n) for n in names}:
            return protocol
    raise NotFound(f"unknown procedure {_shown(name)}: use one of {', '.join(sorted(protocols))}")


def find_combined(names: str | list[str] | tuple[str, ...], protocols_dir: str | Path | None = None) -> Protocol:
    """The plan for one procedure or several done together: each name an id or alias, or
    ids joined with '+' (as a patient's combined `procedure` is stored). Several are
    combined by the contract's rules (rehab.protocols.combine)."""
    from rehab.protocols.combine import SEPARATOR, combine

    given = [names] if isinstance(names, str) else list(names)
    parts = [part for name in given for part in name.split(SEPARATOR)]
    if not parts or any(not part.strip() for part in parts):
        raise NotFound(f"unknown procedure {SEPARATOR.join(given)!r}: give procedure ids, one per --procedure or joined with '+'")
    found = {p.id: p for p in (find(part, protocols_dir) for part in parts)}
    if len(found) == 1:
        return next(iter(found.values()))
    # Combining checks the result with the schema (pydantic): cached, keyed on the data of
    # every protocol combined, so an edit to any of them makes a new combination.
    inputs = [json.dumps(found[pid].to_data(), sort_keys=True, ensure_ascii=False) for pid in sorted(found)]
    return json_cache.cached(json_cache.key("combined", *inputs), lambda: combine(list(found.values())).to_data(),
                             Protocol.from_data)


# What a built-in protocol's file is named after: its id.
_FILE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _shown(name) -> str:
    return repr(name if len(str(name)) <= 80 else str(name)[:80] + "…")
