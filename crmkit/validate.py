"""`crmkit validate`: check tables of every kind together — each against its field spec
(frames/check.py), and the references between them (a follow-up's 客户编号 in the customer
table) — into one ValidationReport.

Findings are data (`Issue` records in a `ValidationReport`); only "could not run" raises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from crmkit.errors import UsageError
from crmkit.findings import Finding as Issue
from crmkit.findings import findings_frame
from crmkit.frames.check import check_table, locate_issues
from crmkit.io.table import Table

_UNFIXABLE = "\ufffd"


@dataclass(frozen=True)
class TableSummary:
    """Which table was checked and how many data rows it has."""

    file: str
    sheet: str | None
    kind: str
    rows: int


@dataclass
class ValidationReport:
    """Every issue found in the tables checked; valid when there is no error."""

    issues: list[Issue] = field(default_factory=list)
    tables: list[TableSummary] = field(default_factory=list)
    strict: bool = False

    @property
    def errors(self) -> int:
        """How many issues are errors (warnings too under strict)."""
        return sum(1 for i in self.issues if i.severity == "error" or self.strict)

    @property
    def warnings(self) -> int:
        """How many issues are warnings (none under strict: they count as errors)."""
        return 0 if self.strict else sum(1 for i in self.issues if i.severity == "warning")

    @property
    def valid(self) -> bool:
        """True when nothing counts as an error."""
        return self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract of `validate --format json`."""
        issues = [asdict(i) for i in self.issues]
        if self.strict:
            for issue in issues:
                issue["severity"] = "error"
        return {
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "tables": [asdict(t) for t in self.tables],
            "issues": issues,
        }


def _sheet_rows(table: Table) -> list[tuple[str | None, int]]:
    """(sheet, data rows) of each sheet the table was read from."""
    if not table.parts:
        return [(table.sheet, table.rows)]
    counts = Counter(table.place(index)[0] for index in table.data.index)
    return [(part.sheet, counts[part.sheet]) for part in table.parts]


def _referenced(tables: Sequence[Table]) -> set[str]:
    return {
        f.references
        for t in tables
        if t.spec is not None
        for f in t.spec.fields
        if f.references and t.has(f.name)
    }


def validate_tables(tables: Sequence[Table], *, strict: bool = False) -> ValidationReport:
    """Check tables of any kinds; a field that references another given table (a follow-up's
    客户编号, a task's 客户名称 in the customer table) must hold a value that exists there.

    Two tables of one kind are refused (UsageError): references could not say which is meant.
    """
    _one_per_kind(tables)
    report = ValidationReport(strict=strict)
    wanted = _referenced(tables)
    targets = {ref.split(".")[0] for ref in wanted}
    # Referenced tables first, so that their values are known when the others are checked.
    ordered = sorted(tables, key=lambda t: 0 if t.spec and t.spec.kind in targets else 1)
    known: dict[str, set[str]] = {}
    for table in ordered:
        checked = check_table(table, known=known)
        kind = table.spec.kind if table.spec else "table"
        for name, column in checked.columns.items():
            if f"{kind}.{name}" in wanted:
                values = column.values.dropna().unique()
                known[f"{kind}.{name}"] = {str(v) for v in values}
        report.issues.extend(locate_issues(table, checked.issues))
        for sheet, rows in _sheet_rows(table):
            report.tables.append(TableSummary(table.name, sheet, kind, rows))
    return report


def _one_per_kind(tables: Sequence[Table]) -> None:
    seen: dict[str, str] = {}
    for table in tables:
        kind = table.spec.kind if table.spec else "table"
        if kind in seen:
            raise UsageError(
                f"{seen[kind]} and {table.name} are both {kind} tables; "
                "check them one at a time (or merge them with crmkit dedupe)"
            )
        seen[kind] = table.name


def validate(
    customers: Table | None = None,
    followups: Table | None = None,
    *,
    strict: bool = False,
) -> ValidationReport:
    """Check a customer table, a follow-up table, or both (then every follow-up's 客户编号 must exist)."""
    return validate_tables(
        [t for t in (customers, followups) if t is not None],
        strict=strict,
    )


def issues_frame(report: ValidationReport) -> pd.DataFrame:
    """The issues as a table with the columns of the JSON contract (strict: all errors)."""
    return findings_frame(report.to_dict()["issues"])
