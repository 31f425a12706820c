"""Time `crmkit report all` on 1M customers and 5M follow-ups (issue 5: under 60 s, under 4 GiB).

    python benchmarks/bench_report.py [CUSTOMERS] [FOLLOWUPS]

Generates seeded CSV files with numpy (fast enough for millions of rows), then runs the whole
report (read, normalize, compute, write xlsx + html + json) in one process and prints its time
per phase and its peak memory. Beside it, as the floor, a bare pandas read of both files.
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
from generate import INTENTS, SOURCES, STAGES  # noqa: E402  (the benchmarks share one vocabulary)

OWNERS = ["张敏", "李强", "王芳", "刘洋", "陈静", "赵磊", "孙悦", "周杰"]
INDUSTRIES = ["互联网", "软件", "制造业", "零售", "金融", "教育", "医疗", "物流"]


def generate(customers: int, followups: int, seed: int = 5) -> tuple[Path, Path]:
    """Write (or reuse) the two CSV files."""
    DATA.mkdir(exist_ok=True)
    people_path = DATA / f"report_customers_{customers}.csv"
    history_path = DATA / f"report_followups_{followups}.csv"
    if people_path.exists() and history_path.exists():
        return people_path, history_path
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T09:00")
    created = start + rng.integers(0, 300 * 24 * 60, customers).astype("timedelta64[m]")
    stage = rng.choice(len(STAGES), customers, p=[0.4, 0.2, 0.15, 0.1, 0.08, 0.07])
    intent = np.where(stage == 4, 3, np.where(stage == 5, 4, rng.integers(0, 3, customers)))
    ids = np.char.add("CRM", np.arange(1, customers + 1).astype(str))
    people = pd.DataFrame({
        "客户编号": ids,
        "客户名称": np.char.add("客户", np.arange(customers).astype(str)),
        "所属行业": np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), customers)],
        "联系人姓名": "张伟",
        "联系电话": (13_000_000_000 + rng.integers(0, 6_999_999_999, customers)).astype(str),
        "客户来源": np.array(SOURCES)[rng.integers(0, len(SOURCES), customers)],
        "意向等级": np.array(INTENTS)[intent],
        "销售阶段": np.array(STAGES)[stage],
        "预计成交金额": rng.integers(1, 200, customers) * 5000,
        "负责人": np.array(OWNERS)[rng.integers(0, len(OWNERS), customers)],
        "创建时间": pd.Series(created).dt.strftime("%Y-%m-%d %H:%M"),
        "下次跟进时间": pd.Series(created + rng.integers(1, 60, customers).astype("timedelta64[D]")).dt.strftime("%Y-%m-%d"),
    })  # fmt: skip
    people.to_csv(people_path, index=False, encoding="utf-8-sig")
    owner = rng.integers(0, customers, followups)
    at = created[owner] + rng.integers(0, 90 * 24 * 60, followups).astype("timedelta64[m]")
    level = intent[owner]
    status = np.where(
        rng.random(followups) < 0.2,
        np.char.add(
            np.array(INTENTS)[np.maximum(level - 1, 0)], np.char.add("→", np.array(INTENTS)[level])
        ),
        np.array(INTENTS)[level],
    )
    history = pd.DataFrame({
        "客户编号": ids[owner], "跟进时间": pd.Series(at).dt.strftime("%Y-%m-%d %H:%M"),
        "跟进人": np.array(OWNERS)[rng.integers(0, len(OWNERS), followups)], "沟通方式": "电话",
        "沟通内容": "介绍产品功能，客户关注数据导入", "下一步计划": "发送方案", "客户反馈": "有兴趣", "跟进状态": status,
    })  # fmt: skip
    history.to_csv(history_path, index=False, encoding="utf-8-sig")
    return people_path, history_path


_JOB = r"""
import json, resource, sys, time, tempfile
from datetime import date
from pathlib import Path
import pandas as pd
from crmkit.spec.config import ReportConfig
from crmkit.frames.canonical import FIELDS, read_canonical
from crmkit.report import write_report
from crmkit.report.metrics import compute_report
from crmkit.frames.period import resolve_period
from crmkit.spec.fields import load_specs
kind, people, history = sys.argv[1:4]
times = {}
start = time.perf_counter()
if kind == "pandas":
    pd.read_csv(people); pd.read_csv(history)
    times["read"] = time.perf_counter() - start
else:
    as_of = date(2024, 9, 2)
    specs = load_specs()
    customers, _ = read_canonical(people, specs["customers"], FIELDS["customers"])
    followups, _ = read_canonical(history, specs["followups"], FIELDS["followups"])
    data = compute_report(customers, followups, ReportConfig(), as_of=as_of, period=resolve_period(as_of, "last-week"), by="owner")
    times["read+compute"] = time.perf_counter() - start
    mark = time.perf_counter()
    out = Path(tempfile.mkdtemp())
    for name in ("r.xlsx", "r.html", "r.json"):
        write_report(data, out / name)
    times["write"] = time.perf_counter() - mark
total = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"kind": kind, "seconds": total, "phases": times, "peak_mib": peak}))
"""


def _measure(kind: str, people: Path, history: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _JOB, kind, str(people), str(history)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str]) -> None:
    customers = int(argv[0]) if argv else 1_000_000
    followups = int(argv[1]) if len(argv) > 1 else 5_000_000
    people, history = generate(customers, followups)
    print(
        f"{customers:,} customers ({people.stat().st_size / 2**20:.0f} MiB), {followups:,} follow-ups ({history.stat().st_size / 2**20:.0f} MiB)"
    )
    floor = _measure("pandas", people, history)
    ours = _measure("crmkit", people, history)
    for result in (floor, ours):
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in result["phases"].items())  # type: ignore[attr-defined]
        print(
            f"  {result['kind']:<8} {result['seconds']:6.1f} s  peak {result['peak_mib']:6.0f} MiB  ({phases})"
        )
    print(f"  ratio crmkit / pandas read: {float(ours['seconds']) / float(floor['seconds']):.1f}x")  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
