"""Run every crmkit command on examples/ and keep what each one printed and wrote.

    python benchmarks/outputs_on_examples.py OUTDIR            # record
    python benchmarks/outputs_on_examples.py --compare A B     # differences, exit 1 if any

Used to check that a refactoring changes no output: record at the old commit, record at the
new one, compare. Each run is a folder with the command's stdout, stderr and exit code, and the
files it wrote. Workbooks are compared part by part after unzipping, without docProps/core.xml
(it holds the time of writing); nothing else is excused.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
C, F, T, FB, ORDERS = (
    str(EX / n)
    for n in ("customers.xlsx", "followups.xlsx", "tasks.xlsx", "feedback.xlsx", "orders.xlsx")
)
MESSY, EXPO = str(EX / "messy_customers.xlsx"), str(EX / "expo_leads.csv")
DAY = ["--as-of", "2024-09-02"]
PROFILE = ["report", "profile", "--customers", C, "--orders", ORDERS, "--followups", F,
           "--feedback", FB, "--tasks", T, "--as-of", "2024-11-01"]  # fmt: skip

RUNS: dict[str, list[str]] = {
    "validate": ["validate", C, "--followups", F],
    "validate-messy": ["validate", MESSY, "--limit", "8"],
    "validate-messy-json": ["validate", MESSY, "-f", "json"],
    "validate-messy-csv": ["validate", MESSY, "-f", "csv", "--report", "{out}/issues.xlsx"],
    "validate-four": ["validate", C, T, FB, "--followups", F, "--report", "{out}/issues.json"],
    "validate-annotate": ["validate", MESSY, "--annotate", "{out}/annotated.xlsx"],
    "clean-xlsx": ["clean", MESSY, "-o", "{out}/cleaned.xlsx"],
    "clean-csv": ["clean", MESSY, "-o", "{out}/cleaned.csv"],
    "clean-tasks": ["clean", T, "-o", "{out}/tasks.xlsx"],
    "dedupe-xlsx": [
        "dedupe",
        C,
        EXPO,
        "-o",
        "{out}/merged.xlsx",
        "--map",
        "{out}/map.csv",
        "--report",
        "{out}/pairs.xlsx",
    ],
    "dedupe-csv": [
        "dedupe",
        C,
        EXPO,
        "-o",
        "{out}/merged.csv",
        "--report",
        "{out}/pairs.json",
        "--followups",
        F,
        "--followups-out",
        "{out}/followups.csv",
    ],
    "dedupe-messy": ["dedupe", MESSY, "-o", "-"],
    "tags-check": ["tags", "check", MESSY],
    "tags-apply": ["tags", "apply", MESSY, "-o", "{out}/tagged.xlsx", "--changes", "{out}/ch.csv"],
    "tags-stats": ["tags", "stats", C, "--format", "csv"],
    "template-customers": ["template", "customers", "-o", "{out}/t.xlsx"],
    "template-followups": ["template", "followups", "-o", "{out}/t.xlsx"],
    "template-tasks": ["template", "tasks", "-o", "{out}/t.xlsx"],
    "template-feedback": ["template", "feedback", "-o", "{out}/t.xlsx"],
    "report-all": ["report", "all", "-c", C, "--followups", F, *DAY],
    "report-all-files": [
        "report",
        "all",
        "-c",
        C,
        "--followups",
        F,
        *DAY,
        "-o",
        "{out}/w.xlsx",
        "-o",
        "{out}/w.html",
        "-o",
        "{out}/w.json",
        "--by",
        "owner",
    ],
    "report-funnel": ["report", "funnel", "-c", C, *DAY, "--lang", "en"],
    "report-channel": ["report", "channel", "-c", C, "--followups", F, *DAY, "-f", "json"],
    "report-stage": ["report", "stage", "-c", C, "--followups", F, *DAY, "--period", "last-month"],
    "report-service": ["report", "service", "--tasks", T, "--feedback", FB, *DAY],
    "report-service-files": [
        "report",
        "service",
        "--tasks",
        T,
        "--feedback",
        FB,
        *DAY,
        "-o",
        "{out}/s.xlsx",
        "-o",
        "{out}/s.html",
        "-o",
        "{out}/s.json",
    ],
    "report-profile": [*PROFILE, "--period", "last-month"],
    "report-profile-files": [
        *PROFILE,
        *("-o", "{out}/p.xlsx", "-o", "{out}/p.html", "-o", "{out}/p.json"),
        *("--tag", "{out}/tagged.xlsx", "--lang", "en"),
    ],
    "report-profile-followups": ["report", "profile", "--customers", C, "--followups", F, *DAY],
    "due": ["due", "-c", C, "--followups", F, "--tasks", T, *DAY],
    "due-json": ["due", "-c", C, "--followups", F, "--tasks", T, *DAY, "-f", "json", "--days", "3"],
    "due-csv": ["due", "-c", C, "--tasks", T, *DAY, "-f", "csv", "--owner", "技术支持"],
    "due-by-owner": ["due", "-c", C, "--followups", F, "--tasks", T, *DAY, "--by-owner", "{out}/a"],
    "due-check": ["due", "-c", C, "--followups", F, *DAY, "--check", "-q"],
    "export-zoho": ["export", C, "--to", "zoho", "-o", "{out}/z.csv", "--followups", F],
    "export-hubspot": ["export", MESSY, "--to", "hubspot", "-o", "{out}/h.csv", "--skip-invalid"],
    "export-salesforce": ["export", C, "--to", "salesforce", "-o", "{out}/s.csv"],
    "export-fxiaoke": ["export", C, "--to", "fxiaoke", "-o", "{out}/f.xlsx"],
    "export-jsonl": ["export", C, "--to", "jsonl", "-o", "-", "--where", "stage!=关闭"],
    "init": ["init", "{out}/proj"],
    "bad-input": ["validate", str(ROOT / "README.md")],
}


def record(out: Path) -> None:
    """Run every command of RUNS into OUT/<name>/."""
    if out.exists():
        shutil.rmtree(out)
    for name, args in RUNS.items():
        where = out / name
        where.mkdir(parents=True)
        argv = [a.replace("{out}", str(where / "files")) for a in args]
        (where / "files").mkdir()
        done = subprocess.run(
            [sys.executable, "-m", "crmkit", *argv], capture_output=True, cwd=where / "files"
        )
        text = "\n".join(
            [f"exit {done.returncode}", done.stdout.decode(), "--- stderr", done.stderr.decode()]
        )
        (where / "printed.txt").write_text(text.replace(str(where / "files"), "OUT"))


def _parts(path: Path) -> dict[str, bytes]:
    if path.suffix != ".xlsx":
        return {"": path.read_bytes()}
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


def _contents(top: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for path in sorted(p for p in top.rglob("*") if p.is_file()):
        rel = str(path.relative_to(top))
        for part, data in _parts(path).items():
            found[f"{rel}!{part}" if part else rel] = data.replace(str(top).encode(), b"TOP")
    return found


def compare(a: Path, b: Path) -> int:
    """Print every file or part that differs between two recordings; 1 when any does."""
    left, right = _contents(a), _contents(b)
    differ = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
    for key in differ:
        print(f"differs: {key}")
    print(f"{len(left)} files and parts compared, {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.dirs[:2])
    record(args.dirs[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
