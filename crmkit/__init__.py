"""crmkit: check, clean, deduplicate, tag, report on and export customer workbooks.

The library under the `crmkit` command, for a team's own scripts and notebooks. Tables go in,
result objects come out; nothing here prints, exits or writes a file unless it says so::

    import crmkit

    specs = crmkit.load_specs()
    customers = crmkit.read_table("examples/customers.xlsx", specs=[specs["customers"]])
    report = crmkit.validate_tables([customers])
    print(report.valid, report.errors, [f.message for f in report.issues[:3]])

Every name below is part of the stable API (see README, "Use it from Python"); the modules
under it may change. Names load on first use, so `import crmkit` stays fast.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from crmkit.lazy import lazy_names

try:
    __version__ = version("crmkit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

_API = {
    # reading, writing, specs, config, findings
    "read_table": "crmkit.io.read",
    "Table": "crmkit.io.table",
    "write_frame": "crmkit.io.write",
    "Limits": "crmkit.io.guard",
    "load_specs": "crmkit.spec.fields",
    "builtin_spec": "crmkit.spec.fields",
    "TableSpec": "crmkit.spec.fields",
    "KINDS": "crmkit.spec.fields",
    "load_config": "crmkit.spec.config",
    "Config": "crmkit.spec.config",
    "ReportConfig": "crmkit.spec.config",
    "Period": "crmkit.frames.period",
    "Finding": "crmkit.findings",
    "CrmkitError": "crmkit.errors",
    "InputError": "crmkit.errors",
    # validate, clean, template, init
    "validate_tables": "crmkit.validate",
    "ValidationReport": "crmkit.validate",
    "clean_table": "crmkit.clean",
    "CleanResult": "crmkit.clean",
    "write_template": "crmkit.io.template",
    "init_project": "crmkit.init",
    # dedupe: tables in, the merged table, map, pairs and re-pointed follow-ups out
    "dedupe_tables": "crmkit.dedupe.run",
    "DedupeResult": "crmkit.dedupe.run",
    # sync: the customer table follows its follow-ups
    "sync_customers": "crmkit.sync",
    "SyncResult": "crmkit.sync",
    # tags
    "load_rulebook": "crmkit.tags",
    "TagRows": "crmkit.tags",
    "read_tags": "crmkit.tags",
    "check_tags": "crmkit.tags",
    "apply_tags": "crmkit.tags",
    "tag_stats": "crmkit.tags",
    # reports and the daily agenda: typed canonical frames in, a result object out
    "read_canonical": "crmkit.frames.canonical",
    "canonical_frame": "crmkit.frames.canonical",
    "resolve_period": "crmkit.frames.period",
    "compute_report": "crmkit.report.metrics",
    "ReportData": "crmkit.report.metrics",
    "write_report": "crmkit.report",
    "compute_service": "crmkit.report.service",
    "service_options": "crmkit.report",
    "ServiceData": "crmkit.report.service",
    "write_service_report": "crmkit.report",
    "compute_forecast": "crmkit.report.forecast",
    "targets_from_table": "crmkit.report.forecast",
    "ForecastData": "crmkit.report.forecast",
    "write_forecast_report": "crmkit.report.forecast",
    "compute_profile": "crmkit.report.profile",
    "ProfileData": "crmkit.report.profile",
    "tagged_table": "crmkit.report.profile",
    "write_profile_report": "crmkit.report.profile",
    "build_agenda": "crmkit.due",
    "render_agenda": "crmkit.due",
    "Agenda": "crmkit.due",
    # export
    "export_customers": "crmkit.export.run",
    "ExportResult": "crmkit.export.run",
    "builtin_profile": "crmkit.export.profile",
    "load_profile": "crmkit.export.profile",
    "Profile": "crmkit.export.profile",
    "parse_where": "crmkit.export.where",
}

__all__ = ["__version__", *_API]

__getattr__ = lazy_names(__name__, _API)


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from crmkit.clean import CleanResult as CleanResult
    from crmkit.clean import clean_table as clean_table
    from crmkit.dedupe.run import DedupeResult as DedupeResult
    from crmkit.dedupe.run import dedupe_tables as dedupe_tables
    from crmkit.due import (
        Agenda as Agenda,
    )
    from crmkit.due import (
        build_agenda as build_agenda,
    )
    from crmkit.due import (
        render_agenda as render_agenda,
    )
    from crmkit.errors import CrmkitError as CrmkitError
    from crmkit.errors import InputError as InputError
    from crmkit.export.profile import Profile as Profile
    from crmkit.export.profile import (
        builtin_profile as builtin_profile,
    )
    from crmkit.export.profile import (
        load_profile as load_profile,
    )
    from crmkit.export.run import ExportResult as ExportResult
    from crmkit.export.run import export_customers as export_customers
    from crmkit.export.where import parse_where as parse_where
    from crmkit.findings import Finding as Finding
    from crmkit.frames.canonical import (
        canonical_frame as canonical_frame,
    )
    from crmkit.frames.canonical import (
        read_canonical as read_canonical,
    )
    from crmkit.frames.period import Period as Period
    from crmkit.frames.period import resolve_period as resolve_period
    from crmkit.init import init_project as init_project
    from crmkit.io.guard import Limits as Limits
    from crmkit.io.read import read_table as read_table
    from crmkit.io.table import Table as Table
    from crmkit.io.template import write_template as write_template
    from crmkit.io.write import write_frame as write_frame
    from crmkit.report import (
        service_options as service_options,
    )
    from crmkit.report import (
        write_report as write_report,
    )
    from crmkit.report import (
        write_service_report as write_service_report,
    )
    from crmkit.report.forecast import ForecastData as ForecastData
    from crmkit.report.forecast import compute_forecast as compute_forecast
    from crmkit.report.forecast import targets_from_table as targets_from_table
    from crmkit.report.forecast import write_forecast_report as write_forecast_report
    from crmkit.report.metrics import ReportData as ReportData
    from crmkit.report.metrics import compute_report as compute_report
    from crmkit.report.profile import ProfileData as ProfileData
    from crmkit.report.profile import compute_profile as compute_profile
    from crmkit.report.profile import tagged_table as tagged_table
    from crmkit.report.profile import write_profile_report as write_profile_report
    from crmkit.report.service import ServiceData as ServiceData
    from crmkit.report.service import compute_service as compute_service
    from crmkit.spec.config import Config as Config
    from crmkit.spec.config import ReportConfig as ReportConfig
    from crmkit.spec.config import load_config as load_config
    from crmkit.spec.fields import (
        KINDS as KINDS,
    )
    from crmkit.spec.fields import (
        TableSpec as TableSpec,
    )
    from crmkit.spec.fields import (
        builtin_spec as builtin_spec,
    )
    from crmkit.spec.fields import (
        load_specs as load_specs,
    )
    from crmkit.sync import SyncResult as SyncResult
    from crmkit.sync import sync_customers as sync_customers
    from crmkit.tags import (
        apply_tags as apply_tags,
    )
    from crmkit.tags import (
        check_tags as check_tags,
    )
    from crmkit.tags import (
        load_rulebook as load_rulebook,
    )
    from crmkit.tags import (
        read_tags as read_tags,
    )
    from crmkit.tags import (
        tag_stats as tag_stats,
    )
    from crmkit.validate import (
        ValidationReport as ValidationReport,
    )
    from crmkit.validate import (
        validate_tables as validate_tables,
    )
