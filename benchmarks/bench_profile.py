"""Time `crmkit report profile` on 1M customers, 2M orders and 5M follow-ups (issue 15: under
60 s, under 4 GiB).

    python benchmarks/bench_profile.py [CUSTOMERS] [ORDERS] [FOLLOWUPS]

The customers and follow-ups are those of bench_report.py (seeded CSV); the orders are seeded
here: 60 % of the customers buy, 1–10 orders each, amounts written as numbers or as 1.2万 /
¥12,000 text. One process reads, normalizes, computes and writes xlsx + html + json; beside it,
as the floor, a bare pandas read of the three files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_report import DATA, OWNERS, generate  # noqa: E402  (the same customers and follow-ups)


def generate_orders(people: Path, customers: int, orders: int, seed: int = 15) -> Path:
    """Write (or reuse) the orders CSV."""
    path = DATA / f"profile_orders_{orders}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    buyers = rng.choice(customers, int(customers * 0.6), replace=False)
    weights = rng.integers(1, 11, len(buyers)).astype(float)
    who = rng.choice(buyers, orders, p=weights / weights.sum())
    created = pd.to_datetime(pd.read_csv(people, usecols=["创建时间"])["创建时间"]).to_numpy()
    day = created[who] + rng.integers(1, 240, orders).astype("timedelta64[D]")
    amount = rng.integers(1, 400, orders) * 500
    text = rng.random(orders)
    typed = np.where(text < 0.05, np.char.add((amount / 10000).astype(str), "万"),
                     np.where(text < 0.1, np.char.add("¥", amount.astype(str)), amount.astype(str)))  # fmt: skip
    frame = pd.DataFrame({
        "订单编号": np.char.add("ORD", np.arange(1, orders + 1).astype(str)),
        "客户编号": np.char.add("CRM", (who + 1).astype(str)),
        "成交日期": pd.Series(day).dt.strftime("%Y-%m-%d"),
        "成交金额": typed,
        "产品/服务": "CRM标准版",
        "负责人": np.array(OWNERS)[rng.integers(0, len(OWNERS), orders)],
        "付款状态": "已付款",
    })  # fmt: skip
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


_JOB = r"""
import json, resource, sys, time, tempfile
from datetime import date
from pathlib import Path
import pandas as pd
from crmkit.spec.config import ReportConfig
from crmkit.frames.period import resolve_period
from crmkit.frames.canonical import read_canonical
from crmkit.report.profile import FIELDS, compute_profile, write_profile_report
from crmkit.spec.fields import load_specs
kind, people, orders, history = sys.argv[1:5]
times = {}
start = time.perf_counter()
if kind == "pandas":
    pd.read_csv(people); pd.read_csv(orders); pd.read_csv(history)
    times["read"] = time.perf_counter() - start
else:
    as_of = date(2024, 12, 31)
    specs = load_specs()
    read = {kind: read_canonical(path, specs[kind], FIELDS[kind], raw=("feedback",) if kind == "followups" else ())[0]
            for kind, path in (("customers", people), ("orders", orders), ("followups", history))}
    data = compute_profile(read["customers"], read["orders"], read["followups"], config=ReportConfig(),
                           as_of=as_of, period=resolve_period(as_of, "last-month"))
    times["read+compute"] = time.perf_counter() - start
    mark = time.perf_counter()
    out = Path(tempfile.mkdtemp())
    for name in ("p.xlsx", "p.html", "p.json"):
        write_profile_report(data, out / name)
    times["write"] = time.perf_counter() - mark
    times["scored"] = len(data.pareto)
total = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"kind": kind, "seconds": total, "phases": times, "peak_mib": peak}))
"""


def _measure(kind: str, *paths: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _JOB, kind, *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str]) -> None:
    customers = int(argv[0]) if argv else 1_000_000
    orders = int(argv[1]) if len(argv) > 1 else 2_000_000
    followups = int(argv[2]) if len(argv) > 2 else 5_000_000
    people, history = generate(customers, followups)
    order_path = generate_orders(people, customers, orders)
    sizes = ", ".join(
        f"{p.name} {p.stat().st_size / 2**20:.0f} MiB" for p in (people, order_path, history)
    )
    print(f"{customers:,} customers, {orders:,} orders, {followups:,} follow-ups ({sizes})")
    floor = _measure("pandas", people, order_path, history)
    ours = _measure("crmkit", people, order_path, history)
    for result in (floor, ours):
        phases = ", ".join(f"{k} {v:.1f}" for k, v in result["phases"].items())  # type: ignore[attr-defined]
        print(
            f"  {result['kind']:<8} {result['seconds']:6.1f} s  peak {result['peak_mib']:6.0f} MiB  ({phases})"
        )
    print(f"  ratio crmkit / pandas read: {float(ours['seconds']) / float(floor['seconds']):.1f}x")  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
