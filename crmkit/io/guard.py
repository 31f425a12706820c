"""The guard against hostile or mislabelled files: look at the bytes before any parser does."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from crmkit.errors import InputError

_ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass(frozen=True)
class Limits:
    """Bounds on what crmkit agrees to read, so a hostile file cannot exhaust memory."""

    max_file_bytes: int = 2 * 2**30
    max_uncompressed_bytes: int = 2 * 2**30
    max_compression_ratio: float = 200.0
    max_cells: int = 60_000_000
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_columns: int = 1_000  # named columns in the header row


def sniff_format(data: bytes, path: Path | None, name: str) -> str:
    """'xlsx' or 'csv' from the content; InputError when the content contradicts the suffix."""
    suffix = path.suffix.lower() if path is not None else ""
    if not data:
        raise InputError(f"{name}: the file is empty")
    if data.startswith(_ZIP):
        if suffix in (".csv", ".tsv", ".txt"):
            raise InputError(
                f"{name}: is a zip file (an xlsx workbook?), not CSV text; rename it to .xlsx"
            )
        return "xlsx"
    if data.startswith(OLE):
        if suffix == ".xls":
            return "xlsx"  # calamine reads the old binary format too
        raise InputError(
            f"{name}: is password-protected (encrypted) or an old .xls file; save an unprotected .xlsx copy"
        )
    if suffix in _WORKBOOK_SUFFIXES:
        raise InputError(
            f"{name}: is not an Excel workbook (it looks like text or CSV); check the file"
        )
    return "csv"


def check_workbook(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook whose zip is corrupt, truncated, or expands past the limits (zip bomb)."""
    if data.startswith(OLE):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise InputError(
            f"{name}: the workbook is truncated or corrupt (not a valid zip)"
        ) from None
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise InputError(
            f"{name}: the workbook expands to {total / 2**20:,.0f} MiB, over the limit of "
            f"{limits.max_uncompressed_bytes / 2**20:,.0f} MiB (--max-unzipped-mib)"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 10 * 2**20 and ratio > limits.max_compression_ratio:
            raise InputError(
                f"{name}: {member.filename} expands {ratio:,.0f}-fold (a zip bomb?); refusing to open it"
            )
    if not any(m.filename.startswith("xl/") for m in members):
        raise InputError(f"{name}: is a zip file but not an Excel workbook")
