"""A cache of checked protocols, so a daily command does not parse YAML and build the
pydantic validators every morning (about a tenth of `rehab today`'s start-up).

An entry is keyed by the file's path, size, modification time and the rehab and pydantic
versions: any edit to the file, or an upgrade, makes it miss. The folder is the user's own
(0700) and an entry is read only if the user owns it and nobody else can write it; a cache
that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
from pathlib import Path

from rehab import __version__


def _folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rehab", appauthor=False)) / "protocols"


def _key(path: Path, info: os.stat_result) -> tuple:
    import pydantic

    return (str(path.resolve()), info.st_size, info.st_mtime_ns, __version__, pydantic.VERSION)


def _entry(path: Path) -> Path:
    return _folder() / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32] + ".pickle")


def read(path: Path, info: os.stat_result):
    """The cached protocol for this version of the file, or None."""
    entry = _entry(path)
    try:
        with open(entry, "rb") as handle:
            mine = os.fstat(handle.fileno())
            if mine.st_uid != os.getuid() or mine.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            key, protocol = pickle.load(handle)  # noqa: S301 - our own file, checked above
    except Exception:  # noqa: BLE001 - a broken cache is a miss, never an error
        return None
    return protocol if key == _key(path, info) else None


def write(path: Path, info: os.stat_result, protocol) -> None:
    entry = _entry(path)
    try:
        entry.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")  # 0600
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((_key(path, info), protocol), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is not used
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
