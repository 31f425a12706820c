"""The pool of customer records dedupe works on: every row of every input, with its match keys."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crmkit.dedupe.names import key_columns
from crmkit.errors import InputError
from crmkit.frames.columns import NormalizedColumn, normalize_column
from crmkit.io.table import Table
from crmkit.spec.names import NameVocabulary, fold_and_compact, load_vocabulary
from crmkit.text import arrow
from crmkit.text.normalize import phone_numbers

OTHER_PHONES = "other_phones"  # the spec's field of a row's second and further phones
KEY_FIELDS = ("customer_id", "name", "contact", "phone", "email", "created_at", "updated_at")


@dataclass
class PoolTable:
    """One input table and its normalized columns (by canonical field)."""

    table: Table
    columns: Mapping[str, NormalizedColumn]
    start: int  # pool index of its first row

    @property
    def file(self) -> str:
        """The path of the file it was read from (a sheet's table is named "file (sheet 张三)")."""
        name, sheet = self.table.name, self.table.sheet
        suffix = f" (sheet {sheet})"
        return name.removesuffix(suffix) if sheet is not None else name

    @property
    def sheet(self) -> str:
        """The sheet it was read from ("" for a CSV)."""
        return self.table.sheet or ""

    @functools.cached_property
    def positions(self) -> dict[str, int]:
        """Column position of each header as written (stripped; repeats made unique)."""
        return {label.strip(): position for position, label in enumerate(self.table.labels())}


@dataclass
class Pool:
    """All input rows in input order (pool index 0…n-1) and the keys they are matched by.

    `records` columns: source (input number), row (as the spreadsheet shows it), customer_id,
    name (as normalized), whole (name folded, no spaces), key, place and words (see names.py),
    person, phone, email, contact
    (folded, no spaces), created, updated (datetime64, NaT when missing). `phones`: every
    phone of every row, one (row, phone) pair each, a row's own first: the 联系电话 cell's
    phones (13812345678/0891-6331234 holds two) and those of its 其他电话 (other_phones).
    """

    tables: list[PoolTable]
    records: pd.DataFrame
    phones: pd.DataFrame | None = None  # None: each row's `phone` only

    def __len__(self) -> int:
        return len(self.records)

    def let_go_of_keys(self) -> None:
        """Drop the records' columns only matching needs (key, place, words, whole, person,
        contact, phone, email): ≈190 MiB at 1M rows, let go before merging."""
        matching = ["key", "place", "words", "whole", "person", "contact", "phone", "email"]
        self.records = self.records.drop(columns=[c for c in matching if c in self.records])

    def label(self, index: int) -> str:
        """file:row of a pool record, for people."""
        return str(self.labels[index])

    @functools.cached_property
    def labels(self) -> np.ndarray:
        """file:row of every pool record."""
        return self.labels_at(np.arange(len(self.records)))

    def labels_at(self, rows: np.ndarray) -> np.ndarray:
        """file:row of the pool records at `rows`, made for those only (a million of them,
        held through merging and writing, took 100 MiB)."""
        if "labels" in self.__dict__:
            return np.asarray(self.__dict__["labels"][rows], dtype=object)
        return np.asarray(self.label_array(rows).to_numpy(zero_copy_only=False), dtype=object)

    def label_array(self, rows: np.ndarray) -> Any:
        """labels_at as an Arrow large_string array, made column-wise."""
        import pyarrow as pa
        import pyarrow.compute as pc

        files = pa.array([t.table.name + ":" for t in self.tables], type=pa.large_string())
        sources = self.records["source"].to_numpy()[rows]
        numbers = pc.cast(pa.array(self.records["row"].to_numpy()[rows]), pa.large_string())
        nothing = pa.scalar("", pa.large_string())
        return pc.binary_join_element_wise(files.take(pa.array(sources)), numbers, nothing)


class _Columns(Mapping[str, NormalizedColumn]):
    """A table's normalized columns by field: the key fields (KEY_FIELDS) normalized once and
    kept, every other one normalized when asked for and let go (merge asks once a column).
    Holding them all through matching took a copy of the table, 900 MiB at 1M rows."""

    def __init__(self, table: Table):
        self._table = table
        self._kept = {name: self._normalize(name) for name in table.fields if name in KEY_FIELDS}

    def _normalize(self, name: str) -> NormalizedColumn:
        spec = self._table.spec
        assert spec is not None  # build_pool takes customer tables only
        native = self._table.format == "csv"
        return normalize_column(self._table.column(name), spec.field(name), text_is_native=native)

    def __getitem__(self, name: str) -> NormalizedColumn:
        if name in self._kept:
            return self._kept[name]
        if name not in self._table.fields:
            raise KeyError(name)
        return self._normalize(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.fields)

    def __len__(self) -> int:
        return len(self._table.fields)


def give_back_memory() -> None:
    """Hand the memory a phase freed back to the system: glibc's (malloc_trim; elsewhere
    nothing) and Arrow's pool's. At 1M rows glibc kept some 250 MiB that pooling and matching
    had freed, Arrow's pool (mimalloc) the copies a merge step had let go, and the next step's
    peak stacked on them."""
    import ctypes

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def _values(column: NormalizedColumn | None, length: int) -> np.ndarray:
    if column is None:
        return np.full(length, None, dtype=object)
    values = column.values.astype(object)
    return np.asarray(values.where(values.notna(), None), dtype=object)


def _shared(
    column: NormalizedColumn | None, length: int
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """A record column of normalized values: the normalized column's own Arrow text when it
    has one (what pandas makes of `_values` then, without a copy: 100 MiB at 1M rows), else
    `_values`."""
    if column is not None and column.values.dtype == arrow.TEXT and column.values.notna().any():
        return column.values.array
    return _values(column, length)


def _dates(column: NormalizedColumn | None, length: int) -> np.ndarray:
    if column is None:
        return np.full(length, np.datetime64("NaT"), dtype="datetime64[ns]")
    return pd.to_datetime(column.values, format="ISO8601", errors="coerce").to_numpy()


def build_pool(tables: Sequence[Table], vocab: NameVocabulary | None = None) -> Pool:
    """Normalize the key fields of customer tables and compute their name keys.

    Raises InputError when a table is not a customer table or has no name column.
    """
    vocab = vocab or load_vocabulary()
    parts: list[pd.DataFrame] = []
    pooled: list[PoolTable] = []
    phones: list[pd.DataFrame] = []
    start = 0
    for number, table in enumerate(tables):
        spec = table.spec
        if spec is None or spec.kind != "customers":
            raise InputError(f"{table.name}: dedupe needs customer tables; this is not one")
        if not table.has("name"):
            raise InputError(f"{table.name}: no {spec.field('name').header()} column to match by")
        columns = _Columns(table)
        length = table.rows
        parts.append(
            pd.DataFrame(
                {
                    "source": np.full(length, number, dtype=np.int32),
                    "row": table.data.index.to_numpy(dtype=np.int64),
                    "customer_id": _shared(columns.get("customer_id"), length),
                    "name": _shared(columns.get("name"), length),
                    "contact": _shared(columns.get("contact"), length),  # folded by _add_name_keys
                    "phone": _shared(columns.get("phone"), length),
                    "email": _shared(columns.get("email"), length),
                    "created": _dates(columns.get("created_at"), length),
                    "updated": _dates(columns.get("updated_at"), length),
                }
            )
        )
        pooled.append(PoolTable(table, columns, start))
        phones.append(_phone_pairs(table, columns, start))
        start += length
    records = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    _add_name_keys(records, vocab)
    every = pd.concat(phones, ignore_index=True) if phones else pd.DataFrame()
    if len(every):
        every = every.drop_duplicates().sort_values("row", kind="stable", ignore_index=True)
    return Pool(pooled, records, every)


def _phone_pairs(table: Table, columns: Mapping[str, NormalizedColumn], start: int) -> pd.DataFrame:
    """(row, phone) of every phone of a table's rows (pool indices), a row's own first: the
    联系电话 cell's first phone, its others, then the phones of its other_phones cell."""
    parts: list[pd.DataFrame] = []
    rows = np.arange(start, start + table.rows, dtype=np.int64)
    column = columns.get("phone")
    if column is not None:
        parts.append(pd.DataFrame({"row": rows, "phone": _values(column, table.rows)}))
        if column.others is not None:
            others = column.others.reset_index(drop=True).explode()
            parts.append(
                pd.DataFrame({"row": rows[others.index.to_numpy()], "phone": others.to_numpy()})
            )
    if table.has(OTHER_PHONES) and table.spec is not None:
        area = table.spec.field("phone").default_area_code if table.has("phone") else ""
        cells = table.column(OTHER_PHONES).reset_index(drop=True)
        cells = cells[cells.notna()].astype(str)
        codes, uniques = pd.factorize(cells)
        found = pd.Series([phone_numbers(u, default_area_code=area) for u in uniques], dtype=object)
        listed = pd.Series(found.to_numpy()[codes], index=cells.index).explode()
        parts.append(
            pd.DataFrame({"row": rows[listed.index.to_numpy()], "phone": listed.to_numpy()})
        )
    if not parts:
        return pd.DataFrame({"row": np.empty(0, dtype=np.int64), "phone": []})
    pairs = pd.concat(parts, ignore_index=True)
    pairs = pairs[pairs["phone"].notna()]
    # Stable by row: the first phone of a row stays first.
    return pairs.sort_values("row", kind="stable", ignore_index=True).astype({"phone": object})


def _add_name_keys(records: pd.DataFrame, vocab: NameVocabulary) -> None:
    """Add key, place, words, whole and person, and fold the contacts: once per distinct name
    and contact, in Arrow, spread to the rows by their codes (text columns stay Arrow's)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # Hashing (dictionary_encode) rather than sorting (np.unique): a million names as
    # fixed-width text took seconds and hundreds of MiB.
    names = _encoded(records["name"])
    contacts = _encoded(records["contact"])
    # Spellings that fold alike (繁體, full-width) get one key: each is keyed, few are.
    folded, whole = fold_and_compact(names.dictionary)
    keys = key_columns(folded, vocab, whole)
    rows = np.asarray(names.indices)
    at = pa.array(keys.rows[rows])
    whole = keys.whole.take(names.indices)
    contact = fold_and_compact(contacts.dictionary)[1].take(contacts.indices)
    present = pc.not_equal(contact, "")
    same = pc.and_(present, pc.equal(whole, contact)).to_numpy(zero_copy_only=False)
    for name, column in (("key", keys.key), ("place", keys.place), ("words", keys.words)):
        records[name] = pd.array(column.take(at), dtype=arrow.TEXT)
    records["whole"] = pd.array(whole, dtype=arrow.TEXT)
    records["person"] = keys.personal[rows] | same
    missing = pa.scalar(None, pa.large_string())
    contact = pc.if_else(present, contact, missing).to_numpy(zero_copy_only=False)
    records["contact"] = pd.Series(contact, index=records.index, dtype=object)


def _encoded(column: pd.Series) -> Any:
    """A text column as an Arrow dictionary array (missing as ''), its dictionary the distinct
    values in the order first seen."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not arrow.is_arrow_text(column):  # as the names were factorized: str of each value
        column = column.fillna("").astype(str)
    array = pa.array(column.array, type=pa.large_string(), from_pandas=True)
    encoded = pc.dictionary_encode(pc.fill_null(array, ""))
    return encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
