"""Time `crmkit tags check` and `crmkit tags apply` on a million rows (issue 4: under 30 s).

    python benchmarks/bench_tags.py [ROWS]

Generates (or reuses) a seeded CSV whose 客户标签 cells mix canonical tags with the spellings
real sheets hold (预算低, 预算<10万, 预算 8万, 预算规模_10万以下, 高意向, budget 300k, unknown
tags) joined by , ，、 ; | or spaces, beside 所属行业, 客户来源 and 意向等级 for derived tags.
Each command runs in its own process through the CLI; the figures are its wall time (imports
excluded) and peak memory. Beside them, a bare pandas read of the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
from generate import INDUSTRIES, INTENTS, SOURCES  # noqa: E402

SPELLINGS = [
    "需求类型-数据管理", "需求类型-客户分析", "预算规模-10万以下", "预算规模-50万以上", "决策链角色-决策者",
    "预算低", "预算<10万", "预算 8万", "预算30万", "预算规模_10万以下", "高意向", "意向高", "budget 300k",
    "決策人", "风险等级-低", "VIP", "老客户",
]  # fmt: skip
SEPARATORS = [",", "，", "、", ";", "|", " "]

_JOB = r"""
import json, resource, sys, time
from crmkit.cli import app
start = time.perf_counter()
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": peak}), file=sys.stderr)
"""


def generate(rows: int, seed: int = 3) -> Path:
    path = DATA / f"tags_{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    count = rng.integers(0, 4, rows)
    picks = rng.integers(0, len(SPELLINGS), (rows, 3))
    separators = np.array(SEPARATORS)[rng.integers(0, len(SEPARATORS), rows)]
    spellings = np.array(SPELLINGS, dtype=object)
    cells = [sep.join(spellings[p[:n]]) for p, n, sep in zip(picks, count, separators, strict=True)]
    frame = pd.DataFrame({
        "客户编号": np.char.add("CRM", np.arange(1, rows + 1).astype(str)),
        "客户名称": np.char.add("客户", np.arange(rows).astype(str)),
        "所属行业": np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), rows)],
        "客户来源": np.array(SOURCES)[rng.integers(0, len(SOURCES), rows)],
        "意向等级": np.array(INTENTS)[rng.integers(0, len(INTENTS), rows)],
        "销售阶段": np.where(rng.random(rows) < 0.1, "成交", "初步接触"),
        "客户标签": cells,
    })  # fmt: skip
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def measure(*args: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _JOB, *args], capture_output=True, text=True)
    return json.loads(done.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str]) -> None:
    rows = int(argv[0]) if argv else 1_000_000
    path = generate(rows)
    print(f"{rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB): {path.name}")
    bare = subprocess.run(
        [sys.executable, "-c", "import sys,time,pandas as pd;t=time.perf_counter();"
         "pd.read_csv(sys.argv[1], dtype=str);print(time.perf_counter()-t)", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    print(f"  pandas read_csv(dtype=str)   {float(bare.stdout):6.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        check = measure("tags", "check", str(path), "--format", "json")
        print(
            f"  crmkit tags check            {check['seconds']:6.1f} s  peak {check['peak_mib']:5.0f} MiB"
        )
        out = Path(folder) / "out.csv"
        apply = measure(
            "tags", "apply", str(path), "-o", str(out), "--changes", str(Path(folder) / "c.csv")
        )
        print(
            f"  crmkit tags apply (+changes) {apply['seconds']:6.1f} s  peak {apply['peak_mib']:5.0f} MiB"
        )
        stats = measure("tags", "stats", str(path), "--format", "json")
        print(
            f"  crmkit tags stats            {stats['seconds']:6.1f} s  peak {stats['peak_mib']:5.0f} MiB"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
