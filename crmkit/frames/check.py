"""Checking one table against its field spec: every cell normalized, every problem a Finding
located as the user sees it. validate, clean and export build on it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from crmkit.errors import UsageError
from crmkit.findings import Finding as Issue
from crmkit.frames.columns import NormalizedColumn, normalize_column
from crmkit.frames.keys import duplicate_key_findings
from crmkit.frames.schema import build_schema, is_generated
from crmkit.io.cells import ERROR_VALUES
from crmkit.io.table import Table
from crmkit.spec.fields import FieldSpec, header_language
from crmkit.text import arrow
from crmkit.text.normalize import invisible_note, strip_invisible
from crmkit.text.pii import mask_pii

_UNFIXABLE = "\ufffd"


@dataclass
class CheckedTable:
    """A table's normalized columns and the issues found in it."""

    table: Table
    columns: dict[str, NormalizedColumn]
    issues: list[Issue]


def display_value(value: Any) -> str:
    """A cell as a user would recognize it in a message (PII masked)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # what the spreadsheet shows for a number cell
    return mask_pii(str(value))


_DEFAULT_MESSAGES = {
    "required": "{header} is required but empty",
    "option": "{value} is not an allowed {header}",
    "transition": "{value} is not a valid {header}",
    "phone": "{value} is not a valid phone number",
    "email": "{value} is not a valid e-mail address",
    "date": "{value} is not a date",
    "number": "{value} is not a number",
    "min": "{header} must be at least {minimum}, not {value}",
    "max": "{header} must be at most {maximum}, not {value}",
    "above": "{header} must be more than {above}, not {value}",
    "period": "{value} is not a period: write a month 2024-09, a quarter 2024Q3 or a year 2024",
    "id_pattern": "{header} {value} does not match {pattern}",
    "reference": "{header} {value} is not in the customer table",
    "pii_national_id": "{header} holds a national ID number; remove it from the workbook",
    "pii_bank_card": "{header} holds a bank-card number; remove it from the workbook",
}


def check_table(
    table: Table,
    *,
    known: Mapping[str, Collection[str]] | None = None,
) -> CheckedTable:
    """Normalize and check one table read with a spec.

    `known` holds the values of other tables its references point to ("customers.customer_id").
    """
    spec = table.spec
    if spec is None:
        raise UsageError(
            f"{table.name}: read without a field spec; read it with "
            "crmkit.read_table(path, specs=list(crmkit.load_specs().values()))"
        )
    issues: list[Issue] = []
    native = table.format == "csv"
    lang = header_language(table.headers)  # name a missing column as this table would
    for field_spec in spec.fields:
        if field_spec.required and not table.has(field_spec.name):
            missing = field_spec.header(lang)
            issues.append(
                Issue(table.name, table.sheet, table.header_row, missing, field_spec.name,
                      "", "error", "missing_column", f"required column {missing} is missing")
            )  # fmt: skip
    for name, position in table.fields.items():
        header = str(table.headers[position])
        note = invisible_note(header)
        if note:
            issues.append(
                Issue(table.name, table.sheet, table.header_row, header, name, "", "warning",
                      "normalized", f"header {strip_invisible(header).strip()}: {note}")
            )  # fmt: skip
    columns = {
        name: normalize_column(table.column(name), spec.field(name), text_is_native=native)
        for name in table.fields
    }
    for group in spec.one_of:
        issues.extend(_one_of(table, group, columns))
    for group in spec.unique:
        issues.extend(duplicate_key_findings(table, group, columns))
    frame: dict[str, pd.Series] = {}
    for name, column in columns.items():
        invalid = column.mask("invalid").to_numpy()
        checked = column.values
        if spec.field(name).type != "number" and not arrow.is_arrow_text(checked):
            checked = checked.astype("str")
        if invalid.any():
            # An unfixable cell enters the schema marked, so that no check can pass it by chance.
            marked = _UNFIXABLE + table.column(name)[invalid].astype(object).astype(str)
            checked = (
                checked.astype(object) if spec.field(name).type == "number" else checked.copy()
            )
            checked[invalid] = marked.to_numpy()
        frame[name] = checked
        issues.extend(
            _warnings(table, spec.field(name), column, generated=is_generated(spec, name))
        )
    compiled = build_schema(spec, columns, known=known)
    try:
        compiled.schema.validate(pd.DataFrame(frame, index=table.data.index), lazy=True)
    except pa.errors.SchemaErrors as failures:
        issues.extend(_errors(table, columns, compiled.rule, failures.failure_cases))
    issues = _formula_errors(table, issues)
    # By row, then column as the sheet orders them (a missing column's issue first).
    issues.sort(key=lambda i: (i.row or 0, table.fields.get(i.field, -1), i.rule))
    return CheckedTable(table, columns, issues)


def _formula_errors(table: Table, issues: list[Issue]) -> list[Issue]:
    """An error for each cell showing an Excel error value (#N/A, #REF! …), in place of what the
    other checks said of that text: the cell's real value is unknown, never blank."""
    found: list[Issue] = []
    for name in table.fields:
        column = table.column(name)
        hit = column.isin(ERROR_VALUES).to_numpy(dtype=bool)
        if not hit.any():
            continue
        header = table.header_of(name)
        for row, value in zip(column.index[hit], column[hit], strict=True):
            found.append(
                Issue(table.name, table.sheet, int(row), header, name, str(value), "error",
                      "formula_error", f"{header} shows the Excel error {value}; fix its formula "
                      "or type the value")
            )  # fmt: skip
    if not found:
        return issues
    cells = {(i.row, i.field) for i in found}
    return [i for i in issues if (i.row, i.field) not in cells] + found


def _issues_at(
    table: Table,
    spec: FieldSpec,
    mask: pd.Series,
    rule: str,
    message: str,
    reasons: pd.Series | None = None,
) -> list[Issue]:
    """Warnings for the cells of one field where `mask` holds; each reason, if given, follows the message."""
    selected = mask.to_numpy(dtype=bool)
    rows = mask.index[selected]
    if not len(rows):
        return []
    header = table.header_of(spec.name)
    values = table.column(spec.name)[selected].to_numpy(dtype=object)
    if reasons is None:
        texts = [message] * len(rows)
    else:
        texts = [message + reason for reason in reasons[selected].to_numpy(dtype=object)]
    return [
        Issue(
            table.name,
            table.sheet,
            int(row),
            header,
            spec.name,
            display_value(value),
            "warning",
            rule,
            text,
        )
        for row, value, text in zip(rows, values, texts, strict=True)
    ]


def _warnings(
    table: Table, spec: FieldSpec, column: NormalizedColumn, *, generated: bool
) -> list[Issue]:
    header = table.header_of(spec.name)
    found: list[Issue] = []
    if generated and spec.required:
        message = f"{header} is empty; crmkit clean will generate one"
        found += _issues_at(table, spec, column.mask("empty"), "generated", message)
    found += _issues_at(
        table, spec, column.mask("warn"), "normalized", f"{header}: ", column.reason
    )
    if spec.vague or spec.min_length:
        values = column.values
        present = values.notna()
        text = values.where(present, "").astype(str)
        vague = present & (text.isin(spec.vague) | (text.str.len() < spec.min_length))
        message = f"{header} is too vague; say what was discussed and agreed"
        found += _issues_at(table, spec, vague, "vague", message)
    return found


def _errors(
    table: Table, columns: dict[str, NormalizedColumn], rule_of: Any, cases: pd.DataFrame
) -> Iterable[Issue]:
    assert table.spec is not None
    duplicates = _duplicate_rows(columns, cases)
    cases = cases[cases["column"].isin(list(table.fields)) & cases["index"].notna()]
    for (name, check, number), group in cases.groupby(
        ["column", "check", "check_number"], dropna=False, sort=False
    ):
        name = str(name)
        rows = pd.Index(group["index"].astype(int).to_numpy())
        spec = table.spec.field(name)
        rule = rule_of(name, str(check), number)
        header = table.header_of(name)
        raws = table.column(name).loc[rows].to_numpy(dtype=object)
        reasons = columns[name].reason.loc[rows].to_numpy(dtype=object)
        canon = columns[name].values.loc[rows].to_numpy(dtype=object)
        for row, raw, reason, key in zip(rows, raws, reasons, canon, strict=True):
            value = display_value(raw)
            if reason and rule not in ("required", "unique", "reference", "min", "max", "above"):
                message = f"{header}: {reason}"
            elif rule == "unique":
                others = [r for r in duplicates.get((name, key), []) if r != row]
                message = f"duplicate {header} {value} (also in {table.rows_text(others[:5])})"
            else:
                template = _DEFAULT_MESSAGES.get(rule, "{header}: {value} breaks rule " + rule)
                message = template.format(
                    header=header,
                    value=value,
                    minimum=f"{spec.min:g}" if spec.min is not None else "",
                    maximum=f"{spec.max:g}" if spec.max is not None else "",
                    above=f"{spec.above:g}" if spec.above is not None else "",
                    pattern=spec.pattern,
                )
            yield Issue(
                table.name, table.sheet, int(row), header, name, value, "error", rule, message
            )


def _duplicate_rows(
    columns: dict[str, NormalizedColumn], cases: pd.DataFrame
) -> dict[tuple[str, Any], list[int]]:
    rows: dict[tuple[str, Any], list[int]] = {}
    unique = cases[cases["check"] == "field_uniqueness"]
    for name, index in zip(unique["column"], unique["index"], strict=True):
        rows.setdefault((name, columns[name].values[int(index)]), []).append(int(index))
    return rows


def _one_of(
    table: Table, group: Sequence[str], columns: Mapping[str, NormalizedColumn]
) -> list[Issue]:
    """Errors for rows where every field of a one-of group (客户编号 or 客户名称) is empty."""
    assert table.spec is not None
    present = [name for name in group if table.has(name)]
    if not present:
        lang = header_language(table.headers)
        names = " or ".join(table.spec.field(name).header(lang) for name in group)
        return [
            Issue(table.name, table.sheet, table.header_row, names, group[0], "", "error",
                  "missing_column", f"a column {names} is required")
        ]  # fmt: skip
    empty = np.logical_and.reduce([columns[name].mask("empty").to_numpy() for name in present])
    names = " or ".join(table.header_of(name) for name in present)
    header = table.header_of(present[0])
    return [
        Issue(table.name, table.sheet, int(row), header, present[0], "", "error", "one_of",
              f"give {names}: the row names no customer")
        for row in table.data.index[empty]
    ]  # fmt: skip


def locate_issues(table: Table, issues: Sequence[Issue]) -> list[Issue]:
    """The issues of a table read from several sheets, each naming its own sheet and row (the
    table's index numbers the rows of its later sheets past those of the first)."""
    if not table.parts:
        return list(issues)
    located = []
    for issue in issues:
        if issue.row is not None:
            sheet, row = table.place(issue.row)
            column, message = issue.column, issue.message
            if issue.field in table.fields and column == table.header_of(issue.field):
                column = table.header_at(issue.row, issue.field)  # as that sheet wrote it
                message = message.replace(issue.column, column)
            issue = replace(issue, sheet=sheet, row=row, column=column, message=message)
        located.append(issue)
    return located
