"""The command line as a whole: help, version, module entry, installed data."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from crmkit import __version__
from crmkit.cli import app
from crmkit.spec.resources import data_dir

from .conftest import ROOT, explain, run

COMMANDS = [str(c.name) for c in app.registered_commands] + [
    f"{group.name} {c.name}"
    for group in app.registered_groups
    for c in group.typer_instance.registered_commands
]


def test_help_lists_every_command_with_a_summary() -> None:
    result = run("--help")
    assert result.exit_code == 0, explain(result)
    for name in COMMANDS:
        assert name.split()[0] in result.stdout
    assert COMMANDS == ["validate", "clean", "dedupe", "template", "report", "due", "export",
                        "init", "sync", "tags check", "tags apply", "tags stats"]  # fmt: skip


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_help_has_a_runnable_example(name: str) -> None:
    result = run(*name.split(), "--help")
    assert result.exit_code == 0, explain(result)
    example = _example(result.stdout)
    assert example.startswith(f"crmkit {name} ")
    assert "examples/" in example or name in ("template", "init")
    assert name in (ROOT / "README.md").read_text(encoding="utf-8")


def _example(help_text: str) -> str:
    lines = help_text.splitlines()
    return lines[lines.index(next(ln for ln in lines if ln.strip() == "Example:")) + 1].strip()


def test_examples_in_help_run(tmp_path: Path) -> None:
    for name in COMMANDS:
        words = name.split()
        args = _example(run(*words, "--help").stdout).split()[1 + len(words) :]
        args = [str(ROOT / a) if a.startswith("examples/") else a for a in args]
        args = [
            str(tmp_path / a) if a.endswith((".xlsx", ".html", ".csv")) and "/" not in a else a
            for a in args
        ]
        args = [str(tmp_path / a) if a == "my-crm" else a for a in args]
        result = run(*words, *args)
        assert result.exit_code in (0, 1), explain(result)


def test_version_and_python_m() -> None:
    assert run("--version").stdout.strip() == f"crmkit {__version__}"
    result = subprocess.run(
        [sys.executable, "-m", "crmkit", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("crmkit ")


def test_data_folders_are_found() -> None:
    assert (data_dir("schemas") / "customers.toml").is_file()
    for kind in ("followups", "tasks", "feedback", "names", "tags"):
        assert (data_dir("schemas") / f"{kind}.toml").is_file(), kind


def test_progress_is_silent_off_a_terminal_and_under_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from crmkit.cli import output as common

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(common.sys, "stderr", screen)
    monkeypatch.setattr(common.STATE, "quiet", False)
    with common.progress() as step:
        step("Reading customers.csv")
        time.sleep(0.3)  # the status line redraws a few times a second
    assert "Reading customers.csv" in screen.getvalue()
    quiet = Terminal()
    monkeypatch.setattr(common.sys, "stderr", quiet)
    monkeypatch.setattr(common.STATE, "quiet", True)
    with common.progress() as step:
        step("Reading customers.csv")
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    monkeypatch.setattr(common.sys, "stderr", piped)
    monkeypatch.setattr(common.STATE, "quiet", False)
    with common.progress() as step:
        step("Reading customers.csv")
    assert piped.getvalue() == ""
