"""PDF documents with fpdf2 and the bundled DejaVu Sans Condensed (embedded, subset), so any
name prints and can be copied out again, whatever fonts the computer has.

Every page's footer carries the notice that the plan is the surgeon's to change.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from rehab import wording
from rehab.render import chart, documents

# fpdf2 logs a glyph a font lacks to stderr in its own words; normalize_text below finds those
# characters first and the command says which could not be drawn, once, in plain words.
logging.getLogger("fpdf").addHandler(logging.NullHandler())
logging.getLogger("fpdf").propagate = False

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVuCond"
PT_PER_MM = 72 / 25.4
MARGIN = 12.0
FOOTER = 15.0
HEAD_FILL = 225
# Where the page count goes; as wide as the count it reserves room for: a clinic's report
# runs to thousands of pages, and "{nb}" left room for three digits (fpdf2 warned on stderr).
PAGE_COUNT = "{page_count}"
# Font scales tried, largest first, until the timeline fits on one page.
TIMELINE_SCALES = (1.0, 0.94, 0.88, 0.82, 0.76, 0.7)


# At most this many look-ups for a font per document: a character no font has is asked about
# once, and a report of many scripts does not run fontconfig without end.
MOST_FONT_LOOKUPS = 24


class _Document(FPDF):
    def __init__(self, paper: str, title: str, scale: float = 1.0, numbered: bool = False,
                 notice: str = wording.NOTICE, page_mark: str | None = None,
                 fonts: Callable[[str, bool], tuple[str, int] | None] | None = None):
        super().__init__(orientation="portrait", unit="mm", format="A4" if paper == "a4" else "letter")
        self.scale = scale
        self.numbered = numbered
        self.notice = notice  # the patient's words on a plan, the clinician's on a report
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSansCondensed.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSansCondensed-Bold.ttf"))
        self.set_margins(MARGIN, 10, MARGIN)
        self.set_auto_page_break(True, margin=FOOTER + 2)
        self.set_title(title)
        self.set_creator("rehab")
        self.set_lang("en")
        self.c_margin = 0.8
        self.undrawable: set[str] = set()
        # A part of a clinic's PDF prints a placeholder where the page number goes, replaced
        # when the parts are joined (_Joiner); fpdf2's own page-count alias is then not needed.
        self.page_mark = page_mark
        self.alias_nb_pages(None if page_mark else PAGE_COUNT)
        self.find_font = fonts  # (characters, bold) -> a system font's (file, face index), or None
        self.fallbacks: list[str] = []  # families added from system fonts, in the order found
        self._sought: set[str] = set()  # characters already looked for
        self._lookups = 0

    def normalize_text(self, text: str) -> str:
        """Every piece of text passes here. A character the bundled font has no glyph for
        (Chinese or Japanese, say) is looked for in the computer's fonts (find_font) and drawn
        from the one that has it; failing that it prints as '?' instead of vanishing, and is
        noted so the command can say so once."""
        text = super().normalize_text(text.replace("\t", " "))  # a tab typed in a note: no glyph, a space
        cmap = getattr(self.current_font, "cmap", None)
        if not cmap or text.isascii():
            return text
        missing = self._missing(text, cmap)
        if missing - self._sought and self.find_font:
            self._add_fallbacks(missing - self._sought)
            missing = self._missing(text, cmap)
        if not missing:
            return text
        self.undrawable |= missing
        return "".join("?" if ch in missing else ch for ch in text)

    def _render_styled_text_line(self, *args, **kwargs):
        # fpdf2 (2.8) switches to a fallback font inside a line's text object and does not
        # switch back: that font stays in force after it, while fpdf2 believes its own is, and
        # the next text ("(cjk)" after a Chinese name) was drawn with the wrong glyphs. With
        # fallback fonts in use, each line sets its font again.
        drawn = super()._render_styled_text_line(*args, **kwargs)
        if self.fallbacks:
            self.current_font_is_set_on_page = False
        return drawn

    def _missing(self, text: str, cmap) -> set[str]:
        """The characters of text that neither the current font nor a fallback can draw."""
        return {ch for ch in text if ord(ch) not in cmap and not ch.isspace()
                and not any(ord(ch) in self.fonts[family].cmap for family in self.fallbacks)}

    def _add_fallbacks(self, chars: set[str]) -> None:
        """Fonts for `chars` as fpdf2's fallback fonts: one face for them all when there is
        one, else a face per character still missing (a name in Korean beside one in Thai)."""
        self._sought |= chars
        if self._lookup(chars) or len(chars) == 1:
            return
        for ch in sorted(chars):
            if not any(ord(ch) in self.fonts[f].cmap for f in self.fallbacks):
                self._lookup({ch})

    def _lookup(self, chars: set[str]) -> bool:
        if self._lookups >= MOST_FONT_LOOKUPS:
            return False
        self._lookups += 1
        face = self.find_font("".join(sorted(chars)), False)
        return face is not None and self._add_face(face, chars)

    def _add_face(self, face: tuple[str, int], chars: set[str]) -> bool:
        """Adds a regular face (and its bold, where the computer has one) as a fallback
        font; False if fpdf2 cannot read it or it lacks the characters after all."""
        family = f"fallback{len(self.fallbacks)}"
        try:
            self.add_font(family, "", face[0], collection_font_number=face[1])
        # fontTools and fpdf2 raise errors of their own for a font they cannot read: as if none
        except Exception:  # noqa: BLE001
            return False
        if not all(ord(ch) in self.fonts[family].cmap for ch in chars):
            del self.fonts[family]
            return False
        bold = self.find_font("".join(sorted(chars)), True)
        if bold and bold != face:
            try:
                self.add_font(family, "B", bold[0], collection_font_number=bold[1])
            except Exception:  # noqa: BLE001 - as above; the regular face serves for bold text too
                pass
        self.fallbacks.append(family)
        # not exact: bold text falls back to the regular face when there is no bold one
        self.set_fallback_fonts(self.fallbacks, exact_match=False)
        return True

    def text_runs(self, x: float, y: float, text: str) -> None:
        """text() at a point, as chart labels are placed, drawing each run of characters
        the current font lacks from the fallback font that has them (text() itself never
        uses fallback fonts)."""
        text = self.normalize_text(text)
        if not self.fallbacks or text.isascii():
            self.text(x, y, text)
            return
        family, style, size = self.font_family, self.font_style, self.font_size_pt
        cmap = self.current_font.cmap
        for own, piece in _runs(text, lambda ch: ord(ch) in cmap or ch.isspace()):
            face = family if own else next(f for f in self.fallbacks if ord(piece[0]) in self.fonts[f].cmap)
            self.set_font(face, style if own or f"{face}{style}" in self.fonts else "", size)
            self.text(x, y, piece)
            x += self.get_string_width(piece)
        self.set_font(family, style, size)

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
        pages = ((f"   {self.page_mark}" if self.page_mark else f"   Page {self.page_no()} of {PAGE_COUNT}")
                 if self.numbered else "")
        self.multi_cell(0, 3.3, self.notice + pages, align="L")

    def page_title(self, text: str, facts: list[tuple[str, str]] = ()) -> None:
        """A new page opened by a large title and, if given, its facts line."""
        self.add_page()
        self.font(15, bold=True)
        self.multi_cell(0, self.line_h(15), text, align="L", new_x="LMARGIN", new_y="NEXT")
        if facts:
            self.facts(facts)

    def para(self, text: str, size: float = 8.5) -> None:
        self.font(size)
        self.multi_cell(0, self.line_h(size), text, align="L", new_x="LMARGIN", new_y="NEXT")

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
        """Flowing text in which some runs are bold, wrapped at spaces between `left` and
        `right`. No markup is parsed, so a user's text prints exactly as written."""
        left = self.l_margin if left is None else left
        right = self.w - self.r_margin if right is None else right
        h = self.line_h(size)
        x, y = left, self.get_y()
        for text, bold in parts:
            self.font(size, bold)
            for token in re.findall(r"\s+|\S+", text):
                if token.isspace():
                    x += 0 if x == left else self.get_string_width(" ") * len(token)
                    continue
                for piece in self._pieces(token, right - left):
                    w = self.get_string_width(piece)
                    if x + w > right + 0.01 and x > left:
                        x, y = left, y + h
                    self.set_xy(x, y)
                    self.cell(w, h, piece)
                    x, y = self.get_x(), self.get_y()  # a page break moves y
        self.set_xy(self.l_margin, y + h)

    def wrap(self, text: str, room: float) -> list[str]:
        """Lines of text no wider than `room`, in the current font, broken at spaces. A word
        wider than the room ("red-flag (calf-pain,calf-swelling)") is broken after a hyphen,
        comma or slash in it, never inside a word ("calf-swellin g"); only a run of letters
        wider than a whole line is cut where it has to be."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split(" "):
                joined = f"{line} {word}" if line else word
                if self.get_string_width(joined) <= room:
                    line = joined
                    continue
                if line:
                    lines.append(line)
                pieces = self._word_pieces(word, room)
                lines += pieces[:-1]
                line = pieces[-1]
            lines.append(line)
        return lines

    def _word_pieces(self, word: str, room: float) -> list[str]:
        """A word as lines no wider than the room, broken after '-', ',' or '/' where it can."""
        pieces = [""]
        for part in re.findall(r"[^-,/]+[-,/]?|[-,/]", word):
            if self.get_string_width(pieces[-1] + part) <= room:
                pieces[-1] += part
            else:
                pieces += self._pieces(part, room) if self.get_string_width(part) > room else [part]
        return [p for p in pieces if p] or [""]

    def _pieces(self, word: str, room: float) -> list[str]:
        """A word too long for a whole line, cut where it has to be."""
        pieces, current = [], ""
        for char in word:
            if current and self.get_string_width(current + char) > room:
                pieces.append(current)
                current = ""
            current += char
        return pieces + [current]

    def facts(self, pairs: list[tuple[str, str]], size: float = 9, **bounds) -> None:
        parts = []
        for i, (label, value) in enumerate(pairs):
            parts += [(("    " if i else "") + f"{label}: ", True), (value, False)]
        self.rich(parts, size, **bounds)

    def table(self, headings: list[str] | None, rows: list[list[str]], widths: list[float],
              size: float = 8, bold_rows: set[int] = frozenset(), width: float | None = None,
              align: str = "CENTER") -> None:
        self.font(size)
        rows, bold_rows = self._split_tall_rows(rows, widths, size, width or self.width, bold_rows)
        bold = FontFace(emphasis="BOLD")
        with super().table(
            col_widths=widths, width=width or self.width, align=align, text_align="LEFT", v_align="TOP",
            line_height=self.line_h(size), padding=(0.6 * self.scale, 1.0),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            first_row_as_headings=headings is not None,
        ) as table:
            for index, row in enumerate(([headings] if headings else []) + rows):
                out = table.row()
                for cell in row:
                    out.cell(cell, style=bold if (index - bool(headings)) in bold_rows else None)
        self.ln(1)

    def grid(self, headings: list[str] | None, rows: list[list[str]], widths: list[float],
             size: float = 8, bold_rows: set[int] = frozenset()) -> None:
        """A full-width table drawn cell by cell: it looks as `table` does, and is several
        times faster for a clinic's thousands of entry rows (fpdf2's table lays out every
        cell twice through its general line breaker). A cell that fits on one line, nearly
        all of them, is measured once and printed; others are broken with multi_cell."""
        rows, bold_rows = self._split_tall_rows(rows, widths, size, self.width, bold_rows, exact=True)
        total = sum(widths)
        columns = [self.width * w / total for w in widths]
        line_h, pad_v, pad_h = self.line_h(size), 0.6 * self.scale, 1.0
        self.set_line_width(0.2)
        self.set_draw_color(0)

        def lines_of(text: str, width: float) -> list[str]:
            room = width - 2 * pad_h
            if "\n" not in text and self.get_string_width(text) <= room:
                return [text]
            return self.wrap(text, room) or [""]

        def draw(cells: list[str], bold: bool, fill: bool) -> None:
            self.font(size, bold)
            broken = [lines_of(text, width) for text, width in zip(cells, columns)]
            height = max(len(lines) for lines in broken) * line_h + 2 * pad_v
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
                if headings and not fill:
                    draw(headings, True, True)
                    self.font(size, bold)
            x, y = self.l_margin, self.get_y()
            if fill:
                self.set_fill_color(HEAD_FILL)
            for lines, width in zip(broken, columns):
                self.rect(x, y, width, height, style="DF" if fill else "D")
                for n, line in enumerate(lines):
                    if line:
                        self.set_xy(x + pad_h - self.c_margin, y + pad_v + n * line_h)
                        self.cell(width - 2 * pad_h + 2 * self.c_margin, line_h, line)
                x += width
            self.set_xy(self.l_margin, y + height)

        if headings:
            draw(headings, True, True)
        for index, row in enumerate(rows):
            draw(row, index in bold_rows, False)
        self.ln(1)

    # A cell shorter than this, with few line breaks, cannot make a row taller than a page:
    # only longer ones are measured (measuring every cell of a clinic's entries is slow).
    SHORT_CELL = 300

    def _split_tall_rows(self, rows: list[list[str]], widths: list[float], size: float, width: float,
                         bold_rows, exact: bool = False) -> tuple[list[list[str]], set[int]]:
        """Rows too tall for a page (a long acknowledgement note, a note of many lines) cut
        into several rows, each holding the next lines of every cell: fpdf2 refuses a table
        row higher than a page, which stopped a whole clinic's report."""
        if all(len(cell) < self.SHORT_CELL and cell.count("\n") < 20 for row in rows for cell in row):
            return rows, set(bold_rows)
        line_h = self.line_h(size)
        room = self.h - self.t_margin - FOOTER - 2 - 4 * line_h  # a page, less a heading row
        most = max(int(room / line_h), 1)
        total = sum(widths)
        # `exact`: the room `grid` prints in, which wraps as `wrap` does. Else measured a little
        # narrower than printed, so fpdf2's table never wraps a line we cut again.
        inner = [width * w / total - (2.0 if exact else 2 * (1.0 + self.c_margin) + 1.0) for w in widths]
        out, bold = [], set()
        for index, row in enumerate(rows):
            if all(len(cell) < self.SHORT_CELL and cell.count("\n") < 20 for cell in row):
                pieces = [row]
            else:
                self.font(size, index in bold_rows)  # measured in the font the row prints in
                lines = [self.wrap(cell, max(w, 2.0)) if cell else [""] for cell, w in zip(row, inner)]
                parts = max((len(ls) + most - 1) // most for ls in lines)
                pieces = [["\n".join(ls[k * most:(k + 1) * most]) for ls in lines] for k in range(parts)]
            if index in bold_rows:
                bold.update(range(len(out), len(out) + len(pieces)))
            out.extend(pieces)
        return out, bold

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


def _runs(text: str, own) -> list[tuple[bool, str]]:
    """text cut where `own(character)` changes: [(True, "Name: "), (False, "王小明")]."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        mine = bool(own(ch))
        if runs and runs[-1][0] == mine:
            runs[-1] = (mine, runs[-1][1] + ch)
        else:
            runs.append((mine, ch))
    return runs


def _draw(pdf: _Document, shape, x0: float, y0: float, k: float) -> None:
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
        pdf.text_runs(x, y, shape.text)


# --- the one-page timeline ----------------------------------------------------------------------

def write_timeline(handle, document: documents.PlanDocument) -> str:
    """The plan on one page: the font shrinks step by step until it fits. Returns the
    characters the font could not draw (printed as '?'), for the command to mention."""
    page, paper = documents.timeline_page(document), documents.paper_size(document.paper)
    fonts = _asked_once(document.fonts)
    for scale in TIMELINE_SCALES:
        pdf = _timeline(page, paper, scale, fonts)
        if pdf.pages_count == 1:
            break
    return _finished(handle, pdf)


def _finished(handle, pdf: _Document) -> str:
    handle.write(bytes(pdf.output()))
    return "".join(sorted(pdf.undrawable))


def _timeline(page: dict, paper: str, scale: float, fonts=None) -> _Document:
    pdf = _Document(paper, page["title"], scale, fonts=fonts)
    pdf.page_title(page["title"], page["facts"])
    pdf.rich([(page["status"], True)], 9)
    pdf.para(page["summary"], 8)
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
        title = "\n".join([*(["▶ You are here"] if p["current"] else []), p["title"], p["weeks"], *p["changes"]])
        rows.append([title, "\n".join(p["date_lines"]), p["weight_bearing"], p["boot"],
                     p["activities"], "\n".join(f"• {g}" for g in p["goals"])])
    current = {i for i, p in enumerate(page["phases"]) if p["current"]}
    pdf.table(["Phase", "Dates", "Weight-bearing", "Boot", "Activities allowed", "Goals"], rows,
              [34, 27, 30, 16, 20, 59], size=8, bold_rows=current)

    if page["changes"]:
        pdf.heading(page["changes_title"], space_after=8)
        for line in page["changes"]:
            pdf.rich([(f"• {line}", False)], 8.5)

    _red_flags(pdf, page)
    return pdf


def _red_flags(pdf: _Document, page: dict) -> None:
    """The boxed "When to get help now": emergency signs boxed, the rest in two columns."""
    flags = page["red_flags"]
    inner_left, inner_right = MARGIN + 1.5, pdf.w - MARGIN - 1.5
    pdf.ln(2)
    top = pdf.get_y()
    pdf.ln(0.8)
    pdf.rich([("When to get help now", True)], 10.5, left=inner_left, right=inner_right)
    pdf.ln(0.6)
    emergency_top = pdf.get_y()
    pdf.rich([(flags["emergency"]["action"], True)], 8.5, left=inner_left + 1, right=inner_right - 1)
    pdf.rich([(flags["emergency"]["title"], True)], 8, left=inner_left + 1, right=inner_right - 1)
    _columns(pdf, [f"• {s}" for s in flags["emergency"]["signs"]], inner_left)
    pdf.set_line_width(0.5)
    pdf.rect(inner_left, emergency_top - 0.5, inner_right - inner_left, pdf.get_y() - emergency_top + 0.8)
    pdf.ln(1.5)
    pdf.rich([(flags["team"]["action"], True)], 8.5, left=inner_left, right=inner_right)
    _columns(pdf, ["\n".join(f"**{g['title']}**\n" + "\n".join(f"• {s}" for s in g["signs"]) for g in column)
                   for column in flags["team"]["columns"]], inner_left, markdown=True)
    pdf.rich([(flags["team"]["otherwise"], True)], 8.5, left=inner_left, right=inner_right)
    clinic = page["clinic"]
    pdf.set_line_width(0.3)
    pdf.line(inner_left, pdf.get_y() + 0.5, inner_right, pdf.get_y() + 0.5)
    pdf.ln(1.2)
    pdf.rich([(clinic["title"], True)], 9, left=inner_left, right=inner_right)
    if clinic["lines"]:
        pdf.facts(clinic["lines"], 8.5, left=inner_left, right=inner_right)
    _write_in(pdf, clinic["blanks"], inner_left, inner_right)
    pdf.set_line_width(0.6)
    pdf.rect(MARGIN, top, pdf.width, pdf.get_y() - top + 0.5)
    pdf.ln(2)


def _write_in(pdf: _Document, labels: list[str], left: float, right: float) -> None:
    """Labelled lines to write on, two to a row, with room for a hand."""
    half = (right - left) / 2
    pdf.set_line_width(0.2)
    for i, label in enumerate(labels):
        x = left + (i % 2) * half
        if i % 2 == 0:
            pdf.ln(2.5 * pdf.scale)
        y = pdf.get_y()
        pdf.font(8.5, bold=True)
        pdf.set_xy(x, y)
        pdf.cell(pdf.get_string_width(label + ": ") + 0.5, pdf.line_h(8.5), label + ":")
        pdf.line(pdf.get_x(), y + pdf.line_h(8.5) - 0.6, x + half - 4, y + pdf.line_h(8.5) - 0.6)
        if i % 2 == 1 or i == len(labels) - 1:
            pdf.set_xy(pdf.l_margin, y + pdf.line_h(8.5))
    if labels:
        pdf.ln(0.5)


def _columns(pdf: _Document, cells: list[str], left: float, markdown: bool = False) -> None:
    """Texts in two borderless columns (our own wording only: markdown marks the titles)."""
    pdf.font(8)
    pdf.set_x(left)
    with FPDF.table(
        pdf, width=pdf.w - 2 * left, col_widths=(1, 1), text_align="LEFT", v_align="TOP", align="LEFT",
        line_height=pdf.line_h(8), padding=(0.3, 1.0), first_row_as_headings=False,
        borders_layout="NONE", markdown=markdown,
    ) as table:
        for i in range(0, len(cells), 2):
            row = table.row()
            for cell in cells[i:i + 2]:
                row.cell(cell)


# --- reports ------------------------------------------------------------------------------------

def write_reports(handle, document: documents.ReportDocument) -> str:
    """Every report, one after another; returns the characters the font could not draw."""
    if document.summarize is not None and document.summary_row is not None and document.order is not None:
        return _write_clinic(handle, document)
    return _finished(handle, _reports(*documents.ordered_pages(document), drawn=document.drawn,
                                      fonts=_asked_once(document.fonts)))


def _asked_once(fonts):
    """The system-font finder, each question asked once per document written: it runs
    fontconfig, and a plan tried at several scales, or a clinic drawn in parts, builds
    several PDFs that need the same fonts."""
    from functools import cache

    return cache(fonts) if fonts is not None else None


def _reports(pages: list[dict], summary: list[list[str]] | None, drawn=None, fonts=None) -> _Document:
    title = pages[0]["title"] if len(pages) == 1 else "Progress reports"
    pdf = _Document("a4", title, numbered=True, notice=wording.REPORT_NOTICE, fonts=fonts)
    if summary is not None:
        _summary(pdf, summary)
    for page in pages:
        _report(pdf, page)
        if drawn is not None:
            drawn()
    if not pages and summary is None:
        pdf.add_page()
    return pdf


def _summary(pdf: _Document, summary: list[list[str]]) -> None:
    pdf.page_title(documents.SUMMARY_TITLE)
    pdf.para(documents.SUMMARY_NOTE)
    pdf.ln(1)
    pdf.table(documents.SUMMARY_HEADINGS, summary, [44, 13, 17, 22, 16, 15, 59], size=8.5,
              bold_rows=documents.urgent_rows(summary))


def _outcomes(pdf: _Document, section: dict) -> None:
    from rehab.render import outcome_report as words_of

    pdf.heading("Outcomes: questionnaires", space_after=40 if section["chart"] else 10)
    if section["chart"]:
        pdf.chart(section["chart"])
        pdf.para(words_of.LEGEND, 7.5)
    if section["scores"]:
        pdf.table(words_of.SCORE_HEADINGS, section["scores"], [34, 20, 10, 30, 16, 26, 30], size=8)
    else:
        pdf.para("No questionnaires recorded (rehab score faam-adl, faam-sports or lefs).")
    if section["due"]:
        pdf.ln(2)
        pdf.table(words_of.DUE_HEADINGS, section["due"], [22, 24, 40, 60], size=8)
    pdf.heading("Outcomes: measures, swelling and home exercises")
    if section["measures"]:
        pdf.table(words_of.MEASURE_HEADINGS, section["measures"], [44, 20, 18, 22, 12], size=8)
    if section["symmetry"]:
        pdf.ln(2)
        pdf.table(words_of.SYMMETRY_HEADINGS, section["symmetry"], [44, 22, 20, 20, 20], size=8)
    if not section["measures"]:
        pdf.para("No measures recorded (rehab measure knee-to-wall CM, rehab measure calf-raises N).")
    pdf.ln(2)
    pdf.table(None, [list(r) for r in section["logged"]], [1, 4], size=8.5)


def _report(pdf: _Document, page: dict) -> None:
    # Each report starts from the same colours, whatever the one before it left (a table
    # heading's grey fill showed through the next patient's tables): a clinic's reports
    # look the same in any order, and drawn in any part.
    pdf.set_fill_color(255)
    pdf.set_draw_color(0)
    pdf.page_title(page["title"], page["facts"])

    pdf.heading("Adherence and pain (0–10)")
    top = pdf.get_y()
    pdf.table(None, [list(r) for r in page["adherence"]], [1, 1.4], size=8.5, width=pdf.width * 0.4, align="LEFT")
    below = pdf.get_y()
    pdf.set_y(top)
    pdf.table(None, [list(r) for r in page["pain"]], [1, 1.2], size=8.5, width=pdf.width * 0.56, align="RIGHT")
    pdf.set_y(max(below, pdf.get_y()))

    pdf.heading("Pain and weight-bearing over time", space_after=60 if page["charts"] else 10)
    for item in page["charts"]:
        pdf.chart(item)
    if page["charts"]:
        pdf.para(documents.CHART_LEGEND, 7.5)
    elif page.get("charts_note"):
        pdf.para(page.get("charts_note"))

    if page.get("outcomes"):
        _outcomes(pdf, page["outcomes"])
    pdf.heading("Weight-bearing, boot and activity by phase")
    if page["phases"]:
        pdf.grid(documents.PHASE_HEADINGS, page["phases"], [46, 30, 40, 30, 40], size=8)
    elif page.get("phases_note"):
        pdf.para(page.get("phases_note"))
    pdf.heading(wording.REPORT_CHANGES_TITLE)
    if page["changes"]:
        pdf.grid(documents.CHANGES_HEADINGS, page["changes"], [8, 62, 26, 24, 46, 20], size=8)
    else:
        pdf.para(documents.CHANGES_NONE)
    pdf.heading("Milestones")
    pdf.grid(documents.MILESTONE_HEADINGS, page["milestones"], [50, 80, 56], size=8)
    pdf.heading("Flags")
    if page["flags"]:
        urgent = {i for i, mark in enumerate(page["flag_marks"]) if "urgent" in mark}
        pdf.grid(documents.FLAG_HEADINGS, page["flags"], [19, 16, 34, 67, 50], size=8, bold_rows=urgent)
    else:
        pdf.para(documents.NO_FLAGS)
    pdf.heading("Entries")
    if page["entries"]:
        pdf.grid(documents.ENTRY_HEADINGS, page["entries"], [18, 9, 9, 13, 12, 18, 26, 25, 56], size=7.5)
        pdf.para(documents.ENTRY_LEGEND, 7.5)
    else:
        pdf.para(documents.NO_ENTRIES)




# --- a clinic's reports, in bounded memory ------------------------------------------------------
#
# fpdf2 keeps every page of a document in memory until it writes the file, and the summary
# that opens the PDF can be made only once every report is built: one document for the
# whole clinic grew by about half a megabyte per patient. So the patients' pages are drawn
# as their reports stream from the database, into parts of about PART_PAGES pages, each
# written to an owner-only temporary file as soon as it is full; their summary rows are all
# that is kept. The summary is drawn last, and the parts are joined into the one PDF in the
# summary's order, object by object, straight into the output: the page numbers, unknown
# while a part is drawn (neither a page's place nor the total is known yet), are written into
# each page's footer then, in the part's own font, where the part printed PAGE_MARK.

PART_PAGES = 150
# Holds every digit, so each part's font subset has the glyphs of any page number. Its
# spaces are non-breaking, so the footer never splits it over two lines (fpdf2 writes them
# as plain spaces: the mark is looked for as PAGE_TEXT).
PAGE_MARK = "Page\u00a00123456789\u00a0of\u00a09876543210"
PAGE_TEXT = PAGE_MARK.replace("\u00a0", " ")


class _Part:
    """A temporary PDF of some patients' pages (or of the summary)."""

    def __init__(self, path, pdf: _Document):
        """Made before the part is written: the codes are then certainly in its font."""
        self.path = path
        self.pages = pdf.pages_count
        font = pdf.fonts[FAMILY.lower()]  # the footer's font
        # Each character's code in the page's text, as fpdf2 writes it (escaped per character,
        # so codes join into a string); the footer's mark, so encoded, is found and replaced.
        self.codes = {ch: font.encode_text(ch)[1:-len(") Tj")].encode("latin-1") for ch in set(PAGE_TEXT)}
        self.mark = self.label(PAGE_TEXT)
        self.objects: dict[int, int] = {}  # its shared objects (resources, fonts) already copied: number here -> there
        self.page_objects: list[int] = []  # each page's object number, read when the part is first opened

    def label(self, text: str) -> bytes:
        return b"".join(self.codes[ch] for ch in text)


def _clinic_document(title: str, fonts=None) -> _Document:
    return _Document("a4", title, numbered=True, notice=wording.REPORT_NOTICE, page_mark=PAGE_MARK, fonts=fonts)


def _save_part(pdf: _Document, folder, number: int) -> _Part:
    import os

    path = folder / f"part-{number}.pdf"
    part = _Part(path, pdf)
    data = pdf.output()
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)
    return part


def _collect() -> None:
    """A written part's document, with its parsed fonts, is garbage in reference cycles (fpdf2's
    objects point at one another), as is a part's closed reader: freed now, not whenever the
    collector next runs (rarely, in a process holding as many objects as this one)."""
    import gc

    gc.collect()


def _write_clinic(handle, document: documents.ReportDocument) -> str:
    from rehab.files import private_folder

    fonts = _asked_once(document.fonts)
    with private_folder() as folder:
        parts: list[_Part] = []
        rows: list[dict] = []
        where: dict[str, tuple[int, int, int]] = {}  # patient id -> (part, first page, pages)
        undrawable: set[str] = set()
        titles: list[str] = []
        pdf = None
        for report in document.reports:
            row = document.summary_row(report)
            rows.append(row)
            page = documents.report_page(report)
            if len(titles) < 2:
                titles.append(page["title"])
            if pdf is None:
                pdf = _clinic_document("Progress reports", fonts)
            first = pdf.pages_count
            _report(pdf, page)
            where[row["patient_id"]] = (len(parts), first, pdf.pages_count - first)
            del report, page
            if document.drawn is not None:
                document.drawn()
            if pdf.pages_count >= PART_PAGES:
                undrawable |= pdf.undrawable
                parts.append(_save_part(pdf, folder, len(parts)))
                pdf = None
                _collect()
        if pdf is not None:
            undrawable |= pdf.undrawable
            parts.append(_save_part(pdf, folder, len(parts)))
            pdf = None
            _collect()
        ordered = document.order(rows)
        summary = _clinic_document(titles[0] if len(titles) == 1 else "Progress reports", fonts)
        _summary(summary, documents.summary_page(ordered))
        undrawable |= summary.undrawable
        head = _save_part(summary, folder, len(parts))
        del summary, rows
        _collect()
        runs = [(head, 0, head.pages)] + [(parts[i], first, count)
                                           for i, first, count in (where[row["patient_id"]] for row in ordered)]
        _Joiner(handle).join(runs, sum(count for _, _, count in runs))
    return "".join(sorted(undrawable))


INHERITED = ("/MediaBox", "/CropBox", "/Rotate", "/Resources")  # page attributes a page tree passes down


class _Joiner:
    """Pages of several PDFs (fpdf2's, all alike: a page holds its content stream and the
    part's shared resources, no links or outline), written as one PDF as they are read: one
    part is open at a time, and only the page objects' numbers and offsets are kept."""

    def __init__(self, handle):
        self.out = handle
        self.position = 0
        self.offsets: list[int | None] = [None]  # object 0 is the free list's head
        self.pending: list = []
        self.open_part: tuple[_Part, object] | None = None
        self.reopened = 0

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def _reserve(self) -> int:
        self.offsets.append(None)
        return len(self.offsets) - 1

    def _put(self, number: int, obj) -> None:
        import io

        buffer = io.BytesIO()
        buffer.write(b"%d 0 obj\n" % number)
        obj.write_to_stream(buffer)
        buffer.write(b"\nendobj\n")
        self.offsets[number] = self.position
        self._write(buffer.getvalue())

    def _copy(self, obj, part: _Part):
        """A part's object with its references renumbered; what they point to is queued."""
        from pypdf import generic

        if isinstance(obj, generic.IndirectObject):
            number = part.objects.get(obj.idnum)
            if number is None:
                number = part.objects[obj.idnum] = self._reserve()
                self.pending.append((number, obj.get_object(), part))
            return generic.IndirectObject(number, 0, None)
        if isinstance(obj, generic.StreamObject):
            copy = type(obj)()
            copy._data = obj._data  # as stored (compressed): copied, never decoded
            copy.update({key: self._copy(value, part) for key, value in obj.items()})
            return copy
        if isinstance(obj, generic.DictionaryObject):
            return generic.DictionaryObject({key: self._copy(value, part) for key, value in obj.items()})
        if isinstance(obj, generic.ArrayObject):
            return generic.ArrayObject(self._copy(value, part) for value in obj)
        return obj

    def _flush(self) -> None:
        while self.pending:
            number, obj, part = self.pending.pop()
            self._put(number, self._copy(obj, part))

    def _reader(self, part: _Part):
        from pypdf import PdfReader

        if self.open_part is None or self.open_part[0] is not part:
            if self.open_part is not None:
                self.open_part[1].stream.close()
                self.open_part = None
                self.reopened += 1
                if self.reopened % 64 == 0:
                    _collect()  # a closed reader is garbage in cycles (its objects point back at it)
            self.open_part = (part, PdfReader(open(part.path, "rb")))
            if not part.page_objects:
                part.page_objects = [page.indirect_reference.idnum for page in self.open_part[1].pages]
        return self.open_part[1]

    def _part_page(self, part: _Part, index: int):
        """A page of a part. Patients come in the summary's order, not their parts', so a part
        is opened again and again: its page is fetched by number, without reading its page tree."""
        return self._reader(part).get_object(part.page_objects[index])

    def join(self, runs: list[tuple[_Part, int, int]], total: int) -> None:
        """Write runs (part, first page, pages) as one PDF of `total` pages."""
        from pypdf import generic
        from pypdf.generic import NameObject as Name

        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        root, pages_root = self._reserve(), self._reserve()
        kids = generic.ArrayObject()
        info = None
        try:
            for part, first, count in runs:
                reader = self._reader(part)
                if info is None:  # the summary's: the title, the creator, when it was made
                    catalog = reader.trailer["/Root"]
                    info = self._copy(reader.trailer["/Info"], part)
                    language = catalog.get("/Lang")
                    layout = catalog.get("/PageLayout")
                for index in range(first, first + count):
                    kids.append(self._page(self._part_page(part, index), part, len(kids) + 1, total, pages_root))
                    self._flush()
        finally:
            if self.open_part is not None:
                self.open_part[1].stream.close()
                self.open_part = None
        self._put(pages_root, generic.DictionaryObject({
            Name("/Type"): Name("/Pages"), Name("/Kids"): kids, Name("/Count"): generic.NumberObject(len(kids))}))
        catalog = generic.DictionaryObject({Name("/Type"): Name("/Catalog"),
                                            Name("/Pages"): generic.IndirectObject(pages_root, 0, None)})
        if language is not None:
            catalog[Name("/Lang")] = language
        if layout is not None:
            catalog[Name("/PageLayout")] = layout
        if kids:
            catalog[Name("/OpenAction")] = generic.ArrayObject([kids[0], Name("/FitH"), generic.NullObject()])
        self._put(root, catalog)
        information = self._reserve()
        self._put(information, info)
        self._xref(root, information)

    def _page(self, page, part: _Part, number: int, total: int, pages_root: int):
        from pypdf import generic
        from pypdf.generic import NameObject as Name

        from rehab.errors import Fault

        if "/Annots" in page:  # a link's target is a page of its part: not what the joined PDF has
            raise Fault("a page of the PDF holds links, which joining its parts would break; nothing was written")
        content = page["/Contents"].get_object().get_data()
        if content.count(part.mark) != 1:
            raise Fault("a page of the PDF has no place for its page number; nothing was written")
        stream = generic.DecodedStreamObject()
        stream.set_data(content.replace(part.mark, part.label(f"Page {number} of {total}")))
        content_number = self._reserve()
        self._put(content_number, stream.flate_encode())
        copy = generic.DictionaryObject({key: self._copy(value, part)
                                         for key, value in page.items()
                                         if key not in ("/Parent", "/Contents")})
        # What a page inherits from its part's page tree (fpdf2 puts the paper size there) is
        # written on the page itself: without it the joined pages had no size, and a viewer
        # showed A4 as Letter, its top (the summary's title) cut off.
        for key in INHERITED:
            node = page
            while key not in node and "/Parent" in node:
                node = node["/Parent"].get_object()
            if key in node and key not in copy:
                copy[Name(key)] = self._copy(node[key], part)
        copy[Name("/Parent")] = generic.IndirectObject(pages_root, 0, None)
        copy[Name("/Contents")] = generic.IndirectObject(content_number, 0, None)
        page_number = self._reserve()
        self._put(page_number, copy)
        return generic.IndirectObject(page_number, 0, None)

    def _xref(self, root: int, info: int) -> None:
        start = self.position
        lines = [b"xref\n0 %d\n" % len(self.offsets), b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % offset for offset in self.offsets[1:]]
        self._write(b"".join(lines))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                    % (len(self.offsets), root, info, start))
