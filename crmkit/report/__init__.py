"""The weekly reports: load the tables, compute the metrics, lay them out as Excel, HTML or JSON."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from crmkit.errors import InputError, OutputError
from crmkit.frames.canonical import canonical_frame
from crmkit.io import Limits, Table, read_table
from crmkit.io.write import atomic_path, write_json
from crmkit.report.metrics import ReportData, compute_report
from crmkit.report.period import Period
from crmkit.report.service import ServiceData, compute_service
from crmkit.spec.config import ReportConfig
from crmkit.spec.fields import TableSpec
from crmkit.text.normalize import normalize_number, option_key

CUSTOMER_FIELDS = ["customer_id", "name", "phone", "industry", "source", "intent", "stage", "amount", "owner",
                   "created_at", "updated_at", "next_followup"]  # fmt: skip
FOLLOWUP_FIELDS = ["customer_id", "at", "by", "status"]
GROUPS = ("owner", "industry", "source")
TASK_FIELDS = ["task_id", "customer_id", "customer_name", "assignee", "content", "priority", "due",
               "status", "created_at", "closed_at"]  # fmt: skip
FEEDBACK_FIELDS = ["date", "customer_id", "customer_name", "type", "satisfaction"]


@dataclass
class ReportRun:
    """The computed report and what the user should hear about the data behind it."""

    data: ReportData
    notes: list[str] = field(default_factory=list)


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


@dataclass(frozen=True)
class ReportInputs:
    """Where a report's tables are: customers, and optionally follow-ups and channel costs."""

    customers: str | Path
    followups: str | Path | None = None
    costs: str | Path | None = None
    limits: Limits | None = None
    delimiter: str | None = None  # of CSV input; None: guessed


def run_report(
    inputs: ReportInputs,
    specs: dict[str, TableSpec],
    config: ReportConfig,
    *,
    as_of: date,
    period: Period,
    by: str | None = None,
    show_phones: bool = False,
    lang: str = "zh",
    on_step: Callable[[str], None] = lambda step: None,
) -> ReportRun:
    """Read the tables, reduce each to the typed fields the reports use, and compute every report.

    `on_step` hears what is being done (for a progress display).

    Each table is dropped once reduced, so that 5M follow-up rows never sit in memory twice.
    Raises InputError when a table cannot be read.
    """
    notes: list[str] = []
    on_step(f"Reading {inputs.customers}")
    people = read_canonical(
        inputs.customers,
        specs["customers"],
        CUSTOMER_FIELDS,
        notes,
        inputs.limits,
        delimiter=inputs.delimiter,
    )
    history = None
    if inputs.followups:
        on_step(f"Reading {inputs.followups}")
        history = read_canonical(
            inputs.followups,
            specs["followups"],
            FOLLOWUP_FIELDS,
            notes,
            inputs.limits,
            delimiter=inputs.delimiter,
        )
    costs = (
        load_costs(read_table(inputs.costs, limits=inputs.limits, delimiter=inputs.delimiter))
        if inputs.costs
        else None
    )
    on_step(f"Computing the reports over {len(people):,} customers")
    data = compute_report(
        people,
        history,
        config,
        as_of=as_of,
        period=period,
        costs=costs,
        by=by,
        show_phones=show_phones,
        lang=lang,
    )
    return ReportRun(data, notes + data.notes)


def read_canonical(
    path: str | Path,
    spec: TableSpec,
    fields: list[str] | None,
    notes: list[str],
    limits: Limits | None = None,
    *,
    delimiter: str | None = None,
    raw: Iterable[str] = (),
) -> pd.DataFrame:
    """Read a table with its spec and reduce it to typed canonical fields (None: all), plus
    the `raw` fields as written (not normalized: cheaper for long free text only searched).

    A note for the user is added when rows hold values crmkit cannot read.
    Raises InputError when the table cannot be read.
    """
    table = read_table(path, specs=[spec], limits=limits, delimiter=delimiter)
    notes.extend(table.notes)
    reduced = canonical_frame(table, fields)
    for name in raw:
        reduced.frame[name] = table.column(name) if table.has(name) else None
    if reduced.invalid_rows:
        notes.append(
            f"{table.name}: {reduced.invalid_rows} rows hold values crmkit cannot read; they count with "
            "those values missing (run crmkit validate)"
        )
    return reduced.frame


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


def make_folder(folder: Path) -> None:
    """Create an output folder (and its parents); OutputError naming it when it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocked = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None
        )
        why = f"{blocked} is a file" if blocked is not None else exc.strerror
        raise OutputError(f"{folder}: cannot create the output folder: {why}") from None


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
    from crmkit.report.excel import write_excel
    from crmkit.report.html import write_html

    path, suffix = _report_path(output)
    if suffix == ".xlsx":
        return write_excel(
            data, path, lang=lang, reports=reports, inputs=inputs, list_limit=list_limit
        )
    if suffix == ".json":
        with atomic_path(path, inputs) as temp, open(temp, "w", encoding="utf-8") as handle:
            data.write_json(handle)
        return path
    return write_html(data, path, lang=lang, reports=reports, inputs=inputs, list_limit=list_limit)


def run_service(
    tasks: str | Path | None,
    feedback: str | Path | None,
    specs: dict[str, TableSpec],
    *,
    as_of: date,
    limits: Limits | None = None,
    delimiter: str | None = None,
) -> tuple[ServiceData, list[str]]:
    """Read the task and feedback tables (either may be None) and compute the service report.

    Returns the metrics and notes for the user; raises InputError when a table cannot be read.
    """
    notes: list[str] = []
    task_frame = (
        read_canonical(tasks, specs["tasks"], TASK_FIELDS, notes, limits, delimiter=delimiter)
        if tasks
        else None
    )
    feedback_frame = (
        read_canonical(
            feedback, specs["feedback"], FEEDBACK_FIELDS, notes, limits, delimiter=delimiter
        )
        if feedback
        else None
    )
    data = compute_service(
        task_frame,
        feedback_frame,
        as_of=as_of,
        priorities=_options(specs["tasks"], "priority"),
        types=_options(specs["feedback"], "type"),
    )
    return data, notes


def _options(spec: TableSpec, name: str) -> tuple[str, ...]:
    """The options of a field, in order; none when a team's spec has no such field."""
    return next((f.options for f in spec.fields if f.name == name), ())


def write_service_report(
    data: ServiceData,
    output: str | Path,
    *,
    lang: str = "zh",
    inputs: Iterable[str | Path | None] = (),
    list_limit: int = 1000,
) -> Path:
    """Write the service report as .xlsx, .html or .json (by suffix), atomically."""
    from crmkit.report.excel import write_service_excel
    from crmkit.report.html import write_service_html

    path, suffix = _report_path(output)
    if suffix == ".xlsx":
        return write_service_excel(data, path, lang=lang, inputs=inputs, list_limit=list_limit)
    if suffix == ".json":
        return write_json(data.to_dict(), path, inputs=inputs)
    return write_service_html(data, path, lang=lang, inputs=inputs, list_limit=list_limit)
