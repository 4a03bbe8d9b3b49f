"""HTML documents from the Jinja2 templates beside this module. Autoescape is on: every
text a user wrote (names, notes) is escaped; only our own SVG charts are marked safe.
Nothing is loaded from the network: styles are inline, charts are inline SVG."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from rehab import wording
from rehab.render import chart, documents, outcome_report

PAGE_SIZE = {"a4": "A4", "letter": "letter"}


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("rehab.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _svg(item: chart.Chart) -> Markup:
    return Markup(chart.to_svg(item))  # to_svg escapes every text it writes


def write_timeline(handle, document: documents.PlanDocument) -> None:
    page = documents.timeline_page(document)
    handle.write(_environment().get_template("timeline.html").render(
        title=page["title"], notice=page["notice"], paper=PAGE_SIZE[documents.paper_size(document.paper)],
        page=page, band=_svg(page["band"]),
    ))


def write_reports(handle, document: documents.ReportDocument) -> None:
    handle.write(_reports(*documents.linked_pages(document)))


def _row_classes(summary: list[list[str]] | None) -> list[str] | None:
    if summary is None:
        return None
    urgent = documents.urgent_rows(summary)  # once: a clinic's summary has a row per patient
    return ["urgent" if i in urgent else "" for i in range(len(summary))]


def _reports(pages: list[dict], summary: list[list[str]] | None, anchors: list[str] | None = None) -> str:
    items = [(page, [_svg(c) for c in page["charts"]]) for page in pages]
    title = pages[0]["title"] if len(pages) == 1 else "Progress reports"
    return _environment().get_template("report.html").render(
        title=title, notice=wording.REPORT_NOTICE, paper=None,
        items=items, summary=summary, summary_anchors=anchors,
        summary_classes=_row_classes(summary),
        summary_title=documents.SUMMARY_TITLE, summary_note=documents.SUMMARY_NOTE,
        summary_headings=documents.SUMMARY_HEADINGS, phase_headings=documents.PHASE_HEADINGS,
        milestone_headings=documents.MILESTONE_HEADINGS, flag_headings=documents.FLAG_HEADINGS,
        changes_title=wording.REPORT_CHANGES_TITLE, changes_headings=documents.CHANGES_HEADINGS,
        changes_none=documents.CHANGES_NONE,
        entry_headings=documents.ENTRY_HEADINGS, entry_legend=documents.ENTRY_LEGEND,
        chart_legend=documents.CHART_LEGEND, no_flags=documents.NO_FLAGS, no_entries=documents.NO_ENTRIES,
        outcome_svgs=[_svg(p["outcomes"]["chart"]) if p.get("outcomes") and p["outcomes"]["chart"] else None
                      for p in pages],
        outcome_legend=outcome_report.LEGEND, score_headings=outcome_report.SCORE_HEADINGS,
        due_headings=outcome_report.DUE_HEADINGS, measure_headings=outcome_report.MEASURE_HEADINGS,
        symmetry_headings=outcome_report.SYMMETRY_HEADINGS,
    )
