"""Time `crmkit sync` on 1M customers and 5M follow-ups (issue 14: under 60 s, under 4 GiB).

    python benchmarks/bench_sync.py [CUSTOMERS] [FOLLOWUPS]

Uses the seeded CSV files of bench_report.py (generated when missing), then runs in one
process what `crmkit sync CUSTOMERS --followups FOLLOWUPS -o OUT.csv --changes CHANGES.csv
--tasks TASKS.csv --tasks-out OUT_TASKS.csv` does: read, sync, write the synced table, the
changes and the task table; and prints its time per phase and its peak memory. Beside it, as
the floor, a bare pandas read of both files; then a second sync of the synced table, which
must change nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_report import DATA, generate  # noqa: E402  (the same data as the report benchmark)

_JOB = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
import pandas as pd
kind, people, history, tasks, out = sys.argv[1:6]
times, counts = {}, {}
start = time.perf_counter()
if kind == "pandas":
    pd.read_csv(people); pd.read_csv(history)
    times["read"] = time.perf_counter() - start
else:
    from crmkit.io import read_table
    from crmkit.io.write import write_frame
    from crmkit.spec.config import SyncConfig
    from crmkit.spec.fields import builtin_spec
    from crmkit.sync import sync_customers
    c = read_table(people, specs=[builtin_spec("customers")])
    f = read_table(history, specs=[builtin_spec("followups")])
    t = read_table(tasks, specs=[builtin_spec("tasks")])
    times["read"] = time.perf_counter() - start
    mark = time.perf_counter()
    # trigger_days = 0: every follow-up may add a task (~200k), the heaviest run, not the
    # default 14 days before --as-of that would add only a few thousand here
    result = sync_customers(c, f, as_of=date(2025, 1, 31), tasks=t,
                            sync=SyncConfig(trigger_days=0))
    times["sync"] = time.perf_counter() - mark
    del f  # as the CLI does: the follow-ups are not kept while the outputs are written
    mark = time.perf_counter()
    if kind == "crmkit":
        write_frame(result.table.to_frame(), out + "/synced.csv")
        write_frame(result.changes, out + "/changes.csv")
        write_frame(result.tasks.to_frame(), out + "/tasks.csv")
        times["write"] = time.perf_counter() - mark
    counts = {"changes": len(result.changes), "customers_changed": result.customers_changed,
              "new_tasks": len(result.new_tasks), "warnings": len(result.findings)}
total = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"kind": kind, "seconds": total, "phases": times, "peak_mib": peak,
                  "counts": counts}))
"""


def _measure(kind: str, people: Path, history: Path, tasks: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _JOB, kind, str(people), str(history), str(tasks), str(DATA)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _tasks() -> Path:
    path = DATA / "sync_tasks.csv"
    path.write_text(
        "任务编号,客户编号,客户名称,发起人,协作部门/人员,任务内容,优先级,截止日期,当前状态\n"
        "TASK0001,CRM1,客户0,张敏,技术支持-刘洋,准备演示环境,一般,2024-03-02,已完成\n",
        encoding="utf-8-sig",
    )
    return path


def main(argv: list[str]) -> None:
    customers = int(argv[0]) if argv else 1_000_000
    followups = int(argv[1]) if len(argv) > 1 else 5_000_000
    people, history = generate(customers, followups)
    tasks = _tasks()
    print(
        f"{customers:,} customers ({people.stat().st_size / 2**20:.0f} MiB), "
        f"{followups:,} follow-ups ({history.stat().st_size / 2**20:.0f} MiB)"
    )
    floor = _measure("pandas", people, history, tasks)
    ours = _measure("crmkit", people, history, tasks)
    again = _measure("again", DATA / "synced.csv", history, DATA / "tasks.csv")
    for result in (floor, ours, again):
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in result["phases"].items())  # type: ignore[attr-defined]
        print(
            f"  {result['kind']:<8} {result['seconds']:6.1f} s  peak {result['peak_mib']:6.0f} MiB"
            f"  ({phases})  {result['counts']}"
        )
    print(f"  ratio crmkit / pandas read: {float(ours['seconds']) / float(floor['seconds']):.1f}x")  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
