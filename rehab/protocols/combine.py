"""Several procedures done in one operation: their protocols combined into one plan. Pure.

The combination is built from the protocols each time it is needed, never stored as a copy,
so an edit to either protocol file reaches the combined plan too. The contract's rules,
phase by phase: weight-bearing allowed = the levels both allow; expected by the end = the
lower; boot if either expects it; activities = those both allow; pain ceiling = the higher;
goals, instructions and exercises = all of them, each once (an item another says in full is
left out: see _once). Milestones = all of them (an id in
both takes the later `at` and `until`, and needs confirming if either says so); thresholds =
the more cautious value of each; sources = all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from rehab import vocab
from rehab.errors import RehabError
from rehab.protocols.models import Milestone, Offset, Phase, Protocol, as_data

SEPARATOR = "+"


def combined_id(ids: Iterable[str]) -> str:
    """The id of procedures done together: the ids sorted, each once, joined with '+'."""
    return SEPARATOR.join(sorted(set(ids)))


def file_id(protocol_id: str) -> str:
    """An id a protocol file may hold for a combination ('fhl-release+os-trigonum-excision'
    becomes 'fhl-release-and-os-trigonum-excision', at most 64 characters): what `protocols
    show --json` writes, so the document saved is a valid protocol to start from."""
    return protocol_id.replace(SEPARATOR, "-and-")[:64].rstrip("-")


def combine(protocols: Sequence[Protocol]) -> Protocol:
    """One protocol from several (in any order; the result is the same). One protocol is
    returned as it is."""
    unique = {p.id: p for p in protocols}
    ordered = [unique[i] for i in sorted(unique)]
    if not ordered:
        raise RehabError("no procedure given")
    if len(ordered) == 1:
        return ordered[0]
    combined = ordered[0]
    for other in ordered[1:]:
        combined = _pair(combined, other)
    # The id joins the ids with '+', which a protocol file's id may not hold: the combined
    # protocol was checked under a placeholder id above, and takes its real one last.
    return replace(combined, id=combined_id(p.id for p in ordered))


def _pair(a: Protocol, b: Protocol) -> Protocol:
    _same_boundaries(a, b)
    data = {
        "id": "combined",
        "name": f"{a.name} + {b.name}",
        "aliases": [],
        "summary": _sentences(a.summary, b.summary) or "",
        "sources": _by_id([*a.sources, *b.sources]),
        "before_surgery": _once([*a.before_surgery, *b.before_surgery]),
        "before_surgery_sources": _once([*a.before_surgery_sources, *b.before_surgery_sources]),
        "phases": [_phase(p, q, a, b) for p, q in zip(a.phases, b.phases)],
        "milestones": _milestones(a.milestones, b.milestones),
        "thresholds": _cautious(as_data(a.thresholds), as_data(b.thresholds)),
        "outcomes": _outcomes(a, b),
    }
    from rehab.protocols import schema  # the combined plan is checked as a file would be

    return schema.check(data)


def _outcomes(a: Protocol, b: Protocol) -> dict | None:
    """Every questionnaire either schedules, at every point either names; the narrower window."""
    schedules = [s for s in (a.outcomes, b.outcomes) if s is not None]
    if not schedules:
        return None
    due = {}
    for s in schedules:
        for point in s.due:
            due.setdefault(str(point), point)
    return {"instruments": _once([i for s in schedules for i in s.instruments]),
            "due": list(due), "window_days": min(s.window_days for s in schedules),
            "sources": _once([i for s in schedules for i in s.sources])}


def _same_boundaries(a: Protocol, b: Protocol) -> None:
    """Refuse protocols whose phases do not change on the same days, naming the first
    boundary that differs (phases all start at day 0, so each phase's end is a boundary)."""
    for index in range(max(len(a.phases), len(b.phases))):
        p = a.phases[index] if index < len(a.phases) else None
        q = b.phases[index] if index < len(b.phases) else None
        p_end = p.end if p else None
        q_end = q.end if q else None
        if p is not None and q is not None and (p_end is None) == (q_end is None) \
                and (p_end is None or p_end.same_point(q_end)):
            continue
        raise RehabError(
            f"cannot combine {a.id} and {b.id}: their phases change at different times "
            f"(boundary {index + 1}: {_boundary(a, p)} in {a.id}, {_boundary(b, q)} in {b.id}); "
            "write a protocol file for the combined operation")


def _boundary(protocol: Protocol, phase: Phase | None) -> str:
    if phase is None:
        return f"no phase {len(protocol.phases) + 1}"
    if phase.end is None:
        return f"'{phase.id}' runs on with no end"
    return f"'{phase.id}' ends at {phase.end}"


def _phase(p: Phase, q: Phase, a: Protocol, b: Protocol) -> dict:
    allowed = [level for level in p.weight_bearing.allowed if level in q.weight_bearing.allowed]
    allowed.sort(key=vocab.wb_rank)
    if not allowed:
        raise RehabError(
            f"cannot combine {a.id} and {b.id}: in phase '{p.id}' they allow no weight-bearing level in common "
            f"({', '.join(p.weight_bearing.allowed)} against {', '.join(q.weight_bearing.allowed)})")
    activities = [x for x in vocab.ACTIVITIES if x in p.activities and x in q.activities]
    if not activities:
        raise RehabError(f"cannot combine {a.id} and {b.id}: in phase '{p.id}' they allow no activity in common")
    data = _cautious(as_data(p), as_data(q))  # any field not named below
    data.update(
        id=p.id if p.id == q.id else f"{p.id}-{q.id}"[:64],
        title=" / ".join(_once([p.title, q.title])),
        start=p.start.text,
        end=p.end.text if p.end else None,
        summary=_sentences(p.summary, q.summary),
        goals=_once([*p.goals, *q.goals]),
        instructions=_once([*p.instructions, *q.instructions]),
        exercises=_once([*p.exercises, *q.exercises]),
        weight_bearing={"allowed": allowed,
                        "expected_by_end": _expected(p.weight_bearing.expected_by_end,
                                                     q.weight_bearing.expected_by_end, allowed)},
        boot=p.boot or q.boot,
        activities=activities,
        pain_ceiling=max(p.pain_ceiling, q.pain_ceiling),
        sources=_once([*p.sources, *q.sources]),
    )
    return data


def _expected(x: str | None, y: str | None, allowed: list[str]) -> str | None:
    """The lower expectation (none expected is the lowest), as a level the combined phase
    allows: the least allowed level at or above it."""
    if x is None or y is None:
        return None
    lower = min(x, y, key=vocab.wb_rank)
    return next((level for level in allowed if vocab.wb_rank(level) >= vocab.wb_rank(lower)), allowed[-1])


def _milestones(first: Sequence[Milestone], second: Sequence[Milestone]) -> list[dict]:
    merged: dict[str, dict] = {m.id: as_data(m) for m in first}
    for m in second:
        if m.id not in merged:
            merged[m.id] = as_data(m)
            continue
        mine = next(x for x in first if x.id == m.id)
        at = _later(mine.at, m.at)
        until = [u for u in (mine.until, m.until) if u is not None]
        latest = until[0] if len(until) == 1 else (_later(*until) if until else None)
        merged[m.id].update(
            at=at.text,
            # A window whose end came before the later start would end before it begins.
            until=latest.text if latest is not None and at.before(latest) else None,
            confirm=mine.confirm or m.confirm,
            description=_sentences(mine.description, m.description),
            sources=_once([*mine.sources, *m.sources]),
        )
    return list(merged.values())


def _later(x: Offset, y: Offset) -> Offset:
    return y if x.before(y) else x


# Which way is more cautious for each threshold (rehab/deviations.py reads them): a smaller
# number flags sooner (fewer points of pain, fewer days or entries to wait, a lower fever
# line), except the pain-rising look-back window, where a LARGER window finds a lower earlier
# pain to rise from and so flags sooner. A phase's own `missed_log_days` reminds sooner when
# smaller. Every Thresholds field must be listed (a test checks), so a new one is decided.
MORE_CAUTIOUS = {
    "pain_spike": min,
    "pain_rise": min,
    "pain_rising_entries": min,
    "pain_rising_within_days": max,
    "pain_not_settling_days": min,
    "severe_pain": min,
    "weight_bearing_grace_days": min,
    "missed_milestone_grace_days": min,
    "missed_log_days": min,
    "fever_celsius": min,
}


def _cautious(x: dict, y: dict) -> dict:
    """Field by field, the more cautious value (MORE_CAUTIOUS says which way for each); where
    only one sets a value, that one. Numbers not in the table are left as `x` has them."""
    out = dict(x)
    for key, value in y.items():
        mine = out.get(key)
        if mine is None:
            out[key] = value
        elif value is not None and key in MORE_CAUTIOUS:
            out[key] = MORE_CAUTIOUS[key](mine, value)
    return out


def _once(items: Iterable[str]) -> list[str]:
    """Each item once, in order; an item whose every word another item also says (the same
    warning with one sign fewer) adds nothing and is left out, the fuller one kept."""
    unique = list(dict.fromkeys(items))
    words = [frozenset(re.findall(r"\w+", item.lower())) for item in unique]

    def said_elsewhere(i: int) -> bool:
        return len(words[i]) >= 3 and any(
            j != i and words[i] <= words[j] and (words[i] != words[j] or j < i) for j in range(len(unique)))

    return [item for i, item in enumerate(unique) if not said_elsewhere(i)]


def _sentences(*texts: str | None) -> str | None:
    """Two descriptions as one, each sentence once (see _once)."""
    sentences = [s for t in texts if t for s in re.split(r"(?<=[.!?])\s+", t.strip()) if s]
    return " ".join(_once(sentences)) or None


def _by_id(items: Iterable) -> list[dict]:
    seen: dict[str, dict] = {}
    for item in items:
        seen.setdefault(item.id, as_data(item))
    return list(seen.values())
