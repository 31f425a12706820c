"""Reading and writing users' tables: the only code that opens their files."""

from crmkit.io.guard import Limits
from crmkit.io.read import Source, read_table
from crmkit.io.table import Table
from crmkit.io.write import write_frame

__all__ = ["Limits", "Source", "Table", "read_table", "write_frame"]
