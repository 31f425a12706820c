"""Exporting cleaned customers (and their follow-ups) for a full CRM's import, or for another tool.

The table is validated first: a row with an error, or one that would leave a column the
target requires empty, is refused and listed with the reason. Rows in = rows out + rows
refused (+ rows a --where left out); every output row carries its values as the profile maps
and formats them; columns the profile does not use follow under their own headers unless it
says otherwise, so nothing is lost silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache, partial
from typing import Any

import numpy as np
import pandas as pd

from crmkit.errors import UsageError
from crmkit.export.profile import ExportColumn, Profile, builtin_profile
from crmkit.export.where import Condition, where_mask
from crmkit.findings import Finding
from crmkit.findings import Finding as Issue
from crmkit.frames.canonical import typed_values
from crmkit.frames.check import CheckedTable, check_table
from crmkit.io.table import Table, unique_labels
from crmkit.text.pii import mask_phone, mask_pii


@dataclass
class ExportResult:
    """The rows to write for a target, the rows refused with their reasons, and the counts."""

    profile: Profile
    rows: int
    selected: int
    frame: pd.DataFrame
    rejects: pd.DataFrame
    followups: pd.DataFrame | None = None
    followup_rejects: pd.DataFrame | None = None
    followup_rows: int = 0
    followups_left_out: int = 0
    followups_unlinked: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        """How many rows (customers and follow-ups) were refused."""
        extra = len(self.followup_rejects) if self.followup_rejects is not None else 0
        return len(self.rejects) + extra

    def rejected_rows(self) -> pd.DataFrame:
        """Every refused row for the rejects file: file, sheet, row, reason, then its cells as
        written."""
        frames = [self.rejects]
        if self.followup_rejects is not None and len(self.followup_rejects):
            frames.append(self.followup_rejects)
        merged = pd.concat(frames, ignore_index=True)
        return merged[["file", *[c for c in merged.columns if c != "file"]]]

    def findings(self) -> list[Finding]:
        """Each refused row (customers, then follow-ups) as a crmkit Finding: an error whose
        message lists the reasons (the cells' errors, a required target column left empty)."""
        frames = [self.rejects, self.followup_rejects]
        return [
            Finding(str(r["file"]), None if pd.isna(r["sheet"]) else str(r["sheet"]),
                    int(r["row"]), "", "", "", "error", "export-refused", str(r["reason"]))
            for frame in frames if frame is not None
            for r in frame[["file", "sheet", "row", "reason"]].to_dict(orient="records")
        ]  # fmt: skip


def output_sheet(table: Table | None, named: str, fallback: str) -> str:
    """The sheet an xlsx export writes a table's rows on: the one the profile names, else the
    input's own sheet; a table read from several sheets (one per salesperson or per month) is
    one table, named by its kind (客户信息表), never after one of its sheets."""
    if named:
        return named
    if table is None:
        return fallback
    if table.parts and table.spec is not None:
        return (table.spec.title.get("zh") or fallback)[:31]
    return table.sheet or fallback


# ---------------------------------------------------------------- values


@lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    """The compound (欧阳) and single (王) surnames of the name vocabulary."""
    from crmkit.spec.names import load_vocabulary

    names = load_vocabulary().surnames
    return frozenset(s for s in names if len(s) == 2), frozenset(s for s in names if len(s) == 1)


_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def person_part(name: object, part: str) -> str | None:
    """The family or given part of a person's name: 欧阳娜娜 → 欧阳 / 娜娜, John Smith → Smith /
    John. A name crmkit cannot split is all family name (the part every CRM requires)."""
    if name is None or name != name or not str(name).strip():
        return None
    text = str(name).strip()
    if " " in text:
        given, _, family = text.rpartition(" ")
        return family if part == "family" else given.strip()
    if _HAN_NAME.fullmatch(text):
        double, single = _surnames()
        size = 2 if text[:2] in double and len(text) > 2 else 1 if text[:1] in single else 0
        if size:
            return text[:size] if part == "family" else text[size:]
    return text if part == "family" else None


def _each_distinct(values: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """`function` of each cell, worked out once per distinct value (missing stays missing)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array([function(v) for v in uniques] + [None], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype=object)


def e164(phone: str) -> str:
    """An international phone from a normalized one: 13812345678 → +8613812345678,
    010-62345678转123 → +861062345678 ext. 123; E.164 stays as it is."""
    text = str(phone)
    if text.startswith("+"):
        return text
    number, _, extension = text.partition("转")
    digits = number.replace("-", "")
    digits = digits[1:] if digits.startswith("0") else digits
    return f"+86{digits}" + (f" ext. {extension}" if extension else "")


def _phones(values: pd.Series, style: str, masked: bool) -> pd.Series:
    def render(value: str) -> str:
        shown = mask_phone(value) if masked else value
        return e164(shown) if style == "e164" else shown

    return _each_distinct(values, render)


def _dates(values: pd.Series, profile: Profile, kind: str | None) -> pd.Series:
    moments = pd.to_datetime(values, format="ISO8601", errors="coerce")
    if profile.format == "xlsx":  # date cells, which the workbook writer formats
        moments = moments.dt.normalize() if kind == "date" else moments
        return moments.astype(object).where(moments.notna(), None)
    dated = moments.dt.strftime(profile.date)
    timed = moments.dt.strftime(profile.datetime)
    if kind == "date":
        text = dated
    elif kind == "datetime":
        text = timed
    else:
        midnight = moments.dt.time == time(0)
        text = dated.where(midnight, timed)
    return text.where(moments.notna(), None).astype(object)


def _numbers(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    whole = numbers.notna() & (numbers % 1 == 0) & (numbers.abs() < 1e15)
    out = numbers.astype(object).where(numbers.notna(), None)
    out[whole] = numbers[whole].astype("int64").astype(object)
    return out


@dataclass
class _Source:
    """A checked table's canonical values by field, as the profile will render them."""

    checked: CheckedTable
    profile: Profile
    mask_phones: bool

    def canonical(self, name: str) -> pd.Series:
        column = self.checked.columns.get(name)
        index = self.checked.table.data.index
        if column is None:
            return pd.Series(None, index=index, dtype=object)
        return column.values  # Arrow text stays Arrow text: a million rows cost far less

    def rendered(self, name: str, kind: str | None = None) -> pd.Series:
        table = self.checked.table
        values = self.canonical(name)
        if table.spec is None or not table.has(name):
            return values
        spec = table.spec.field(name)
        if spec.type == "phone":
            return _phones(values, self.profile.phone, self.mask_phones)
        if spec.type == "datetime":
            return _dates(values, self.profile, kind)
        if spec.type == "number":
            return _numbers(values)
        return values


def _joined(parts: list[pd.Series], join: str) -> pd.Series:
    """The parts' texts joined by `join`, blanks skipped; None where every part is blank."""
    out: pd.Series | None = None
    for part in parts:
        text = part.astype(object).where(part.notna() & (part.astype(str) != ""), None)
        if out is None:
            out = text
            continue
        if len(parts) > 1:
            text = text.map(str, na_action="ignore")
        both = out.notna() & text.notna()
        out = out.where(out.notna(), text)
        out[both] = out[both].astype(str) + join + text[both]
    assert out is not None
    return out


def _column(
    column: ExportColumn,
    values_of: dict[str, pd.Series],
    index: pd.Index,
    profile: Profile,
    notes: list[str],
    labels: dict[str, str],
) -> pd.Series:
    if column.value is not None and not column.fields:
        return pd.Series(column.value, index=index, dtype=object)
    parts = [values_of[name] for name in column.fields]
    if column.part is not None:
        split = partial(person_part, part=column.part)
        parts = [_each_distinct(p, split) for p in parts]
    out = _joined(parts, column.join).astype(object)
    blank = out.isna()  # the default stands in for a missing value, not for a mapped-out one
    if column.map is not None:
        mapping = profile.maps[column.map]
        mapped = out.map(mapping).astype(object)
        mapped = mapped.where(mapped.notna() | out.isna(), out)
        missing = out[out.notna() & ~out.astype(str).isin(list(mapping))]
        if len(missing):
            counts = missing.astype(str).value_counts()
            listed = ", ".join(f"{value} ({count})" for value, count in counts.head(5).items())
            source = labels.get(column.fields[0], column.fields[0])
            notes.append(
                f"{column.name}: {source} values without a mapping in profile {profile.name} "
                f"are passed as written: {listed}"
            )
        out = mapped.where(mapped != "", None)
    if column.default is not None:
        out = out.mask(blank, column.default)
    return out


def _frame(
    source: _Source,
    columns: Sequence[ExportColumn],
    related: dict[str, pd.Series],
    notes: list[str],
) -> pd.DataFrame:
    """The output columns of a checked table: the profile's, then (unless the profile says
    rest = false) every other column of the sheet in its order, fields rendered; a generic
    profile (no columns) is only the latter."""
    table, profile = source.checked.table, source.profile
    index = table.data.index
    wanted = {f for c in columns for f in c.fields}
    values_of = dict(related)
    for name in wanted - set(values_of):
        kinds = {c.type for c in columns if name in c.fields} - {None}
        values_of[name] = source.rendered(name, next(iter(kinds)) if len(kinds) == 1 else None)
    headers = {name: table.header_of(name) for name in table.fields}
    names = [c.name for c in columns]
    data = [_column(c, values_of, index, profile, notes, headers) for c in columns]
    if profile.rest or not columns:
        canonical = not columns and profile.headers == "canonical"
        by_position = {position: name for name, position in table.fields.items()}
        for position, header in enumerate(table.labels()):
            field_name = by_position.get(position)
            cells = table.data[position]
            if field_name in wanted or (field_name is None and not header and cells.isna().all()):
                continue
            names.append(field_name if canonical and field_name else header)
            data.append(
                source.rendered(field_name)
                if field_name
                else cells.astype(object).where(cells.notna(), None)
            )
    return pd.DataFrame(dict(zip(unique_labels(names), data, strict=True)), index=index)


def _reasons(checked: CheckedTable) -> pd.Series:
    """The errors of each row as one text (a missing required column refuses every row)."""
    table = checked.table
    reasons: dict[int, list[str]] = {}
    everywhere: list[str] = []
    for issue in checked.issues:
        if issue.severity != "error":
            continue
        text = _reason(issue)
        if issue.rule == "missing_column":
            everywhere.append(text)
        elif issue.row is not None:
            reasons.setdefault(int(issue.row), []).append(text)
    series = pd.Series(
        ["; ".join(everywhere + reasons.get(int(row), [])) for row in table.data.index],
        index=table.data.index,
        dtype=object,
    )
    return series.where(series != "", None)


def _reason(issue: Issue) -> str:
    return (
        issue.message
        if issue.message.startswith(issue.column)
        else f"{issue.column}: {issue.message}"
    )


def _and(first: pd.Series, second: pd.Series) -> pd.Series:
    """Two columns of reasons as one: "a; b" where both rows hold one, else whichever does."""
    both = (first.notna() & second.notna()).to_numpy(dtype=bool)
    out = first.astype(object).where(first.notna(), second)
    out[both] = first[both] + "; " + second[both]
    return out


def _required(frame: pd.DataFrame, required: Sequence[str], origin: dict[str, str]) -> pd.Series:
    reasons = pd.Series(None, index=frame.index, dtype=object)
    for name in required:
        if name not in frame:
            continue
        blank = frame[name].isna() | (frame[name].astype(str).str.strip() == "")
        text = f"{name} would be empty" + (f" (from {origin[name]})" if name in origin else "")
        reasons = _and(reasons, pd.Series(text, index=frame.index, dtype=object).where(blank))
    return reasons


def _rejects(table: Table, rows: pd.Index, reasons: pd.Series, mask_phones: bool) -> pd.DataFrame:
    """The refused rows as written, with their file, sheet, row number and reason. National-ID and
    bank-card numbers are masked (a rejects file must not spread them), and phones with
    --mask-phones."""
    labels = table.labels()
    original = table.data.loc[rows].astype(object)
    original.columns = pd.Index(labels)
    original = original.map(lambda v: mask_pii(v) if isinstance(v, str) else v)
    if mask_phones and table.has("phone"):
        label = labels[table.fields["phone"]]
        original[label] = original[label].map(lambda v: mask_phone(str(v)), na_action="ignore")
    sheets, numbers = table.places(rows)
    frame = pd.DataFrame(
        {
            "file": table.name,
            "sheet": sheets.astype(object).where(sheets.notna(), None).to_numpy(),
            "row": numbers.to_numpy(),
            "reason": reasons.loc[rows].to_numpy(),
        }
    )
    return pd.concat([frame, original.reset_index(drop=True)], axis=1)


def _select(frame: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    if not columns:
        return frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UsageError(
            f"--columns {missing[0]!r} is not an output column; choose from {', '.join(map(str, frame.columns))}"
        )
    return frame[list(columns)]


def export_customers(
    customers: Table,
    profile: Profile | str,
    *,
    followups: Table | None = None,
    where: Sequence[Condition] = (),
    columns: Sequence[str] | None = None,
    mask_phones: bool = False,
) -> ExportResult:
    """Map a customer table (read with its spec) to a target's rows; see the module docstring.

    `profile`: a Profile, or the name of a built-in one (zoho, hubspot …). Raises UsageError
    when --columns names no output column.
    """
    if isinstance(profile, str):
        profile = builtin_profile(profile)
    notes: list[str] = []
    checked = check_table(customers)
    source = _Source(checked, profile, mask_phones)
    # Typed values of the fields --where and the follow-ups need, not of every field.
    needed = [
        n for n in dict.fromkeys([c.field for c in where] + ["customer_id"]) if customers.has(n)
    ]
    assert customers.spec is not None
    typed = pd.DataFrame(
        {
            name: typed_values(source.canonical(name), customers.spec.field(name).type)
            for name in needed
        },
        index=customers.data.index,
    )
    selected = where_mask(typed, list(where))
    frame = _frame(source, profile.columns, {}, notes)
    origin = {c.name: " + ".join(customers.header_of(f) for f in c.fields if customers.has(f))
              for c in profile.columns if c.fields}  # fmt: skip
    reasons = _reasons(checked)
    both = _and(reasons, _required(frame, profile.required, origin))
    chosen = selected.to_numpy(dtype=bool)
    refused = chosen & both.notna().to_numpy()
    kept = chosen & ~refused
    out = _select(frame[kept], columns).reset_index(drop=True)
    result = ExportResult(
        profile=profile,
        rows=customers.rows,
        selected=int(chosen.sum()),
        frame=out,
        rejects=_rejects(customers, customers.data.index[refused], both, mask_phones),
        notes=notes,
    )
    if followups is not None:
        _export_followups(result, followups, typed, kept, source)
    return result


def _export_followups(
    result: ExportResult,
    followups: Table,
    typed: pd.DataFrame,
    kept: np.ndarray,
    customers: _Source,
) -> None:
    ids = typed["customer_id"] if "customer_id" in typed else pd.Series(None, index=typed.index)
    exported = set(ids[kept].dropna().astype(str))
    known = {"customers.customer_id": set(ids.dropna().astype(str))}
    checked = check_table(followups, known=known)
    source = _Source(checked, result.profile, customers.mask_phones)
    owner = source.canonical("customer_id")
    related: dict[str, pd.Series] = {}
    first = (~ids.duplicated() & ids.notna()).to_numpy(dtype=bool)
    for name in {
        f for c in result.profile.followups for f in c.fields if f.startswith("customer.")
    }:
        values = customers.rendered(name.split(".", 1)[1])[first]
        related[name] = owner.map(dict(zip(ids[first], values, strict=True)))
    frame = _frame(source, result.profile.followups, related, result.notes)
    reasons = _reasons(checked)
    mine = owner.isin(exported).to_numpy(dtype=bool)
    refused = mine & reasons.notna().to_numpy()
    result.followups = frame[mine & ~refused].reset_index(drop=True)
    result.followup_rejects = _rejects(
        followups, followups.data.index[refused], reasons, customers.mask_phones
    )
    result.followup_rows = followups.rows
    result.followups_left_out = int((~mine).sum())
    _count_unlinked(result)


def _count_unlinked(result: ExportResult) -> None:
    """Count (and note) the exported follow-ups with no value in any of the profile's key
    columns: the target cannot link them to a record (HubSpot notes without an Email)."""
    profile, frame = result.profile, result.followups
    keys = [k for k in profile.followups_key if frame is not None and k in frame]
    if frame is None or not keys or not len(frame):
        return
    blank = pd.Series(True, index=frame.index)
    for key in keys:
        blank &= frame[key].isna() | (frame[key].astype(str).str.strip() == "")
    result.followups_unlinked = int(blank.sum())
    if result.followups_unlinked:
        title = profile.followups_title or profile.title
        result.notes.append(
            f"{title}: {result.followups_unlinked} of {len(frame)} rows have no "
            f"{' or '.join(keys)} (the target links each to its record by it); they would "
            "import unattached: give those customers one, or attach them by hand"
        )


def to_jsonl(frame: pd.DataFrame, chunk: int = 50_000) -> Iterator[bytes]:
    """One JSON object per row (UTF-8, not ASCII-escaped), missing values as null, in chunks
    of rows so that a million rows never sit in memory as text at once."""
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        records = part.astype(object).where(part.notna(), None).to_dict(orient="records")
        lines = [json.dumps({str(k): v for k, v in r.items()}, ensure_ascii=False, default=str)
                 for r in records]  # fmt: skip
        yield ("\n".join(lines) + "\n").encode("utf-8")
