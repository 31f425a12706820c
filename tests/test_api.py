"""The public API: the names of crmkit.__all__, the README's "Use it from Python" examples run
on a copy of examples/, and a command line that starts without pandas."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import crmkit

ROOT = Path(__file__).resolve().parent.parent


def _readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_every_name_of_the_api_loads() -> None:
    assert "validate_tables" in crmkit.__all__ and "compute_report" in crmkit.__all__
    for name in crmkit.__all__:
        assert getattr(crmkit, name) is not None, name
    with pytest.raises(AttributeError):
        crmkit.no_such_name  # noqa: B018


def test_readme_examples_run_and_print_what_they_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    blocks = _readme_examples()
    assert len(blocks) >= 4
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)
    out = printed.getvalue()
    # What the comments in the README say each print shows.
    for block in blocks:
        for expected in re.findall(r"print\(.*\)  # (.+)", block):
            if not expected.startswith(("reached", "or ")):
                assert expected in out, expected
        for expected in re.findall(r"^# (\d.+)$", block, flags=re.M):
            assert expected in out, expected
    assert (tmp_path / "cleaned.xlsx").is_file() and (tmp_path / "weekly.xlsx").is_file()
    checked = namespace["checked"]
    assert checked.valid  # type: ignore[attr-defined]
    weekly = namespace["weekly"].to_dict()  # type: ignore[attr-defined]
    assert weekly["headline"]["customers"]["value"] == 36  # on record on 2024-09-02
    assert namespace["agenda"].overdue > 0  # type: ignore[attr-defined]


def test_version_and_help_load_no_pandas() -> None:
    for args in (["--version"], ["--help"], ["validate", "--help"], ["report", "--help"]):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "crmkit", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        loaded = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        heavy = loaded & {"pandas", "numpy", "openpyxl", "pandera", "pyarrow"}
        assert not heavy, (args, heavy)
