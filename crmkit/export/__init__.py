"""Export cleaned customers (and their follow-ups) for a full CRM's import, or for another tool:
profiles of target CRMs (profile), --where conditions (where), the export itself (run).

The names below load on first use (the command line reads PROFILES for its help).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmkit.export.profile import PROFILES, Profile, builtin_profile, load_profile
from crmkit.lazy import lazy_names

if TYPE_CHECKING:
    from crmkit.export.run import (
        ExportResult,
        export_customers,
        output_sheet,
        person_part,
        to_jsonl,
    )
    from crmkit.export.where import Condition, parse_where

__all__ = ["PROFILES", "Condition", "ExportResult", "Profile", "builtin_profile", "export_customers",
           "load_profile", "output_sheet", "parse_where", "person_part", "to_jsonl"]  # fmt: skip

__getattr__ = lazy_names(
    __name__,
    {
        "ExportResult": "crmkit.export.run",
        "export_customers": "crmkit.export.run",
        "output_sheet": "crmkit.export.run",
        "person_part": "crmkit.export.run",
        "to_jsonl": "crmkit.export.run",
        "Condition": "crmkit.export.where",
        "parse_where": "crmkit.export.where",
    },
)
