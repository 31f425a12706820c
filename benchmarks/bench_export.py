"""Time `crmkit export` beside a bare pandas read-and-write of the same file.

    python benchmarks/bench_export.py [ROWS ...] [--to TARGET]

Defaults: 100,000 and 1,000,000 messy customer rows (benchmarks/generate.py), target
salesforce. Each measurement runs in its own process so that its peak memory is its own.
The anchor, `pd.read_csv(dtype=str).to_csv()`, copies the cells and checks, maps and
formats nothing; crmkit validates every row, maps values, formats phones and dates, and
writes the rejects file. Prints seconds, peak MiB and the ratio.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_validate import _ensure

_JOB = r"""
import json, resource, sys, time
import pandas as pd
from crmkit.export import builtin_profile, export_customers
from crmkit.io import read_table
from crmkit.io.write import write_frame
from crmkit.spec.fields import builtin_spec
kind, path, target, out = sys.argv[1:5]
start = time.perf_counter()
if kind == "pandas":
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.to_csv(out, index=False)
    rows, exported = len(frame), len(frame)
else:
    table = read_table(path, specs=[builtin_spec("customers")])
    result = export_customers(table, builtin_profile(target))
    write_frame(result.frame, out, bom=False)
    write_frame(result.rejected_rows(), out + ".rejects.csv")
    rows, exported = table.rows, len(result.frame)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "exported": exported, "seconds": elapsed, "peak_mib": peak}))
"""


def _measure(kind: str, path: Path, target: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "out.csv")
        done = subprocess.run([sys.executable, "-c", _JOB, kind, str(path), target, out],
                              capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str]) -> None:
    target = "salesforce"
    if "--to" in argv:
        at = argv.index("--to")
        target = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
    for rows in [int(a) for a in argv] or [100_000, 1_000_000]:
        path = _ensure(rows, xlsx=False)
        anchor = _measure("pandas", path, target)
        ours = _measure("crmkit", path, target)
        print(f"{path.name} ({rows:,} rows) → {target}")
        print(
            f"  pandas read_csv(dtype=str) + to_csv  {anchor['seconds']:7.2f} s  {anchor['peak_mib']:7.0f} MiB"
        )
        print(f"  crmkit export ({ours['exported']:,.0f} out, {rows - ours['exported']:,.0f} rejected)"
              f"  {ours['seconds']:7.2f} s  {ours['peak_mib']:7.0f} MiB"
              f"  ratio {ours['seconds'] / anchor['seconds']:.1f}×")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
