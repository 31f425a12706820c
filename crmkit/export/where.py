"""`--where` filters: FIELD OP VALUE, the field by its canonical name or any of its headers.

    stage=方案报价,合同谈判     owner!=张敏      created_at>=2024-06-01     amount>100000

`=` and `!=` take a comma-separated list (any of); `>`, `>=`, `<`, `<=` compare dates (a day
is inclusive: <=2024-06-30 keeps that whole day) and numbers. A date without a time compares
by the day with every operator: created_at=2024-08-05 keeps the customers created that day. Values are read like cells, so
an option may be written in 繁體 or as a synonym.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

import pandas as pd

from crmkit.errors import UsageError
from crmkit.spec.fields import FieldSpec, TableSpec
from crmkit.text.normalize import normalize_datetime, normalize_number, normalize_option

_CONDITION = re.compile(
    r"^\s*(?P<field>[^=!<>]+?)\s*(?P<op>>=|<=|!=|==|=|>|<)\s*(?P<value>.*?)\s*$"
)


@dataclass(frozen=True)
class Condition:
    """One filter: a canonical field, an operator and the values it compares with."""

    field: str
    op: str
    values: tuple[object, ...]
    text: str


def parse_where(text: str, spec: TableSpec) -> Condition:
    """Read one --where; UsageError naming the problem when it cannot be used."""
    match = _CONDITION.match(text)
    if not match or not match["value"]:
        raise UsageError(f"--where {text!r}: write FIELD=VALUE, FIELD!=VALUE or FIELD>=DATE")
    name = spec.match_header(match["field"])
    if name is None:
        known = ", ".join(f.name for f in spec.fields)
        raise UsageError(f"--where {text!r}: {match['field']!r} is not a field ({known})")
    field = spec.field(name)
    op = "=" if match["op"] == "==" else match["op"]
    if op in ("=", "!="):
        values = tuple(_value(field, v.strip(), text) for v in match["value"].split(","))
    elif field.type in ("datetime", "number"):
        values = (_value(field, match["value"], text, upper=op in ("<=", ">")),)
    else:
        raise UsageError(
            f"--where {text!r}: {op} compares dates and numbers, and {name} is {field.type}"
        )
    return Condition(name, op, values, text)


def _value(field: FieldSpec, raw: str, text: str, *, upper: bool = False) -> object:
    if field.type == "datetime":
        parsed = normalize_datetime(raw)
        if parsed.value is None:
            raise UsageError(f"--where {text!r}: {raw!r} is not a date such as 2024-06-01")
        moment = datetime.fromisoformat(str(parsed.value))
        if upper and moment.time() == time(0):
            moment = datetime.combine(moment.date(), time.max)  # the whole day
        return pd.Timestamp(moment)
    if field.type == "number":
        number = normalize_number(raw)
        if number.value is None:
            raise UsageError(f"--where {text!r}: {raw!r} is not a number")
        return float(number.value)
    if field.type in ("option", "transition"):
        option = normalize_option(raw, field.option_index)
        return option.value if option.value is not None else raw
    return raw


def _whole_day(value: object) -> bool:
    """A date given without a time of day (2024-08-05), which `=` compares by the day."""
    return isinstance(value, pd.Timestamp) and value == value.normalize()


def where_mask(frame: pd.DataFrame, conditions: list[Condition]) -> pd.Series:
    """Which rows of a canonical frame (typed columns by field) meet every condition."""
    keep = pd.Series(True, index=frame.index)
    for condition in conditions:
        column = (
            frame[condition.field]
            if condition.field in frame
            else pd.Series(None, index=frame.index)
        )
        if condition.op in ("=", "!="):
            values = list(condition.values)
            if values and all(_whole_day(v) for v in values):
                column = pd.to_datetime(column).dt.normalize()  # =2024-08-05 is that whole day
            hit = column.isin(values).fillna(False).astype(bool)
            keep &= hit if condition.op == "=" else ~hit
            continue
        value = condition.values[0]
        compare = {">": column.gt, ">=": column.ge, "<": column.lt, "<=": column.le}[condition.op]
        keep &= compare(value).fillna(False).astype(bool)
    return keep
