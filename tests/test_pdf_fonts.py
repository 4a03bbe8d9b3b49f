"""Names in Chinese, Japanese or Korean in PDFs (issue 18, item 16): drawn from a system font
found with fontconfig when the computer has one, else printed as '?' with one line saying which
characters could not be drawn. These tests pass on a computer with or without such a font: each
says which it expects, from fontconfig asked directly."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pypdf
import pytest

from rehab import system_fonts
from rehab import timeline as tl
from rehab.protocols import find
from rehab.render import chart, formats, pdf
from rehab.render.documents import PlanDocument

NAME = "王小明"
SURGERY = date(2026, 3, 2)


def computer_has_a_font_for(chars: str) -> bool:
    """Asked of fontconfig directly, not through rehab."""
    if not shutil.which("fc-list"):
        return False
    charset = " ".join(f"{ord(c):x}" for c in chars)
    listed = subprocess.run(["fc-list", f":charset={charset}", "file"], capture_output=True, text=True)
    return bool(listed.stdout.strip())


CJK = computer_has_a_font_for(NAME + "김민준やま")


@pytest.fixture
def no_fonts(tmp_path, monkeypatch):
    """fontconfig configured with no font folders: as a computer without a CJK font."""
    conf = tmp_path / "fonts.conf"
    conf.write_text("<?xml version='1.0'?>\n<fontconfig></fontconfig>\n")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))


def pdf_text(path_or_bytes) -> str:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    # pypdf reads the CJK font's codes with a NUL before each character (pdftotext does not)
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(p.extract_text().replace("\x00", "").split()) for p in pages)


def embedded_fonts(data: bytes) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


# --- finding a font -------------------------------------------------------------------------------

def test_without_fontconfig_no_font_is_found_and_nothing_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match, no fc-list
    assert system_fonts.font_for(NAME) is None


def test_with_no_font_that_has_the_characters_none_is_found(no_fonts):
    assert system_fonts.font_for(NAME) is None


def test_a_font_found_has_every_character_asked_for():
    face = system_fonts.font_for(NAME + "김민준")
    if not CJK:
        assert face is None
        return
    from fontTools.ttLib import TTFont

    cmap = TTFont(face[0], fontNumber=face[1], lazy=True).getBestCmap()
    assert all(ord(ch) in cmap for ch in NAME + "김민준")


def test_fonts_are_looked_for_only_for_characters_the_bundled_font_lacks():
    asked: list[tuple[str, bool]] = []

    def finder(chars: str, bold: bool):
        asked.append((chars, bold))
        return None

    plan = tl.build(find("fhl-release"), SURGERY)
    person = {"id": "z", "name": "Zoë Łukasiewicz-Ó Ceallaigh", "surgeon": "Siobhán"}
    formats.TIMELINE["pdf"].write(io.BytesIO(), PlanDocument(plan, person, SURGERY, fonts=finder))
    assert asked == []
    missing = formats.TIMELINE["pdf"].write(io.BytesIO(), PlanDocument(plan, {**person, "name": NAME}, SURGERY,
                                                                       fonts=finder))
    assert missing == "".join(sorted(NAME))
    # only about those characters, a bounded number of times, never for a bold face of none
    assert set("".join(chars for chars, _ in asked)) == set(NAME)
    assert 0 < len(asked) <= pdf.MOST_FONT_LOOKUPS and not any(bold for _, bold in asked)
    # each question once, though the plan is drawn at several scales until it fits a page
    assert len(asked) == len(set(asked))


# --- the documents --------------------------------------------------------------------------------

def test_a_name_in_chinese_korean_or_japanese_is_drawn_or_said_to_be_missing():
    plan = tl.build(find("fhl-release"), SURGERY)
    name = f"{NAME} Zoë 김민준 やまだ"
    handle = io.BytesIO()
    missing = formats.TIMELINE["pdf"].write(handle, PlanDocument(plan, {"id": "w", "name": name}, SURGERY,
                                                                 fonts=system_fonts.font_for))
    text = pdf_text(handle.getvalue())
    if CJK:
        assert missing == ""
        # the text after the name keeps its own glyphs (fpdf2 left the fallback font in force,
        # and "Procedure" came out as other letters); pypdf drops some spaces between scripts
        assert f"Patient:{name}Procedure:FHLtendonrelease".replace(" ", "") in "".join(text.split())
        assert "Your recovery plan" in text and "Procedure: FHL tendon release" in text
        assert any("DejaVu" not in font for font in embedded_fonts(handle.getvalue()))
    else:
        assert set(missing) == set(NAME + "김민준やまだ")
        assert "Patient: ??? Zoë" in text


def test_chart_labels_draw_characters_from_the_fallback_font():
    doc = pdf._Document("a4", "t", fonts=system_fonts.font_for)
    doc.add_page()
    item = chart.Chart(100, 10, "t")
    item.add(chart.Label(1, 5, f"{NAME} day 3", 3.0), chart.Label(1, 9, "after it (ok)", 3.0))
    doc.chart(item)
    text = pdf_text(bytes(doc.output()))
    if CJK:
        assert f"{NAME} day 3" in text and "after it (ok)" in text and not doc.undrawable
    else:
        assert "??? day 3" in text and doc.undrawable == set(NAME)


def plan_and_report(rehab, folder) -> list:
    """`timeline` and `report` as PDFs for a patient named NAME: (result, file) for each."""
    assert rehab("patient", "add", NAME, "--surgery-date", "2026-03-02", "--procedure", "fhl-release",
                 "--id", "wang").exit_code == 0
    done = []
    for command in (("timeline", "--patient", "wang"), ("report", "--patient", "wang", "--date", "2026-03-20")):
        out = folder / f"{command[0]}.pdf"
        result = rehab(*command, "--format", "pdf", "--output", out)
        assert result.exit_code == 0, result.stderr
        done.append((result, out))
    return done


def test_the_commands_say_which_characters_could_not_be_drawn(rehab, tmp_path, no_fonts):
    for result, out in plan_and_report(rehab, tmp_path):
        lines = [line for line in result.stderr.splitlines() if "cannot draw" in line]
        assert len(lines) == 1 and "".join(sorted(NAME)) in lines[0] and "'?'" in lines[0]
        assert "???" in pdf_text(out)


def test_the_commands_draw_the_name_when_the_computer_has_a_font(rehab, tmp_path):
    for result, out in plan_and_report(rehab, tmp_path):
        if CJK:
            assert "cannot draw" not in result.stderr and NAME in pdf_text(out)
        else:  # this computer has no such font: the clear '?' message instead
            assert "cannot draw" in result.stderr and "???" in pdf_text(out)


def test_a_tab_in_a_note_prints_as_a_space_and_no_library_warning(rehab, tmp_path):
    """fpdf2 once logged "Font MPDFAA+DejaVuSansCondensed is missing the following glyphs" to
    the terminal for a tab typed in a note."""
    assert rehab("patient", "add", "Ana", "--surgery-date", "2026-03-02", "--procedure", "fhl").exit_code == 0
    assert rehab("log", "--date", "2026-03-04", "--pain", "3", "--wb", "PWB", "--note", "\tTab\there").exit_code == 0
    out = tmp_path / "r.pdf"
    result = rehab("report", "--format", "pdf", "--output", out, "--to", "2026-03-10")
    assert result.exit_code == 0 and "glyph" not in result.stderr and "Font" not in result.stderr, result.stderr
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "Tab here" in " ".join(text.split())
