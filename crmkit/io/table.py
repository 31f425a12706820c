"""A table read from a user's file, with the provenance every message needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from crmkit.spec.fields import TableSpec


# The rows of the k-th sheet of a table read from several sheets are numbered k × ROW_STRIDE
# + the row its sheet shows (Excel has at most 1,048,576 rows): unique across sheets, and the
# first sheet's rows keep their own numbers.
ROW_STRIDE = 10_000_000


@dataclass(frozen=True)
class SheetPart:
    """One of the sheets a table was read from: its name, its header row, and for each column
    of the sheet (in the sheet's order) its header as written there and its table position."""

    sheet: str
    header_row: int
    columns: tuple[int, ...]
    headers: tuple[str, ...]


@dataclass
class Table:
    """The cells of one sheet or CSV file below its header row (or of several sheets of one
    kind: one per salesperson or per month).

    `data` has one column per sheet column, labelled by position (0, 1, …) so that repeated
    or blank headers survive; its index is the row number the spreadsheet shows (for a table
    of several sheets, see ROW_STRIDE and `place`). `headers` are the headers as the user wrote
    them; `fields` maps canonical field names to positions; `parts` lists the sheets read when
    there are several; `notes` say what the reader left out (sheets not read, and why).
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
    parts: list[SheetPart] = field(default_factory=list)

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

    def header_at(self, index: int, name: str) -> str:
        """The header the sheet of row `index` wrote for the field `name` (the table's header
        when read from one sheet, or when that sheet has no such column)."""
        if self.parts:
            part = self.parts[int(index) // ROW_STRIDE]
            position = self.fields[name]
            if position in part.columns:
                return part.headers[part.columns.index(position)]
        return self.header_of(name)

    def place(self, index: int) -> tuple[str | None, int]:
        """(sheet, row as that sheet shows it) of a row of `data`."""
        if not self.parts:
            return self.sheet, int(index)
        ordinal, row = divmod(int(index), ROW_STRIDE)
        return self.parts[ordinal].sheet, row

    def places(self, index: pd.Index) -> tuple[pd.Series, pd.Series]:
        """(sheet, row as that sheet shows it) of rows of `data`, for a whole index at once:
        `place` vectorized (the sheet is None for a CSV file; categorical, so a sheet's name
        is not repeated per row)."""
        keys = np.asarray(index, dtype=np.int64)
        if not self.parts and self.sheet is None:
            return pd.Series(None, index=index, dtype=object), pd.Series(keys, index=index)
        if self.parts:
            ordinal, row = np.divmod(keys, ROW_STRIDE)
            names = pd.Index([part.sheet for part in self.parts])
        else:
            ordinal, row = np.zeros(len(keys), dtype=np.int64), keys
            names = pd.Index([self.sheet])
        sheet = pd.Series(pd.Categorical.from_codes(ordinal.astype(np.int64), categories=names),
                          index=index)  # fmt: skip
        return sheet, pd.Series(row, index=index, dtype=np.int64)

    def rows_text(self, indexes: Iterable[int]) -> str:
        """Rows for a message: "row 5, 7", or "sheet 李四 row 5, sheet 张三 row 7" across sheets."""
        indexes = list(indexes)
        if not self.parts:
            return "row " + ", ".join(str(int(i)) for i in indexes)
        return ", ".join("sheet {} row {}".format(*self.place(i)) for i in indexes)

    def location(self, row: int | None = None, column: str | None = None) -> str:
        """Where something is, for a message: file, sheet, row and column as the user sees them."""
        parts = [self.name]
        sheet = self.place(row)[0] if row is not None else self.sheet
        if sheet is not None:
            parts.append(f"sheet {sheet}")
        if row is not None:
            parts.append(f"row {self.place(row)[1]}")
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
            parts=list(self.parts),
        )

    def insert_column(
        self, position: int, header: str, cells: pd.Series | None = None, field: str | None = None
    ) -> Table:
        """A copy of this table with a column added at `position` (blank unless `cells` are
        given), the columns from there on moved one to the right in every mapping (fields,
        sheets read, each of which gets the column too);
        `field` names the canonical field the new column holds."""
        data = self.data.rename(columns=lambda c: c + 1 if c >= position else c)
        if cells is None:
            cells = pd.Series(None, index=data.index, dtype=object)
        data.insert(position, position, cells)
        widened = self.with_data(data)
        widened.headers.insert(position, header)
        widened.fields = {n: p + 1 if p >= position else p for n, p in self.fields.items()}
        if field is not None:
            widened.fields[field] = position
        widened.parts = [_part_with_column(part, position, header) for part in self.parts]
        return widened

    def add_field_column(self, name: str, cells: pd.Series | None = None) -> Table:
        """A copy of this table with a column for the spec's field `name` (blank unless `cells`
        are given), headed in the language of the table's headers and placed as the spec orders
        fields: right after the column of the nearest field before it that the table has, else
        first. Raises KeyError when the spec has no such field."""
        from crmkit.spec.fields import header_language

        if self.spec is None:
            raise ValueError("add_field_column needs a table read with a field spec")
        field_spec = self.spec.field(name)
        names = [f.name for f in self.spec.fields]
        before = [n for n in names[: names.index(name)] if self.has(n)]
        position = self.fields[before[-1]] + 1 if before else 0
        header = field_spec.header(header_language(self.headers))
        return self.insert_column(position, header, cells, field=name)

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

    def split(self) -> list[Table]:
        """A table per sheet read, named "file (sheet name)", with the rows numbered as that
        sheet shows them (the table itself when it was read from one sheet)."""
        if not self.parts:
            return [self]
        tables = []
        for ordinal, part in enumerate(self.parts):
            low = ordinal * ROW_STRIDE
            rows = self.data[(self.data.index >= low) & (self.data.index < low + ROW_STRIDE)]
            one = self.with_data(rows.set_axis(rows.index - low))
            one.name, one.sheet, one.header_row, one.parts = (
                f"{self.name} (sheet {part.sheet})",
                part.sheet,
                part.header_row,
                [],
            )
            tables.append(one)
        return tables

    def joined_headers(self) -> list[tuple[str, str, str]]:
        """(sheet, header as that sheet wrote it, the table's header) for each column of a sheet
        read that was joined to a column headed otherwise (a sheet's 客戶名稱 under the first
        sheet's 客户名称): what one table of several sheets, as `to_frame` gives it, renames."""
        return [
            (part.sheet, header, self.headers[position])
            for part in self.parts
            for position, header in zip(part.columns, part.headers, strict=True)
            if header != self.headers[position]
        ]

    def sheet_frames(self, default: str = "data") -> dict[str, pd.DataFrame]:
        """The cells of each sheet read, in that sheet's own columns and under its own headers
        (one frame, named by the sheet or `default`, for a table of one sheet or a CSV)."""
        if not self.parts:
            return {self.sheet or default: self.to_frame()}
        frames: dict[str, pd.DataFrame] = {}
        extra = [
            p for p in range(len(self.headers)) if all(p not in part.columns for part in self.parts)
        ]
        for ordinal, part in enumerate(self.parts):
            low, high = ordinal * ROW_STRIDE, (ordinal + 1) * ROW_STRIDE
            rows = self.data[(self.data.index >= low) & (self.data.index < high)]
            positions = list(part.columns)
            # Columns added after reading (an id column clean adds) go to every sheet.
            frame = rows[[*positions, *extra]].copy()
            frame.columns = pd.Index(
                unique_labels([*part.headers, *(self.labels()[p] for p in extra)])
            )
            frame.index = frame.index - low
            frames[part.sheet] = frame
        return frames


def _part_with_column(part: SheetPart, position: int, header: str) -> SheetPart:
    """A sheet read, with a column added to the table at `position`: the sheet's columns from
    there on move one right, and the sheet gets the new column right after the column before
    it in the table (in the sheet's own order), else before the first that follows it."""
    columns = [p + 1 if p >= position else p for p in part.columns]
    if position - 1 in columns:
        at = columns.index(position - 1) + 1
    else:
        at = next((i for i, p in enumerate(columns) if p > position), len(columns))
    columns.insert(at, position)
    headers = [*part.headers[:at], header, *part.headers[at:]]
    return replace(part, columns=tuple(columns), headers=tuple(headers))


def unique_labels(names: Iterable[str]) -> list[str]:
    """Names with repeats made unique as pandas does: 客户名称, 客户名称.1, 客户名称.2."""
    labels: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        labels.append(name if count == 0 else f"{name}.{count}")
    return labels
