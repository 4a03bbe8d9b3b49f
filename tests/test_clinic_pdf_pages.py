"""The clinic's `report --all` PDF, joined from parts, keeps each page's paper size."""

from __future__ import annotations

import pypdf

from conftest import ok


def test_every_page_of_the_clinic_pdf_is_a4(rehab, isolated):
    """The joined pages lost the size their part's page tree gave them: a viewer showed them
    as Letter, and the top of A4 (the summary's title) was cut off."""
    for name in ("Ann Lee", "Bob Roy"):
        ok(rehab("patient", "add", name, "--surgery-date", "2026-03-02", "--procedure", "fhl-release"))
    out = isolated / "clinic.pdf"
    ok(rehab("report", "--all", "--format", "pdf", "--output", out, "--date", "2026-03-20"))
    pages = pypdf.PdfReader(out).pages
    assert len(pages) > 2
    for page in pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert pages[0].extract_text().startswith("Who needs attention")
