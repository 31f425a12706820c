"""The one writer: CSV for Excel users (UTF-8 with BOM) and xlsx, formula-safe and atomic."""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmkit.errors import OutputError
from crmkit.io.cells import keep_saved_values
from crmkit.io.formulas import kept_formulas

BOM = "\ufeff".encode()  # UTF-8's byte order mark: Excel then reads a CSV as UTF-8
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number alone (an E.164 phone +8613812345678, -19) is read as a number, never run.
_SIGNED_NUMBER = r"[+-]\d+(?:\.\d+)?"


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet would run as a formula (OWASP CSV-injection guidance)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not re.fullmatch(_SIGNED_NUMBER, value)
    )


def is_input(output: Path, inputs: Iterable[str | Path | None]) -> bool:
    """True when `output` is one of the input files."""
    target = output.resolve()
    for source in inputs:
        if source is None or str(source) == "-":
            continue
        candidate = Path(source)
        with contextlib.suppress(OSError):
            if candidate.exists() and (candidate.resolve() == target or output.samefile(candidate)):
                return True
    return False


def check_not_input(output: Path, inputs: Iterable[str | Path | None]) -> None:
    """Refuse to write over any input file."""
    if is_input(output, inputs):
        raise OutputError(
            f"{output}: is an input file; refusing to overwrite it (choose another -o, or --in-place)"
        )


@contextlib.contextmanager
def atomic_path(
    output: str | Path, inputs: Iterable[str | Path | None] = (), *, in_place: bool = False
) -> Iterator[Path]:
    """Yield a temporary path beside `output`; on success it replaces `output` in one step.

    The old file stays intact if writing fails or the process dies half-way. An output that
    is an input is refused, unless `in_place`: then the input is first copied to `<name>.bak`
    (or, when an earlier run's backup is there, to the next free `<name>.bak.2`, `.bak.3` …:
    the first backup, the original, is never replaced).
    """
    output = Path(output)
    inputs = list(inputs)
    backup = in_place and is_input(output, inputs)
    if not backup:
        check_not_input(output, inputs)
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{output}: folder {folder} does not exist")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{output}: cannot write ({exc.strerror or exc})") from None
    os.close(handle)
    temp = Path(temp_name)
    # mkstemp makes the file private; give it the mode a plain open() would have.
    try:
        mode = output.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp, mode)
    try:
        yield temp
        with open(temp, "rb+") as written:
            os.fsync(written.fileno())
        if backup:
            shutil.copy2(output, _free_backup(output))
        os.replace(temp, output)
    except OSError as exc:
        raise OutputError(f"{output}: cannot write ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _free_backup(output: Path) -> Path:
    """<name>.bak, or the first of <name>.bak.2, .bak.3 … that does not exist yet."""
    first = output.with_name(output.name + ".bak")
    number = 2
    backup = first
    while backup.exists():
        backup = first.with_name(f"{first.name}.{number}")
        number += 1
    return backup


def output_format(path: str | Path) -> str:
    """'csv' or 'xlsx' from an output file name; OutputError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    raise OutputError(f"{path}: unknown output type {suffix or '(no suffix)'}; use .xlsx or .csv")


def _plain(value: Any) -> Any:
    """A cell value as written: None for missing, integral floats as ints, dates as ISO text."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, datetime):
        from crmkit.text.normalize import format_datetime

        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def frame_to_csv_bytes(
    frame: pd.DataFrame, *, allow_formulas: bool = False, bom: bool = True
) -> bytes:
    """CSV bytes with a header row; formula-like text gets a leading ' unless allowed."""
    return (BOM if bom else b"") + b"".join(csv_chunks(frame, allow_formulas=allow_formulas))


def csv_chunks(
    frame: pd.DataFrame, *, allow_formulas: bool = False, chunk: int = 50_000
) -> Iterator[bytes]:
    """A frame as CSV (UTF-8, CRLF, quoted as Python's csv module quotes: only cells holding
    a comma, a quote or a line break), `chunk` rows at a time (bounded memory): the header
    line, then the rows. Built column-wise in Arrow: a Python look at each cell, and the csv
    module's row loop, took most of writing a million-row table."""
    import pyarrow as pa

    alone = frame.shape[1] == 1  # the csv module quotes the empty cell of a one-column row
    header = [
        _quoted(_guarded(pa.array([str(h)], type=pa.large_string()), allow_formulas), alone)
        for h in frame.columns
    ]
    yield _csv_lines(header) if header else b"\r\n"
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        if not part.shape[1]:
            yield b"\r\n" * len(part)
            continue
        columns = [
            _quoted(_csv_column(part.iloc[:, i], allow_formulas), alone)
            for i in range(part.shape[1])
        ]
        yield _csv_lines(columns)


def _csv_lines(columns: list[Any]) -> bytes:
    """Rows of text columns (Arrow, no nulls) joined by commas, each ended by CRLF."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(columns[0]):
        return b""
    comma, crlf = pa.scalar(",", pa.large_string()), pa.scalar("\r\n", pa.large_string())
    lines = pc.binary_join_element_wise(*columns, comma)
    lines = pc.binary_join_element_wise(lines, pa.scalar("", pa.large_string()), crlf)
    if isinstance(lines, pa.ChunkedArray):  # a column read in chunks
        lines = lines.combine_chunks()
    _, offsets, data = lines.buffers()  # one buffer holding every line, one after the other
    bounds = np.frombuffer(offsets, dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    return data.slice(int(bounds[0]), int(bounds[-1] - bounds[0])).to_pybytes()


def _csv_column(series: pd.Series, allow_formulas: bool) -> Any:
    """The cells of one column as text in Arrow ("" for missing; formula-like text guarded),
    the common types converted column-wise; other cells as _plain writes them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(series.dtype, pd.CategoricalDtype):  # each category's text made once
        texts = _csv_column(pd.Series(series.cat.categories), allow_formulas)
        codes = series.cat.codes.to_numpy()
        return pc.fill_null(texts.take(pa.array(codes, mask=codes < 0)), "")
    if pd.api.types.is_datetime64_any_dtype(series):
        return date_column(series)
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        text = pa.array(series, type=pa.large_string(), from_pandas=True)
        return _guarded(pc.fill_null(text, ""), allow_formulas)
    elif series.dtype.kind == "f":
        return _csv_floats(series.to_numpy(dtype=np.float64, na_value=np.nan))
    elif isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu":
        return pa.array(series.to_numpy()).cast(pa.large_string())
    elif isinstance(series.dtype, np.dtype) and series.dtype.kind == "b":
        values = np.where(series.to_numpy(), "True", "False")
    else:
        cells = series.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
            text = pa.array(cells, type=pa.large_string(), from_pandas=True)
            return _guarded(pc.fill_null(text, ""), allow_formulas)
        return pa.array([_csv_cell(_plain(v), allow_formulas) for v in cells], pa.large_string())
    return pa.array(values, type=pa.large_string())


def _csv_cell(value: Any, allow_formulas: bool) -> str:
    if value is None:
        return ""
    if not allow_formulas and is_formula_like(value):
        return "'" + value
    return str(value)


def date_texts(values: pd.Series) -> np.ndarray:
    """Times as crmkit writes them (format_datetime): 2024-03-10 for midnight, 2024-03-10
    14:00, with :05 when the seconds are not zero; "" for none (an object array of str)."""
    return date_column(values).to_numpy(zero_copy_only=False)


def date_column(values: pd.Series, *, seconds: bool = True) -> Any:
    """date_texts as an Arrow large_string array, built from the digits column-wise: numpy's
    ISO text (1.5 µs a moment) and strftime took a third of writing a million-row table.
    Each row's 19 characters (2024-03-10 14:00:05) are its day's ten, from a table of the
    days the column spans, and its time of day's nine, from a table of the 86,400 seconds;
    then cut to 16 (no seconds, or `seconds` False: to the minute) or 10 (midnight).
    datetime64[ns] years have four digits; seconds below one are dropped, as format_datetime
    drops them."""
    import pyarrow as pa

    stamps = pd.Series(values.to_numpy(), dtype="datetime64[ns]").to_numpy()
    missing = np.isnat(stamps)
    moments = np.where(missing, 0, stamps.view(np.int64) // 1_000_000_000)
    days, second = np.divmod(moments, 86_400)
    grid = np.empty((len(stamps), 19), dtype=np.uint8)
    if len(stamps):
        first = int(days.min())
        span = int(days.max()) - first + 1
        if span <= 4 * len(stamps) + 1000:  # a table of every day from the first to the last
            grid[:, :10] = _day_texts(np.arange(first, first + span))[days - first]
        else:
            distinct, which = np.unique(days, return_inverse=True)
            grid[:, :10] = _day_texts(distinct)[which]
        grid[:, 10:] = _time_texts()[second]
    midnight = stamps.view(np.int64) % 86_400_000_000_000 == 0
    lengths = np.where(midnight, 10, 16)
    if seconds:
        lengths[second % 60 != 0] = 19
    lengths[missing] = 0
    data = grid[np.arange(19) < lengths[:, None]]
    offsets = np.zeros(len(stamps) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.Array.from_buffers(
        pa.large_string(), len(stamps), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _digits(grid: np.ndarray, at: int, numbers: np.ndarray, width: int) -> None:
    """Write `numbers` as `width` ASCII digits into the columns of `grid` from `at`."""
    for place in range(width):
        grid[:, at + place] = 48 + numbers // 10 ** (width - 1 - place) % 10


def _day_texts(days: np.ndarray) -> np.ndarray:
    """2024-03-10 of each of `days` (since 1970-01-01), ten ASCII bytes a row."""
    year, month, day = _civil(days)
    grid = np.empty((len(days), 10), dtype=np.uint8)
    _digits(grid, 0, year, 4)
    _digits(grid, 5, month, 2)
    _digits(grid, 8, day, 2)
    grid[:, 4] = grid[:, 7] = ord("-")
    return grid


@functools.cache
def _time_texts() -> np.ndarray:
    """' 14:00:05' of each second of a day, nine ASCII bytes a row."""
    second = np.arange(86_400)
    grid = np.empty((86_400, 9), dtype=np.uint8)
    grid[:, 0] = ord(" ")
    _digits(grid, 1, second // 3600, 2)
    _digits(grid, 4, second // 60 % 60, 2)
    _digits(grid, 7, second % 60, 2)
    grid[:, 3] = grid[:, 6] = ord(":")
    grid.flags.writeable = False
    return grid


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's
    civil_from_days)."""
    z = days + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def iso_text(stamps: np.ndarray, unit: str) -> np.ndarray:
    """numpy's ISO text of datetime64 values to the minute ("m": 2024-03-10 14:00) or the
    second ("s"), a space in place of its T; NaT as 'NaT'."""
    text = np.datetime_as_string(stamps.astype(f"datetime64[{unit}]"))
    if len(text):
        text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
    return text


def _csv_floats(values: np.ndarray) -> Any:
    """Numbers as _plain writes them, column-wise (Arrow large_string): integral ones as ints,
    the others as repr writes them (once per distinct value), NaN as ""."""
    import pyarrow as pa
    import pyarrow.compute as pc

    with np.errstate(invalid="ignore"):
        integral = (values == np.floor(values)) & (np.abs(values) < 1e15)
    rest = np.flatnonzero(~integral & ~np.isnan(values))
    whole = np.where(integral, values, 0).astype(np.int64)
    text = pc.if_else(pa.array(integral), pa.array(whole).cast(pa.large_string()), "")
    if len(rest):
        distinct, which = np.unique(values[rest], return_inverse=True)
        written = pa.array([repr(v) for v in distinct.tolist()], pa.large_string())
        mask = np.zeros(len(values), dtype=bool)
        mask[rest] = True
        text = pc.replace_with_mask(text, pa.array(mask), written.take(pa.array(which)))
    return text


# FORMULA_STARTS as first bytes (all ASCII, so a UTF-8 text starts with one of them exactly
# when its first character is one), and _SIGNED_NUMBER for Arrow's regular expressions
# (\p{Nd}: Python's \d).
_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(c) for c in FORMULA_STARTS]] = True
_ARROW_NUMBER = "^[+-]\\p{Nd}+(?:\\.\\p{Nd}+)?$"
# The bytes that make the csv module quote a cell (QUOTE_MINIMAL): comma, quote, CR, LF.
_QUOTE_BYTES = np.zeros(256, dtype=bool)
_QUOTE_BYTES[[ord(c) for c in ',"\r\n']] = True


def _guarded(text: Any, allow_formulas: bool) -> Any:
    """Text cells (Arrow) with a leading ' on the formula-like ones, unless allowed."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if allow_formulas:
        return text
    text, bounds, data = _utf8_bytes(text)
    starts = bounds[:-1]
    begins = np.zeros(len(text), dtype=bool)
    filled = starts < bounds[1:]
    begins[filled] = _FORMULA_BYTES[data[starts[filled]]]
    rows = np.flatnonzero(begins)
    if not len(rows):
        return text
    suspects = text.take(pa.array(rows))
    number = pc.match_substring_regex(suspects, _ARROW_NUMBER).to_numpy(zero_copy_only=False)
    if number.all():
        return text
    begins[rows[number]] = False  # a signed number is read as a number, never run
    quote, nothing = pa.scalar("'", pa.large_string()), pa.scalar("", pa.large_string())
    marked = pc.binary_join_element_wise(quote, suspects.filter(pa.array(~number)), nothing)
    return pc.replace_with_mask(text, pa.array(begins), marked)


def _quoted(text: Any, alone: bool) -> Any:
    """Text cells (Arrow) quoted as the csv module quotes them (QUOTE_MINIMAL): a cell holding
    a comma, a quote, CR or LF in quotes, its quotes doubled; `alone`: the empty cell too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text, bounds, data = _utf8_bytes(text)
    needs = np.zeros(len(text), dtype=bool)
    # comma, quote, CR and LF are the bytes up to 44: one comparison finds the few candidates
    near = np.flatnonzero(data[bounds[0] : bounds[-1]] <= 44) + bounds[0]
    hits = near[_QUOTE_BYTES[data[near]]]
    needs[np.searchsorted(bounds, hits, side="right") - 1] = True
    if alone:
        needs |= bounds[:-1] == bounds[1:]
    rows = np.flatnonzero(needs)
    if not len(rows):
        return text
    mark, nothing = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    inner = pc.replace_substring(text.take(pa.array(rows)), '"', '""')
    return pc.replace_with_mask(
        text, pa.array(needs), pc.binary_join_element_wise(mark, inner, mark, nothing)
    )


def _utf8_bytes(text: Any) -> tuple[Any, np.ndarray, np.ndarray]:
    """A large_string Arrow array (one chunk) with the bounds of each cell in its data bytes
    (len + 1 of them) and those bytes: a byte set searched in them finds its cells without a
    regular expression per cell (ASCII bytes never occur inside a UTF-8 multi-byte character)."""
    import pyarrow as pa

    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if text.type != pa.large_string():
        text = text.cast(pa.large_string())
    _, offsets, data = text.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64)[text.offset : text.offset + len(text) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return text, bounds, raw


def write_xlsx(
    frame: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: Path,
    *,
    sheet: str = "Sheet1",
    allow_formulas: bool = False,
) -> None:
    """Write a frame (or frames by sheet name) to a new xlsx: a bold frozen header, text cells
    stored as text (never formulas)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    frames = {sheet: frame} if isinstance(frame, pd.DataFrame) else frame
    for title, one in frames.items():
        _write_sheet(workbook, one, title, allow_formulas)
    workbook.save(path)


def _into_workbook(
    original: Path,
    frames: Mapping[str, pd.DataFrame],
    replaces: Iterable[str],
    path: Path,
    allow_formulas: bool,
) -> bool:
    """Write `frames` into a copy of the workbook `original` at `path`, in place of its sheets
    `replaces`, keeping every other sheet as it was (a 填写说明, a 跟进记录 sheet, the sheets
    of other salespeople). False, writing nothing, when no other sheet would be kept."""
    from openpyxl import load_workbook

    gone = {*replaces, *frames}
    try:
        workbook = load_workbook(original, keep_vba=original.suffix.lower() == ".xlsm")
    except Exception:  # not a workbook openpyxl can rewrite (an old .xls …): write it anew
        return False
    if all(name in gone for name in workbook.sheetnames):
        return False
    indexes = [i for i, name in enumerate(workbook.sheetnames) if name in gone]
    at = indexes[0] if indexes else len(workbook.sheetnames)
    for name in [n for n in workbook.sheetnames if n in gone]:
        workbook.remove(workbook[name])
    for offset, (title, one) in enumerate(frames.items()):
        _write_sheet(workbook, one, title, allow_formulas, index=at + offset)
    workbook.active = at
    workbook.save(path)
    return True


def _write_sheet(
    workbook: Any, frame: pd.DataFrame, sheet: str, allow_formulas: bool, index: int | None = None
) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet_out = workbook.create_sheet(title=_sheet_title(sheet), index=index)
    sheet_out.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in frame.columns:
        cell = WriteOnlyCell(sheet_out, value=str(label))
        cell.font = bold
        cell.data_type = "s"
        header.append(cell)
    sheet_out.append(header)
    for row in frame.itertuples(index=False):
        out: list[Any] = []
        for value in row:
            plain = _plain(value)
            if isinstance(value, date) and plain is not None:
                cell = WriteOnlyCell(sheet_out, value=value)
                midnight = not isinstance(value, datetime) or value.time() == time(0)
                cell.number_format = "yyyy-mm-dd" if midnight else "yyyy-mm-dd hh:mm"
                out.append(cell)
            elif isinstance(plain, str) and (not allow_formulas or not plain.startswith("=")):
                cell = WriteOnlyCell(sheet_out, value=plain)
                cell.data_type = "s"  # text stays text, even "=HYPERLINK(…)"
                out.append(cell)
            else:
                out.append(plain)
        sheet_out.append(out)


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip() or "Sheet1"
    return cleaned[:31]


def write_frame(
    frame: pd.DataFrame | Mapping[str, pd.DataFrame],
    output: str | Path,
    *,
    inputs: Iterable[str | Path | None] = (),
    sheet: str = "Sheet1",
    allow_formulas: bool = False,
    in_place: bool = False,
    bom: bool = True,
    replaces: Iterable[str] = (),
) -> Path:
    """Write a frame to .xlsx or .csv (UTF-8, with a BOM for Excel unless not `bom`),
    atomically, never over an input (unless `in_place`, which keeps the input as `<name>.bak`).

    Frames by sheet name (a table read from several sheets) become the sheets of the xlsx, or
    follow each other in the CSV. Written in place over a workbook, they take the place of its
    sheets of the same names and of `replaces` (the sheets read); its other sheets are kept.
    """
    output = Path(output)
    kind = output_format(output)
    frames = {sheet: frame} if isinstance(frame, pd.DataFrame) else dict(frame)
    over = in_place and kind == "xlsx" and is_input(output, inputs) and output.is_file()
    with atomic_path(output, inputs, in_place=in_place) as temp:
        if over and _into_workbook(output, frames, replaces, temp, allow_formulas):
            pass
        elif kind == "xlsx":
            write_xlsx(frames, temp, allow_formulas=allow_formulas)
        else:
            with open(temp, "wb") as handle:
                handle.write(BOM if bom else b"")
                for part in csv_chunks(one_frame(frame), allow_formulas=allow_formulas):
                    handle.write(part)
    return output


def one_frame(frame: pd.DataFrame | Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The rows of frames by sheet one after the other (columns matched by header)."""
    if isinstance(frame, pd.DataFrame):
        return frame
    return pd.concat(list(frame.values()), ignore_index=True)


def write_json(
    payload: object, output: str | Path, *, inputs: Iterable[str | Path | None] = ()
) -> Path:
    """Write JSON (UTF-8, not ASCII-escaped) atomically, never over an input."""
    output = Path(output)
    with atomic_path(output, inputs) as temp:
        temp.write_text(json_text(payload), encoding="utf-8")
    return output


def json_text(payload: object, *, indent: int | None = 2) -> str:
    """Strict JSON of a payload (UTF-8 text, not ASCII-escaped): a missing value (NaN, NaT,
    pandas' NA, None) is null — never the bare NaN token strict parsers refuse; dates and
    other objects are their text."""
    import json

    return json.dumps(
        _json_safe(payload), ensure_ascii=False, indent=indent, default=str, allow_nan=False
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, str | bool | int) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.generic) and not isinstance(value, np.datetime64 | np.timedelta64):
        return _json_safe(value.item())
    return None if _plain(value) is None else value


def write_bytes(
    data: bytes | Iterable[bytes], output: str | Path, *, inputs: Iterable[str | Path | None] = ()
) -> Path:
    """Write bytes, or chunks of bytes, atomically, never over an input."""
    output = Path(output)
    with atomic_path(output, inputs) as temp, open(temp, "wb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            for part in data:
                handle.write(part)
    return output


def make_folder(folder: Path) -> None:
    """Create an output folder (and its parents); OutputError naming it when it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocked = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None
        )
        why = f"{blocked} is a file" if blocked is not None else exc.strerror
        raise OutputError(f"{folder}: cannot create the output folder: {why}") from None


def patch_workbook(
    original: Path,
    cells: Iterable[tuple[str, int, int, str | int, Any]],
    *,
    inputs: Iterable[str | Path | None] = (),
    output: Path | None = None,
    untouched: list[tuple[str, str, str]] | None = None,
    retype: bool = False,
) -> bool:
    """Write a few cells into a workbook — (sheet, header row, row as the sheet shows it,
    header as written, value) each — keeping every other cell, sheet, title row, format,
    formula, dropdown, comment and width as it was: in place, keeping the original as
    `<name>.bak`, or into a copy at `output` (never over an input).

    A header the sheet lacks is added after its last header; a number in place of a header is
    the column's number (1 for A: a column told by its place, whatever its header row holds).
    A date or time value goes into a date cell (a blank cell gets a date format), unless the
    cell holds text; a number as a number unless the cell is formatted as text. With `untouched`
    (a list), a cell holding a formula, or covered by a merged cell, is left as it is and
    (sheet, coordinate, "formula" or "merged") appended to the list. No cell to write: the
    workbook is left as it is, or copied byte for byte. With `retype`, a date
    goes into a date cell even where the cell held text (a cleaned 2024年3月10日), unless the
    cell is formatted as text. False, writing
    nothing, when `output` is not a workbook of the original's kind (.xlsx from .xlsx, .xlsm
    from .xlsm), a sheet is missing or the file is not a workbook openpyxl can rewrite (the
    caller then writes the whole table). `cells` are only read once the workbook is open.
    """
    from openpyxl import load_workbook
    from openpyxl.cell.cell import MergedCell

    if output is not None and output.suffix.lower() != original.suffix.lower():
        return False
    try:
        workbook = load_workbook(original, keep_vba=original.suffix.lower() == ".xlsm")
    except Exception:  # an old .xls …: the caller writes the table anew
        return False
    columns: dict[tuple[str, str], int] = {}
    written = 0
    changed: list[tuple[str, int, int]] = []  # (sheet, row, column) of every cell written
    for sheet, header_row, row, header, value in cells:
        if sheet not in workbook.sheetnames:
            return False
        worksheet = workbook[sheet]
        if isinstance(header, int):
            column = header
        elif (sheet, header) in columns:
            column = columns[sheet, header]
        else:
            found = {
                str(c.value).strip(): c.column for c in worksheet[header_row] if c.value is not None
            }
            if header not in found:  # a column the table lacked: after the last header
                column = max(found.values(), default=0) + 1
                worksheet.cell(row=header_row, column=column).value = header
                changed.append((sheet, header_row, column))
                found[header] = column
            column = columns[sheet, header] = found[header]
        cell = worksheet.cell(row=row, column=column)
        if untouched is not None and (isinstance(cell, MergedCell) or cell.data_type == "f"):
            why = "merged" if isinstance(cell, MergedCell) else "formula"
            untouched.append((sheet, cell.coordinate, why))
            continue
        cell.value = _typed_like(value, cell, retype)
        if is_formula_like(cell.value):
            cell.data_type = "s"  # text, shown as written, never run
        written += 1
        changed.append((sheet, row, column))
    target = original if output is None else output
    if not written and output is None:
        return True  # nothing to write: the workbook is left as it is
    with atomic_path(target, inputs, in_place=output is None) as temp:
        if written:
            workbook.save(temp)
            # openpyxl drops the values of formulas: those still true are put back
            keep_saved_values(original, temp, lambda: kept_formulas(workbook, changed))
        else:  # the copy is the original, byte for byte (openpyxl drops formulas' values)
            shutil.copyfile(original, temp)
    return True


def _typed_like(value: Any, cell: Any, retype: bool = False) -> Any:
    """`value` as the cell holds values: a date or time (or an ISO text in a date cell) as a
    date, given a date format when the cell has none; text stays text in a cell holding text
    (unless `retype`) and in a cell formatted as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    held_text = isinstance(cell.value, str) and cell.value.strip() and not retype
    if isinstance(value, date) and (held_text or cell.number_format == "@"):
        return _plain(value)  # a column of dates typed as text stays text
    if isinstance(value, date):
        if cell.number_format == "General":
            midnight = not isinstance(value, datetime) or value.time() == time(0)
            cell.number_format = "yyyy-mm-dd" if midnight else "yyyy-mm-dd hh:mm"
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _plain(value)  # 12000, not 12000.0
        if cell.number_format != "@":  # a number (¥12,000 → 12000), unless the cell is text
            return value
    text = str(value)
    if cell.is_date or isinstance(cell.value, datetime | date):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(text)
    return text
