"""A table read from a user's file, with the provenance every message needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

if TYPE_CHECKING:
    from crmkit.spec import TableSpec


@dataclass
class Table:
    """The cells of one sheet or CSV file below its header row.

    `data` has one column per sheet column, labelled by position (0, 1, …) so that repeated
    or blank headers survive; its index is the row number the spreadsheet shows. `headers`
    are the headers as the user wrote them; `fields` maps canonical field names to positions;
    `notes` say what the reader left out (sheets not read, and why).
    """

    data: pd.DataFrame
    headers: list[str]
    name: str
    sheet: str | None
    header_row: int
    format: Literal["csv", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None
    fields: dict[str, int] = field(default_factory=dict)
    spec: TableSpec | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """How many data rows the table has."""
        return len(self.data)

    def has(self, name: str) -> bool:
        """True when the canonical field `name` has a column in this table."""
        return name in self.fields

    def column(self, name: str) -> pd.Series:
        """The cells of the canonical field `name`, as read."""
        return self.data[self.fields[name]]

    def header_of(self, name: str) -> str:
        """The header the user wrote for the canonical field `name`."""
        return self.headers[self.fields[name]]

    def location(self, row: int | None = None, column: str | None = None) -> str:
        """Where something is, for a message: file, sheet, row and column as the user sees them."""
        parts = [self.name]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column}")
        return ", ".join(parts)

    def with_data(self, data: pd.DataFrame) -> Table:
        """A copy of this table holding other cells (same headers, same provenance)."""
        return Table(
            data=data,
            headers=list(self.headers),
            name=self.name,
            sheet=self.sheet,
            header_row=self.header_row,
            format=self.format,
            encoding=self.encoding,
            delimiter=self.delimiter,
            fields=dict(self.fields),
            spec=self.spec,
            notes=list(self.notes),
        )

    def labels(self) -> list[str]:
        """The headers as written, repeated ones made unique (客户名称, 客户名称.1); a blank
        header is named by its column's letter (列C), so that it reads back the same."""
        from openpyxl.utils import get_column_letter

        return unique_labels(
            header if header.strip() else f"列{get_column_letter(position + 1)}"
            for position, header in enumerate(self.headers)
        )

    def to_frame(self) -> pd.DataFrame:
        """The cells labelled by the headers as written (repeated headers made unique)."""
        frame = self.data.copy()
        frame.columns = pd.Index(self.labels())
        return frame


def unique_labels(names: Iterable[str]) -> list[str]:
    """Names with repeats made unique as pandas does: 客户名称, 客户名称.1, 客户名称.2."""
    labels: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        labels.append(name if count == 0 else f"{name}.{count}")
    return labels
