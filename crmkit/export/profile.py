"""Export profiles: how one target (Zoho CRM, HubSpot, Salesforce, 纷享销客, CSV …) wants the
data, as data files in schemas/export/ — target columns, value maps, formats, required fields
and the import guide each follows. A team passes its own copy with --profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmkit.errors import SpecError
from crmkit.spec.resources import data_dir
from crmkit.spec.tomlfile import read_toml

PROFILES = ("zoho", "hubspot", "salesforce", "fxiaoke", "csv", "xlsx", "jsonl")
FORMATS = ("csv", "xlsx", "jsonl")
PHONES = ("e164", "national")
PARTS = ("given", "family")
_PROFILE_KEYS = {"name", "title", "guide", "format", "phone", "date", "datetime", "required",
                 "headers", "rest", "sheet"}  # fmt: skip
_FOLLOWUP_KEYS = {"title", "columns", "sheet", "key"}
_COLUMN_KEYS = {"name", "field", "part", "map", "default", "value", "join", "type"}


@dataclass(frozen=True)
class ExportColumn:
    """One target column: from which fields (joined), through which value map, or a constant."""

    name: str
    fields: tuple[str, ...] = ()
    part: str | None = None
    map: str | None = None
    default: str | None = None
    value: str | None = None
    join: str = "\n"
    type: str | None = None


@dataclass(frozen=True)
class Profile:
    """A target's columns, maps and formats; `columns` empty means every field (generic).

    `sheet` and `followups_sheet` name the sheets of an xlsx target (default: the input's
    sheet name); `followups_key` the follow-up columns the target links a note to its record
    by (one of them must hold a value)."""

    name: str
    title: str
    guide: str
    format: str = "csv"
    phone: str = "national"
    date: str = "%Y-%m-%d"
    datetime: str = "%Y-%m-%d %H:%M"
    required: tuple[str, ...] = ()
    headers: str = "written"
    rest: bool = True
    columns: tuple[ExportColumn, ...] = ()
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    followups: tuple[ExportColumn, ...] = ()
    followups_title: str = ""
    source: str = ""
    sheet: str = ""
    followups_sheet: str = ""
    followups_key: tuple[str, ...] = ()


def builtin_profile(name: str) -> Profile:
    """The profile crmkit ships for a target; SpecError naming the choices for an unknown one."""
    if name not in PROFILES:
        raise SpecError(f"unknown target {name!r}; expected one of {', '.join(PROFILES)}")
    return load_profile(data_dir("schemas") / "export" / f"{name}.toml")


def load_profile(path: str | Path) -> Profile:
    """Load and check a profile file; SpecError names the file and the bad entry."""
    path = Path(path)
    raw = read_toml(path, SpecError, "profile")
    where = str(path)
    head = raw.get("profile")
    if not isinstance(head, dict):
        raise SpecError(f"{where}: no [profile] table")
    unknown = set(head) - _PROFILE_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key profile.{sorted(unknown)[0]}")
    for key in ("name", "title", "guide"):
        if not isinstance(head.get(key), str) or not head[key]:
            raise SpecError(f"{where}: profile.{key} is required (the guide the profile follows)")
    _choice(head, "format", FORMATS, where)
    _choice(head, "phone", PHONES, where)
    _choice(head, "headers", ("written", "canonical"), where)
    for key in ("date", "datetime"):
        if key in head and (not isinstance(head[key], str) or "%" not in head[key]):
            raise SpecError(f"{where}: profile.{key} must be a strftime format such as %Y-%m-%d")
    maps = raw.get("maps", {})
    if not isinstance(maps, dict) or not all(
        isinstance(m, dict) and all(isinstance(v, str) for v in m.values()) for m in maps.values()
    ):
        raise SpecError(f"{where}: [maps.NAME] tables map values to text")
    columns = _columns(raw.get("columns", []), maps, where, "columns")
    names = [c.name for c in columns]
    required = head.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise SpecError(f"{where}: profile.required is a list of column names")
    for name in required:
        if columns and name not in names:
            raise SpecError(f"{where}: profile.required names {name!r}, not a column")
    followups = raw.get("followups", {})
    if not isinstance(followups, dict):
        raise SpecError(f"{where}: [followups] must be a table")
    unknown = set(followups) - _FOLLOWUP_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key followups.{sorted(unknown)[0]}")
    for key, value in (
        ("profile.sheet", head.get("sheet", "")),
        ("followups.sheet", followups.get("sheet", "")),
    ):
        if not isinstance(value, str) or any(c in value for c in "[]:*?/\\") or len(value) > 31:
            raise SpecError(
                f"{where}: {key} must be a sheet name (at most 31 characters, no []:*?/\\)"
            )
    keys = followups.get("key", [])
    keys = [keys] if isinstance(keys, str) else keys
    follow_columns = _columns(followups.get("columns", []), maps, where, "followups.columns")
    if not isinstance(keys, list) or any(k not in {c.name for c in follow_columns} for k in keys):
        raise SpecError(f"{where}: followups.key names columns of followups.columns")
    return Profile(
        name=head["name"],
        title=head["title"],
        guide=head["guide"],
        format=head.get("format", "csv"),
        phone=head.get("phone", "national"),
        date=head.get("date", "%Y-%m-%d"),
        datetime=head.get("datetime", "%Y-%m-%d %H:%M"),
        required=tuple(required),
        headers=head.get("headers", "written"),
        rest=bool(head.get("rest", True)),
        columns=columns,
        maps={str(k): {str(a): str(b) for a, b in m.items()} for k, m in maps.items()},
        followups=follow_columns,
        followups_title=str(followups.get("title", "")),
        source=where,
        sheet=str(head.get("sheet", "")),
        followups_sheet=str(followups.get("sheet", "")),
        followups_key=tuple(str(k) for k in keys),
    )


def _choice(head: dict[str, Any], key: str, allowed: tuple[str, ...], where: str) -> None:
    if key in head and head[key] not in allowed:
        raise SpecError(
            f"{where}: profile.{key} must be one of {', '.join(allowed)}, not {head[key]!r}"
        )


def _columns(
    entries: Any, maps: dict[str, Any], where: str, section: str
) -> tuple[ExportColumn, ...]:
    if not isinstance(entries, list):
        raise SpecError(f"{where}: {section} must be a list of columns")
    columns: list[ExportColumn] = []
    for number, entry in enumerate(entries, 1):
        name = entry.get("name") if isinstance(entry, dict) else None
        at = f"{where}: {section} #{number}" + (f" ({name})" if name else "")
        if not isinstance(entry, dict) or not isinstance(name, str) or not name:
            raise SpecError(f"{at}: each column needs a name")
        unknown = set(entry) - _COLUMN_KEYS
        if unknown:
            raise SpecError(f"{at}: unknown key {sorted(unknown)[0]!r}")
        raw = entry.get("field", [])
        fields = (raw,) if isinstance(raw, str) else tuple(raw)
        if not all(
            isinstance(f, str) and re.fullmatch(r"(customer\.)?[a-z][a-z0-9_]*", f) for f in fields
        ):
            raise SpecError(f"{at}: field names a field (or customer.FIELD in followups)")
        if not fields and "value" not in entry:
            raise SpecError(f"{at}: give a field or a constant value")
        if entry.get("part") not in (None, *PARTS):
            raise SpecError(f"{at}: part must be given or family, not {entry['part']!r}")
        if entry.get("map") is not None and entry["map"] not in maps:
            raise SpecError(f"{at}: map {entry['map']!r} has no [maps.{entry['map']}] table")
        if entry.get("type") not in (None, "date", "datetime"):
            raise SpecError(f"{at}: type must be date or datetime, not {entry['type']!r}")
        columns.append(
            ExportColumn(
                name=name,
                fields=fields,
                part=entry.get("part"),
                map=entry.get("map"),
                default=None if entry.get("default") is None else str(entry["default"]),
                value=None if entry.get("value") is None else str(entry["value"]),
                join=str(entry.get("join", "\n")),
                type=entry.get("type"),
            )
        )
    if len({c.name for c in columns}) != len(columns):
        raise SpecError(f"{where}: {section} names a column twice")
    return tuple(columns)
