"""Free text a person types (names, surgeon, --by, notes): one set of rules, applied by
every command and by import, so SQLite and PostgreSQL hold the same things. Pure.

- A one-line field (a name, the surgeon, who acknowledged) has its runs of whitespace,
  newlines and tabs included, made one space; at most LINE_LIMIT characters.
- A note keeps its lines and tabs (a carriage return is made a newline); at most NOTE_LIMIT.
- Any other control character is refused, in both: NUL, the escape that starts a terminal
  sequence, backspace, bell, DEL and the C1 controls. Printed back by `history` or
  `patient show`, they would rewrite the user's terminal; a NUL ends text in C and
  PostgreSQL refuses it.
"""

from __future__ import annotations

import unicodedata

from rehab.errors import RehabError

LINE_LIMIT = 200
NOTE_LIMIT = 2000


def _control(value: str, allowed: str = "") -> str | None:
    """The first control character (or undecodable byte) not allowed in value, or None."""
    if value.isprintable():  # the common case, at C speed: no control character at all
        return None
    for char in value:
        if char not in allowed and unicodedata.category(char) in ("Cc", "Cs"):
            return char
    return None


def _named(char: str) -> str:
    if unicodedata.category(char) == "Cs":  # how Python keeps a byte that was not UTF-8
        return "bytes that are not UTF-8 text"
    return {"\x00": "a NUL byte", "\x1b": "an escape character (terminal sequence)"}.get(
        char, f"a control character (U+{ord(char):04X})")


def line(value: str | None, what: str, limit: int = LINE_LIMIT) -> str | None:
    """A one-line field, cleaned; None (or only spaces) gives None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RehabError(f"{what} must be text")
    cleaned = " ".join(value.split())
    bad = _control(cleaned)
    if bad is not None:
        raise RehabError(f"{what} may not contain {_named(bad)}")
    if len(cleaned) > limit:
        raise RehabError(f"{what} may be at most {limit} characters")
    return cleaned or None


def note(value: str | None, what: str = "a note", limit: int = NOTE_LIMIT) -> str | None:
    """A note as typed, its lines kept; None stays None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RehabError(f"{what} must be text")
    cleaned = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _control(cleaned, "\n\t")
    if bad is not None:
        raise RehabError(f"{what} may not contain {_named(bad)}")
    if len(cleaned) > limit:
        raise RehabError(f"{what} may be at most {limit} characters")
    return cleaned

