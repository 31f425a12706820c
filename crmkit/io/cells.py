"""What calamine's cell values leave out of an xlsx sheet: Excel error values, merged cells and
formulas no spreadsheet has computed."""

from __future__ import annotations

import html
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

# The error values Excel shows in a cell (and writes into CSV as text).
ERROR_VALUES = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA"}
)  # fmt: skip

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_RELATION = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\b([^>]*?)\bt="e"([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>', re.DOTALL
)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')


def _attribute(tag: bytes, name: bytes) -> str | None:
    found = re.search(rb"(?:^|\s)" + re.escape(name) + rb'="([^"]*)"', tag)
    return html.unescape(found.group(1).decode("utf-8")) if found else None


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the named sheet's cells."""
    try:
        book = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    wanted = next(
        (
            _attribute(m.group(1), b"r:id")
            for m in _SHEET.finditer(book)
            if _attribute(m.group(1), b"name") == sheet
        ),
        None,
    )
    for match in _RELATION.finditer(relations):
        if _attribute(match.group(1), b"Id") == wanted:
            target = _attribute(match.group(1), b"Target") or ""
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def error_cells(data: bytes, sheet: str) -> dict[tuple[int, int], str]:
    """(0-based row, column) → error value (#N/A …) of the sheet's error cells, which calamine
    reads as blank. Empty for an .xls workbook or a sheet with none."""
    xml = _sheet_xml(data, sheet, b't="e"')
    found: dict[tuple[int, int], str] = {}
    for match in _ERROR_CELL.finditer(xml):
        ref = _REF.search(match.group(1) + b" " + match.group(2))
        value = _VALUE.search(match.group(3))
        if ref is None or value is None:
            continue
        found[_position(ref)] = html.unescape(value.group(1).decode())
    return found


def _sheet_xml(data: bytes, sheet: str, mark: bytes) -> bytes:
    """The XML of a workbook's sheet when it holds `mark`, else b"" (also for an .xls)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        member = _sheet_member(archive, sheet)
        return _read_if(archive, member, mark) if member else b""
    except (zipfile.BadZipFile, KeyError):
        return b""


def _read_if(archive: zipfile.ZipFile, member: str, mark: bytes) -> bytes:
    """The sheet's XML when it holds `mark` (an error cell's t="e", a formula's <f), else b""
    (looked for chunk by chunk, so that a big sheet without any is never held in memory
    twice)."""
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 24):
            if mark in tail + chunk:
                return archive.read(member)
            tail = chunk[-8:]
    return b""


# A formula cell: its tag (c, or x:c), its attributes, its formula (<f>…</f> or a shared
# <f …/>) and what follows it up to the cell's end.
_FORMULA_CELL = re.compile(
    rb"<((?:\w+:)?c)\b([^>]*?)(?<!/)>\s*(<(?:\w+:)?f\b(?:[^>]*/>|[^>]*>[^<]*</(?:\w+:)?f>))"
    rb"(.*?)</(?:\w+:)?c>",
    re.DOTALL,
)
_SAVED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")


def unsaved_formulas(data: bytes, sheet: str) -> list[tuple[int, int]]:
    """(0-based row, column) of the sheet's formula cells that hold no saved value: a program
    (openpyxl, a script) wrote the formula and no Excel or WPS has computed it since, and
    calamine reads the cell as blank. A formula whose saved result is the empty text (t="str")
    has a value. Empty for an .xls workbook or a sheet without formulas."""
    xml = _sheet_xml(data, sheet, b"<f")
    found: list[tuple[int, int]] = []
    for match in _FORMULA_CELL.finditer(xml):
        if _has_value(match):
            continue
        ref = _REF.search(match.group(2))
        if ref is not None:
            found.append(_position(ref))
    return found


def keep_saved_values(original: Path, copy: Path, keep: Callable[[], set[tuple[str, str]]]) -> None:
    """Give the formula cells `keep()` ((sheet, coordinate) each: io/formulas.kept_formulas,
    asked only when `original` has formulas with values) of
    `copy` (a workbook openpyxl saved from `original`, cells in their places) the values a
    spreadsheet saved for them in `original`: openpyxl writes a formula without its value,
    which calamine — and every crmkit command after — reads as blank until Excel or WPS saves
    the file again. A cell that held no formula or no value in `original` gets nothing."""
    with zipfile.ZipFile(original) as source:
        names = _SHEET_NAME.findall(source.read("xl/workbook.xml"))
        # sheet → coordinate → its cell's attributes and what follows its formula (<v>…</v>)
        saved: dict[str, dict[str, tuple[bytes, bytes]]] = {}
        for raw in names:
            name = html.unescape(raw.decode("utf-8"))
            member = _sheet_member(source, name)
            xml = _read_if(source, member, b"<f") if member else b""
            values = {
                coordinate: (match.group(2), match.group(4))
                for match in _FORMULA_CELL.finditer(xml)
                if _has_value(match) and (coordinate := _coordinate(match))
            }
            if values:
                saved[name] = values
    if not saved:
        return
    kept = keep()
    carried = {
        name: {at: cell for at, cell in values.items() if (name, at) in kept}
        for name, values in saved.items()
    }
    rewritten = copy.with_name(copy.name + ".values")
    try:
        with zipfile.ZipFile(copy) as made, zipfile.ZipFile(rewritten, "w") as out:
            members = {n: _sheet_member(made, n) for n in carried}
            for item in made.infolist():
                data = made.read(item.filename)
                for name, member in members.items():
                    if member == item.filename:
                        data = _FORMULA_CELL.sub(partial(_with_value, carried[name]), data)
                out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(rewritten, copy)
    finally:
        rewritten.unlink(missing_ok=True)


def _with_value(saved: dict[str, tuple[bytes, bytes]], match: re.Match[bytes]) -> bytes:
    """A formula cell of the copy with the value its original cell had (the original's type
    and <v>), the copy's own formula and style kept."""
    old = saved.get(_coordinate(match))
    if old is None or _has_value(match):
        return match.group(0)
    old_attributes, old_rest = old
    kind = _KIND.search(old_attributes)
    value = _VALUE_ELEMENT.search(old_rest)
    assert value is not None  # a saved value (_has_value): <v>…</v>
    attributes = _KIND.sub(b"", match.group(2)) + (kind.group(0) if kind else b"")
    tag = match.group(1)
    return b"<" + tag + attributes + b">" + match.group(3) + value.group(0) + b"</" + tag + b">"


def _coordinate(formula_cell: re.Match[bytes]) -> str:
    """The coordinate (E7) of a formula cell (_FORMULA_CELL); "" without one."""
    ref = _REF.search(formula_cell.group(2))
    return (ref.group(1) + ref.group(2)).decode() if ref else ""


_SHEET_NAME = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\sname="([^"]*)"')
_KIND = re.compile(rb'\st="[^"]*"')
_VALUE_ELEMENT = re.compile(rb"<(?:\w+:)?v>[^<]*</(?:\w+:)?v>")


def _has_value(formula_cell: re.Match[bytes]) -> bool:
    """Whether a formula cell (_FORMULA_CELL) holds a saved value: a <v> with text, or the
    empty text a formula's result can be (t="str")."""
    return bool(_SAVED_VALUE.search(formula_cell.group(4))) or b't="str"' in formula_cell.group(2)


def _position(ref: re.Match[bytes]) -> tuple[int, int]:
    """(0-based row, column) of a cell reference matched by _REF."""
    column = 0
    for letter in ref.group(1):
        column = column * 26 + letter - ord("A") + 1
    return int(ref.group(2)) - 1, column - 1


def put_errors(rows: list[list[Any]], errors: dict[tuple[int, int], str]) -> None:
    """Write each error value into its (blank) cell."""
    for (row, column), text in errors.items():
        if row < len(rows) and column < len(rows[row]):
            rows[row][column] = text


def fill_merged(
    rows: list[list[Any]], ranges: Iterable[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    """Give a value merged down over rows to every row it spans (in its first column): a merged
    cell's value belongs to each row of the merge, and calamine gives it to the first only."""
    for (top, left), (bottom, _right) in ranges:
        if bottom <= top or top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for row in range(top + 1, min(bottom, len(rows) - 1) + 1):
            if left < len(rows[row]) and rows[row][left] in ("", None):
                rows[row][left] = value
