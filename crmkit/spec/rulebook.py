"""The tag-naming rulebook (schemas/tags.toml): categories, canonical values, synonyms, patterns.

Loading checks every entry, so that a rulebook with a mistake fails at once with a message
naming the entry (a synonym pointing to a value that is not canonical, a broken pattern, the
same tag twice) instead of mis-tagging a million rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from crmkit.errors import SpecError
from crmkit.spec.fields import TableSpec
from crmkit.spec.resources import data_dir
from crmkit.spec.tomlfile import read_toml
from crmkit.text.normalize import OptionIndex, to_simplified

UNKNOWN_POLICIES = ("keep", "drop", "fail")
# Words a budget pattern may put before (op) or after an amount: just below it, or just above.
_BELOW = frozenset(["<", "<=", "≤", "小于", "低于", "不足", "少于", "不到", "不超过", "最多",
                    "以下", "以内", "内"])  # fmt: skip
_ABOVE = frozenset([">", ">=", "≥", "大于", "高于", "超过", "至少", "不低于", "以上", "及以上",
                    "起", "+"])  # fmt: skip
_SPACES = re.compile(r"\s+")


class RulebookError(SpecError):
    """The rulebook cannot be used; the message names the file and the entry."""


@lru_cache(maxsize=65536)
def tag_key(text: str) -> str:
    """How spellings of one tag meet: NFKC, 繁→简, case-folded, no white space."""
    return to_simplified(_SPACES.sub("", unicodedata.normalize("NFKC", text))).casefold()


@dataclass
class Category:
    """A tag category: its canonical values in order (or a customer field's options)."""

    name: str
    values: list[str]
    aliases: list[str] = field(default_factory=list)
    value_aliases: dict[str, str] = field(default_factory=dict)
    field_name: str | None = None
    derive: bool = False
    derive_map: dict[str, str] = field(default_factory=dict)
    options: OptionIndex | None = None  # the field's options, for a category of a field

    def value(self, text: str) -> str | None:
        """The canonical value `text` spells in this category, or None."""
        key = tag_key(text)
        for value in self.values:
            if tag_key(value) == key:
                return value
        for alias, value in self.value_aliases.items():
            if tag_key(alias) == key:
                return value
        if self.options is not None:
            return self.options.find(text)
        return None

    def tag(self, value: str, joiner: str) -> str:
        """The canonical tag of a canonical value."""
        return f"{self.name}{joiner}{value}"


@dataclass
class Pattern:
    """A pattern that buckets an amount into one of a category's values."""

    name: str
    regex: re.Pattern[str]
    category: str
    bounds: list[float]
    values: list[str]
    default_unit: float
    units: dict[str, float]

    def bucket(self, key: str) -> str | None:
        """The value a tag key falls into, or None when the pattern does not match."""
        found = self.regex.fullmatch(key)
        if found is None:
            return None
        groups = found.groupdict()
        unit = self.units.get(groups.get("unit") or "", self.default_unit)
        amount = float(groups["amount"]) * unit
        op = groups.get("op") or ""
        after = groups.get("after") or ""
        # 预算<10万 and 10万以下 are just below the bound, 50万以上 and 50万起 just above it.
        if op in _BELOW or after in _BELOW:
            amount -= 1e-6 * max(1.0, amount)
        elif op in _ABOVE or after in _ABOVE:
            amount += 1e-6 * max(1.0, amount)
        for position, bound in enumerate(self.bounds):
            if amount < bound or (position > 0 and amount == bound):
                return self.values[position]
        return self.values[-1]


@dataclass
class Rulebook:
    """Everything `crmkit tags` needs to read, fix and write tags."""

    categories: list[Category]
    synonyms: dict[str, str]  # tag key → canonical tag
    patterns: list[Pattern]
    separator: str
    separators: list[str]
    joiner: str
    joiners: list[str]
    unknown: str
    source: str

    def category(self, name: str) -> Category | None:
        """The category called `name` or one of its aliases (any width, case or 繁體)."""
        key = tag_key(name)
        for category in self.categories:
            if key == tag_key(category.name) or key in (tag_key(a) for a in category.aliases):
                return category
        return None


def load_rulebook(path: Path | None = None, spec: TableSpec | None = None) -> Rulebook:
    """The rulebook in `path` (default: schemas/tags.toml), its field categories bound to the
    customer spec's options. Raises RulebookError naming the entry at fault."""
    path = path or data_dir("schemas") / "tags.toml"
    raw = read_toml(path, RulebookError, "tag rulebook")
    return _parse(raw, str(path), spec)


def _text_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulebookError(f"{where} must be a list of texts")
    return list(value)


def _text_table(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in value.items()
    ):
        raise RulebookError(f"{where} must be a table of text = text")
    return dict(value)


def _parse(raw: dict[str, Any], source: str, spec: TableSpec | None) -> Rulebook:
    known = {"format", "categories", "synonyms", "patterns"}
    for section in raw:
        if section not in known:
            raise RulebookError(f"{source}: unknown section [{section}]")
    form = raw.get("format", {})
    separator = str(form.get("separator", ","))
    separators = _text_list(
        form.get("separators", [",", "，", "、", ";", "；", "|"]), f"{source}: format.separators"
    )
    joiner = str(form.get("joiner", "-"))
    joiners = _text_list(form.get("joiners", ["-", "_", ":", "："]), f"{source}: format.joiners")
    unknown = form.get("unknown", "keep")
    if unknown not in UNKNOWN_POLICIES:
        raise RulebookError(f"{source}: format.unknown must be keep, drop or fail, not {unknown!r}")
    if separator not in separators or joiner not in joiners:
        raise RulebookError(
            f"{source}: format.separator and format.joiner must be among the accepted ones"
        )
    categories = [
        _category(entry, i, source, spec) for i, entry in enumerate(raw.get("categories", []))
    ]
    seen: dict[str, str] = {}
    for category in categories:
        for name in [category.name, *category.aliases]:
            key = tag_key(name)
            if key in seen:
                raise RulebookError(f"{source}: categories: {name} is given twice ({seen[key]})")
            seen[key] = category.name
    book = Rulebook(
        categories, {}, [], separator, separators, joiner, joiners, str(unknown), source
    )
    synonyms = _text_table(raw.get("synonyms", {}), f"{source}: [synonyms]")
    for alias, target in synonyms.items():
        canonical = _canonical(book, target)
        if canonical is None or canonical != target:
            raise RulebookError(f"{source}: synonyms.{alias}: {target} is not a canonical tag")
        key = tag_key(alias)
        if key in book.synonyms:
            raise RulebookError(f"{source}: synonyms.{alias}: the same tag is given twice")
        book.synonyms[key] = target
    book.patterns = [
        _pattern(entry, i, source, book) for i, entry in enumerate(raw.get("patterns", []))
    ]
    return book


def _canonical(book: Rulebook, tag: str) -> str | None:
    """The canonical tag of a tag written category-joiner-value, or None."""
    for position, char in enumerate(tag):
        if char in book.joiners:
            category = book.category(tag[:position])
            if category is not None:
                value = category.value(tag[position + 1 :])
                return category.tag(value, book.joiner) if value is not None else None
    return None


def _category(entry: Any, index: int, source: str, spec: TableSpec | None) -> Category:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
        raise RulebookError(f"{source}: categories[{index + 1}] needs a name")
    name = entry["name"]
    where = f"{source}: categories.{name}"
    allowed = {"name", "values", "aliases", "value_aliases", "field", "derive", "derive_map"}
    for key in entry:
        if key not in allowed:
            raise RulebookError(f"{where}: unknown key {key}")
    values = _text_list(entry.get("values", []), f"{where}.values")
    if len({tag_key(v) for v in values}) != len(values):
        raise RulebookError(f"{where}.values: a value is given twice")
    field_name = entry.get("field")
    options = None
    if field_name is not None:
        if spec is None or not any(f.name == field_name for f in spec.fields):
            raise RulebookError(f"{where}.field: {field_name} is not a customer field")
        field_spec = spec.field(field_name)
        if field_spec.type != "option":
            raise RulebookError(f"{where}.field: {field_name} is not an option field")
        if not values:  # the field's options (and their synonyms) are the values
            options = field_spec.option_index
            values = list(field_spec.options)
    if not values:
        raise RulebookError(f"{where}: give values or a field")
    category = Category(
        name=name,
        values=values,
        aliases=_text_list(entry.get("aliases", []), f"{where}.aliases"),
        value_aliases=_text_table(entry.get("value_aliases", {}), f"{where}.value_aliases"),
        field_name=field_name,
        derive=bool(entry.get("derive", False)),
        derive_map=_text_table(entry.get("derive_map", {}), f"{where}.derive_map"),
        options=options,
    )
    for alias, target in category.value_aliases.items():
        if target not in values:
            raise RulebookError(f"{where}.value_aliases.{alias}: {target} is not one of its values")
    for value, target in category.derive_map.items():
        if target not in values:
            raise RulebookError(f"{where}.derive_map.{value}: {target} is not one of its values")
    if category.derive and field_name is None:
        raise RulebookError(f"{where}: derive needs a field")
    return category


def _pattern(entry: Any, index: int, source: str, book: Rulebook) -> Pattern:
    name = entry.get("name") if isinstance(entry, dict) else None
    where = f"{source}: patterns.{name or index + 1}"
    if not isinstance(entry, dict) or not isinstance(name, str):
        raise RulebookError(f"{where} needs a name")
    try:
        regex = re.compile(str(entry.get("pattern", "")))
    except re.error as exc:
        raise RulebookError(f"{where}: broken pattern ({exc})") from None
    if "amount" not in regex.groupindex:
        raise RulebookError(f"{where}: the pattern needs a group (?P<amount>…)")
    category = book.category(str(entry.get("category", "")))
    if category is None:
        raise RulebookError(f"{where}: category {entry.get('category')!r} is not in the rulebook")
    values = _text_list(entry.get("values", []), f"{where}.values")
    bounds = entry.get("bounds", [])
    if (
        not isinstance(bounds, list)
        or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        or sorted(bounds) != bounds
        or len(values) != len(bounds) + 1
    ):
        raise RulebookError(f"{where}: bounds must be ascending numbers, one fewer than values")
    for value in values:
        if value not in category.values:
            raise RulebookError(f"{where}.values: {value} is not a value of {category.name}")
    units = entry.get("units", {})
    if not isinstance(units, dict) or not all(isinstance(v, int | float) for v in units.values()):
        raise RulebookError(f"{where}.units must be a table of unit = number")
    return Pattern(
        name=name,
        regex=regex,
        category=category.name,
        bounds=[float(b) for b in bounds],
        values=values,
        default_unit=float(entry.get("default_unit", 1)),
        units={tag_key(k): float(v) for k, v in units.items()},
    )
