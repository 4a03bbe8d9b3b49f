"""Writing the user's files: whole or not at all, readable by the owner only."""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rehab.errors import Fault, RehabError


# `--output -` is standard output, as for most tools: `rehab report ... --output - | less`
# (and `rehab import -` reads standard input).
STDOUT = "-"


def is_stdout(path: str | Path) -> bool:
    return str(path) == STDOUT


def describe(path: str | Path) -> str:
    return "standard output" if is_stdout(path) else str(Path(path).expanduser())


def check_writable(path: str | Path, force: bool, binary: bool = False) -> Path:
    """Refuse early, before any work, when the file exists and --force was not given."""
    if is_stdout(path):
        if binary and sys.stdout.isatty():
            raise RehabError("this format is binary: send it to a file (> FILE) or give --output FILE")
        return Path(STDOUT)
    target = Path(path).expanduser()
    if target.is_dir():
        raise RehabError(f"{target} is a folder; give a file name for --output")
    if target.exists() and not force:
        raise RehabError(f"{target} already exists; use --force to replace it")
    if not target.parent.is_dir():
        raise RehabError(f"the folder {target.parent} does not exist")
    return target


@contextmanager
def atomic_output(path: str | Path, force: bool = False, binary: bool = False) -> Iterator[IO]:
    """A handle on a temporary file beside the target; moved into place only if the block
    finishes, so a failure or a kill leaves no half-written file. Streams, so a large
    report never has to fit in memory. Standard output is written as it goes."""
    if is_stdout(path):  # the command checked it early (check_writable), as it does a file
        with _spooled_stdout(binary) as handle:
            yield handle
        return
    target = check_writable(path, force)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise RehabError(f"cannot write in {target.parent}: {exc.strerror}") from None
    try:
        # mkstemp files are already 0600.
        mode = "wb" if binary else "w"
        with os.fdopen(fd, mode, **({} if binary else {"encoding": "utf-8", "newline": ""})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(tmp, target)
        else:
            # link() fails if the name appeared meanwhile: never clobber without --force.
            os.link(tmp, target)
            os.unlink(tmp)
    except FileExistsError:
        _discard(tmp)
        raise RehabError(f"{target} already exists; use --force to replace it") from None
    except OSError as exc:  # disk full, quota, I/O error: the surroundings, not the input
        _discard(tmp)
        raise Fault(f"cannot write {target}: {exc.strerror or exc}; nothing was written") from None
    except BaseException:
        _discard(tmp)
        raise


@contextmanager
def _spooled_stdout(binary: bool) -> Iterator[IO]:
    """Standard output, whole or not at all too: the document is kept (in memory, then in
    an owner-only temporary file) and copied out only when the block finishes, as UTF-8
    with the document's own line endings, whatever the terminal's locale."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b") as spool:
        handle = spool if binary else io.TextIOWrapper(spool, encoding="utf-8", newline="")
        yield handle
        handle.flush()
        if not binary:
            handle.detach()  # leave the spool open
        spool.seek(0)
        sys.stdout.flush()
        shutil.copyfileobj(spool, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def write_private(path: str | Path, data: bytes | str, force: bool = False) -> Path:
    """Write a whole document at once (see atomic_output)."""
    binary = isinstance(data, bytes)
    with atomic_output(path, force, binary=binary) as handle:
        handle.write(data)
    return Path(path).expanduser()


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
