"""crmkit's exceptions: "could not run" is an exception; findings in the data are not."""

from __future__ import annotations


class CrmkitError(Exception):
    """Base of every error crmkit raises on purpose; its message is for the user."""

    exit_code = 2


class InputError(CrmkitError):
    """An input cannot be read: missing, unreadable, corrupt, empty, hostile or not a table."""


class EmptyTableError(InputError):
    """A table has a header row but no data rows (a blank template not filled in yet)."""


class SpecError(CrmkitError):
    """A field spec (schema file) is broken; the message names the file and the entry."""


class OutputError(CrmkitError):
    """An output cannot be written (or would overwrite an input)."""


class UsageError(CrmkitError):
    """An option's value cannot be used (a --where that names no field …)."""
