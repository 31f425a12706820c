"""Field specs: the one description of each workbook's columns, loaded from schemas/*.toml.

From a spec crmkit derives the header mapping on read (here), the pandera schema
(`crmkit.frames.schema`), the blank template (`crmkit.io.template`) and the labels it writes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from crmkit.errors import SpecError
from crmkit.spec.resources import data_dir
from crmkit.spec.tomlfile import read_toml
from crmkit.text.normalize import (
    SERIAL_DATES,
    OptionIndex,
    SerialDates,
    strip_invisible,
    to_simplified,
)

FIELD_TYPES = ("id", "text", "option", "phone", "email", "datetime", "number", "tags", "transition",
               "period")  # fmt: skip
LANGS = ("zh", "zh-Hant", "en")
KINDS = ("customers", "followups", "tasks", "feedback", "orders", "targets")
_FIELD_KEYS = {
    "name", "type", "required", "headers", "aliases", "options", "synonyms", "pattern",
    "unique", "min", "max", "above", "pii", "vague", "min_length", "references", "default_area_code", "hint",
}  # fmt: skip


@dataclass(frozen=True)
class FieldSpec:
    """One column of a workbook: its canonical name, headers, type and rules."""

    name: str
    type: str
    required: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)
    pattern: str | None = None
    unique: bool = False
    min: float | None = None
    max: float | None = None
    above: float | None = None  # a number must be greater than this (目标金额 > 0)
    pii: bool = False
    vague: tuple[str, ...] = ()
    min_length: int = 0
    references: str | None = None
    default_area_code: str = ""
    hint: dict[str, str] = field(default_factory=dict)
    # The dates a number in a date field may stand for: the project config's [dates] range,
    # set on the spec (`TableSpec.with_serial_dates`) so that every command reads dates alike.
    serial_dates: SerialDates = SERIAL_DATES

    def header(self, lang: str = "zh") -> str:
        """The header of this field in a language (zh, zh-Hant, en), falling back to zh."""
        return self.headers.get(lang) or self.headers.get("zh") or self.name

    def hint_in(self, lang: str = "zh") -> str:
        """The input hint in a language; 繁體 falls back to the 简体 hint."""
        if lang == "en":
            return self.hint.get("en", "")
        return self.hint.get(lang) or self.hint.get("zh", "")

    @cached_property
    def option_index(self) -> OptionIndex:
        """The allowed values of an option or transition field, with their synonyms."""
        return OptionIndex(self.options, self.synonyms)


@dataclass(frozen=True)
class TableSpec:
    """The field spec of one kind of workbook (customers, followups, tasks, feedback, orders, targets)."""

    kind: str
    fields: tuple[FieldSpec, ...]
    title: dict[str, str] = field(default_factory=dict)
    key: str | None = None
    id_prefix: str = "CRM"
    source: str = ""
    one_of: tuple[tuple[str, ...], ...] = ()
    # groups of fields whose values together are unique (a target per 负责人 and 期间)
    unique: tuple[tuple[str, ...], ...] = ()

    def field(self, name: str) -> FieldSpec:
        """The field called `name`; KeyError if the spec has none."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def options_of(self, name: str) -> tuple[str, ...]:
        """The options of a field, in the spec's order (紧急, 重要, 一般); none when the spec
        has no such field (a team's own spec may lack it)."""
        return next((f.options for f in self.fields if f.name == name), ())

    def with_serial_dates(self, serial_dates: SerialDates) -> TableSpec:
        """This spec with every date field reading numbers as Excel serial dates in `serial_dates`."""
        fields = tuple(
            replace(f, serial_dates=serial_dates) if f.type == "datetime" else f
            for f in self.fields
        )
        return replace(self, fields=fields)

    @cached_property
    def _header_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        # The field's own headers win over every alias, whatever the order of fields.
        for spec in self.fields:
            for text in [*spec.headers.values(), spec.name]:
                lookup.setdefault(header_key(text), spec.name)
        for spec in self.fields:
            for text in spec.aliases:
                lookup.setdefault(header_key(text), spec.name)
        return lookup

    def match_header(self, header: Any) -> str | None:
        """The canonical field a header as written names (any language, alias, * or width), or None."""
        if header is None or not str(header).strip():
            return None
        key = header_key(str(header))
        found = self._header_lookup.get(key)
        if found is None:
            plain = unicodedata.normalize("NFKC", strip_invisible(str(header)))
            bare = header_key(_PARENTHESES.sub("", plain))
            found = self._header_lookup.get(bare)
        return found

    def map_headers(self, headers: Sequence[Any]) -> dict[str, int]:
        """Canonical field → position of its column; the first column naming a field wins."""
        mapping: dict[str, int] = {}
        for position, header in enumerate(headers):
            name = self.match_header(header)
            if name is not None and name not in mapping:
                mapping[name] = position
        return mapping


_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_HEADER_NOISE = re.compile(r"[\s*_\-:：]")


def header_language(headers: Iterable[Any]) -> str:
    """The language (zh, zh-Hant or en) most of a table's headers are written in: en when
    ASCII, zh-Hant when 繁→简 changes them, else zh (zh on a tie)."""
    counts = dict.fromkeys(LANGS, 0)
    for header in headers:
        text = unicodedata.normalize("NFKC", strip_invisible(str(header or ""))).strip()
        if text.isascii():
            counts["en"] += any(c.isalpha() for c in text)
        else:
            counts["zh-Hant" if to_simplified(text) != text else "zh"] += 1
    return max(LANGS, key=counts.__getitem__)


def header_key(text: str) -> str:
    """The key under which spellings of one header meet: NFKC, 繁→简, no spaces, * or case.

    Invisible characters (zero-width spaces, a byte-order mark, no-break spaces) do not count.
    """
    folded = unicodedata.normalize("NFKC", strip_invisible(text))
    return to_simplified(_HEADER_NOISE.sub("", folded)).casefold()


def load_spec(path: str | Path) -> TableSpec:
    """Load and check a field spec file; SpecError names the file and the bad entry."""
    path = Path(path)
    return _parse_spec(read_toml(path, SpecError, "schema file"), str(path))


def _parse_spec(raw: dict[str, Any], source: str) -> TableSpec:
    table = raw.get("table", {})
    kind = table.get("kind")
    if not isinstance(kind, str) or not kind:
        raise SpecError(f'{source}: [table] needs a kind, e.g. kind = "customers"')
    entries = raw.get("fields")
    if not isinstance(entries, list) or not entries:
        raise SpecError(f"{source}: no [[fields]] entries")
    fields = tuple(_parse_field(entry, source, i) for i, entry in enumerate(entries, 1))
    seen: set[str] = set()
    for spec in fields:
        if spec.name in seen:
            raise SpecError(f"{source}: field {spec.name!r} is defined twice")
        seen.add(spec.name)
    key = table.get("key")
    if key is not None and key not in seen:
        raise SpecError(f"{source}: [table] key {key!r} is not a field")
    one_of = _parse_groups(table.get("one_of", []), seen, source, "one_of")
    unique = _parse_groups(table.get("unique", []), seen, source, "unique")
    return TableSpec(
        kind=kind,
        fields=fields,
        title=dict(table.get("title", {})),
        key=key,
        id_prefix=str(table.get("id_prefix", "CRM")),
        source=source,
        one_of=one_of,
        unique=unique,
    )


def _parse_groups(raw: Any, names: set[str], source: str, key: str) -> tuple[tuple[str, ...], ...]:
    groups = raw if isinstance(raw, list) else [raw]
    parsed: list[tuple[str, ...]] = []
    for group in groups:
        if not isinstance(group, list) or len(group) < 2:
            raise SpecError(f"{source}: [table] {key} takes lists of two or more fields")
        for name in group:
            if name not in names:
                raise SpecError(f"{source}: [table] {key} names {name!r}, not a field")
        parsed.append(tuple(str(name) for name in group))
    return tuple(parsed)


def _parse_field(entry: Any, source: str, number: int) -> FieldSpec:
    if not isinstance(entry, dict):
        raise SpecError(f"{source}: field #{number} is not a table")
    name = entry.get("name")
    where = f"{source}: field {name!r}" if name else f"{source}: field #{number}"
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise SpecError(f"{where}: name must be snake_case")
    unknown = set(entry) - _FIELD_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    kind = entry.get("type")
    if kind not in FIELD_TYPES:
        raise SpecError(f"{where}: type must be one of {', '.join(FIELD_TYPES)}, not {kind!r}")
    headers = entry.get("headers", {})
    if not isinstance(headers, dict) or not headers.get("zh"):
        raise SpecError(f'{where}: headers needs at least zh = "…"')
    options = tuple(entry.get("options", ()))
    if kind in ("option", "transition") and not options:
        raise SpecError(f"{where}: an {kind} field needs options")
    synonyms = dict(entry.get("synonyms", {}))
    for alias, target in synonyms.items():
        if target not in options:
            raise SpecError(f"{where}: synonym {alias!r} points to {target!r}, not an option")
    pattern = entry.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SpecError(
                f"{where}: pattern {pattern!r} is not a regular expression ({exc})"
            ) from None
    references = entry.get("references")
    if references is not None and (
        not isinstance(references, str) or not re.fullmatch(r"[a-z]+\.[a-z][a-z0-9_]*", references)
    ):
        raise SpecError(f'{where}: references must name table.field, e.g. "customers.customer_id"')
    try:
        return FieldSpec(
            name=name,
            type=kind,
            required=bool(entry.get("required", False)),
            headers={str(k): str(v) for k, v in headers.items()},
            aliases=tuple(str(a) for a in entry.get("aliases", ())),
            options=tuple(str(o) for o in options),
            synonyms={str(k): str(v) for k, v in synonyms.items()},
            pattern=pattern,
            unique=bool(entry.get("unique", False)),
            min=None if entry.get("min") is None else float(entry["min"]),
            max=None if entry.get("max") is None else float(entry["max"]),
            above=None if entry.get("above") is None else float(entry["above"]),
            pii=bool(entry.get("pii", False)),
            vague=tuple(str(v) for v in entry.get("vague", ())),
            min_length=int(entry.get("min_length", 0)),
            references=references,
            default_area_code=str(entry.get("default_area_code", "")),
            hint={str(k): str(v) for k, v in entry.get("hint", {}).items()},
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise SpecError(f"{where}: {exc}") from None


def builtin_spec(kind: str) -> TableSpec:
    """The field spec crmkit ships for a kind of workbook."""
    if kind not in KINDS:
        raise SpecError(f"unknown kind of workbook {kind!r}; expected one of {', '.join(KINDS)}")
    return load_spec(data_dir("schemas") / f"{kind}.toml")


def load_specs(paths: Iterable[str | Path] = ()) -> dict[str, TableSpec]:
    """The built-in specs by kind, each replaced by a team's own file of the same kind."""
    specs = {kind: builtin_spec(kind) for kind in KINDS}
    for path in paths:
        spec = load_spec(path)
        specs[spec.kind] = spec
    return specs
