"""Compile a field spec into a pandera schema over the normalized columns.

The frame it checks holds, per field, the canonical value of each cell (or the raw text of a
cell no normalizer could fix), so pandera's lazy validation reports every rule broken, each
with the field and the row; `CompiledSchema.rules` names the rule of each check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from crmkit.frames.columns import CANONICAL_DATE, CANONICAL_EMAIL, CANONICAL_PHONE
from crmkit.spec.fields import FieldSpec, TableSpec
from crmkit.text import arrow
from crmkit.text.period import CANONICAL_PERIOD
from crmkit.text.pii import CANDIDATE_PATTERN, PiiKind, find_pii

# pandera's own names for the checks every column has
NULLABLE_CHECK = "not_nullable"
UNIQUE_CHECK = "field_uniqueness"


@dataclass
class CompiledSchema:
    """A pandera schema and, per (field, check number), the crmkit rule the check enforces."""

    schema: pa.DataFrameSchema
    rules: dict[tuple[str, int], str] = field(default_factory=dict)

    def rule(self, column: str, check: str, number: object) -> str:
        """The crmkit rule of one pandera failure."""
        if check == NULLABLE_CHECK:
            return "required"
        if check == UNIQUE_CHECK:
            return "unique"
        if isinstance(number, int | float) and not pd.isna(number):
            return self.rules.get((column, int(number)), check)
        return check


def is_generated(spec: TableSpec, name: str) -> bool:
    """True for the table's key id, which `clean` generates when blank (so blank is a warning)."""
    return spec.key == name and spec.field(name).type == "id"


def _transition_pattern(options: Iterable[str]) -> str:
    choice = "|".join(re.escape(o) for o in options)
    return f"(?:{choice})(?:→(?:{choice}))?"


def _is_number(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").notna() | series.isna()


def _at_least(minimum: float) -> Callable[[pd.Series], pd.Series]:
    def check(series: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(series, errors="coerce")
        return ~(numbers < minimum)

    return check


def _at_most(maximum: float) -> Callable[[pd.Series], pd.Series]:
    def check(series: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(series, errors="coerce")
        return ~(numbers > maximum)

    return check


def _above(bound: float) -> Callable[[pd.Series], pd.Series]:
    def check(series: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(series, errors="coerce")
        return ~(numbers <= bound)

    return check


def _text_cells(series: pd.Series) -> pd.Series:
    return series if arrow.is_arrow_text(series) else series.astype("str")


def _matches(pattern: str) -> Callable[[pd.Series], pd.Series]:
    """A vectorized (RE2) whole-cell pattern check; missing cells pass."""

    def check(series: pd.Series) -> pd.Series:
        text = _text_cells(series)
        try:
            matched = arrow.fullmatch(text, pattern)
        except ValueError:  # a team's pattern that RE2 cannot run (look-arounds): Python's re
            matched = text.astype(object).str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
        return pd.Series(matched | text.isna().to_numpy(), index=series.index)

    return check


def _without_pii(kind: PiiKind) -> Callable[[pd.Series], pd.Series]:
    def check(series: pd.Series) -> pd.Series:
        result = np.ones(len(series), dtype=bool)
        candidates = np.flatnonzero(arrow.contains(_text_cells(series), CANDIDATE_PATTERN))
        for position in candidates:
            if any(m.kind == kind for m in find_pii(str(series.iloc[position]))):
                result[position] = False
        return pd.Series(result, index=series.index)

    return check


def _checks(spec: FieldSpec, known: Mapping[str, Collection[str]]) -> list[tuple[str, pa.Check]]:
    checks: list[tuple[str, pa.Check]] = []
    kind = spec.type
    if kind == "id" and spec.pattern:
        checks.append(("id_pattern", pa.Check(_matches(spec.pattern))))
    if spec.references and spec.references in known:
        checks.append(("reference", pa.Check.isin(list(known[spec.references]))))
    if kind == "option":
        checks.append(("option", pa.Check.isin(list(spec.options))))
    if kind == "transition":
        checks.append(("transition", pa.Check(_matches(_transition_pattern(spec.options)))))
    if kind == "phone":
        checks.append(("phone", pa.Check(_matches(CANONICAL_PHONE))))
    if kind == "email":
        checks.append(("email", pa.Check(_matches(CANONICAL_EMAIL))))
    if kind == "datetime":
        checks.append(("date", pa.Check(_matches(CANONICAL_DATE))))
    if kind == "number":
        checks.append(("number", pa.Check(_is_number)))
        if spec.min is not None:
            checks.append(("min", pa.Check(_at_least(spec.min))))
        if spec.max is not None:
            checks.append(("max", pa.Check(_at_most(spec.max))))
        if spec.above is not None:
            checks.append(("above", pa.Check(_above(spec.above))))
    if kind == "period":
        checks.append(("period", pa.Check(_matches(CANONICAL_PERIOD))))
    if spec.pii:
        checks.append(("pii_national_id", pa.Check(_without_pii("national_id"))))
        checks.append(("pii_bank_card", pa.Check(_without_pii("bank_card"))))
    return checks


def build_schema(
    spec: TableSpec,
    present: Iterable[str],
    *,
    known: Mapping[str, Collection[str]] | None = None,
) -> CompiledSchema:
    """The pandera schema of the fields present in a table.

    `known` holds, per reference ("customers.customer_id"), the values that exist there; a
    field whose reference is in it must hold one of them.
    """
    known = known or {}
    columns: dict[str, pa.Column] = {}
    rules: dict[tuple[str, int], str] = {}
    for name in present:
        field_spec = spec.field(name)
        named = _checks(field_spec, known)
        for number, (rule, _) in enumerate(named):
            rules[(name, number)] = rule
        columns[name] = pa.Column(
            checks=[check for _, check in named],
            nullable=not field_spec.required or is_generated(spec, name),
            unique=field_spec.unique,
            required=False,
        )
    return CompiledSchema(pa.DataFrameSchema(columns, name=spec.kind), rules)
