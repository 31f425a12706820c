"""Time `crmkit report forecast` on 1M customers and 2M orders (issue 20: under 30 s).

    python benchmarks/bench_forecast.py [CUSTOMERS] [ORDERS]

Generates seeded CSV files with numpy (customers, orders over 2024, a target per owner and
month, quarter and year), then runs the forecast as the CLI does in one process (read,
normalize, compute, write xlsx + html + json) and prints its time per phase and its peak
memory. Beside it, as the floor, a bare pandas read of the same files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
from bench_report import OWNERS  # noqa: E402  (the report benchmarks share one vocabulary)
from generate import STAGES  # noqa: E402


def generate(customers: int, orders: int, seed: int = 20) -> tuple[Path, Path, Path]:
    """Write (or reuse) the customer, order and target CSV files."""
    DATA.mkdir(exist_ok=True)
    people_path = DATA / f"forecast_customers_{customers}.csv"
    order_path = DATA / f"forecast_orders_{orders}.csv"
    target_path = DATA / "forecast_targets.csv"
    if people_path.exists() and order_path.exists() and target_path.exists():
        return people_path, order_path, target_path
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T09:00")
    created = start + rng.integers(0, 330 * 24 * 60, customers).astype("timedelta64[m]")
    updated = created + rng.integers(0, 30 * 24 * 60, customers).astype("timedelta64[m]")
    stage = rng.choice(len(STAGES), customers, p=[0.4, 0.2, 0.15, 0.1, 0.08, 0.07])
    amount = (rng.integers(1, 200, customers) * 5000).astype(object)
    amount[rng.random(customers) < 0.02] = ""  # some customers have no expected amount
    ids = np.char.add("CRM", np.arange(1, customers + 1).astype(str))
    owner = rng.integers(0, len(OWNERS), customers)
    pd.DataFrame({
        "客户编号": ids,
        "客户名称": np.char.add("客户", np.arange(customers).astype(str)),
        "所属行业": "软件", "联系人姓名": "张伟",
        "联系电话": (13_000_000_000 + rng.integers(0, 6_999_999_999, customers)).astype(str),
        "客户来源": "官网注册",
        "销售阶段": np.array(STAGES)[stage],
        "预计成交金额": amount,
        "负责人": np.array(OWNERS)[owner],
        "创建时间": pd.Series(created).dt.strftime("%Y-%m-%d %H:%M"),
        "更新时间": pd.Series(updated).dt.strftime("%Y-%m-%d %H:%M"),
    }).to_csv(people_path, index=False, encoding="utf-8-sig")  # fmt: skip
    buyer = rng.integers(0, customers, orders)
    day = np.datetime64("2024-01-01") + rng.integers(0, 366, orders).astype("timedelta64[D]")
    pd.DataFrame({
        "订单编号": np.char.add("ORD", np.arange(1, orders + 1).astype(str)),
        "客户编号": ids[buyer],
        "成交日期": pd.Series(day).dt.strftime("%Y-%m-%d"),
        "成交金额": rng.integers(1, 100, orders) * 1000,
        "负责人": np.where(rng.random(orders) < 0.5, np.array(OWNERS)[owner[buyer]], ""),
    }).to_csv(order_path, index=False, encoding="utf-8-sig")  # fmt: skip
    periods = (
        [f"2024-{m:02d}" for m in range(1, 13)] + [f"2024Q{q}" for q in range(1, 5)] + ["2024"]
    )
    scale = {"-": 1, "Q": 3, "4": 12}
    rows = [
        (o, p, 1_000_000 * scale["Q" if "Q" in p else "-" if "-" in p else "4"])
        for o in OWNERS[:-1]
        for p in periods
    ]  # fmt: skip  (the last owner has no target)
    pd.DataFrame(rows, columns=["负责人", "期间", "目标金额"]).to_csv(
        target_path, index=False, encoding="utf-8-sig"
    )
    return people_path, order_path, target_path


_JOB = r"""
import json, resource, sys, time, tempfile
from datetime import date
from pathlib import Path
import pandas as pd
from crmkit.frames.canonical import read_canonical
from crmkit.io.read import read_table
from crmkit.report.forecast import compute_forecast, targets_from_table, write_forecast_report
from crmkit.spec.fields import load_specs
kind, people, orders, targets = sys.argv[1:5]
times = {}
start = time.perf_counter()
if kind == "pandas":
    pd.read_csv(people); pd.read_csv(orders); pd.read_csv(targets)
    times["read"] = time.perf_counter() - start
else:
    specs = load_specs()
    customers, _ = read_canonical(people, specs["customers"])
    deals, _ = read_canonical(orders, specs["orders"])
    goals, _ = targets_from_table(read_table(targets, specs=[specs["targets"]]))
    data = compute_forecast(customers, goals, deals, as_of=date(2024, 9, 20))
    times["read+compute"] = time.perf_counter() - start
    mark = time.perf_counter()
    out = Path(tempfile.mkdtemp())
    for name in ("f.xlsx", "f.html", "f.json"):
        write_forecast_report(data, out / name)
    times["write"] = time.perf_counter() - mark
    total = data.total
    times["won"] = total["won_amount"]
    times["without_target"] = len(data.customers_without_target)
total = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"kind": kind, "seconds": total, "phases": times, "peak_mib": peak}))
"""


def _measure(kind: str, *paths: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _JOB, kind, *map(str, paths)],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str]) -> None:
    customers = int(argv[0]) if argv else 1_000_000
    orders = int(argv[1]) if len(argv) > 1 else 2_000_000
    paths = generate(customers, orders)
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 2**20:.0f} MiB" for p in paths)
    print(f"{customers:,} customers, {orders:,} orders ({sizes})")
    floor = _measure("pandas", *paths)
    ours = _measure("crmkit", *paths)
    for result in (floor, ours):
        phases = ", ".join(
            f"{k} {v:.1f} s" if k in ("read", "read+compute", "write") else f"{k} {v:,.0f}"
            for k, v in result["phases"].items()  # type: ignore[attr-defined]
        )
        print(
            f"  {result['kind']:<8} {result['seconds']:6.1f} s  peak {result['peak_mib']:6.0f} MiB  ({phases})"
        )
    print(f"  ratio crmkit / pandas read: {float(ours['seconds']) / float(floor['seconds']):.1f}x")  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
