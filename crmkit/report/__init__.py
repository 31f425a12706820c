"""The reports: computed from canonical frames (tables in, a result object out) by metrics
(weekly: funnel, channel, stage) and service (tasks, feedback); laid out as Excel, HTML or JSON."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pandas as pd

from crmkit.errors import InputError, OutputError
from crmkit.frames.period import Period, resolve_period
from crmkit.io.table import Table
from crmkit.io.write import atomic_path, make_folder, write_json
from crmkit.report.metrics import ReportData, compute_report
from crmkit.report.service import ServiceData, compute_service
from crmkit.spec.fields import TableSpec
from crmkit.text.normalize import normalize_number, option_key

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["GROUPS", "Period", "ReportData", "ServiceData", "compute_report", "compute_service",
           "fill_output", "load_costs", "resolve_period", "service_options", "write_by_suffix",
           "write_report", "write_service_report"]  # fmt: skip

GROUPS = ("owner", "industry", "source")


def load_costs(table: Table) -> pd.Series:
    """Channel costs by 客户来源 from a two-column table (来源/source, 成本/cost). InputError if unusable."""
    keys = {option_key(h): i for i, h in enumerate(table.headers)}
    source = next(
        (keys[k] for k in ("客户来源", "来源", "渠道", "source", "channel") if k in keys), None
    )
    cost = next(
        (keys[k] for k in ("成本", "费用", "投入", "渠道成本", "cost", "spend") if k in keys), None
    )
    if source is None or cost is None:
        raise InputError(
            f"{table.name}: a costs table needs the columns 客户来源 (source) and 成本 (cost)"
        )
    costs: dict[str, float] = {}
    for row, (name, amount) in zip(
        table.data.index, zip(table.data[source], table.data[cost], strict=True), strict=True
    ):
        value = normalize_number(amount)
        if name is None or name != name or value.value is None:
            raise InputError(
                f"{table.location(int(row), table.headers[cost])}: {amount!r} is not a cost"
            )
        costs[str(name).strip()] = float(value.value)
    return pd.Series(costs, dtype=float)


# The strftime directives Python documents for every platform (a date prints the same
# under cron on Linux and on a laptop); %% is a literal percent sign.
_DIRECTIVES = frozenset("aAwdbBmyYHIpMSfzZjUWcxXGuV%")
_PLACEHOLDERS = "use {date}, {since} or {until} (a date format may follow: {date:%Y%m%d})"


def fill_output(
    template: str, *, as_of: date, since: date, until: date, origin: str = "-o"
) -> Path:
    """An output path with its placeholders filled: {date}, {since}, {until}, each also with a
    date format of strftime directives ({date:%Y%m%d}). `origin` says where the template came
    from (-o, or the config file and key) for the OutputError raised on any other placeholder
    ({week}, {date.year}, {date[0]}, {date!r}), an unknown directive ({date:%Q}) or a broken
    template."""
    fields = {"date": as_of, "since": since, "until": until}
    where = f"{origin} {template!r}"
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise OutputError(
            f"{where}: {exc}; placeholders are {{date}}, {{since}}, {{until}} or {{date:%Y%m%d}}"
        ) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        spec = spec or ""
        written = f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
        if name not in fields or conversion or "{" in spec:  # {date.year}, {date[0]}, {date!r}
            raise OutputError(
                f"{where}: unknown placeholder {written}; {_PLACEHOLDERS}; "
                "write {{ and }} for braces"
            )
        bad = _bad_directive(spec)
        if bad is not None:
            raise OutputError(
                f"{where}: {written}: {bad} is not a date format directive; "
                "use e.g. {date:%Y%m%d} (%Y year, %m month, %d day, %H hour, %M minute)"
            )
    return Path(template.format(**fields))


def _bad_directive(spec: str) -> str | None:
    """The first %-directive of a date format that is not in _DIRECTIVES ("%Q", or "%" at the
    end), or None when every one is."""
    position = spec.find("%")
    while position >= 0:
        directive = spec[position : position + 2]
        if len(directive) < 2 or directive[1] not in _DIRECTIVES:
            return directive
        position = spec.find("%", position + 2)
    return None


def _report_path(output: str | Path) -> tuple[Path, str]:
    """The path of a report and its kind (.xlsx, .html, .htm, .json); its folder is created.
    OutputError for any other suffix, or a folder that cannot be created."""
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".html", ".htm", ".json"):
        raise OutputError(f"{path}: a report is written as .xlsx, .html or .json")
    make_folder(path.parent)
    return path, suffix


def write_report(
    data: ReportData,
    output: str | Path,
    *,
    lang: str = "zh",
    reports: tuple[str, ...] = ("funnel", "channel", "stage"),
    inputs: Iterable[str | Path | None] = (),
    list_limit: int = 1000,
) -> Path:
    """Write a report as .xlsx, .html or .json (by suffix), atomically, creating its folder."""
    from crmkit.report.excel import build_workbook
    from crmkit.report.html import render_html

    return write_by_suffix(
        output,
        inputs,
        workbook=lambda: build_workbook(data, lang=lang, reports=reports, list_limit=list_limit),
        page=lambda: render_html(data, lang=lang, reports=reports, list_limit=list_limit),
        stream=data.write_json,
    )


def service_options(specs: dict[str, TableSpec]) -> dict[str, tuple[str, ...]]:
    """The task priorities and feedback types of the specs, in their order, as
    `compute_service` takes them (none when a team's spec lacks the field)."""
    return {
        "priorities": specs["tasks"].options_of("priority"),
        "types": specs["feedback"].options_of("type"),
    }


def write_service_report(
    data: ServiceData,
    output: str | Path,
    *,
    lang: str = "zh",
    inputs: Iterable[str | Path | None] = (),
    list_limit: int = 1000,
) -> Path:
    """Write the service report as .xlsx, .html or .json (by suffix), atomically."""
    from crmkit.report.excel import build_service_workbook
    from crmkit.report.html import render_service_html

    return write_by_suffix(
        output,
        inputs,
        workbook=lambda: build_service_workbook(data, lang=lang, list_limit=list_limit),
        page=lambda: render_service_html(data, lang=lang, list_limit=list_limit),
        payload=data.to_dict,
    )


def write_by_suffix(
    output: str | Path,
    inputs: Iterable[str | Path | None],
    *,
    workbook: Callable[[], Workbook],
    page: Callable[[], str],
    payload: Callable[[], object] | None = None,
    stream: Callable[[TextIO], None] | None = None,
) -> Path:
    """Write a report as .xlsx (the workbook), .html (the page, UTF-8) or .json (the payload,
    or what `stream` writes: lists of a million rows go through pandas, never one dict) by the
    suffix of `output`, atomically, never over an input, creating its folder."""
    path, suffix = _report_path(output)
    if suffix == ".json" and stream is None:
        assert payload is not None, "write_by_suffix needs a payload or a stream"
        return write_json(payload(), path, inputs=inputs)
    with atomic_path(path, inputs) as temp:
        if suffix == ".xlsx":
            workbook().save(temp)
        elif suffix == ".json":
            assert stream is not None
            with open(temp, "w", encoding="utf-8") as handle:
                stream(handle)
        else:
            temp.write_text(page(), encoding="utf-8")
    return path
