"""Time `crmkit validate` against a bare pandas read of the same file, side by side.

    python benchmarks/bench_validate.py [ROWS ...] [--xlsx ROWS ...]

Defaults: CSV at 100,000 and 1,000,000 rows, xlsx at 100,000 rows. Each measurement runs in
its own process, so its peak memory (max RSS) is its own. Prints seconds, peak MiB and the
ratio crmkit / pandas, against a bare `pd.read_csv` (types inferred: phones become floats)
and against `pd.read_csv(dtype=str)` (the read that keeps phones and ids intact).
Targets (issue 2): 1M-row CSV ≤ 3× read_csv and < 2 GiB; 100k xlsx < 15 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

# Imports come before the clock starts: the figures compare the work, not interpreter start-up.
_JOB = r"""
import json, resource, sys, time
import pandas as pd
from crmkit.io import read_table
from crmkit.spec.fields import builtin_spec
from crmkit.validate import validate
kind, path = sys.argv[1], sys.argv[2]
spec = builtin_spec("customers")
start = time.perf_counter()
if kind == "pandas-csv":
    frame = pd.read_csv(path)
    rows = len(frame)
elif kind == "pandas-csv-text":
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = len(frame)
elif kind == "pandas-xlsx":
    frame = pd.read_excel(path, engine="calamine")
    rows = len(frame)
else:
    table = read_table(path, specs=[spec])
    report = validate(table)
    rows = table.rows
    kind = f"crmkit ({report.errors} errors, {report.warnings} warnings)"
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"kind": kind, "rows": rows, "seconds": elapsed, "peak_mib": peak}))
"""


def _measure(kind: str, path: Path) -> dict[str, float | str]:
    out = subprocess.run(
        [sys.executable, "-c", _JOB, kind, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _ensure(rows: int, xlsx: bool) -> Path:
    sys.path.insert(0, str(HERE))
    from generate import make_customers, write_csv, write_xlsx

    DATA.mkdir(exist_ok=True)
    path = DATA / f"customers_{rows}.{'xlsx' if xlsx else 'csv'}"
    if not path.exists():
        data = make_customers(rows, seed=rows, messy=True)
        if xlsx:
            write_xlsx(data, path, sheet="客户信息")
        else:
            write_csv(data, path)
    return path


def bench(rows: int, xlsx: bool) -> None:
    path = _ensure(rows, xlsx)
    size = path.stat().st_size / 2**20
    kinds = ["pandas-xlsx"] if xlsx else ["pandas-csv", "pandas-csv-text"]
    floors = [_measure(kind, path) for kind in kinds]
    ours = _measure("crmkit", path)
    print(f"{path.name} ({size:.0f} MiB, {rows:,} rows)")
    for result in (*floors, ours):
        seconds, peak = float(result["seconds"]), float(result["peak_mib"])
        print(f"  {result['kind']:<45} {seconds:7.2f} s  {peak:7.0f} MiB peak")
    for floor in floors:
        ratio = float(ours["seconds"]) / float(floor["seconds"])
        print(f"  ratio crmkit / {floor['kind']}: {ratio:.2f}x")


def main(argv: list[str]) -> None:
    csv_rows = [int(a) for a in argv if a.isdigit() and "--xlsx" not in argv[: argv.index(a)]]
    xlsx_rows = [int(a) for a in argv[argv.index("--xlsx") + 1 :]] if "--xlsx" in argv else []
    if not argv:
        csv_rows, xlsx_rows = [100_000, 1_000_000], [100_000]
    for rows in csv_rows:
        bench(rows, xlsx=False)
    for rows in xlsx_rows:
        bench(rows, xlsx=True)


if __name__ == "__main__":
    main(sys.argv[1:])
