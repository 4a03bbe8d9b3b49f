"""Protocols already checked, kept as JSON, so that a daily command reads its protocol
without importing PyYAML or pydantic (measured in issue 12: about 60 ms of `rehab today`).

An entry is plain data, never pickled, named by a SHA-256 of every input its content depends
on: the protocol file's text (or, for procedures combined, the data of each protocol), the
source of the code that reads, checks and combines protocols, and the installed PyYAML and
pydantic. A changed file, rule or library gives another name, so a stale entry is never read.
An entry that cannot be read or is not of the right shape is rebuilt: the cache only ever
saves time. Writing is best effort (a read-only home folder still works), private (0600 in a
0700 folder), and whole (a temporary file renamed).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = b"rehab protocol cache 1"
MAX_BYTES = 4 * 1024 * 1024  # a protocol's JSON is ~30 KB; anything far larger is not ours
_HERE = Path(__file__).parent
_CODE = ("loader.py", "schema.py", "models.py", "combine.py")
_LIBRARIES = ("yaml", "pydantic", "pydantic_core")
_code_digest: bytes | None = None


def key(kind: str, *inputs: str) -> str:
    """The entry name for a result of `kind` built from `inputs` by the current code."""
    digest = hashlib.sha256(_code())
    for part in (kind, *inputs):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def cached(name: str, build: Callable[[], dict], load: Callable[[dict], T]) -> T:
    """load(the entry `name`), or, when there is none that loads, load(build()) after
    writing what build() returned as the entry."""
    path = _folder() / f"{name}.json"
    data = _read(path)
    if data is not None:
        try:
            return load(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # not what this code writes: build it again
    data = build()
    _write(path, data)
    return load(data)


def _code() -> bytes:
    global _code_digest
    if _code_digest is None:
        from importlib.util import find_spec

        digest = hashlib.sha256(FORMAT)
        for name in _CODE:
            digest.update((_HERE / name).read_bytes())
        for library in _LIBRARIES:  # an upgrade rewrites its files: their size and time change
            spec = find_spec(library)
            origin = spec.origin if spec and spec.origin else ""
            info = os.stat(origin) if origin else None
            digest.update(f"{library}:{origin}:{info and info.st_size}:{info and info.st_mtime_ns}".encode())
        _code_digest = digest.digest()
    return _code_digest


def _folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rehab")) / "protocols"


def _read(path: Path) -> dict | None:
    # O_NONBLOCK and O_NOFOLLOW: a FIFO or a link put in its place never hangs or misleads us.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = json.loads(handle.read(MAX_BYTES + 1))
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        os.close(fd)
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict) -> None:
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, path)
        tmp = None
    except (OSError, TypeError, ValueError):
        pass  # no cache this time: the protocol was checked and is used all the same
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
