"""Checked protocols, cached, so a daily command does not parse YAML and build the pydantic
validators every morning (about a tenth of `rehab today`'s start-up).

An entry is keyed by the file's path, size, modification time and the rehab and pydantic
versions: any edit to the file, or an upgrade, makes it miss (see rehab.cache for who may
write an entry).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from rehab import __version__, cache


def _key(path: Path, info: os.stat_result) -> tuple:
    import pydantic

    return (str(path.resolve()), info.st_size, info.st_mtime_ns, __version__, pydantic.VERSION, _models_digest())


MODELS = Path(__file__).with_name("models.py")


def _models_digest() -> str:
    """The pickled protocols are instances of the models in models.py: a change there, even
    without a new version number, makes every entry miss."""
    try:
        return hashlib.sha256(MODELS.read_bytes()).hexdigest()
    except OSError:  # installed without sources
        return ""


def _entry(path: Path) -> Path:
    return cache.folder() / "protocols" / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32] + ".pickle")


def read(path: Path, info: os.stat_result):
    """The cached protocol for this version of the file, or None."""
    return cache.read(_entry(path), _key(path, info))


def write(path: Path, info: os.stat_result, protocol) -> None:
    cache.write(_entry(path), _key(path, info), protocol)
