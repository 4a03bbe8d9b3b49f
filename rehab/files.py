"""Writing the user's files: whole or not at all, readable by the owner only."""

from __future__ import annotations

import io
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rehab.errors import Fault, NotFound, RehabError


# `--output -` is standard output, as for most tools: `rehab report ... --output - | less`
# (and `rehab import -` reads standard input).
STDOUT = "-"

# What every refusal of a FIFO, a device or a socket says after the path (an input file, an
# --output, the clinic file, a protocol, the database).
NOT_REGULAR = "is not a regular file (a pipe, device or socket)"


def is_stdout(path: str | Path) -> bool:
    return str(path) == STDOUT


def describe(path: str | Path) -> str:
    return "standard output" if is_stdout(path) else str(Path(path).expanduser())


def read_bytes(path: str | Path, limit: int, what: str = "file") -> bytes:
    """A whole regular file (or standard input for "-"), at most `limit` bytes.

    Opened without blocking and checked after opening, so a FIFO named like a protocol can
    never hang a command, nor /dev/zero fill the memory; the limit holds while reading,
    whatever the file's size said (standard input, /proc files, a growing file)."""
    if is_stdout(path):
        return _read_limited(sys.stdin.buffer, limit, "standard input", what)
    shown = describe(path)
    try:
        fd = os.open(Path(path).expanduser(), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise NotFound(f"{shown}: no such file") from None
    except PermissionError:
        raise RehabError(f"{shown}: cannot be read (permission denied)") from None
    except OSError as exc:  # a symlink loop, a name too long, an I/O error
        raise RehabError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    try:
        kind = os.fstat(fd).st_mode
        if stat.S_ISDIR(kind):
            raise RehabError(f"{shown}: is a folder, not a {what}")
        if not stat.S_ISREG(kind):
            raise RehabError(f"{shown}: {NOT_REGULAR}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        return _read_limited(handle, limit, shown, what)


def _read_limited(handle, limit: int, shown: str, what: str) -> bytes:
    chunks, size = [], 0
    try:
        while chunk := handle.read(min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise RehabError(f"{shown}: larger than a {what} may be ({_size(limit)})")
    except OSError as exc:  # EIO and the like, as from /proc/self/mem
        raise RehabError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // (1 << 20)} MiB" if limit >= 1 << 20 else f"{limit // 1024} KiB"


def check_writable(path: str | Path, force: bool, binary: bool = False) -> Path:
    """Refuse early, before any work, when the file exists and --force was not given."""
    if is_stdout(path):
        if binary and sys.stdout.isatty():
            raise RehabError("this format is binary: send it to a file (> FILE) or give --output FILE")
        return Path(STDOUT)
    target = Path(path).expanduser()
    if target.is_dir():
        raise RehabError(f"{target} is a folder; give a file name for --output")
    _only_regular(target)
    if target.exists() and not force:
        raise RehabError(f"{target} already exists; use --force to replace it")
    if not target.parent.is_dir():
        raise RehabError(f"the folder {target.parent} does not exist")
    return target


def _only_regular(target: Path) -> None:
    """--force replaces a file, never a FIFO, a device (as root, /dev/null) or a socket."""
    try:
        kind = target.stat().st_mode
    except OSError:  # not there (or a dangling link): nothing to protect
        return
    if not stat.S_ISREG(kind):
        raise RehabError(f"{target} {NOT_REGULAR}; rehab writes only regular files")


# Our temporary files: ".NAME.rehab-XXXXXXXX.tmp" beside the target. One left by a kill
# that no handler sees (SIGKILL, a power cut) is removed by the next write in that folder
# once it is older than STALE_SECONDS: no write of ours runs that long without touching it.
TEMP_MARK = ".rehab-"
STALE_SECONDS = 15 * 60


def _remove_stale_temporaries(folder: Path) -> None:
    for path in _stale(folder, lambda n: n.startswith(".") and TEMP_MARK in n and n.endswith(".tmp"), stat.S_ISREG):
        try:
            path.unlink()
        except OSError:  # gone meanwhile
            continue


def _stale(folder: Path, ours, kind) -> list[Path]:
    """Our leftovers in a folder: names `ours` accepts, of the `kind` (stat.S_ISREG, S_ISDIR),
    owned by this user and untouched for STALE_SECONDS."""
    import time

    limit = time.time() - STALE_SECONDS
    try:
        names = [n for n in os.listdir(folder) if ours(n)]
    except OSError:
        return []
    found = []
    for name in names:
        path = folder / name
        try:
            info = path.lstat()
            if kind(info.st_mode) and info.st_uid == os.getuid() and info.st_mtime < limit:
                found.append(path)
        except (OSError, AttributeError):  # gone meanwhile, no getuid (Windows)
            continue
    return found


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
    _remove_stale_temporaries(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{TEMP_MARK}", suffix=".tmp", dir=target.parent)
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
            _only_regular(target)  # again: it may have been swapped for a FIFO meanwhile
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


# A command's own temporary folders (the parts of a clinic's PDF), in the system's temporary
# folder: "rehab-parts-XXXXXXXX". One left by a kill no handler sees is removed by the next
# command that makes one, once it is older than STALE_SECONDS.
PRIVATE_PREFIX = "rehab-parts-"


@contextmanager
def private_folder() -> Iterator[Path]:
    """An owner-only (0700) temporary folder, removed with all it holds when the block ends,
    however it ends (an error, Ctrl-C, SIGTERM or SIGHUP: rehab.cli makes those unwind)."""
    base = Path(tempfile.gettempdir())
    _remove_stale_folders(base)
    try:
        path = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX, dir=base))
    except OSError as exc:
        raise Fault(f"cannot make a temporary folder in {base}: {exc.strerror or exc}") from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _remove_stale_folders(base: Path) -> None:
    for path in _stale(base, lambda n: n.startswith(PRIVATE_PREFIX), stat.S_ISDIR):
        shutil.rmtree(path, ignore_errors=True)
