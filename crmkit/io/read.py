"""The one reader of users' workbooks: CSV (any common encoding and separator) and xlsx.

Finds the header row under title rows, keeps each row's spreadsheet row number and each
header as written, and refuses unreadable or hostile files with an InputError that names
the file.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from crmkit.errors import EmptyTableError, InputError
from crmkit.io.cells import error_cells, fill_merged, put_errors, unsaved_formulas
from crmkit.io.guard import Limits, check_workbook, sniff_format
from crmkit.io.sheets import combine_sheets, other_kind, why_not_read
from crmkit.io.table import Table
from crmkit.spec.fields import KINDS, TableSpec, builtin_spec
from crmkit.text import arrow

HEADER_SEARCH_ROWS = 30
# Headers of a sequence-number column, which says nothing about a row by itself.
_SEQUENCE = frozenset({"序号", "序", "行号", "No", "No.", "NO", "NO.", "no", "no.", "#", "S/N"})
_DELIMITERS = (",", "\t", ";", "|")


@dataclass(frozen=True)
class Source:
    """Where a table comes from: a path, or bytes already read (stdin) with a display name."""

    path: Path | None
    name: str
    data: bytes | None = None

    @classmethod
    def of(cls, source: str | Path | BinaryIO, name: str | None = None) -> Source:
        """A Source for a path, for '-' (never read here: the CLI passes stdin's bytes), or bytes."""
        if isinstance(source, str | Path):
            return cls(Path(source), name or str(source))
        return cls(None, name or "<stdin>", source.read())


def read_table(
    source: str | Path | BinaryIO | Source,
    *,
    specs: Sequence[TableSpec] = (),
    sheet: str | int | None = None,
    encoding: str | None = None,
    format: str | None = None,
    limits: Limits | None = None,
    delimiter: str | None = None,
    forced: bool = False,
) -> Table:
    """Read one table; with specs, find its header row and map its columns to fields.

    `sheet` is a name or a 1-based index; `format` ('csv' or 'xlsx') overrides what the
    content says; `delimiter` forces the CSV separator (else it is guessed). Headers are also
    judged against crmkit's specs of the other kinds: a sheet of another kind is skipped, and
    a table of another kind refused (OtherKindError) unless `forced` (the user said which kind
    it is). Returns a Table whose index holds the spreadsheet's row numbers.
    Raises InputError for anything that cannot be read as a table.
    """
    src = source if isinstance(source, Source) else Source.of(source)
    limits = limits or Limits()
    data = src.data if src.data is not None else _read_bytes(src, limits)
    kind = format or sniff_format(data, src.path, src.name)
    rivals = () if forced or not specs else _rival_specs(frozenset(s.kind for s in specs))
    if kind == "xlsx":
        return _read_xlsx(data, src.name, sheet, specs, rivals, limits)
    if sheet is not None:
        raise InputError(f"{src.name}: --sheet applies to workbooks, and this is CSV text")
    if delimiter is not None:
        delimiter = delimiter_of(delimiter)
    return _read_csv(data, src.name, encoding, delimiter, specs, rivals, limits)


def read_json(path: str | Path, *, limits: Limits | None = None) -> Any:
    """The JSON value a file holds (a pairs report written with --report pairs.json), read
    within the file-size limit. Raises InputError for a missing, unreadable or invalid file."""
    src = Source.of(Path(path))
    data = _read_bytes(src, limits or Limits())
    try:
        return json.loads(data)
    except ValueError as exc:
        raise InputError(f"{src.name}: not JSON ({exc})") from None


def _read_bytes(src: Source, limits: Limits) -> bytes:
    assert src.path is not None
    path = src.path
    try:
        if path.is_dir():
            raise InputError(f"{src.name}: is a folder, not a file")
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(
                f"{src.name}: file is {size / 2**20:.0f} MiB, over the {limits.max_file_bytes / 2**20:.0f} MiB limit (--max-file-mib)"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{src.name}: no such file") from None
    except PermissionError:
        raise InputError(f"{src.name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{src.name}: cannot read ({exc.strerror or exc})") from None


# ---------------------------------------------------------------- header row


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    return str(value).strip()


def _find_header(
    rows: Sequence[Sequence[Any]],
    specs: Sequence[TableSpec],
    name: str,
    sheet: str | None,
    hint: str = "",
    rivals: Sequence[TableSpec] = (),
) -> tuple[int, TableSpec | None]:
    """Index of the header row among the first rows, and the spec whose headers it matches best.

    The rows are also judged against `rivals`, specs of the kinds not asked for: a table that
    is plainly another kind (a task list given as customers) raises OtherKindError instead of
    being read as the wrong kind.
    """
    wanted = {candidate.kind for candidate in specs}
    score, found, spec = _best_header(rows, [*specs, *rivals])
    if spec is not None and spec.kind not in wanted and score >= min(2, len(spec.fields)):
        where = f"{name}, sheet {sheet}" if sheet else name
        raise OtherKindError(
            f"{where}: its headers are those of {spec.kind}, not {' or '.join(sorted(wanted))}"
        )
    if spec is not None and score >= min(2, len(spec.fields)):
        return found, spec
    if specs:
        where = f"{name}, sheet {sheet}" if sheet else name
        expected = ", ".join(f.header() for f in specs[0].fields[1:4])
        raise InputError(
            f"{where}: no header row found in the first {HEADER_SEARCH_ROWS} rows "
            f"(expected headers such as {expected}){hint}"
        )
    for index, row in enumerate(rows):
        if any(_cell_text(v) for v in row):
            return index, None
    raise InputError(f"{name}: the file is empty")


def _header_rows(
    rows: Sequence[Sequence[Any]], index: int, spec: TableSpec | None
) -> tuple[list[Any], int]:
    """The header cells, and the index of the last header row: a row just above or below the
    header row that also names fields (a group title such as 联系方式 over 联系人姓名 and
    联系电话, or a Chinese row over an English one) is combined with it, never read as data."""
    if spec is None:
        return list(rows[index]), index
    upper, lower = index, index
    if index > 0 and _also_header(rows[index - 1], rows[index], spec):
        upper = index - 1
    elif index + 1 < len(rows) and _also_header(rows[index + 1], rows[index], spec):
        lower = index + 1
    if upper == lower:
        return list(rows[index]), index
    top, bottom = list(rows[upper]), list(rows[lower])
    width = max(len(top), len(bottom))
    top += [None] * (width - len(top))
    bottom += [None] * (width - len(bottom))
    header = []
    for position, (over, under) in enumerate(zip(top, bottom, strict=True)):
        over_text, under_text = _cell_text(over), _cell_text(under)
        # A group title spans the columns to its right whose upper cell is blank.
        spans = (
            position + 1 < width
            and not _cell_text(top[position + 1])
            and bool(_cell_text(bottom[position + 1]))
        )
        header.append(_header_of(over_text, under_text, spans, spec))
    return header, lower


def _also_header(row: Sequence[Any], header: Sequence[Any], spec: TableSpec) -> bool:
    """True when a row beside the header row is a header row too: it names two fields or more,
    and names them about as densely as the header row does (a data row may hold a value that
    happens to be a header, such as 电话, but few)."""
    named = len(spec.map_headers(row))
    filled = sum(1 for cell in row if _cell_text(cell))
    header_named = len(spec.map_headers(header))
    header_filled = sum(1 for cell in header if _cell_text(cell))
    return named >= 2 and 2 * named * header_filled >= header_named * filled


def _header_of(over: str, under: str, spans: bool, spec: TableSpec) -> str:
    """One column's header from two header rows."""
    if not under or not over:
        return under or over
    if spans:
        return under
    above, below = spec.match_header(over), spec.match_header(under)
    if above and below:
        return over if above == below else under
    return under if below else over


def _build_table(
    header: Sequence[Any],
    frame: pd.DataFrame,
    first_row: int,
    spec: TableSpec | None,
    **provenance: Any,
) -> Table:
    headers = [_cell_text(h) for h in header]
    # Each column's blank cells, worked out once (a hostile file may have thousands of columns).
    blanks = [arrow.blank(frame.iloc[:, i]) for i in range(frame.shape[1])]
    while (
        headers
        and not headers[-1]
        and (frame.shape[1] < len(headers) or blanks[len(headers) - 1].all())
    ):
        headers.pop()
    used = next((i + 1 for i in range(len(blanks) - 1, -1, -1) if not blanks[i].all()), 0)
    width = max(len(headers), used)
    headers += [""] * (width - len(headers))
    frame = frame.iloc[:, :width].copy()
    for position in range(frame.shape[1], width):
        frame[position] = None
        blanks.append(np.ones(len(frame), dtype=bool))
    frame.columns = pd.RangeIndex(width)
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    # A row holding nothing but a sequence number (序号 filled down past the data) is blank.
    mapped = set(spec.map_headers(headers).values()) if spec is not None else set()
    counted = [
        blanks[i] for i in range(width) if i in mapped or _cell_text(headers[i]) not in _SEQUENCE
    ]
    blank = np.logical_and.reduce(counted) if counted else None
    if blank is not None and blank.any():
        frame = frame[~blank]
    name = provenance["name"]
    where = f"{name}, sheet {provenance['sheet']}" if provenance.get("sheet") else name
    totals = _totals_rows(frame) if spec is not None else []
    if totals:
        frame = frame.drop(index=totals)
    if frame.empty:
        raise EmptyTableError(f"{where}: has a header row but no data rows")
    table = Table(data=frame, headers=headers, spec=spec, **provenance)
    if totals:
        rows = ", ".join(str(row) for row in totals)
        table.notes.append(f"{where}: row {rows} is a totals row (合计), not data; left out")
    if spec is not None:
        table.fields = spec.map_headers(headers)
        table.notes.extend(_unread_repeats(spec, headers, table.fields, where))
    return table


_TOTALS = frozenset({"合计", "总计", "小计", "合計", "總計", "小計", "total", "totals", "grand total",
                     "subtotal", "sum"})  # fmt: skip


def _totals_rows(frame: pd.DataFrame) -> list[int]:
    """Rows that sum the table up: a cell saying 合计 (total …) and otherwise only numbers."""
    found = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:  # a hash lookup per cell: cheap on a million rows
        cells = frame[column]
        if cells.dtype == object or pd.api.types.is_string_dtype(cells):
            found |= cells.isin(_TOTALS_WRITTEN).to_numpy(dtype=bool)
    rows = []
    for row in frame.index[found].tolist():
        words = [
            _cell_text(v)
            for v in frame.loc[row].tolist()
            if _cell_text(v) and _cell_text(v).lower() not in _TOTALS
        ]
        if all(_NUMBERISH.fullmatch(word) for word in words):
            rows.append(int(row))
    return rows


_TOTALS_WRITTEN = frozenset(
    form
    for word in _TOTALS
    for spelled in (word, word.title(), word.upper())
    for form in (spelled, spelled + ":", spelled + "：", " " + spelled, spelled + " ")
)
_NUMBERISH = re.compile(r"[-+¥￥$]?[\d,，.]+(?:万|元|%)?")


def _unread_repeats(
    spec: TableSpec, headers: Sequence[str], fields: dict[str, int], where: str
) -> list[str]:
    """A note for each column naming a field an earlier column already names (two 联系电话
    columns, or 手机 beside 电话): it is kept as it is, but not read as that field."""
    from openpyxl.utils import get_column_letter

    notes = []
    for position, header in enumerate(headers):
        name = spec.match_header(header) if header else None
        if name is not None and fields.get(name) != position:
            first = fields[name]
            notes.append(
                f"{where}: column {get_column_letter(position + 1)} ({header}) names "
                f"{spec.field(name).header()} as column {get_column_letter(first + 1)} "
                f"({headers[first]}) does; only column {get_column_letter(first + 1)} is checked "
                f"and used, {header} is kept as it is"
            )
    return notes


# ---------------------------------------------------------------- CSV


def decode_text(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode CSV bytes: the given encoding, else UTF-16/UTF-8 by BOM, strict UTF-8, GB18030, a guess.

    Returns (text, encoding used). Raises InputError with a hint when nothing fits.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(f"{name}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: cannot be decoded as {encoding} (byte {exc.start}); try another --encoding"
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(f"{name}: broken UTF-16 text") from None
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        mixed = _utf8_line_before(data, exc.start)
    if mixed is not None:
        utf8_line, other_line = mixed
        raise InputError(
            f"{name}: mixes text encodings (line {utf8_line} is UTF-8, line {other_line} is not); "
            "save it again in one encoding, or pass --encoding"
        )
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _is_big5(data):
            try:
                return data.decode("cp950"), "cp950"
            except UnicodeDecodeError:
                pass
        return text, "gb18030"
    from charset_normalizer import from_bytes

    guess = from_bytes(data[: 1 << 20]).best()
    if guess is not None and guess.encoding:
        try:
            return data.decode(guess.encoding), guess.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise InputError(
        f"{name}: cannot tell the text encoding; pass --encoding (e.g. --encoding gb18030)"
    )


def _is_big5(data: bytes) -> bool:
    """True when text that decodes as GB18030 reads far better as Big5 (繁體 Windows Excel).

    Every Big5 byte pair is also valid GB18030, so decoding cannot tell them apart; but Big5
    read as GB18030 yields rare or private-use characters, while either encoding read as
    itself yields mostly its common characters (GB2312 for GBK, Big5 level 1 for Big5).
    """
    cut = data.rfind(b"\n", 0, 1 << 16)
    sample = data if len(data) <= 1 << 16 or cut < 0 else data[: cut + 1]
    try:
        big5 = sample.decode("cp950")
    except UnicodeDecodeError:
        return False
    gb = sample.decode("gb18030", errors="replace")
    return _share_common(big5, _common_big5) > max(0.8, _share_common(gb, _common_gb) + 0.2)


def _common_gb(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _common_big5(char: str) -> bool:
    try:
        encoded = char.encode("cp950")
    except UnicodeEncodeError:
        return False
    return 0xA1 <= encoded[0] <= 0xC6  # punctuation, then the 5,401 frequent characters


def _share_common(text: str, common: Any) -> float:
    wide = [c for c in set(text) if ord(c) >= 0x80]
    return sum(1 for c in wide if common(c)) / len(wide) if wide else 0.0


def _encoding_hint(used: str, given: str | None) -> str:
    """A hint for a header row not found in text whose encoding was guessed."""
    if given or used.startswith("utf"):
        return ""
    return (
        f"; read as {used} (tried UTF-8, GB18030, Big5): if the file is in another encoding, "
        "pass it, e.g. --encoding big5"
    )


def _utf8_line_before(data: bytes, bad: int) -> tuple[int, int] | None:
    """(a line of Chinese or other non-ASCII UTF-8 text, the line where UTF-8 fails) when both
    exist: a file that mixes encodings, which a single decoding would turn into mojibake."""
    start = data.rfind(b"\n", 0, bad) + 1
    failing = data.count(b"\n", 0, start) + 1
    # Every line before the failing one is valid UTF-8: non-ASCII there is UTF-8 text.
    for number, line in enumerate(data[:start].split(b"\n"), 1):
        if sum(1 for byte in line if byte >= 0x80) >= 3:
            return number, failing
    # A later UTF-8 line (GBK rows first, UTF-8 rows appended): look a little way on.
    later = data[start:].split(b"\n", 2001)[1:2001]
    for offset, line in enumerate(later, 1):
        if sum(1 for byte in line if byte >= 0x80) < 3:
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return failing + offset, failing
    return None


_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def delimiter_of(text: str) -> str:
    """The separator a --delimiter value names: one character, or tab, \\t, comma, semicolon, pipe.

    Raises InputError for anything else.
    """
    delimiter = _DELIMITER_NAMES.get(text.lower(), text)
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise InputError(f"--delimiter {text!r} is not one character (use , ; | or tab)")
    return delimiter


def _choose_delimiter(
    text: str, specs: Sequence[TableSpec], count: int
) -> tuple[str, list[list[str]]]:
    """The separator under which the header row is recognized and the rows below it have the
    header's width (comma on a tie), and the first rows split by it.

    Splitting the most columns is no test: tag cells holding | or ; and crmkit's own
    merged_from cells (ids joined by ;) would win.
    """
    best: tuple[tuple[int, ...], str, list[list[str]]] | None = None
    for delimiter in _DELIMITERS:
        rows = _head_rows(text, count, delimiter)
        index, recognized = _best_header_row(rows, specs)
        width = len(rows[index]) if rows else 0
        below = [r for r in rows[index + 1 :] if any(cell.strip() for cell in r)]
        consistent = sum(1 for r in below if len(r) == width)
        key = (recognized, int(width > 1), consistent, int(delimiter == ","))
        if best is None or key > best[0]:
            best = (key, delimiter, rows)
    assert best is not None
    return best[1], best[2]


def _best_header(
    rows: Sequence[Sequence[Any]], specs: Sequence[TableSpec]
) -> tuple[int, int, TableSpec | None]:
    """(how many fields, index, spec) of the row among the first rows that names the most
    fields of one spec (the earlier row and spec on a tie); (0, -1, None) when none does."""
    best: tuple[int, int, TableSpec | None] = (0, -1, None)
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for candidate in specs:
            score = len(candidate.map_headers(row))
            if score > best[0]:
                best = (score, index, candidate)
    return best


def _best_header_row(rows: Sequence[Sequence[Any]], specs: Sequence[TableSpec]) -> tuple[int, int]:
    """(index of the row naming the most fields of any spec, how many); without specs the
    first row that is not blank."""
    if not specs:
        first = next((i for i, r in enumerate(rows) if any(_cell_text(v) for v in r)), 0)
        return first, 0
    score, index, _ = _best_header(rows, specs)
    return max(index, 0), score


def _read_csv(
    data: bytes,
    name: str,
    encoding: str | None,
    delimiter: str | None,
    specs: Sequence[TableSpec],
    rivals: Sequence[TableSpec],
    limits: Limits,
) -> Table:
    if encoding is None and b"\x00" in data[: 1 << 16]:
        encoding = _utf16_without_bom(data)
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or encoding in (
        "utf-16-le",
        "utf-16-be",
    )
    if encoding is None and not utf16 and b"\x00" in data[: 1 << 16]:
        raise InputError(f"{name}: is not CSV text (it holds binary data)")
    # Most files are UTF-8: decide on the first MiB and let pyarrow check the rest as it parses.
    text = None if encoding or utf16 else _utf8_prefix(data)
    complete = text is not None and len(data) <= _PREFIX_BYTES
    if text is None:
        text, used = decode_text(data, name, encoding)
        complete = True
    else:
        used = "utf-8-sig"
    text = text.removeprefix("\ufeff")
    if "\x00" in text[: 1 << 16]:
        raise InputError(f"{name}: is not CSV text (it holds binary data)")
    if complete and (not text or text.isspace()):
        raise InputError(f"{name}: the file is empty")
    limit = csv.field_size_limit(_HEAD_BYTES)
    try:
        if delimiter is None:
            delimiter, head_rows = _choose_delimiter(text, specs, HEADER_SEARCH_ROWS * 2)
        else:
            head_rows = _head_rows(text, HEADER_SEARCH_ROWS * 2, delimiter)
    finally:
        csv.field_size_limit(limit)
    hint = _encoding_hint(used, encoding)
    header_index, spec = _find_header(head_rows, specs, name, None, hint, rivals)
    found = header_index
    combined, header_index = _header_rows(head_rows, header_index, spec)
    _check_width(combined, limits, name, None)
    width = len(head_rows[header_index])
    lines = _lines_in_rows(text, delimiter, header_index)
    frame = _parse_with_arrow(data, used, delimiter, lines, width)
    if frame is None:
        if not complete:
            text, used = decode_text(data, name, encoding)
            text = text.removeprefix("\ufeff")
        frame = _parse_with_pandas(text, name, delimiter, header_index)
    del text
    # One header row is taken whole from the parse (the head may cut a huge cell).
    header = combined if header_index != found else frame.iloc[0].tolist()
    frame = frame.iloc[1:].reset_index(drop=True)
    frame = _undo_formula_guard(frame)
    if len(data) > limits.max_cell_chars:  # a smaller file cannot hold a longer cell
        _check_cell_lengths(frame, limits, name, None, header, header_index + 2)
    return _build_table(
        header, frame, header_index + 2, spec,
        name=name, sheet=None, header_row=header_index + 1, format="csv",
        encoding=used, delimiter=delimiter,
    )  # fmt: skip


_HEAD_BYTES = 1 << 22


def _head_rows(text: str, count: int, delimiter: str) -> list[list[str]]:
    """The first `count` rows (fewer if the file has fewer), from up to 4 MiB of text: wide
    header rows fit whole; a huge cell is cut (the limit on cells speaks of it later).

    Rows, not lines: a quoted cell may hold a line break (a wrapped title cell).
    """
    size = 1 << 16
    while True:
        chunk = text[:size]
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(chunk), delimiter=delimiter):
                rows.append(row)
                if len(rows) > count:
                    break
        except csv.Error:  # the chunk ends inside a quoted cell
            pass
        if len(rows) > count or size >= min(len(text), _HEAD_BYTES):
            return rows[:count]
        size *= 4


def _lines_in_rows(text: str, delimiter: str, count: int) -> int:
    """How many lines the first `count` rows take (pyarrow skips lines, and a quoted cell,
    such as a wrapped title, may span several)."""
    if not count:
        return 0
    reader = csv.reader(io.StringIO(text[:_HEAD_BYTES], newline=None), delimiter=delimiter)
    for _ in range(count):
        next(reader, None)
    return reader.line_num


def _check_width(header: Sequence[Any], limits: Limits, name: str, sheet: str | None) -> None:
    """Refuse a header row with more named columns than the limit."""
    named = sum(1 for cell in header if _cell_text(cell))
    if named > limits.max_columns:
        where = f"{name}, sheet {sheet}" if sheet else name
        raise InputError(
            f"{where}: the header row names {named:,} columns, over the limit of "
            f"{limits.max_columns:,} (raise it with --max-columns)"
        )


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for text saved as UTF-16 without a byte-order mark (every
    ASCII character, such as the separators and digits, then has a zero byte), else None."""
    sample = data[: 1 << 16]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    # CJK characters such as 一 (U+4E00) also hold a zero byte, but on the other side, seldom.
    if odd > 0.2 and even < odd / 10:
        return "utf-16-le"
    if even > 0.2 and odd < even / 10:
        return "utf-16-be"
    return None


def _check_cell_lengths(
    frame: pd.DataFrame,
    limits: Limits,
    name: str,
    sheet: str | None,
    header: Sequence[Any],
    first_row: int,
) -> None:
    """Refuse a cell longer than the limit."""
    for position, label in enumerate(frame.columns):
        column = frame[label]
        if arrow.is_arrow_text(column):
            lengths = pd.Series(arrow.lengths(column))
        elif pd.api.types.infer_dtype(column, skipna=True) in ("string", "mixed", "mixed-integer"):
            lengths = column.astype(object).str.len().fillna(0)  # NaN for what is not text
        else:
            continue
        if len(lengths) and lengths.max() > limits.max_cell_chars:
            at = int(lengths.to_numpy().argmax())
            written = _cell_text(header[position]) if position < len(header) else ""
            where = f"{name}, sheet {sheet}" if sheet else name
            raise InputError(
                f"{where}: row {first_row + at}, column {written or position + 1} holds "
                f"{int(lengths.max()):,} characters, over the limit of {limits.max_cell_chars:,} "
                "(raise it with --max-cell-chars)"
            )


_PREFIX_BYTES = 1 << 20


def _utf8_prefix(data: bytes) -> str | None:
    """The first MiB decoded as UTF-8 (a character cut at the end is fine), or None if it is not."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return str(decoder.decode(data[:_PREFIX_BYTES], final=len(data) <= _PREFIX_BYTES))
    except UnicodeDecodeError:
        return None


def _parse_with_arrow(
    data: bytes, encoding: str, delimiter: str, skip: int, width: int
) -> pd.DataFrame | None:
    """Parse with pyarrow's multi-threaded reader (every cell text, blank lines kept), after
    `skip` lines; None if it cannot."""
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    body: bytes | memoryview = data
    if encoding in ("utf-8-sig", "utf-8", "utf8"):
        body = memoryview(data)[3:] if data.startswith(codecs.BOM_UTF8) else data
        encoding = "utf8"
    names = [f"f{i}" for i in range(width)]
    try:
        parsed = arrow_csv.read_csv(
            pa.py_buffer(body),
            read_options=arrow_csv.ReadOptions(
                skip_rows=skip, column_names=names, encoding=encoding
            ),
            parse_options=arrow_csv.ParseOptions(
                delimiter=delimiter,
                # Multi-line cells need a serial parse; without a quote there can be none.
                newlines_in_values=b'"' in data,
                ignore_empty_lines=False,
            ),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, LookupError, UnicodeDecodeError):
        return None
    frame = parsed.to_pandas(
        types_mapper=lambda t: arrow.TEXT if t in (pa.string(), pa.large_string()) else None
    )
    frame.columns = pd.RangeIndex(width)
    return frame


def _parse_with_pandas(text: str, name: str, delimiter: str, skip: int) -> pd.DataFrame:
    """Parse with pandas' C engine, widening to the widest row when a later row is wider than the header."""
    options: dict[str, Any] = dict(
        sep=delimiter, header=None, dtype=str, keep_default_na=False, na_filter=False,
        skip_blank_lines=False, skiprows=skip, engine="c",
    )  # fmt: skip
    try:
        return pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError:
        width = max(len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter))
        try:
            return pd.read_csv(io.StringIO(text), names=list(range(width)), **options)
        except pd.errors.ParserError as exc:
            raise InputError(f"{name}: not a well-formed CSV file ({exc})") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{name}: the file is empty") from None


def _undo_formula_guard(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the ' that crmkit's writer puts before text starting with = + - @ (read back = written)."""
    for column in frame.columns:
        values = frame[column]
        if arrow.is_arrow_text(values):
            starts = arrow.starts_with(values, "'")
        else:
            starts = values.str.startswith("'").fillna(False).to_numpy(dtype=bool)
        if starts.any():
            frame[column] = values.str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
    return frame


# ---------------------------------------------------------------- xlsx


def _read_xlsx(
    data: bytes,
    name: str,
    sheet: str | int | None,
    specs: Sequence[TableSpec],
    rivals: Sequence[TableSpec],
    limits: Limits,
) -> Table:
    import python_calamine as calamine

    check_workbook(data, name, limits)
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise InputError(
            f"{name}: the workbook is password-protected; save an unprotected copy"
        ) from None
    except Exception as exc:  # calamine raises several unrelated types for corrupt files
        raise InputError(f"{name}: not a readable workbook ({_first_line(exc)})") from None
    names = workbook.sheet_names
    # A hidden sheet holds a workbook's helper lists (the dropdown options of a template), not
    # its rows: read only when named with --sheet.
    hidden = [
        m.name for m in workbook.sheets_metadata if m.visible != calamine.SheetVisibleEnum.Visible
    ]
    if sheet is not None or not specs or len(names) - len(hidden) <= 1:
        visible = [n for n in names if n not in hidden] or names
        chosen = _choose_sheet(names if sheet is not None else visible, sheet, name)
        return _read_sheet(workbook, data, name, chosen, specs, rivals, limits)
    wanted = {spec.kind for spec in specs}
    tables: list[Table] = []
    skipped: list[tuple[str, str]] = [
        (n, "hidden; name it with --sheet to read it") for n in hidden
    ]
    names = [n for n in names if n not in hidden]
    failure: InputError | None = None
    others = 0  # sheets skipped as another kind of table (a customer sheet beside 跟进记录)
    for chosen in names:
        try:
            table = _read_sheet(workbook, data, name, chosen, specs, rivals, limits)
        except OtherKindError as exc:
            others += 1
            skipped.append((chosen, why_not_read(exc)))
            continue
        except InputError as exc:
            failure = failure or exc
            skipped.append((chosen, why_not_read(exc)))
            continue
        reason = other_kind(tables[0], table) if tables else None
        if reason:
            skipped.append((chosen, reason))
        else:
            tables.append(table)
    if not tables:
        if failure is not None and not others:
            raise failure
        listed = "; ".join(f"{sheet} ({reason})" for sheet, reason in skipped)
        raise InputError(f"{name}: no sheet holds {' or '.join(sorted(wanted))}: {listed}")
    return combine_sheets(tables, skipped)


class OtherKindError(InputError):
    """The table's headers are those of another kind of table than the one asked for."""


@functools.cache
def _rival_specs(wanted: frozenset[str]) -> tuple[TableSpec, ...]:
    """crmkit's own specs of the kinds of table not asked for."""
    return tuple(builtin_spec(kind) for kind in KINDS if kind not in wanted)


def _read_sheet(
    workbook: Any,
    data: bytes,
    name: str,
    chosen: str,
    specs: Sequence[TableSpec],
    rivals: Sequence[TableSpec],
    limits: Limits,
) -> Table:
    """Read one sheet of an open workbook."""
    try:
        worksheet = workbook.get_sheet_by_name(chosen)
        if worksheet.height * max(worksheet.width, 1) > limits.max_cells:
            raise InputError(
                f"{name}, sheet {chosen}: {worksheet.height} rows × {worksheet.width} columns is over "
                f"the limit of {limits.max_cells:,} cells (--max-cells)"
            )
        rows = worksheet.to_python(skip_empty_area=False)
        merged = _merged_ranges(worksheet)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{name}, sheet {chosen}: cannot be read ({_first_line(exc)})") from None
    put_errors(rows, error_cells(data, chosen))
    fill_merged(rows, merged)
    if not any(any(_cell_text(v) for v in row) for row in rows):
        raise InputError(f"{name}, sheet {chosen}: the sheet is empty")
    header_index, spec = _find_header(rows, specs, name, chosen, rivals=rivals)
    header, header_index = _header_rows(rows, header_index, spec)
    _check_width(header, limits, name, chosen)
    frame = pd.DataFrame(rows[header_index + 1 :], dtype=object)
    frame = frame.replace("", None) if not frame.empty else frame
    # A workbook's text is compressed, so its size says nothing about its longest cell.
    _check_cell_lengths(frame, limits, name, chosen, header, header_index + 2)
    for column in frame.columns:
        # Columns of text cells only (names, most phone columns) get the fast text type.
        if pd.api.types.infer_dtype(frame[column], skipna=True) == "string":
            frame[column] = frame[column].astype("str")
    table = _build_table(
        header, frame, header_index + 2, spec,
        name=name, sheet=chosen, header_row=header_index + 1, format="xlsx",
    )  # fmt: skip
    unsaved = [cell for cell in unsaved_formulas(data, chosen) if cell[0] > header_index]
    if unsaved:
        table.notes.append(_unsaved_note(unsaved, f"{name}, sheet {chosen}"))
    return table


def _unsaved_note(cells: list[tuple[int, int]], where: str) -> str:
    """What to say of formula cells without a saved value (0-based row, column each)."""
    from openpyxl.utils import get_column_letter

    named = ", ".join(f"{get_column_letter(c + 1)}{r + 1}" for r, c in cells[:5])
    more = f" and {len(cells) - 5} more" if len(cells) > 5 else ""
    cells_have, they = (
        ("1 formula cell has", "it is") if len(cells) == 1
        else (f"{len(cells)} formula cells have", "they are")
    )  # fmt: skip
    return (
        f"{where}: {cells_have} no saved value ({named}{more}): a program, not Excel or WPS, "
        f"saved the file last, so {they} read as empty; open the file in Excel or WPS and "
        "save it once"
    )


def _merged_ranges(worksheet: Any) -> list[Any]:
    try:
        return list(worksheet.merged_cell_ranges or [])
    except Exception:  # not every format calamine reads knows its merged cells
        return []


def _choose_sheet(names: list[str], sheet: str | int | None, name: str) -> str:
    if not names:
        raise InputError(f"{name}: the workbook has no sheets")
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) or (
        isinstance(sheet, str) and sheet.isdigit() and sheet not in names
    ):
        index = int(sheet)
        if not 1 <= index <= len(names):
            raise InputError(
                f"{name}: no sheet number {index} (it has {len(names)}: {', '.join(names)})"
            )
        return names[index - 1]
    if sheet not in names:
        raise InputError(f"{name}: no sheet named {sheet!r} (sheets: {', '.join(names)})")
    return sheet


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
