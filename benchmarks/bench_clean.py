"""Time `crmkit clean in.xlsx -o out.xlsx` (a copy of the workbook, only the cleaned cells
written) beside `-o out.csv` (the table written whole) and a bare pandas read of the workbook.

    python benchmarks/bench_clean.py [ROWS] [--before PYTHON]

Generates (or reuses) a seeded messy customer workbook (a merged title row, phones as numbers
and with +86, dates as text and serials, 繁體 options, about 3% errors). Each command runs in
its own process through the CLI; the figures are its wall time (imports excluded) and peak
memory. `--before PYTHON`: also run the xlsx clean with another checkout's interpreter (its
venv's python), side by side on the same file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
from bench_tags import _JOB  # noqa: E402  (the CLI run in a process of its own, timed)
from generate import make_customers, write_xlsx  # noqa: E402

_FLOOR = r"""
import json, resource, sys, time
import pandas as pd
start = time.perf_counter()
pd.read_excel(sys.argv[1], engine="calamine", header=2, dtype=object)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": peak}), file=sys.stderr)
"""


def generate(rows: int) -> Path:
    path = DATA / f"clean_messy_{rows}.xlsx"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        data = make_customers(rows, seed=11, messy=True)
        write_xlsx(data, path, sheet="客户信息", title="2024年客户信息表")
    return path


def measure(python: str, job: str, *args: str) -> dict[str, float]:
    done = subprocess.run([python, "-c", job, *args], capture_output=True, text=True)
    return json.loads(done.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str]) -> None:
    before = argv[argv.index("--before") + 1] if "--before" in argv else None
    numbers = [a for a in argv if a.isdigit()]
    rows = int(numbers[0]) if numbers else 100_000
    path = generate(rows)
    print(f"{rows:,} rows ({path.stat().st_size / 2**20:.1f} MiB): {path.name}")
    with tempfile.TemporaryDirectory() as folder:
        runs = {
            "pandas read_excel (calamine), the floor": (sys.executable, _FLOOR, str(path)),
            "clean -o out.xlsx (patched copy)": (
                sys.executable, _JOB, "clean", str(path), "-o", f"{folder}/out.xlsx", "--as-of",
                "2024-12-01", "--quiet",
            ),
            "clean -o out.csv (the table whole)": (
                sys.executable, _JOB, "clean", str(path), "-o", f"{folder}/out.csv", "--as-of",
                "2024-12-01", "--quiet",
            ),
        }  # fmt: skip
        if before:
            runs["clean -o out.xlsx, --before"] = (
                before, _JOB, "clean", str(path), "-o", f"{folder}/before.xlsx", "--as-of",
                "2024-12-01", "--quiet",
            )  # fmt: skip
        for label, (python, job, *args) in runs.items():
            figures = measure(python, job, *args)
            print(f"{label:42} {figures['seconds']:7.1f} s {figures['peak_mib']:8,.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
