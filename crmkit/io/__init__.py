"""Reading and writing users' tables: the only code that opens their files.

The names below load on first use, so that importing crmkit.io.guard (the command line does,
for its --max-* limits) does not load pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmkit.lazy import lazy_names

if TYPE_CHECKING:
    from crmkit.io.guard import Limits
    from crmkit.io.read import Source, read_table
    from crmkit.io.table import Table
    from crmkit.io.write import write_frame

_WHERE = {
    "Limits": "crmkit.io.guard",
    "Source": "crmkit.io.read",
    "read_table": "crmkit.io.read",
    "Table": "crmkit.io.table",
    "write_frame": "crmkit.io.write",
}
__all__ = ["Limits", "Source", "Table", "read_table", "write_frame"]

__getattr__ = lazy_names(__name__, _WHERE)
