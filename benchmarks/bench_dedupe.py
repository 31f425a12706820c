"""Accuracy, time and memory of `crmkit dedupe`, beside the tools a Python user would pick instead.

    python benchmarks/bench_dedupe.py [ROWS ...]          # default: 10000 100000 1000000
    python benchmarks/bench_dedupe.py --no-anchors 1000000
    python benchmarks/bench_dedupe.py --classic 100000        # the pools before issue 17
    python benchmarks/bench_dedupe.py --other 100000          # the independent generator
    python benchmarks/bench_dedupe.py --no-anchors --splink 100000   # crmkit beside splink 5

Pools: benchmarks/dupes.py (since issue 17 with English names, homophones, international
phones and hotel switchboards; --classic: the older pools, row for row), or --other:
benchmarks/dupes_other.py, written apart from the rules. Beside crmkit's time, a bare
`pandas.read_csv(path, dtype=str)` of the same file in its own process (the floor), and the
number of pairs crmkit leaves for review.

On seeded pools with known duplicates and hard negatives (benchmarks/dupes.py), prints for each
size: time, peak memory, and pairwise precision, recall and F1 of what is merged (the pairs
inside the output clusters against the pairs of true duplicates). On the 10,000-row pool (and
the 100,000-row pool for recordlinkage), the same figures for
- a naive all-pairs rapidfuzz loop: every pair scored, merged when the phones (digits only)
  are equal or the names score >= 90;
- splink 5 with DuckDB (--splink; its own environment, benchmarks/.venv-splink), as its
  documentation sets up a dedupe, by default and tuned by hand: see splink_anchor.py;
- the recordlinkage toolkit (its own virtual environment in benchmarks/.venv-recordlinkage,
  as it pins pandas below 3): standard blocking on phone plus a sorted neighbourhood on the
  cleaned name (NFKC; its clean() drops Chinese unless told not to), Jaro-Winkler names and contacts, exact phone and e-mail, matched when at
  least two of the four agree — set up as its documentation shows.
Each tool runs in its own process. crmkit's time is its whole CLI run (read, normalize, match,
merge, write the merged CSV and the map); the anchors' times cover matching only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RL_VENV = HERE / ".venv-recordlinkage"
SPLINK_VENV = HERE / ".venv-splink"
sys.path.insert(0, str(HERE))
from dupes import pool_path, write_pool  # noqa: E402

_CRMKIT = r"""
import json, resource, sys, time
from crmkit.cli import app
start = time.perf_counter()
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": peak}), file=sys.stderr)
"""

_NAIVE = r"""
import json, re, resource, sys, time, unicodedata
import numpy as np, pandas as pd
from rapidfuzz import fuzz, process
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
start = time.perf_counter()
names = frame["客户名称"].str.strip().tolist()
def phone(text):
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text).removesuffix(".0"))
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
phones = [phone(p) for p in frame["联系电话"]]
pairs = []
for i in range(len(names) - 1):
    scores = process.cdist([names[i]], names[i + 1:], scorer=fuzz.ratio, dtype=np.uint8)[0]
    for j in np.flatnonzero(scores >= 90):
        pairs.append((i, i + 1 + int(j)))
    for j in range(i + 1, len(names)):
        if phones[i] and phones[i] == phones[j]:
            pairs.append((i, j))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "pairs": sorted(set(pairs))}))
"""

_RECORDLINKAGE = r"""
import json, resource, sys, time
import pandas as pd, recordlinkage
from recordlinkage.preprocessing import clean
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
start = time.perf_counter()
data = pd.DataFrame({
    # clean()'s default pattern drops every non-ASCII character: keep Chinese, drop punctuation
    "name": clean(frame["客户名称"].str.normalize("NFKC"), replace_by_none=r"[^\w\s]+"),
    "contact": clean(frame["联系人姓名"].str.normalize("NFKC"), replace_by_none=r"[^\w\s]+"),
    "phone": frame["联系电话"].str.normalize("NFKC").str.replace(r"\.0$", "", regex=True)
        .str.replace(r"\D", "", regex=True).str.replace(r"^86(?=\d{11}$)", "", regex=True),
    "email": frame["联系邮箱"].str.lower(),
})
indexer = recordlinkage.Index()
indexer.block("phone")
indexer.sortedneighbourhood("name", window=9)
candidates = indexer.index(data)
compare = recordlinkage.Compare()
compare.string("name", "name", method="jarowinkler", threshold=0.85, label="name")
compare.string("contact", "contact", method="jarowinkler", threshold=0.85, label="contact")
compare.exact("phone", "phone", label="phone")
compare.exact("email", "email", label="email", missing_value=0)
features = compare.compute(candidates, data)
matches = features[features.sum(axis=1) >= 2].index
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
pairs = sorted({(min(a, b), max(a, b)) for a, b in matches.tolist()})
print(json.dumps({"seconds": seconds, "peak_mib": peak, "pairs": pairs, "candidates": len(candidates)}))
"""


_FLOOR = r"""
import json, resource, sys, time
import pandas as pd
start = time.perf_counter()
pd.read_csv(sys.argv[1], dtype=str)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": peak}))
"""


def run_floor(pool: Path) -> float:
    """A bare pandas.read_csv(path, dtype=str) of the pool, in its own process."""
    done = subprocess.run([sys.executable, "-c", _FLOOR, str(pool)], capture_output=True, text=True)
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"  {'pandas.read_csv(dtype=str)':<28} {stats['seconds']:8.1f} s  peak {stats['peak_mib']:6.0f} MiB"
    )
    return float(stats["seconds"])


def _pairs_in(groups: np.ndarray) -> int:
    sizes = pd.Series(groups).value_counts()
    return int((sizes * (sizes - 1) // 2).sum())


def _score(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1 of a clustering (one group label per row)."""
    both = _pairs_in(np.char.add(np.char.add(predicted.astype(str), ":"), truth.astype(str)))
    found = _pairs_in(predicted)
    real = _pairs_in(truth)
    precision = both / found if found else 1.0
    recall = both / real if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _close(size: int, pairs: list[list[int]]) -> np.ndarray:
    parent = list(range(size))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    return np.array([find(x) for x in range(size)])


def _pair_score(size: int, pairs: list[list[int]], truth: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall, F1 of predicted pairs themselves (no closure)."""
    predicted = {(int(a), int(b)) for a, b in pairs}
    hits = sum(1 for a, b in predicted if truth[a] == truth[b])
    real = _pairs_in(truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / real if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _line(
    name: str, seconds: float, peak: float, scores: tuple[float, float, float], extra: str = ""
) -> str:
    p, r, f = scores
    return f"  {name:<28} {seconds:8.1f} s  peak {peak:6.0f} MiB  P {p:.4f}  R {r:.4f}  F1 {f:.4f}{extra}"


def run_crmkit(pool: Path, truth: np.ndarray) -> tuple[float, tuple[float, float, float]]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        args = [
            "dedupe",
            str(pool),
            "-o",
            str(out / "merged.csv"),
            "--map",
            str(out / "map.csv"),
            "--as-of",
            "2024-09-02",
        ]
        done = subprocess.run(
            [sys.executable, "-c", _CRMKIT, *args], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"crmkit failed: {done.stderr}")
        stats = json.loads(done.stderr.strip().splitlines()[-1])
        found = re.search(r"(\d+) pairs to review", done.stderr)
        review = int(found.group(1)) if found else -1
        mapping = pd.read_csv(
            out / "map.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
        rows = len(pd.read_csv(out / "merged.csv", usecols=[0], encoding="utf-8-sig"))
    cluster = mapping["cluster_id"].to_numpy(dtype=object)
    labels = np.where(
        cluster != "", cluster, np.char.add("row", np.arange(len(cluster)).astype(str))
    )
    scores = _score(labels.astype(str), truth)
    print(
        _line(
            "crmkit dedupe (CLI)",
            stats["seconds"],
            stats["peak_mib"],
            scores,
            f"  ({len(truth):,} rows in, {rows:,} out, {review:,} pairs to review)",
        )
    )
    return float(stats["seconds"]), scores


def run_anchor(
    name: str, python: str, job: str, pool: Path, truth: np.ndarray, ours: float
) -> None:
    done = subprocess.run([python, "-c", job, str(pool)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"  {name}: failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    result = json.loads(done.stdout.strip().splitlines()[-1])
    pairs = result["pairs"]
    clusters = _score(_close(len(truth), pairs).astype(str), truth)
    ratio = ours / result["seconds"]
    print(
        _line(
            name,
            result["seconds"],
            result["peak_mib"],
            clusters,
            f"  crmkit's time / its time: {ratio:.2f}",
        )
    )
    p, r, f = _pair_score(len(truth), pairs, truth)
    print(f"  {'':<28} (its pairs before closure: P {p:.4f}  R {r:.4f}  F1 {f:.4f})")


def splink_python() -> str | None:
    """splink 5 and DuckDB in their own environment (created on first use)."""
    python = SPLINK_VENV / "bin" / "python"
    if not python.exists():
        print(f"  creating {SPLINK_VENV.name} for splink 5 …")
        subprocess.run([sys.executable, "-m", "venv", str(SPLINK_VENV)], check=True)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "splink==5.0.0", "duckdb", "pandas"],
            capture_output=True,
            text=True,
        )
        if install.returncode != 0:
            print(f"  splink could not be installed: {install.stderr.strip()[-300:]}")
            return None
    return str(python)


def run_splink(mode: str, pool: Path, truth: np.ndarray, ours: float) -> None:
    """splink_anchor.py in splink's environment: its clusters scored like crmkit's."""
    python = splink_python()
    if python is None:
        return
    done = subprocess.run(
        [python, str(HERE / "splink_anchor.py"), str(pool), mode], capture_output=True, text=True
    )
    if done.returncode != 0:
        print(f"  splink 5 ({mode}): failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    result = json.loads(done.stdout.strip().splitlines()[-1])
    scores = _score(np.array(result["clusters"], dtype=str), truth)
    ratio = ours / result["seconds"]
    print(
        _line(
            f"splink 5 DuckDB ({mode})",
            result["seconds"],
            result["peak_mib"],
            scores,
            f"  crmkit's time / its time: {ratio:.2f}",
        )
    )


def recordlinkage_python() -> str | None:
    python = RL_VENV / "bin" / "python"
    if not python.exists():
        print(f"  creating {RL_VENV.name} for recordlinkage (pandas < 3) …")
        subprocess.run([sys.executable, "-m", "venv", str(RL_VENV)], check=True)
        install = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "recordlinkage==0.16",
                "pandas<3",
                "jellyfish",
            ],
            capture_output=True,
            text=True,
        )
        if install.returncode != 0:
            print(f"  recordlinkage could not be installed: {install.stderr.strip()[-300:]}")
            return None
    return str(python)


def main(argv: list[str]) -> None:
    anchors = "--no-anchors" not in argv
    classic = "--classic" in argv
    other = "--other" in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or [10_000, 100_000, 1_000_000]
    for size in sizes:
        if other:
            from dupes_other import VERSION, write_other

            pool = write_other(size, DATA / f"dupes_other{VERSION}_{size}.csv")
        else:
            pool = write_pool(size, pool_path(size, classic), classic=classic)
        truth = pd.read_csv(pool, usecols=["entity"], encoding="utf-8-sig")["entity"].to_numpy()
        real = _pairs_in(truth)
        print(f"{size:,} rows, {real:,} true duplicate pairs ({pool.name})")
        floor = run_floor(pool)
        ours, _ = run_crmkit(pool, truth)
        print(f"  {'':<28} crmkit's time / the floor's: {ours / floor:.1f}x")
        if "--splink" in argv:
            run_splink("default", pool, truth, ours)
            run_splink("tuned", pool, truth, ours)
        if anchors and size <= 10_000:
            run_anchor("naive all-pairs rapidfuzz", sys.executable, _NAIVE, pool, truth, ours)
        if anchors and size <= 100_000:
            python = recordlinkage_python()
            if python:
                run_anchor("recordlinkage 0.16", python, _RECORDLINKAGE, pool, truth, ours)


if __name__ == "__main__":
    main(sys.argv[1:])
