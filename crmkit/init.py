"""`crmkit init`: start a project folder — a commented crmkit.toml, a blank template of every
kind of table, and a crontab example running the weekly report and the daily agenda."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from crmkit.spec.config import CONFIG_NAME, DEFAULT_CONFIG
from crmkit.spec.fields import KINDS, LANGS, builtin_spec

CRONTAB = """\
# crmkit: the weekly report every Monday at 08:00, mailed by cron when something fails.
# Install with `crontab -e`. A non-zero exit means the report was not written. The paths are
# absolute (cron's PATH has no crmkit) and quoted; in a crontab a % must be written \\%.
MAILTO=you@example.com
# The customer table first follows its follow-ups (crmkit sync), then the report is written.
0 8 * * 1  cd {folder} && {crmkit} --quiet sync --config {config} --in-place && {crmkit} --quiet report all --config {config}
# Each working day at 07:30: one agenda file per person in agendas/; mailed when anything is overdue.
30 7 * * 1-5  cd {folder} && {crmkit} --quiet due --config {config} --by-owner agendas --check
"""


def _crontab_word(text: str) -> str:
    """A path as one shell word in a crontab line: quoted, and % escaped (cron reads a bare %
    as a newline)."""
    return shlex.quote(text).replace("%", "\\%")


def crmkit_executable() -> str:
    """The absolute command that runs this crmkit: the console script beside the running
    Python (a venv's bin/), else the one on PATH, else `python -m crmkit`."""
    beside = Path(sys.executable).parent / "crmkit"
    if beside.is_file() and os.access(beside, os.X_OK):
        return _crontab_word(str(beside.absolute()))
    found = shutil.which("crmkit")
    if found:
        return _crontab_word(str(Path(found).absolute()))
    return f"{_crontab_word(str(Path(sys.executable).absolute()))} -m crmkit"


def crontab_text(folder: Path) -> str:
    """The crontab example of a project folder."""
    where = folder.resolve()
    return CRONTAB.format(
        folder=_crontab_word(str(where)),
        config=_crontab_word(str(where / CONFIG_NAME)),
        crmkit=crmkit_executable(),
    )


@dataclass
class InitResult:
    """Each file of the project, in order, and whether `init_project` wrote it (False: it
    existed and was left as it was)."""

    files: list[tuple[Path, bool]] = field(default_factory=list)


def init_project(folder: Path, lang: str = "zh") -> InitResult:
    """Write crmkit.toml (its [inputs] naming the templates), a blank template of each kind in
    `lang` (zh, zh-Hant, en) and crontab.example into `folder` (created if missing). A file
    already there is left as it is. ValueError for an unknown `lang`."""
    from crmkit.io.template import write_template

    if lang not in LANGS:
        raise ValueError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    folder.mkdir(parents=True, exist_ok=True)
    specs = {kind: builtin_spec(kind) for kind in KINDS}
    names = {kind: f"{spec.title.get(lang, kind)}.xlsx" for kind, spec in specs.items()}
    config_text = DEFAULT_CONFIG
    for kind in specs:
        # the config's commented input lines become the paths of the templates written here
        config_text = re.sub(
            rf'^# {kind} = "[^"]*"', f'{kind} = "{names[kind]}"', config_text, flags=re.M
        )
    files: dict[str, Callable[[Path], object]] = {
        CONFIG_NAME: lambda p: p.write_text(config_text, encoding="utf-8"),
        **{names[kind]: partial(write_template, spec, lang=lang) for kind, spec in specs.items()},
        "crontab.example": lambda p: p.write_text(crontab_text(folder), encoding="utf-8"),
    }
    result = InitResult()
    for name, write in files.items():
        path = folder / name
        if not path.exists():
            write(path)
            result.files.append((path, True))
        else:
            result.files.append((path, False))
    return result
