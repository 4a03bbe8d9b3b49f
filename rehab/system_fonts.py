"""A font on this computer for characters the PDF's bundled font has no glyph for (a name in
Chinese, Japanese or Korean), found with fontconfig's fc-match and fc-list.

The only place rehab looks for fonts. The PDF commands hand `font_for` to the renderer
(documents.PlanDocument / ReportDocument `fonts`), which calls it only for characters it
cannot draw; nothing else runs it. Without fontconfig (Windows, a bare container) or without a
font that has the characters, it finds nothing and the PDF prints '?' for them, as it says.
"""

from __future__ import annotations

import subprocess

Face = tuple[str, int]  # a font file, and the face's index in it (a .ttc collection holds several)

READABLE = (".ttf", ".otf", ".ttc", ".otc")  # what fpdf2 embeds
REGULAR, BOLD = 80, 200  # fontconfig's weights


def font_for(chars: str, bold: bool = False) -> Face | None:
    """A face that has every one of `chars` (regular, or bold if asked and there is one),
    or None. Not cached here: a PDF asks once for each character it lacks."""
    chars = "".join(sorted(set(chars)))
    charset = " ".join(f"{ord(c):x}" for c in chars)
    # Only faces fontconfig lists as having every character: fc-match alone always answers,
    # with a font that lacks them if it must.
    having = {}
    for line in _run("fc-list", "--format", "%{file}\t%{index}\t%{weight}\n", f":charset={charset}"):
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].lower().endswith(READABLE) and parts[1].isdigit():
            having[(parts[0], int(parts[1]))] = _weight(parts[2])
    if not having:
        return None
    language = _language(chars)
    pattern = ("sans-serif:charset=" + charset + (f":lang={language}" if language else "")
               + (":weight=bold" if bold else ""))
    best = _run("fc-match", "--format", "%{file}\t%{index}\n", pattern)
    if best:
        file, _, index = best[0].partition("\t")
        if index.isdigit() and (file, int(index)) in having:
            return file, int(index)
    wanted = BOLD if bold else REGULAR
    return min(having, key=lambda face: (abs(having[face] - wanted), "serif" in face[0].lower(),
                                         "mono" in face[0].lower(), face))


def _language(chars: str) -> str | None:
    """The language whose glyph shapes suit the characters: Korean for Hangul, Japanese for
    kana; other Han characters are drawn as in Simplified Chinese (a name in kanji alone
    cannot be told from Chinese)."""
    codes = [ord(c) for c in chars]
    if any(0xAC00 <= c <= 0xD7AF or 0x1100 <= c <= 0x11FF or 0x3130 <= c <= 0x318F for c in codes):
        return "ko"
    if any(0x3040 <= c <= 0x30FF for c in codes):
        return "ja"
    if any(0x4E00 <= c <= 0x9FFF or 0x3400 <= c <= 0x4DBF for c in codes):
        return "zh-cn"
    return None


def _weight(text: str) -> int:
    """'80', or a variable font's '[80 200]' (its lightest)."""
    digits = text.strip("[]").split()
    return int(float(digits[0])) if digits and digits[0].replace(".", "", 1).isdigit() else REGULAR


def _run(*command: str) -> list[str]:
    """The lines a fontconfig tool prints; none if it is not installed or fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return done.stdout.splitlines() if done.returncode == 0 else []
