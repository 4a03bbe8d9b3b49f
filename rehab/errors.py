"""Errors the user can act on. The CLI turns them into one line on stderr and an exit status."""


class RehabError(Exception):
    """Bad input, a usage error, or something named that does not exist: exit status 2."""

    exit_code = 2


class NotFound(RehabError):
    """A patient, protocol or file that was named does not exist."""


class ProtocolError(RehabError):
    """A protocol file that cannot be used; the message names the file and the field."""


class Fault(Exception):
    """The surroundings failed (disk full, read-only database, damaged file): exit status 1.
    The message is still one plain line; nothing was written."""

    exit_code = 1


class StoreError(Fault):
    """The database cannot be used (not a database, read-only, disk full, too new)."""
