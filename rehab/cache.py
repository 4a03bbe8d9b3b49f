"""A small cache of pickled values in the user's cache folder, for work a daily command
would otherwise repeat on every run: checked protocols, the database schema.

Each entry holds its key beside its value, and a reader gets the value only when the key
matches exactly: any change to what the value was made from is a miss. The folder is the
user's own (0700); an entry is read only if the user owns it and nobody else can write it.
A cache that cannot be read or written is simply not used: never an error.
"""

from __future__ import annotations

import os
import pickle
import stat
import tempfile
from pathlib import Path


def folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rehab", appauthor=False))


def read(entry: Path, key):
    """The value stored under this key, or None."""
    try:
        with open(entry, "rb") as handle:
            mine = os.fstat(handle.fileno())
            if mine.st_uid != os.getuid() or mine.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            stored_key, value = pickle.load(handle)  # noqa: S301 - our own file, checked above
    except Exception:  # noqa: BLE001 - a broken cache is a miss, never an error
        return None
    return value if stored_key == key else None


def write(entry: Path, key, value) -> None:
    """Store a value atomically (a reader sees the old entry or the new, never half)."""
    tmp = None
    try:
        entry.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")  # 0600
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((key, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is not used
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
