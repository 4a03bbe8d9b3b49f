"""Patient fields as the user types them: ids made from names, sides, names. Pure."""

from __future__ import annotations

import re
import unicodedata

from rehab import text as text_field
from rehab.errors import RehabError

# Letters NFKD does not split into a base letter and an accent.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
                       "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def slug(name: str) -> str:
    """'Zoë Łukasiewicz' -> 'zoe-lukasiewicz': lower case, ASCII, hyphens."""
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return text[:48].rstrip("-") or "patient"


def unique_id(name: str, taken: set[str]) -> str:
    base = slug(name)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def clean_id(text: str) -> str:
    value = text.strip().lower()
    if not _ID.match(value):
        raise RehabError(f"a patient id is lower-case letters, digits and hyphens (at most 64), not {text!r}")
    return value


def clean_name(text: str) -> str:
    value = text_field.line(text, "a patient's name")
    if not value:
        raise RehabError("a patient needs a name")
    return value


def clean_side(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("l", "left"):
        return "left"
    if value in ("r", "right"):
        return "right"
    raise RehabError(f"side must be left or right, not {text!r}")


def clean_optional(text: str | None, what: str, limit: int = text_field.LINE_LIMIT) -> str | None:
    return text_field.line(text, what, limit)
