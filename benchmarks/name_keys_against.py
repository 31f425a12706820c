"""Check that the pool's name keys are what an older commit made, row by row and name by name.

    python benchmarks/name_keys_against.py REV POOL.csv [POOL.csv ...]

For each pool: builds it with today's code, then gives the same names and contacts to REV's
`_add_name_keys` (crmkit/dedupe/pool.py, with REV's dedupe/names.py and spec/names.py) and
compares every key column (key, place, words, whole, person, contact); then compares
`name_keys` of every distinct name as written in the file (unnormalized). Prints the number of
rows and distinct names compared and the first differences; exit 1 when any differ.
Used to show a speed change of name keys changes no key.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["key", "place", "words", "whole", "person", "contact"]


def _source(rev: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _module(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def old_keys(rev: str) -> tuple[Any, Any, Any]:
    """REV's `_add_name_keys`, its `name_keys` and its vocabulary."""
    spec_names = _module("old_spec_names", _source(rev, "crmkit/spec/names.py"))
    names_source = _source(rev, "crmkit/dedupe/names.py").replace(
        "from crmkit.spec.names import", "from old_spec_names import"
    )
    names = _module("old_dedupe_names", names_source)
    pool_source = _source(rev, "crmkit/dedupe/pool.py")
    function = next(
        node
        for node in ast.parse(pool_source).body
        if isinstance(node, ast.FunctionDef) and node.name == "_add_name_keys"
    )
    space: dict[str, Any] = {
        "np": np,
        "pd": pd,
        "keys_of": names.keys_of,
        "fold_many": spec_names.fold_many,
        "compact": spec_names.compact,
        "NameVocabulary": spec_names.NameVocabulary,
    }
    exec(compile(ast.Module([function], []), "old_add_name_keys", "exec"), space)
    return space["_add_name_keys"], names.name_keys, spec_names.load_vocabulary()


def _differences(old: pd.Series, new: pd.Series) -> np.ndarray:
    a = old.astype(object).to_numpy()
    b = new.astype(object).to_numpy()
    same = np.array([x == y or (x is None and y is None) for x, y in zip(a, b, strict=True)])
    return np.flatnonzero(~same)


def check(path: str, old_add: Any, old_name_keys: Any, old_vocab: Any) -> int:
    import crmkit.dedupe.pool as pool
    from crmkit.dedupe.names import name_keys
    from crmkit.io.read import read_table
    from crmkit.spec.fields import builtin_spec

    table = read_table(path, specs=[builtin_spec("customers")])
    kept: list[pd.DataFrame] = []
    new_add = pool._add_name_keys

    def keeping(records: pd.DataFrame, vocab: Any) -> None:
        kept.append(records[["name", "contact"]].copy())
        started = time.process_time()
        new_add(records, vocab)
        print(f"  new _add_name_keys {time.process_time() - started:.2f} s of CPU")

    pool._add_name_keys = keeping  # type: ignore[assignment]
    try:
        records = pool.build_pool([table]).records
    finally:
        pool._add_name_keys = new_add  # type: ignore[assignment]
    before = kept[0]
    started = time.process_time()
    old_add(before, old_vocab)
    print(f"  old _add_name_keys {time.process_time() - started:.2f} s of CPU")
    bad = 0
    for column in COLUMNS:
        if before[column].dtype != records[column].dtype:
            bad += 1
            print(f"  {column}: dtype {before[column].dtype} -> {records[column].dtype}")
        rows = _differences(before[column], records[column])
        bad += len(rows)
        for row in rows[:5]:
            print(
                f"  {column} row {row}: {before[column].iat[row]!r} -> {records[column].iat[row]!r}"
            )
    raw = table.column("name").dropna().astype(str).unique().tolist()
    old_named, new_named = old_name_keys(raw, old_vocab), name_keys(raw)
    differ = [
        n
        for n, a, b in zip(raw, old_named, new_named, strict=True)
        if (a.key, a.place, a.personal, a.words) != (b.key, b.place, b.personal, b.words)
    ]
    for name in differ[:5]:
        print(f"  name_keys {name!r} differ")
    print(
        f"{path}: {len(records)} rows, {len(set(before['name'].dropna()))} distinct names "
        f"(normalized), {len(raw)} as written: {bad} row values and {len(differ)} names differ"
    )
    return bad + len(differ)


def main() -> None:
    rev, *paths = sys.argv[1:]
    old_add, old_name_keys, old_vocab = old_keys(rev)
    differ = sum(check(path, old_add, old_name_keys, old_vocab) for path in paths)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
