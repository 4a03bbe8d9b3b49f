"""Free text a person types (names, surgeon, --by, notes): one set of rules, applied by
every command and by import, so SQLite and PostgreSQL hold the same things. Pure.

- A one-line field (a name, the surgeon, who acknowledged) has its runs of whitespace,
  newlines and tabs included, made one space; at most LINE_LIMIT characters.
- A note keeps its lines and tabs (a carriage return is made a newline); at most NOTE_LIMIT.
- Any other control character is refused, in both: NUL, the escape that starts a terminal
  sequence, backspace, bell, DEL and the C1 controls. Printed back by `history` or
  `patient show`, they would rewrite the user's terminal; a NUL ends text in C and
  PostgreSQL refuses it.
- So are the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069,
  the "Trojan Source" characters): printed by `patient list`, they make a terminal show the
  rest of the line reversed. Right-to-left letters (Arabic, Hebrew) are kept as typed.
- A one-line field with characters but none visible (only U+200B, say) is refused: a name
  that prints as nothing names no one.
"""

from __future__ import annotations

import unicodedata

from rehab.errors import RehabError

LINE_LIMIT = 200
NOTE_LIMIT = 2000


# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO), then isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols by category that show nothing: the Hangul fillers, the blank braille cell.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _control(value: str, allowed: str = "") -> str | None:
    """The first control character (or undecodable byte, or bidirectional control) not
    allowed in value, or None."""
    if value.isprintable():  # the common case, at C speed: no control character at all
        return None
    for char in value:
        if char not in allowed and (unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS):
            return char
    return None


def _named(char: str) -> str:
    if unicodedata.category(char) == "Cs":  # how Python keeps a byte that was not UTF-8
        return "bytes that are not UTF-8 text"
    if char in BIDI_CONTROLS:
        return f"a bidirectional control character (U+{ord(char):04X}), which can make text show reversed"
    return {"\x00": "a NUL byte", "\x1b": "an escape character (terminal sequence)"}.get(
        char, f"a control character (U+{ord(char):04X})")


def visible(value: str) -> bool:
    """Whether the text has a character that shows: a letter, digit, punctuation or symbol
    (not only spaces, zero-width characters, combining marks or fillers)."""
    return any(unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_LETTERS for char in value)


def control_problem(value: str, allowed: str = "\n\t") -> str | None:
    """What is wrong with text a file holds ("may not contain a NUL byte"), or None: for
    checks that say it their own way (a protocol file's field and line)."""
    bad = _control(value, allowed)
    return None if bad is None else f"may not contain {_named(bad)}"


def plain(value: str, what: str) -> str:
    """Text kept exactly as given (an id or a name the file holds), refused if it holds a
    control character of any kind."""
    bad = _control(value)
    if bad is not None:
        raise RehabError(f"{what} may not contain {_named(bad)}")
    return value


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
    if cleaned and not visible(cleaned):
        raise RehabError(f"{what} has no visible character")
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

