"""Chart geometry, once, for every document: a chart is a list of shapes in millimetres.

`to_svg` turns a chart into inline SVG for HTML; rehab.render.pdf draws the same shapes with
fpdf2. Charts are black and white: phases are told apart by grey bands *and* their labels,
series by marker shape, limits by dashed lines, so a photocopy loses nothing.

Two charts:
- `timeline_band`: the phases of a plan as bands across the weeks, milestones as markers
  (a diamond for a day, a bracket for a window) and a "today" line.
- `report_charts`: pain (0–10) and weight-bearing over a report's range, with phase
  boundaries, the phase's pain ceiling and allowed weight-bearing, milestones and red flags.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from rehab import vocab, wording
from rehab.timeline import Timeline

CHAR_WIDTH = 0.6  # average advance of a character, in font sizes: a safe estimate for sans fonts
BAND_GREYS = (228, 200)  # alternate phase bands; both light enough to print text on
BLACK = 0
CHANGED_KEY = "White boxes under a phase: days your team changed it (see Phases)"
BREAK = 8.0  # width of the break in the timeline's axis between weeks and months, mm


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: int | None = None  # grey 0-255; None: no fill
    stroke: float = 0.0  # line width; 0: no outline


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    width: float = 0.25
    dash: float = 0.0  # dash and gap length; 0: solid
    grey: int = BLACK


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    shape: str  # circle | diamond | triangle | square
    size: float = 1.6
    filled: bool = True


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # baseline
    text: str
    size: float = 2.4  # font size in mm
    anchor: str = "start"  # start | middle | end
    bold: bool = False


@dataclass
class Chart:
    width: float
    height: float
    title: str
    shapes: list = field(default_factory=list)

    def add(self, *shapes) -> None:
        self.shapes.extend(shapes)


def text_width(text: str, size: float) -> float:
    """An estimate on the wide side: a Chinese, Japanese or Korean character is a full em."""
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return (wide + (len(text) - wide) * CHAR_WIDTH) * size


def _inside(chart: Chart) -> Chart:
    """Every label moved, if it must be, to lie within the chart: a browser clips an SVG at
    its edges, so a label near one ("New normal" at the right) would lose its last letters."""
    for index, shape in enumerate(chart.shapes):
        if not isinstance(shape, Label):
            continue
        w = text_width(shape.text, shape.size)
        x0 = shape.x - {"start": 0, "middle": w / 2, "end": w}[shape.anchor]
        shift = max(0.0, 0.2 - x0) - max(0.0, x0 + w - (chart.width - 0.2))
        if shift:
            chart.shapes[index] = Label(shape.x + shift, shape.y, shape.text, shape.size, shape.anchor, shape.bold)
    return chart


def mark_outline(mark: Mark) -> list[tuple[float, float]]:
    """The polygon of a diamond, triangle or square mark (a circle has none)."""
    r = mark.size / 2
    x, y = mark.x, mark.y
    if mark.shape == "diamond":
        return [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    if mark.shape == "triangle":
        return [(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)]
    return [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]


# --- scales ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Scale:
    """Piecewise-linear: day knots map to x knots (a compressed tail for "6–12 months")."""

    days: tuple[float, ...]
    xs: tuple[float, ...]

    def __call__(self, day: float) -> float:
        if day <= self.days[0]:
            return self.xs[0]
        for (d0, d1), (x0, x1) in zip(_pairs(self.days), _pairs(self.xs)):
            if day <= d1:
                return x0 + (day - d0) / (d1 - d0) * (x1 - x0)
        return self.xs[-1]


def _pairs(values):
    return list(zip(values, values[1:]))


def _grey(index: int) -> int:
    return BAND_GREYS[index % len(BAND_GREYS)]


def _short(d: date) -> str:
    return f"{d.day} {d:%b}"


# --- the plan's timeline band ----------------------------------------------------------

def timeline_band(plan: Timeline, today: date | None, width: float) -> Chart:
    """Phases as bands over the weeks, milestones above them, today as a heavy line."""
    label_size, gap = 2.4, 0.5
    finite_end = max((p.end_day + 1 for p in plan.phases if p.end_day is not None), default=84)
    close = [m.end_day or m.day for m in plan.milestones if (m.end_day or m.day) <= finite_end + 28]
    main_end = 7 * math.ceil((max([finite_end, *close]) + 28) / 7)
    far = [m for m in plan.milestones if (m.end_day or m.day) > main_end]
    left, right = 1.0, width - 1.0
    if far:
        tail_start = max(min(m.day for m in far) - 14, main_end + 7)
        tail_end = max(m.end_day or m.day for m in far) + 14
        main_w = (right - left) * 0.8
        scale = Scale((0, main_end, tail_start, tail_end),
                      (left, left + main_w, left + main_w + BREAK, right))
    else:
        scale = Scale((0, main_end), (left, right))

    # Milestones on the same day share one label ("Wound check · Start physiotherapy").
    labels: dict[int, list[str]] = {}
    for m in plan.milestones:
        labels.setdefault(m.day, []).append(m.title + (" (window)" if m.end_day else ""))
    rows = _place_labels([(scale(d), " · ".join(titles)) for d, titles in labels.items()],
                         label_size, left, right)
    top = (max((r for r, _ in rows), default=-1) + 1) * (label_size + gap) + 1
    # Under a phase's two lines, a strip for the days the patient's team changed its
    # weight-bearing or boot (white, outlined, in the phase table's words where they fit).
    changed = {p.id: _changed_stretches(plan, p) for p in plan.phases}
    strip = 4.8 if any(changed.values()) else 0.0
    marks_y, band_y, band_h = top + 2, top + 5, 11.0 + strip
    axis_y = band_y + band_h
    day = plan.day_of(today) if today else -1
    key_y = axis_y + (15.4 if day >= 0 else 11.6)  # the white boxes' key, under "Today"
    chart = Chart(width, (key_y + 1 if strip else axis_y + 8.5 + (4 if day >= 0 else 0)),
                  f"Recovery timeline from surgery on {plan.surgery_date:%d %b %Y}")

    current = plan.phase_on(today) if day >= 0 else None
    band_labels = []
    for i, p in enumerate(plan.phases):
        x0 = scale(p.start_day)
        x1 = scale(p.end_day + 1) if p.end_day is not None else right
        chart.add(Rect(x0, band_y, x1 - x0, band_h, fill=_grey(i),
                       stroke=0.6 if current == p else 0.15))
        if p.end_day is None and far:
            x1 = scale(main_end)  # label the open phase before the break in the axis
        weeks = week_span(p.start_day, p.end_day)
        rule = p.phase
        for line_no, choices in enumerate(((weeks,), _band_details(rule))):
            # the first wording that fits: every phase's box says at least whether the boot is on
            size, text = next(((z, t) for t in choices if (z := _fit(t, x1 - x0 - 1.5, 2.4, 1.7))), (None, ""))
            if size:
                # On a patch of the band's own grey, so the today line does not run through it.
                cx, base, w = (x0 + x1) / 2, band_y + 4.3 + line_no * 3.8, text_width(text, size) + 1
                band_labels += [Rect(cx - w / 2, base - size * 0.8, w, size, fill=_grey(i)),
                                Label(cx, base, text, size, "middle", bold=line_no == 0)]
        for start, end, choices in changed[p.id]:
            sx0 = scale(start)
            sx1 = min(x1, scale(end + 1)) if end is not None else x1
            y0 = band_y + 10.6
            band_labels.append(Rect(sx0, y0, sx1 - sx0, strip - 0.6, fill=255, stroke=0.3))
            for lines in choices:  # the first wording that fits, on one line or two
                size = min([(_fit(t, sx1 - sx0 - 0.8, 2.0, 1.5) or 0) for t in lines]
                           + [(strip - 0.8) / (len(lines) * 1.05)])  # the lines within the box's height
                if size >= 1.5:
                    pad = (strip - 0.6 - len(lines) * size) / 2  # the lines centred in the box
                    band_labels += [Label((sx0 + sx1) / 2, y0 + pad + (n + 0.8) * size, t, size, "middle")
                                    for n, t in enumerate(lines)]
                    break
    if far:
        # A zig-zag break where the axis jumps from weeks to months.
        bx = scale(main_end) + BREAK / 2
        top_y, mid_y, low_y = band_y - 0.5, band_y + band_h / 2, band_y + band_h + 0.5
        chart.add(Rect(bx - 2, top_y, 4, low_y - top_y, fill=255),
                  Line(((bx - 2, top_y), (bx, mid_y), (bx - 2, low_y))),
                  Line(((bx, top_y), (bx + 2, mid_y), (bx, low_y))))

    for row, (x, text, anchor) in rows:
        y = top - row * (label_size + gap) - gap
        chart.add(Label(x, y, text, label_size, anchor),
                  Line(((x, y + 0.6), (x, marks_y)), width=0.15))
    for m in plan.milestones:
        if m.end_day is None:
            chart.add(Mark(scale(m.day), marks_y + 1, "diamond", 2.4))
        else:
            x0, x1 = scale(m.day), scale(m.end_day)
            chart.add(Line(((x0, marks_y), (x0, marks_y + 2), (x1, marks_y + 2), (x1, marks_y)), width=0.5))

    ticks = [(d, f"wk {d // 7}") for d in range(0, main_end + (0 if far else 1), 14)]
    ticks += [(m.day, _offset_word(m.milestone.at)) for m in far]
    ticks += [(m.end_day, _offset_word(m.milestone.until)) for m in far if m.end_day]
    kept: list[float] = []
    for d, word in ticks:  # in order of preference: a tick too close to a kept one is dropped
        x = scale(d)
        if any(abs(x - other) < 8 for other in kept):
            continue
        kept.append(x)
        anchor = "start" if x - left < 4 else "end" if right - x < 4 else "middle"
        chart.add(Line(((x, axis_y), (x, axis_y + 1.2)), width=0.2),
                  Label(x, axis_y + 4, word, 2.3, anchor, bold=True),
                  Label(x, axis_y + 7.2, _short(plan.date_of(d)), 2.1, anchor))
    chart.add(Line(((left, axis_y), (right, axis_y)), width=0.3))

    chart.add(*band_labels)
    if day >= 0:
        x = scale(day)
        labels = [s for s in chart.shapes if isinstance(s, Label)]
        # broken where it would cross a label, so "WBAT/FWB" or a milestone's name is never cut through
        chart.add(*(Line(((x, y0), (x, y1)), width=0.7, dash=1.0)
                    for y0, y1 in _clear_of(labels, x, marks_y - 1, axis_y + 9.5)),
                  Mark(x, axis_y + 10.6, "triangle", 2.0))
        anchor = "end" if right - x < 25 else "start"
        chart.add(Label(x + (2 if anchor == "start" else -2), axis_y + 11.6, f"Today: day {day}", 2.5,
                        anchor, bold=True))
    if strip:  # what the white boxes are, where a box is too narrow to say it itself
        chart.add(Label(left, key_y, CHANGED_KEY, 2.2, "start"))
    return _inside(chart)


def _changed_stretches(plan: Timeline, phase) -> list[tuple[int, int | None, list[tuple[str, ...]]]]:
    """The days of a phase the patient's team changed what its box says (weight-bearing,
    boot), each with its wordings, longest first: 'days 0–6: at most NWB (changed)' as the
    phase table says it, down to 'NWB' over '(changed)'."""
    found = [f for f in (plan.phase_changes(phase) if hasattr(plan, "phase_changes") else [])
             if f.what in ("weight_bearing", "boot")]
    stretches: dict[tuple[int, int | None], list] = {}
    for f in found:
        stretches.setdefault((f.start_day, f.end_day), []).append(f)
    out = []
    for (start, end), items in sorted(stretches.items(), key=lambda kv: kv[0][0]):
        what = "; ".join(wording.phase_change_what(f) for f in items)
        short = " · ".join(vocab.WEIGHT_BEARING_ABBREV[f.value] if f.what == "weight_bearing"
                           else wording.BOOT_PLAN[f.value] for f in items)
        out.append((start, end, [(f"{wording.phase_change_days(items[0])}: {what} (changed)",), (f"{what} (changed)",),
                                 (f"{short} (changed)",), (short, "(changed)"), (short, "changed"), ("changed",)]))
    return out


def _band_details(rule) -> tuple[str, ...]:
    """A phase's second line, longest first: 'NWB/TTWB/PWB · boot', 'NWB–PWB · boot', 'boot'
    (the first two weeks after an os trigonum excision are narrow)."""
    levels = [vocab.WEIGHT_BEARING_ABBREV[w] for w in rule.weight_bearing.allowed]
    boot = wording.BOOT_PLAN[rule.boot]
    shorter = (f"{levels[0]}–{levels[-1]} · {boot}",) if len(levels) > 2 else ()
    return (f"{'/'.join(levels)} · {boot}", *shorter, boot)


def _clear_of(labels, x: float, y0: float, y1: float, pad: float = 0.4) -> list[tuple[float, float]]:
    """The pieces of the vertical line x from y0 to y1 that cross no label; the two lines of
    a phase's label are taken as one block."""
    boxes = []
    for label in labels:
        w = text_width(label.text, label.size)
        left = label.x - {"start": 0, "middle": w / 2, "end": w}[label.anchor]
        if left - pad <= x <= left + w + pad:
            boxes.append((label.y - label.size * 0.8 - pad, label.y + label.size * 0.25 + pad))
    pieces, start = [], y0
    for top, bottom in _merged(sorted(boxes), 2.0):
        if top > start:
            pieces.append((start, min(top, y1)))
        start = max(start, bottom)
    if y1 > start:
        pieces.append((start, y1))
    return [(a, b) for a, b in pieces if b > a]


def _merged(spans: list[tuple[float, float]], join: float) -> list[tuple[float, float]]:
    merged: list[list[float]] = []
    for top, bottom in spans:
        if merged and top <= merged[-1][1] + join:  # rows this close read as one block
            merged[-1][1] = max(merged[-1][1], bottom)
        else:
            merged.append([top, bottom])
    return [(a, b) for a, b in merged]


def week_span(start_day: int, end_day: int | None) -> str:
    """'Weeks 2–6' for days 14–41; 'Week 12+' for an open end."""
    if end_day is None:
        return f"Week {start_day // 7}+"
    return f"Weeks {start_day // 7}–{(end_day + 1) // 7}"


def _offset_word(offset) -> str:
    unit = {"days": "d", "weeks": "wk", "months": "mo"}[offset.unit]
    return f"{offset.amount} {unit}"


def _fit(text: str, room: float, size: float, smallest: float) -> float | None:
    """The largest font size, down to `smallest`, at which the text fits the room."""
    while size >= smallest:
        if text_width(text, size) <= room:
            return size
        size -= 0.2
    return None


def _place_labels(items, size: float, left: float, right: float):
    """Rows for labels so that none overlaps another and, where possible, no leader line
    crosses a label.

    A label starts at its marker and runs right (or ends at it near the right edge); its
    leader drops from it to the marker. Placing right to left, a label only has to keep clear
    of the labels and leaders already placed to its right. Row 0 is nearest the markers.
    Returns (row, (x, text, anchor)) per item, in the order given.
    """
    texts: list[list[tuple[float, float]]] = []
    leaders: list[list[float]] = []
    placed = {}
    for index in sorted(range(len(items)), key=lambda i: -items[i][0]):
        x, text = items[index]
        w = text_width(text, size)
        anchor = "end" if x + w > right else "start"
        x0, x1 = ((x - w, x) if anchor == "end" else (x, x + w))
        x0, x1 = x0 - 1.0, x1 + 1.0

        def text_free(row):
            return (all(x1 <= a or x0 >= b for a, b in texts[row])
                    and all(not x0 <= p <= x1 for p in leaders[row]))

        def leader_free(row):
            return all(not a <= x <= b for lower in texts[:row] for a, b in lower)

        limit = len(items) + 1
        while len(texts) <= limit:
            texts.append([])
            leaders.append([])
        row = next((r for r in range(limit) if text_free(r) and leader_free(r)), None)
        if row is None:  # crowded: keep the text clear and let the leader cross
            row = next(r for r in range(limit + 1) if text_free(r))
        texts[row].append((x0, x1))
        for lower in leaders[:row]:
            lower.append(x)
        placed[index] = (row, (x, text, anchor))
    return [placed[i] for i in range(len(items))]


# --- report charts ----------------------------------------------------------------------

def report_charts(report: dict, width: float) -> list[Chart]:
    """Pain and weight-bearing over the report's range, against what each phase allows."""
    frame = _Frame(report, width)
    return [_inside(_pain_chart(frame, report)), _inside(_weight_bearing_chart(frame, report))]


def _spans(top: float, bottom: float, skip: tuple[float, float] | None) -> list[tuple[float, float]]:
    """top to bottom, less the part `skip` covers."""
    spans = [(top, bottom)] if skip is None else [(top, skip[0]), (skip[1], bottom)]
    return [(a, b) for a, b in spans if b > a]


class _Frame:
    """What both report charts share: the day axis, phase bands, milestones, as-of line."""

    left_margin = 9.0

    def __init__(self, report: dict, width: float):
        timeline = report["timeline"]
        self.surgery = date.fromisoformat(timeline["surgery_date"])
        first = max(date.fromisoformat(report["range"]["from"]), self.surgery)
        last = date.fromisoformat(report["range"]["to"])
        self.first_day = (first - self.surgery).days
        self.last_day = max((last - self.surgery).days, self.first_day + 7)
        self.width = width
        self.left, self.right = self.left_margin, width - 1.5
        span = self.last_day + 1 - self.first_day
        self.scale = Scale((self.first_day, self.last_day + 1), (self.left, self.right))
        self.phases = timeline["phases"]
        self.plan_steps = report.get("plan_steps")
        self.milestones = report["milestones"]
        self.as_of_day = report["day"]
        self.tick_step = 7 * max(1, math.ceil(span / 7 / 12))

    def day(self, iso: str) -> int:
        return (date.fromisoformat(iso) - self.surgery).days

    def steps(self, shown: list[tuple[dict, float, float]]) -> list[tuple[dict, float, float]]:
        """The stretches of the patient's own plan in view (a change to the pain ceiling or the
        weight-bearing on day 60 is drawn from day 60), else the phases as the protocol has them."""
        if self.plan_steps is None:
            return shown
        return [(s, self.x(max(s["start_day"], self.first_day)), self.x(min(s["end_day"] + 1, self.last_day + 1)))
                for s in self.plan_steps if s["end_day"] >= self.first_day and s["start_day"] <= self.last_day]

    def x(self, day: float) -> float:
        return self.scale(day)

    def visible(self, day: float) -> bool:
        return self.first_day <= day <= self.last_day + 1

    def bands(self, chart: Chart, top: float, bottom: float, titles: bool,
              skip: tuple[float, float] | None = None) -> list[tuple[dict, float, float]]:
        """Phase bands between top and bottom, their boundary lines leaving out `skip` (the
        milestones' labels); returns (phase, x0, x1) for those in view."""
        shown = []
        for i, p in enumerate(self.phases):
            start = max(p["start_day"], self.first_day)
            end = (p["end_day"] + 1) if p["end_day"] is not None else self.last_day + 1
            end = min(end, self.last_day + 1)
            if end <= start:
                continue
            x0, x1 = self.x(start), self.x(end)
            chart.add(Rect(x0, top, x1 - x0, bottom - top, fill=255 if i % 2 == 0 else 236))
            if p["start_day"] >= self.first_day:
                chart.add(*(Line(((x0, a), (x0, b)), width=0.3, dash=0.8) for a, b in _spans(top, bottom, skip)))
            if titles:
                # The title, else "Phase 4", else "4": whichever first fits the band in view.
                for text in (p["title"], f"Phase {i + 1}", str(i + 1)):
                    size = _fit(text, x1 - x0 - 1.5, 2.2, 1.6)
                    if size:
                        chart.add(Label(x0 + 0.8, top + 2.8, text, size, bold=True))
                        break
            shown.append((p, x0, x1))
        return shown

    def axis(self, chart: Chart, y: float) -> None:
        chart.add(Line(((self.left, y), (self.right, y)), width=0.3))
        first_tick = math.ceil(self.first_day / self.tick_step) * self.tick_step
        for d in range(first_tick, self.last_day + 2, self.tick_step):
            x = self.x(d)
            anchor = "end" if self.right - x < 5 else "middle"
            chart.add(Line(((x, y), (x, y + 1.0)), width=0.2),
                      Label(x, y + 3.6, f"wk {d // 7}", 2.1, anchor, bold=True),
                      Label(x, y + 6.4, _short(self.surgery + timedelta(days=d)), 2.0, anchor))

    def as_of(self, chart: Chart, top: float, bottom: float, skip: tuple[float, float] | None = None) -> None:
        """The report date's line, top to bottom, leaving out `skip` (the milestones' labels)."""
        if self.visible(self.as_of_day):
            x = self.x(self.as_of_day)
            chart.add(*(Line(((x, a), (x, b)), width=0.6, dash=1.0) for a, b in _spans(top, bottom, skip)))

    def milestones_row(self, chart: Chart, top: float) -> tuple[float, tuple[float, float] | None]:
        """Planned milestones as labelled hollow diamonds, recorded ones filled on the day they
        were recorded. Returns the y of the diamonds' row and the strip (top, bottom) their
        labels take, if any: no phase line or band edge is drawn across it, so a label that runs
        past the end of its phase is never cut by that phase's line."""
        size, gap = 2.0, 0.4
        planned: dict[int, list[str]] = {}
        for m in self.milestones:
            if self.visible(self.day(m["date"])):
                planned.setdefault(self.day(m["date"]), []).append(m["title"])
        rows = _place_labels([(self.x(d + 0.5), " · ".join(titles)) for d, titles in planned.items()],
                             size, self.left + 0.5, self.right)
        marks_y = top + (max((r for r, _ in rows), default=-1) + 1) * (size + gap) + 1.6
        strip = (top - 0.9, marks_y - 1.0) if rows else None
        if strip:
            chart.add(Rect(self.left, strip[0], self.right - self.left, strip[1] - strip[0], fill=255))
        for row, (x, text, anchor) in rows:
            y = marks_y - 1.6 - row * (size + gap)
            chart.add(Label(x, y, text, size, anchor), Line(((x, y + 0.5), (x, marks_y - 1.1)), width=0.12))
        chart.add(*(Mark(self.x(d + 0.5), marks_y, "diamond", 2.0, filled=False) for d in planned))
        for m in self.milestones:
            if m["reached_on"] and self.visible(self.day(m["reached_on"])):
                chart.add(Mark(self.x(self.day(m["reached_on"]) + 0.5), marks_y, "diamond", 2.0))
        return marks_y, strip


def _pain_chart(frame: _Frame, report: dict) -> Chart:
    chart = Chart(frame.width, 0, "Pain (0–10) by day, with each phase's expected ceiling")
    top = 0.5
    marks_y, strip = frame.milestones_row(chart, top + 4.5)
    flags_y = marks_y + 2.8
    plot_top, plot_bottom = flags_y + 2.5, flags_y + 40.5
    chart.height = plot_bottom + 7.5
    # Bands go under everything drawn so far; the labels' white strip hides their edges.
    shapes, chart.shapes = chart.shapes, []
    shown = frame.bands(chart, top, plot_bottom, titles=True, skip=strip)
    chart.add(*shapes)

    def y(score: float) -> float:
        return plot_bottom - score / 10 * (plot_bottom - plot_top)

    for score in range(0, 11, 2):
        chart.add(Line(((frame.left, y(score)), (frame.right, y(score))), width=0.1, grey=150),
                  Label(frame.left - 1.5, y(score) + 0.8, str(score), 2.2, "end"))
    for stretch, x0, x1 in frame.steps(shown):
        ceiling = y(stretch["pain_ceiling"])
        chart.add(Line(((x0, ceiling), (x1, ceiling)), width=0.5, dash=1.6))
    points = [(frame.x(e["day"] + 0.5), y(e["pain"])) for e in report["entries"]]
    for run in pain_runs([e["day"] for e in report["entries"]]):
        if len(run) > 1:
            chart.add(Line(tuple(points[i] for i in run), width=0.45))
    chart.add(*(Mark(px, py, "circle", 1.5) for px, py in points))
    urgent_days = sorted({frame.day(f["date"]) for f in report["flags"] if f["severity"] == "urgent"})
    chart.add(*(Mark(frame.x(d + 0.5), flags_y, "triangle", 2.2) for d in urgent_days if frame.visible(d)))
    frame.as_of(chart, top, plot_bottom, skip=strip)
    frame.axis(chart, plot_bottom)
    chart.add(Rect(frame.left, top, frame.right - frame.left, plot_bottom - top, stroke=0.2))
    return chart


# A line between two logged days says the pain went from one score to the other. Across one
# unlogged day that is a fair reading of a daily score (a patient forgets a day); across two or
# more it would draw days nobody recorded, and hide the gap itself, so the line breaks there.
MOST_DAYS_JOINED = 1


def pain_runs(days: list[int]) -> list[list[int]]:
    """Indexes of the entries (days in order) in runs that the pain line joins: a new run
    starts after more than MOST_DAYS_JOINED days without an entry."""
    runs: list[list[int]] = []
    for i, day in enumerate(days):
        if runs and day - days[i - 1] - 1 <= MOST_DAYS_JOINED:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _weight_bearing_chart(frame: _Frame, report: dict) -> Chart:
    levels = vocab.WEIGHT_BEARING
    step, top = 4.2, 1.0
    plot_bottom = top + step * len(levels)
    chart = Chart(frame.width, plot_bottom + 8, "Weight-bearing by day, against the levels each phase allows")
    shown = frame.bands(chart, top, plot_bottom, titles=False)

    def y(level: str) -> float:
        return plot_bottom - (levels.index(level) + 0.5) * step

    for level in levels:
        chart.add(Label(frame.left - 1.0, y(level) + 0.8, vocab.WEIGHT_BEARING_ABBREV[level], 1.9, "end"))
    for stretch, x0, x1 in frame.steps(shown):
        ranks = [levels.index(lvl) for lvl in stretch["weight_bearing"]]
        hi, lo = y(levels[max(ranks)]) - step / 2 + 0.3, y(levels[min(ranks)]) + step / 2 - 0.3
        chart.add(Rect(x0 + 0.3, hi, x1 - x0 - 0.6, lo - hi, fill=205))
    points = [(frame.x(e["day"] + 0.5), y(e["weight_bearing"])) for e in report["entries"]]
    chart.add(*(Mark(px, py, "square", 1.3) for px, py in points))
    frame.as_of(chart, top, plot_bottom)
    frame.axis(chart, plot_bottom)
    chart.add(Rect(frame.left, top, frame.right - frame.left, plot_bottom - top, stroke=0.2))
    return chart


# --- outcome scores ---------------------------------------------------------------------

SERIES_MARKS = ("circle", "square", "triangle", "diamond")
SERIES_DASH = (0.0, 1.4, 0.6, 2.4)
DUE_WORDS = {"before surgery": "pre-op", "weeks": "wk", "week": "wk", "months": "mo", "month": "mo", "days": "d", "day": "d"}


def _due_word(label: str) -> str:
    if label in DUE_WORDS:
        return DUE_WORDS[label]
    amount, _, unit = label.partition(" ")
    return f"{amount} {DUE_WORDS.get(unit, unit)}"


def outcomes_chart(report: dict, width: float) -> Chart | None:
    """Each questionnaire's scores over time as a share of its best possible score (FAAM is a
    percentage already; LEFS 0-80 is drawn as a percentage of 80), with the due points as
    dashed verticals labelled "6 wk · 2/3 done". None when there is no score to draw."""
    section = report["outcomes"]
    series = [(i, [s for s in section["scores"] if s["instrument"] == i["id"] and s["score"] is not None and i["max"]])
              for i in section["instruments"]]
    series = [(i, points) for i, points in series if points]
    if not series:
        return None
    as_of = (date.fromisoformat(report["range"]["to"]) - date.fromisoformat(report["timeline"]["surgery_date"])).days
    days = [s["day"] for _, points in series for s in points]
    due: dict[str, list[dict]] = {}
    for d in section["due"]:
        due.setdefault(d["due_date"], []).append(d)
    surgery = date.fromisoformat(report["timeline"]["surgery_date"])
    due_days = {key: (date.fromisoformat(key) - surgery).days for key in due}
    upcoming = sorted(day for key, day in due_days.items() if day > as_of)
    first = min([0, *days]) - 4
    last = max([as_of, *days, *upcoming[:1]]) + 4
    shown_due = {key: day for key, day in due_days.items() if first <= day <= last}

    left, right = 12.0, width - 2.0
    chart = Chart(width, 0, "Questionnaire scores over time (% of the best possible score), due points dashed")
    legend_y = 3.0
    x = left
    for index, (instrument, _) in enumerate(series):
        name = instrument["name"] + (f" (of {instrument['max']}, drawn as %)" if instrument["max"] != 100 else "")
        chart.add(Line(((x, legend_y - 0.8), (x + 6, legend_y - 0.8)), width=0.45, dash=SERIES_DASH[index % 4]),
                  Mark(x + 3, legend_y - 0.8, SERIES_MARKS[index % 4], 1.6),
                  Label(x + 7.5, legend_y, name, 2.3))
        x += 7.5 + text_width(name, 2.3) + 5
    scale = Scale((first, last), (left, right))
    ordered = sorted(shown_due.items(), key=lambda kv: kv[1])
    placed = _place_labels([(scale(day), f"{_due_word(due[key][0]['label'])} · "
                             f"{sum(d['status'] == 'done' for d in due[key])}/{len(due[key])} done")
                            for key, day in ordered], 2.1, left, right)
    rows = max((row for row, _ in placed), default=0) + 1
    plot_top = legend_y + 3.0 + rows * 2.8 + 1.0
    plot_bottom = plot_top + 50.0
    chart.height = plot_bottom + 8.0

    def y(percent: float) -> float:
        return plot_bottom - percent / 100 * (plot_bottom - plot_top)

    for percent in range(0, 101, 20):
        chart.add(Line(((left, y(percent)), (right, y(percent))), width=0.1, grey=150),
                  Label(left - 1.5, y(percent) + 0.8, f"{percent}%", 2.1, "end"))
    for (key, day), (row, (lx, text, anchor)) in zip(ordered, placed):
        label_y = plot_top - 1.2 - row * 2.8
        chart.add(Line(((scale(day), label_y + 0.6), (scale(day), plot_bottom)), width=0.3, dash=1.0, grey=90),
                  Label(lx, label_y, text, 2.1, anchor))
    if first <= 0 <= last:
        chart.add(Line(((scale(0), plot_top), (scale(0), plot_bottom)), width=0.5),
                  Label(scale(0) + 0.8, plot_bottom - 1.2, "surgery", 2.0))
    if first <= as_of <= last:
        chart.add(Line(((scale(as_of), plot_top), (scale(as_of), plot_bottom)), width=0.6, dash=1.0))
    values: list[tuple[float, float, str]] = []
    for index, (instrument, points) in enumerate(series):
        xy = [(scale(s["day"]), y(s["score"] / instrument["max"] * 100)) for s in points]
        if len(xy) > 1:
            chart.add(Line(tuple(xy), width=0.45, dash=SERIES_DASH[index % 4]))
        for (px, py), s in zip(xy, points):
            chart.add(Mark(px, py, SERIES_MARKS[index % 4], 1.9))
            values.append((px, py, f"{s['score']:.1f}%" if instrument["max"] == 100 else f"{s['score']}/{instrument['max']}"))
    chart.add(*_value_labels(values, 2.0))
    step = 7 * max(1, math.ceil((last - first) / 7 / 12))
    chart.add(Line(((left, plot_bottom), (right, plot_bottom)), width=0.3))
    for d in range(math.ceil(first / step) * step, last + 1, step):
        anchor = "end" if right - scale(d) < 5 else "middle"
        chart.add(Line(((scale(d), plot_bottom), (scale(d), plot_bottom + 1.0)), width=0.2),
                  Label(scale(d), plot_bottom + 3.6, f"wk {d // 7}" if d >= 0 else f"−{-d // 7} wk", 2.1, anchor, bold=True),
                  Label(scale(d), plot_bottom + 6.4, _short(surgery + timedelta(days=d)), 2.0, anchor))
    chart.add(Rect(left, plot_top, right - left, plot_bottom - plot_top, stroke=0.2))
    return chart


def _value_labels(values: list[tuple[float, float, str]], size: float) -> list[Label]:
    """A label for each point, above it, else below, right or left: the first place that
    overlaps no label already placed (scores close together at one due point stay readable)."""
    taken: list[tuple[float, float, float, float]] = []
    labels = []
    for px, py, text in values:
        w, h = text_width(text, size), size
        tries = [(px, py - 1.8, "middle"), (px, py + 1.8 + h, "middle"),
                 (px + 1.8, py + h / 3, "start"), (px - 1.8, py + h / 3, "end")]
        for lx, ly, anchor in tries:
            x0 = lx - w / 2 if anchor == "middle" else lx if anchor == "start" else lx - w
            box = (x0, ly - h, x0 + w, ly)
            if all(box[2] <= a or box[0] >= c or box[3] <= b or box[1] >= d for a, b, c, d in taken):
                break
        taken.append(box)
        labels.append(Label(lx, ly, text, size, anchor))
    return labels


# --- SVG ----------------------------------------------------------------------------------

def to_svg(chart: Chart) -> str:
    """Inline SVG (no external resources); text is escaped."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width:.2f} {chart.height:.2f}" '
           f'role="img" aria-label="{escape(chart.title)}" class="chart">',
           f"<title>{escape(chart.title)}</title>"]
    for shape in chart.shapes:
        out.append(_svg_shape(shape))
    out.append("</svg>")
    return "\n".join(out)


def _svg_shape(shape) -> str:
    if isinstance(shape, Rect):
        fill = "none" if shape.fill is None else _rgb(shape.fill)
        stroke = f' stroke="#000" stroke-width="{shape.stroke:.2f}"' if shape.stroke else ""
        return (f'<rect x="{shape.x:.2f}" y="{shape.y:.2f}" width="{shape.w:.2f}" '
                f'height="{shape.h:.2f}" fill="{fill}"{stroke}/>')
    if isinstance(shape, Line):
        pts = " ".join(f"{x:.2f},{y:.2f}" for x, y in shape.points)
        dash = f' stroke-dasharray="{shape.dash:.2f}"' if shape.dash else ""
        return (f'<polyline points="{pts}" fill="none" stroke="{_rgb(shape.grey)}" '
                f'stroke-width="{shape.width:.2f}"{dash}/>')
    if isinstance(shape, Mark):
        fill = "#000" if shape.filled else "#fff"
        if shape.shape == "circle":
            return (f'<circle cx="{shape.x:.2f}" cy="{shape.y:.2f}" r="{shape.size / 2:.2f}" '
                    f'fill="{fill}" stroke="#000" stroke-width="0.25"/>')
        pts = " ".join(f"{x:.2f},{y:.2f}" for x, y in mark_outline(shape))
        return f'<polygon points="{pts}" fill="{fill}" stroke="#000" stroke-width="0.25"/>'
    weight = ' font-weight="bold"' if shape.bold else ""
    return (f'<text x="{shape.x:.2f}" y="{shape.y:.2f}" font-size="{shape.size:.2f}" '
            f'text-anchor="{shape.anchor}"{weight}>{escape(shape.text)}</text>')


def _rgb(grey: int) -> str:
    return f"#{grey:02x}{grey:02x}{grey:02x}"
