"""How a report workbook prints: LibreOffice (headless) converts it to PDF; pages per sheet.

    python benchmarks/print_pages.py                 # the weekly and service reports of examples/
    python benchmarks/print_pages.py weekly.xlsx …   # workbooks of your own
    python benchmarks/print_pages.py --keep out/     # keep the PDFs (look at them: pdftoppm -png -r 50)

Each sheet is printed alone (the others hidden, which LibreOffice does not print), so the count
per sheet is exact; the whole workbook is printed once too. Needs `soffice` (apt-get install
libreoffice-calc) and `pdfinfo` (poppler-utils). Not a test: a check to run by hand after a
change to the Excel layout, and to look at.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def example_reports(folder: Path) -> list[Path]:
    """The weekly and service workbooks of examples/ as of 2024-09-02, written by crmkit."""
    from typer.testing import CliRunner

    from crmkit.cli import app

    weekly, service = folder / "weekly.xlsx", folder / "service.xlsx"
    runs = [
        ["report", "all", "-c", EXAMPLES / "customers.xlsx", "--followups",
         EXAMPLES / "followups.xlsx", "--as-of", "2024-09-02", "--by", "owner", "-o", weekly],
        ["report", "service", "--tasks", EXAMPLES / "tasks.xlsx", "--feedback",
         EXAMPLES / "feedback.xlsx", "--as-of", "2024-09-02", "-o", service],
    ]  # fmt: skip
    for args in runs:
        result = CliRunner().invoke(app, [str(a) for a in args])
        if result.exit_code:
            sys.exit(f"crmkit {' '.join(map(str, args))} failed: {result.output}")
    return [weekly, service]


def to_pdf(workbooks: list[Path], folder: Path) -> None:
    """Convert workbooks to PDF in one LibreOffice run (its own profile, so it never meets a
    LibreOffice the user has open)."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf", "--outdir", str(folder), *map(str, workbooks)],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def pages(pdf: Path) -> int:
    """The page count of a PDF (pdfinfo)."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, flags=re.M)
    return int(match[1]) if match else 0


def sheet_alone(workbook: Path, index: int, out: Path) -> None:
    """A copy of a workbook in which only sheet `index` is visible (and active)."""
    book = load_workbook(workbook)
    for position, sheet in enumerate(book.worksheets):
        sheet.sheet_state = "visible" if position == index else "hidden"
    book.active = index
    book.save(out)


def count(workbook: Path, folder: Path) -> list[tuple[str, int]]:
    """(sheet, pages) for each sheet of a workbook, then ("(all)", pages of the whole)."""
    names = load_workbook(workbook, read_only=True).sheetnames
    parts = []
    for index in range(len(names)):
        part = folder / f"{workbook.stem}-{index + 1:02d}.xlsx"
        sheet_alone(workbook, index, part)
        parts.append(part)
    whole = folder / f"{workbook.stem}-all.xlsx"
    shutil.copy(workbook, whole)
    to_pdf([*parts, whole], folder)
    counts = [
        (name, pages(part.with_suffix(".pdf"))) for name, part in zip(names, parts, strict=True)
    ]
    return [*counts, ("(all)", pages(whole.with_suffix(".pdf")))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbooks", nargs="*", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the workbooks' PDFs in this folder")
    options = parser.parse_args()
    for tool in ("soffice", "pdfinfo"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install libreoffice-calc poppler-utils")
    with tempfile.TemporaryDirectory() as temp:
        folder = options.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        workbooks = options.workbooks or example_reports(folder)
        for workbook in workbooks:
            print(f"{workbook.name}")
            for name, number in count(workbook, folder):
                pad = 24 - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in name)
                print(f"  {name}{' ' * pad} {number:>3} page{'s' if number != 1 else ''}")


if __name__ == "__main__":
    main()
