"""PDF documents with fpdf2 and the bundled DejaVu Sans Condensed (embedded, subset), so any
name prints and can be copied out again, whatever fonts the computer has.

Every page's footer carries the notice that the plan is the surgeon's to change.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from rehab.render import chart, documents, words

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVuCond"
PT_PER_MM = 72 / 25.4
MARGIN = 12.0
FOOTER = 15.0
HEAD_FILL = 225
# Font scales tried, largest first, until the timeline fits on one page.
TIMELINE_SCALES = (1.0, 0.94, 0.88, 0.82, 0.76, 0.7)


class _Document(FPDF):
    def __init__(self, paper: str, title: str, scale: float = 1.0):
        super().__init__(orientation="portrait", unit="mm", format="A4" if paper == "a4" else "letter")
        self.scale = scale
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSansCondensed.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSansCondensed-Bold.ttf"))
        self.set_margins(MARGIN, 10, MARGIN)
        self.set_auto_page_break(True, margin=FOOTER + 2)
        self.set_title(title)
        self.set_creator("rehab")
        self.set_lang("en")
        self.c_margin = 0.8

    @property
    def width(self) -> float:
        return self.w - 2 * MARGIN

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size * self.scale)

    def line_h(self, size: float) -> float:
        return size * self.scale / PT_PER_MM * 1.3

    def footer(self) -> None:
        self.set_y(-FOOTER + 1)
        self.set_draw_color(0)
        self.set_line_width(0.3)
        self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
        self.set_y(self.get_y() + 1)
        self.set_font(FAMILY, "", 7.5)
        pages = f"   Page {self.page_no()} of {{nb}}" if self.pages_count > 1 or self.page_no() > 1 else ""
        self.multi_cell(0, 3.3, words.NOTICE + pages, align="L")

    def heading(self, text: str, size: float = 10.5, space_after: float = 14) -> None:
        """A section heading, moved to the next page rather than left alone at the bottom."""
        if self.will_page_break(self.line_h(size) + space_after):
            self.add_page()
        self.ln(1.2 * self.scale)
        self.font(size, bold=True)
        self.cell(0, self.line_h(size), text, new_x="LMARGIN", new_y="NEXT")
        self.set_line_width(0.35)
        self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
        self.ln(0.8)

    def rich(self, parts: list[tuple[str, bool]], size: float, left: float | None = None,
             right: float | None = None) -> None:
        """Flowing text in which some runs are bold (no markup: user text stays literal)."""
        old = self.l_margin, self.r_margin
        if left is not None:
            self.set_left_margin(left)
            self.set_x(left)
        if right is not None:
            self.set_right_margin(self.w - right)
        for text, bold in parts:
            self.font(size, bold)
            self.write(self.line_h(size), text)
        self.ln(self.line_h(size))
        self.set_left_margin(old[0])
        self.set_right_margin(old[1])

    def facts(self, pairs: list[tuple[str, str]], size: float = 9) -> None:
        parts = []
        for i, (label, value) in enumerate(pairs):
            parts += [(("    " if i else "") + f"{label}: ", True), (value, False)]
        self.rich(parts, size)

    def table(self, headings: list[str] | None, rows: list[list[str]], widths: list[float],
              size: float = 8, bold_rows: set[int] = frozenset(), markdown: bool = False) -> None:
        self.font(size)
        bold = FontFace(emphasis="BOLD")
        with super().table(
            col_widths=widths, width=self.width, text_align="LEFT", v_align="TOP",
            line_height=self.line_h(size), padding=(0.6 * self.scale, 1.0),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            first_row_as_headings=headings is not None, markdown=markdown,
        ) as table:
            for index, row in enumerate(([headings] if headings else []) + rows):
                out = table.row()
                for cell in row:
                    out.cell(cell, style=bold if (index - bool(headings)) in bold_rows else None)
        self.ln(1)

    def chart(self, item: chart.Chart, width: float | None = None) -> None:
        """Draw a chart at the current position, scaled to the width, then move below it."""
        k = (width or self.width) / item.width
        if self.will_page_break(item.height * k):
            self.add_page()
        x0, y0 = MARGIN, self.get_y()
        for shape in item.shapes:
            _draw(self, shape, x0, y0, k)
        self.set_dash_pattern()
        self.set_draw_color(0)
        self.set_fill_color(255)
        self.set_y(y0 + item.height * k + 1)


def _draw(pdf: FPDF, shape, x0: float, y0: float, k: float) -> None:
    def at(x, y):
        return x0 + x * k, y0 + y * k

    if isinstance(shape, chart.Rect):
        x, y = at(shape.x, shape.y)
        if shape.fill is not None:
            pdf.set_fill_color(shape.fill)
        if shape.stroke:
            pdf.set_draw_color(0)
            pdf.set_line_width(shape.stroke * k)
        pdf.set_dash_pattern()
        style = ("F" if shape.fill is not None else "") + ("D" if shape.stroke else "")
        if style:
            pdf.rect(x, y, shape.w * k, shape.h * k, style=style)
    elif isinstance(shape, chart.Line):
        pdf.set_draw_color(shape.grey)
        pdf.set_line_width(shape.width * k)
        pdf.set_dash_pattern(shape.dash * k, shape.dash * k) if shape.dash else pdf.set_dash_pattern()
        pdf.polyline([at(x, y) for x, y in shape.points])
    elif isinstance(shape, chart.Mark):
        pdf.set_dash_pattern()
        pdf.set_draw_color(0)
        pdf.set_fill_color(0 if shape.filled else 255)
        pdf.set_line_width(0.25 * k)
        if shape.shape == "circle":
            r = shape.size / 2 * k
            x, y = at(shape.x, shape.y)
            pdf.ellipse(x - r, y - r, 2 * r, 2 * r, style="DF")
        else:
            pdf.polygon([at(x, y) for x, y in chart.mark_outline(shape)], style="DF")
    else:
        pdf.set_font(FAMILY, "B" if shape.bold else "", shape.size * k * PT_PER_MM)
        x, y = at(shape.x, shape.y)
        w = pdf.get_string_width(shape.text)
        x -= {"start": 0, "middle": w / 2, "end": w}[shape.anchor]
        pdf.text(x, y, shape.text)


# --- the one-page timeline ----------------------------------------------------------------------

def timeline(page: dict, paper: str) -> bytes:
    """The plan on one page: the font shrinks step by step until it fits."""
    for scale in TIMELINE_SCALES:
        pdf = _timeline(page, paper, scale)
        if pdf.pages_count == 1:
            break
    return bytes(pdf.output())


def _timeline(page: dict, paper: str, scale: float) -> _Document:
    pdf = _Document(paper, page["title"], scale)
    pdf.add_page()
    pdf.font(15, bold=True)
    pdf.multi_cell(0, pdf.line_h(15), page["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.facts(page["facts"])
    pdf.rich([(page["status"], True)], 9)
    pdf.font(8)
    pdf.multi_cell(0, pdf.line_h(8), page["summary"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.chart(page["band"])

    pdf.heading("Key dates", space_after=6)
    half = pdf.width / 2
    dates = page["key_dates"]
    rows = (len(dates) + 1) // 2
    top = pdf.get_y()
    bottom = top
    for column in range(2):
        pdf.set_y(top)
        for m in dates[column * rows:(column + 1) * rows]:
            left = MARGIN + column * half
            pdf.set_x(left)
            pdf.rich([(f"{m['title']}: ", False), (m["when"], True), (f" ({m['days']})", False)], 8.5,
                     left=left, right=left + half - 3)
        bottom = max(bottom, pdf.get_y())
    pdf.set_y(bottom)

    pdf.heading("Phases", space_after=20)
    rows = []
    for p in page["phases"]:
        title = ("▶ You are here\n" if p["current"] else "") + f"{p['title']}\n{p['weeks']}"
        rows.append([title, p["dates"].replace(" – ", " –\n"), p["weight_bearing"], p["boot"],
                     p["activities"], "\n".join(f"• {g}" for g in p["goals"])])
    current = {i for i, p in enumerate(page["phases"]) if p["current"]}
    pdf.table(["Phase", "Dates", "Weight-bearing", "Boot", "Activities allowed", "Goals"], rows,
              [36, 26, 30, 12, 20, 62], size=8, bold_rows=current)

    _red_flags(pdf, page)
    if page["clinic"]:
        pdf.heading("Your clinic", space_after=4)
        pdf.facts(page["clinic"], 9)
    return pdf


def _red_flags(pdf: _Document, page: dict) -> None:
    """The boxed "When to get help now": emergency signs across the top, the rest in two columns."""
    pdf.ln(2)
    top = pdf.get_y()
    pdf.set_x(MARGIN + 1.5)
    pdf.font(10.5, bold=True)
    pdf.cell(0, pdf.line_h(10.5), "When to get help now", new_x="LMARGIN", new_y="NEXT")
    pdf.rich([(page["advice"], True)], 8.5, left=MARGIN + 1.5, right=pdf.w - MARGIN - 1.5)
    cells = [f"**{g['title']}: {g['action']}**\n" + "\n".join(f"• {s}" for s in g["signs"])
             for g in page["red_flags"]]
    emergency = [c for c, g in zip(cells, page["red_flags"]) if g["emergency"]]
    others = [c for c, g in zip(cells, page["red_flags"]) if not g["emergency"]]
    pdf.font(8)
    with super(_Document, pdf).table(
        width=pdf.width - 3, col_widths=(1, 1), text_align="LEFT", v_align="TOP",
        line_height=pdf.line_h(8), padding=(0.6, 1.2), first_row_as_headings=False,
        borders_layout="NONE", markdown=True, gutter_height=0.8, gutter_width=3,
    ) as table:
        for cell in emergency:
            table.row().cell(cell, colspan=2, border=15)
        for i in range(0, len(others), 2):
            row = table.row()
            for cell in others[i:i + 2]:
                row.cell(cell)
    pdf.set_line_width(0.6)
    pdf.rect(MARGIN, top, pdf.width, pdf.get_y() - top + 1)
    pdf.ln(2)


# --- reports ------------------------------------------------------------------------------------

def reports(pages: list[dict], summary: list[list[str]] | None) -> bytes:
    title = pages[0]["title"] if len(pages) == 1 else "Progress reports"
    pdf = _Document("a4", title)
    if summary is not None:
        pdf.add_page()
        pdf.font(15, bold=True)
        pdf.cell(0, pdf.line_h(15), "Who needs attention", new_x="LMARGIN", new_y="NEXT")
        pdf.font(8.5)
        pdf.multi_cell(0, pdf.line_h(8.5), "Open (unacknowledged) flags first, then the lowest share "
                       "of days logged. Each patient's report follows on its own page.",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.table(documents.SUMMARY_HEADINGS, summary, [44, 12, 14, 22, 16, 14, 52], size=8.5,
                  bold_rows={i for i, row in enumerate(summary) if row[1] != "0"})
    for page in pages:
        _report(pdf, page)
    if not pages and summary is None:
        pdf.add_page()
    return bytes(pdf.output())


def _report(pdf: _Document, page: dict) -> None:
    pdf.add_page()
    pdf.font(15, bold=True)
    pdf.multi_cell(0, pdf.line_h(15), page["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.facts(page["facts"])

    pdf.heading("Adherence and pain (0–10)")
    numbers = [[*a, *p] for a, p in _zip_longest(page["adherence"], page["pain"])]
    pdf.table(None, numbers, [26, 46, 38, 76], size=8.5)

    pdf.heading("Pain and weight-bearing over time", space_after=60)
    for item in page["charts"]:
        pdf.chart(item)
    pdf.font(7.5)
    pdf.multi_cell(0, pdf.line_h(7.5), documents.CHART_LEGEND, new_x="LMARGIN", new_y="NEXT")

    pdf.heading("Weight-bearing, boot and activity by phase")
    pdf.table(documents.PHASE_HEADINGS, page["phases"], [46, 30, 40, 30, 40], size=8)
    pdf.heading("Milestones")
    pdf.table(documents.MILESTONE_HEADINGS, page["milestones"], [50, 80, 56], size=8)
    pdf.heading("Flags")
    if page["flags"]:
        open_or_urgent = {i for i, row in enumerate(page["flags"]) if row[1] == "URGENT" or row[4].startswith("NO")}
        pdf.table(documents.FLAG_HEADINGS, page["flags"], [19, 16, 34, 67, 50], size=8, bold_rows=open_or_urgent)
    else:
        _line(pdf, "No flags in this period.")
    pdf.heading("Entries")
    if page["entries"]:
        pdf.table(documents.ENTRY_HEADINGS, page["entries"], [18, 9, 9, 13, 12, 18, 26, 25, 56], size=7.5)
        pdf.font(7.5)
        pdf.multi_cell(0, pdf.line_h(7.5), documents.ENTRY_LEGEND, new_x="LMARGIN", new_y="NEXT")
    else:
        _line(pdf, "No entries in this period.")


def _line(pdf: _Document, text: str) -> None:
    pdf.font(8.5)
    pdf.multi_cell(0, pdf.line_h(8.5), text, new_x="LMARGIN", new_y="NEXT")


def _zip_longest(a: list, b: list):
    from itertools import zip_longest

    return zip_longest(a, b, fillvalue=("", ""))
