"""A small cache of pickled values in the user's cache folder, for work a daily command
would otherwise repeat on every run: checked protocols, the database schema.

Each entry holds its key beside its value, and a reader gets the value only when the key
matches exactly: any change to what the value was made from is a miss. The folder is the
user's own (0700); an entry is read only if the user owns it and nobody else can write it.
A cache that cannot be read or written is simply not used: never an error. Where the owner
of a file cannot be checked (Windows) it is not used at all.
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


def usable() -> bool:
    """Only where the owner of an entry can be checked (not on Windows)."""
    return hasattr(os, "getuid")


def read(entry: Path, key):
    """The value stored under this key, or None."""
    if not usable():
        return None
    try:
        # O_NOFOLLOW: a link planted in place of an entry is not followed.
        with os.fdopen(os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as handle:
            mine = os.fstat(handle.fileno())
            if mine.st_uid != os.getuid() or mine.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            stored_key, value = pickle.load(handle)  # noqa: S301 - our own file, checked above
    except Exception:  # noqa: BLE001 - a broken cache is a miss, never an error
        return None
    return value if stored_key == key else None


def write(entry: Path, key, value) -> None:
    """Store a value atomically (a reader sees the old entry or the new, never half)."""
    if not usable():
        return
    tmp = None
    try:
        # Entries sit one folder below the cache folder; both are the user's own.
        folder().mkdir(parents=True, mode=0o700, exist_ok=True)
        entry.parent.mkdir(mode=0o700, exist_ok=True)
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
