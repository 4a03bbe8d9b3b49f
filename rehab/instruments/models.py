"""What an outcome questionnaire is: the pydantic models behind each instrument file.

An instrument is data a clinic may replace (with the published wording of a form it holds),
so every check a file must pass lives here, and every error names the field it is about.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from rehab.protocols.schema import Slug, Source, Text, _Strict


class Choice(_Strict):
    value: int = Field(ge=0, le=10)
    label: Text


class Item(_Strict):
    id: Slug
    label: Text


class Instrument(_Strict):
    id: Slug
    name: Text
    short_name: Text
    summary: Text
    question: Text  # the stem every item completes ("... how much difficulty do you have with")
    scale: list[Choice] = Field(min_length=2)
    not_applicable: bool = False  # may an item be answered "na"?
    scoring: Literal["percent", "sum"]
    min_answered: int = Field(ge=1)
    mcid: int | float = Field(gt=0)
    mcid_source: Slug
    items: list[Item] = Field(min_length=1, max_length=200)
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        values = sorted(c.value for c in self.scale)
        if values != list(range(len(values))):
            raise ValueError("scale: the answers' values must run 0, 1, 2, ... with none missing or repeated")
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"item id {item.id!r} is used twice")
            seen.add(item.id)
        if self.min_answered > len(self.items):
            raise ValueError(f"min_answered is {self.min_answered} but there are {len(self.items)} items")
        if self.scoring == "sum" and (self.not_applicable or self.min_answered != len(self.items)):
            raise ValueError("a summed score needs every item: not_applicable false and min_answered = the number of items")
        if self.mcid_source not in {s.id for s in self.sources}:
            raise ValueError(f"mcid_source {self.mcid_source!r} is not among the sources")
        return self

    @property
    def top(self) -> int:
        """The best answer (4: no difficulty)."""
        return len(self.scale) - 1

    @property
    def max(self) -> int:
        """The best possible score: 100 for a percentage, every item at the top for a sum."""
        return 100 if self.scoring == "percent" else self.top * len(self.items)
