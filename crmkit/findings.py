"""One shape for everything a command finds in the data: a `Finding`, located as the user sees
it (file, sheet, the row number the spreadsheet shows, the column header as written).

validate's issues, tags' unknown spellings, export's refused rows, the notes of a report and
sync's warnings are all Findings, so `--report FILE` and JSON output read the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Finding:
    """One problem or remark about one cell, row, column or file.

    `row` is the row number the spreadsheet shows (None: the whole column or file); `column`
    the header as the user wrote it ("" when none applies); `field` the spec's field name;
    `rule` a short stable code scripts can filter on; `message` the sentence a person reads.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str
    field: str
    value: str
    severity: Severity
    rule: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict, keys in the order above."""
        return asdict(self)


FINDING_COLUMNS = [f.name for f in fields(Finding)]


def findings_frame(findings: Iterable[Finding | dict[str, Any]]) -> pd.DataFrame:
    """Findings as a table with the columns of the JSON contract (FINDING_COLUMNS), the shape
    every command's --report FILE writes as .xlsx or .csv."""
    import pandas as pd

    records = [f.as_dict() if isinstance(f, Finding) else f for f in findings]
    return pd.DataFrame.from_records(records, columns=FINDING_COLUMNS)
