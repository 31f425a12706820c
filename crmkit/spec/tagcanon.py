"""Read one tag, or one cell of tags, into canonical tags by the rulebook's rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from crmkit.spec.rulebook import Rulebook, tag_key

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Reading:
    """What one tag as written means: its canonical tag (None if unknown), the rule that said
    so, and for an unknown tag the closest canonical tag and its score (0–100)."""

    written: str
    canonical: str | None
    rule: str
    suggestion: str | None = None
    score: float | None = None

    @property
    def changed(self) -> bool:
        """True when the tag is not written in its canonical form."""
        return self.canonical != self.written


@dataclass
class CellReading:
    """A cell of tags: each tag read, and the canonical tags in their rulebook order."""

    readings: list[Reading]
    tags: list[str]  # canonical tags in order, then unknown tags kept, each once


class TagReader:
    """Reads tags by a rulebook, remembering every tag and cell it has read."""

    def __init__(self, book: Rulebook):
        self.book = book
        self._tags: dict[str, Reading] = {}
        self._cells: dict[str, CellReading] = {}
        splitters = sorted((s for s in book.separators if not s.isspace()), key=len, reverse=True)
        self._split = re.compile("|".join(map(re.escape, splitters)) or r"$^")

    @cached_property
    def order(self) -> dict[str, tuple[int, int]]:
        """Sort key of each canonical tag: its category's place, then its value's."""
        order: dict[str, tuple[int, int]] = {}
        for c, category in enumerate(self.book.categories):
            for v, value in enumerate(category.values):
                order[category.tag(value, self.book.joiner)] = (c, v)
        return order

    @cached_property
    def _choices(self) -> dict[str, str]:
        """Tag key → canonical tag, of every canonical tag and synonym (for suggestions)."""
        choices = {tag_key(tag): tag for tag in self.order}
        choices.update(self.book.synonyms)
        return choices

    def read_tag(self, written: str) -> Reading:
        """What one tag means (see the rulebook for the order of the rules)."""
        cached = self._tags.get(written)
        if cached is None:
            cached = self._tags[written] = self._read(written)
        return cached

    def _read(self, written: str) -> Reading:
        book = self.book
        key = tag_key(written)
        for position, char in enumerate(key):
            if char in book.joiners:
                category = book.category(key[:position])
                if category is not None:
                    value = category.value(key[position + 1 :])
                    if value is not None:
                        canonical = category.tag(value, book.joiner)
                        rule = "canonical" if canonical == written else "format"
                        return Reading(written, canonical, rule)
                break
        if key in book.synonyms:
            return Reading(written, book.synonyms[key], "synonym")
        owners = [c for c in book.categories if c.value(key) is not None]
        if len(owners) == 1:
            value = owners[0].value(key)
            assert value is not None
            return Reading(written, owners[0].tag(value, book.joiner), "category")
        for pattern in book.patterns:
            value = pattern.bucket(key)
            if value is not None:
                category = book.category(pattern.category)
                assert category is not None
                return Reading(written, category.tag(value, book.joiner), pattern.name)
        glued = self._glued(key)
        if glued is not None:
            return Reading(written, glued, "format")
        best = process.extractOne(key, list(self._choices), scorer=fuzz.ratio)
        if best is not None and best[1] >= 60:
            return Reading(written, None, "unknown", self._choices[best[0]], round(best[1], 1))
        return Reading(written, None, "unknown")

    def _glued(self, key: str) -> str | None:
        """The one canonical tag a category and a value written with no joiner spell, either
        way round (风险中, 中等风险, 互联网行业); None when none does or several do."""
        found: set[str] = set()
        for position in range(1, len(key)):
            head, tail = key[:position], key[position:]
            for name, text in ((head, tail), (tail, head)):
                category = self.book.category(name)
                value = category.value(text) if category is not None else None
                if category is not None and value is not None:
                    found.add(category.tag(value, self.book.joiner))
        return found.pop() if len(found) == 1 else None

    def _read_spaced(self, piece: str) -> list[Reading]:
        """Tags in a piece that spaces may separate: the longest runs of words that read as a
        tag (预算 8万, budget 300k), else single words."""
        words = _SPACE.split(piece)
        if len(words) == 1:
            return [self.read_tag(piece)]
        readings: list[Reading] = []
        start = 0
        while start < len(words):
            for end in range(len(words), start, -1):
                reading = self.read_tag(" ".join(words[start:end]))
                if reading.canonical is not None or end == start + 1:
                    readings.append(reading)
                    start = end
                    break
        return readings

    def read_cell(self, cell: str) -> CellReading:
        """Every tag of a cell, split at the rulebook's separators (and at spaces, unless the
        spaced text reads as one tag: 预算 8万)."""
        cached = self._cells.get(cell)
        if cached is not None:
            return cached
        readings: list[Reading] = []
        for piece in self._split.split(cell):
            piece = piece.strip()
            if not piece:
                continue
            readings.extend(self._read_spaced(piece))
        tags: list[str] = []
        for reading in readings:
            tag = reading.canonical or reading.written
            if tag not in tags:
                tags.append(tag)
        known = sorted((t for t in tags if t in self.order), key=self.order.__getitem__)
        result = CellReading(readings, known + [t for t in tags if t not in self.order])
        if len(self._cells) < 1_000_000:
            self._cells[cell] = result
        return result
