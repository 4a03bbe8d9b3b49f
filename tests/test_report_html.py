"""The HTML `report --all` (issue 18, item 15): urgent rows in bold as in the PDF, each patient
in the attention table linked to their report, headings kept with what follows in print."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser

from rehab import deviations, report
from rehab import timeline as tl
from rehab.model import Entry, Patient, PatientRecord
from rehab.protocols import find
from rehab.render import documents, formats
from rehab.render.documents import ReportDocument

SURGERY = date(2026, 3, 2)
AS_OF = SURGERY + timedelta(days=20)


def built(pid: str, name: str, urgent: bool) -> dict:
    entries = [Entry(SURGERY + timedelta(days=d), pain=3, weight_bearing="partial" if d < 14 else "as-tolerated",
                     boot=d < 14, activity="rest", symptoms=("calf-pain",) if urgent and d == 18 else (),
                     milestones=(), note=None) for d in range(21)]
    rec = PatientRecord(Patient(pid, name, SURGERY, "fhl-release", "left", None), entries)
    plan = tl.build(find("fhl-release"), SURGERY)
    return report.build(rec, plan, deviations.evaluate(plan, rec.entries, AS_OF), {}, AS_OF, None, None)


def html_all(reports: list[dict]) -> str:
    handle = io.StringIO()
    summarize = lambda done: report.attention_order([report.summary_row(r) for r in done])  # noqa: E731
    formats.REPORT["html"].write(handle, ReportDocument(reports, (), summarize))
    return handle.getvalue()


class Rows(HTMLParser):
    """The attention table's rows (class, link, cells) and every element's id with the text of
    the first h1 inside it."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[dict] = []
        self.ids: dict[str, str] = {}
        self._in_summary = False
        self._cell: list[str] | None = None
        self._pending_id: str | None = None
        self._in_h1 = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "summary" in (attrs.get("class") or ""):
            self._in_summary = True
        if self._in_summary and tag == "tr":
            self.rows.append({"class": attrs.get("class") or "", "href": None, "cells": []})
        if self._in_summary and tag == "td":
            self._cell = []
        if self._in_summary and tag == "a" and self.rows:
            self.rows[-1]["href"] = attrs.get("href")
        if "id" in attrs:
            self._pending_id = attrs["id"]
            self.ids[attrs["id"]] = ""
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_summary = False
        if tag == "td" and self._cell is not None and self.rows:
            self.rows[-1]["cells"].append("".join(self._cell))
            self._cell = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_h1 and self._pending_id:
            self.ids[self._pending_id] = data
            self._pending_id = None


def test_urgent_rows_are_bold_and_each_patient_links_to_their_report():
    reports = [built("amir", "Amir Haddad", False), built("zoe", "Zoë Ł <b>", True)]
    html = html_all(reports)
    parsed = Rows(html)
    rows = [r for r in parsed.rows if r["cells"]]
    assert [r["cells"][0] for r in rows] == ["Zoë Ł <b> (zoe)", "Amir Haddad (amir)"]
    # bold exactly where the PDF bolds: an open urgent flag
    assert [("urgent" in r["class"].split()) for r in rows] == [True, False]
    assert re.search(r"\.urgent td \{[^}]*font-weight: bold", html)
    for row, name in zip(rows, ("Zoë Ł <b>", "Amir Haddad")):
        assert row["href"].startswith("#")
        assert parsed.ids[row["href"][1:]] == f"Progress report: {name}"


def test_anchors_are_safe_distinct_ids_for_any_patient_id():
    odd = ['a"b<c>', "a b", "a_b", "a-b", "ünï", "x" * 64]
    anchors = [documents.anchor(pid) for pid in odd]
    assert len(set(anchors)) == len(odd)
    assert all(re.fullmatch(r"patient-[A-Za-z0-9_-]+", a) for a in anchors)
    html = html_all([built('a"b<c>', "Odd Id", True)])
    parsed = Rows(html)
    row = next(r for r in parsed.rows if r["cells"])
    assert parsed.ids[row["href"][1:]] == "Progress report: Odd Id"
    assert 'a"b<c>' not in html  # the id is escaped wherever it is printed


def test_a_heading_is_kept_with_what_follows_on_a_printed_page():
    """The "Flags" heading was left alone at the foot of a printed page."""
    html = html_all([built("zoe", "Zoë", True)])
    style = html.split("<style>")[1].split("</style>")[0]
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", style)
    assert any("h2" in [s.strip() for s in selectors.split(",")] and "break-after: avoid" in body
               for selectors, body in rules)
