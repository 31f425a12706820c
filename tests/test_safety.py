"""Hostile and broken inputs, formula injection, safe outputs: every command, real files.

The corpus is made here (no large binaries are checked in). Each reading command meets each
file: a broken or hostile one gives one clear line naming the file and exit 2; an odd but
readable one (UTF-16 with or without a BOM) is read. Hostile ones also run in a child
process, which must end on its own with a bounded peak memory.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from crmkit.io.write import write_frame

from .conftest import (
    CUSTOMER_HEADERS,
    ROOT,
    customer_row,
    digest,
    explain,
    run,
    write_csv,
    write_xlsx,
)

ROWS = [customer_row(), customer_row(客户编号="CRM20240310002", 客户名称="上海云帆软件有限公司",
                                     联系电话="13912345678")]  # fmt: skip


def _csv_text(encoding: str) -> bytes:
    buffer = io.StringIO()
    pd.DataFrame(ROWS, columns=CUSTOMER_HEADERS).to_csv(buffer, index=False)
    return buffer.getvalue().encode(encoding)


def _xlsx_bytes(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "valid.xlsx", CUSTOMER_HEADERS, ROWS).read_bytes()


def _replace_sheet(source: bytes, sheet: bytes | Callable[[zipfile.ZipFile], None]) -> bytes:
    """The workbook with its first sheet's XML replaced (or written by a callable, streaming)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for item in old.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                if callable(sheet):
                    sheet(new)
                else:
                    new.writestr(item.filename, sheet)
            else:
                new.writestr(item, old.read(item.filename))
    return out.getvalue()


def _bomb(archive: zipfile.ZipFile) -> None:
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1000
    with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
        handle.write(head)
        for _ in range(3000):  # about 150 MB of XML, a few hundred KB zipped
            handle.write(row)
        handle.write(b"</sheetData></worksheet>")


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "hahahahahahahahahaha">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&j;</t></is></c></row></sheetData></worksheet>'
)


def build_corpus(folder: Path) -> dict[str, tuple[Path, str]]:
    """name → (path, 'error' or 'read'): every kind of bad input of issue 6."""
    folder.mkdir(exist_ok=True)
    valid = _xlsx_bytes(folder)
    files: dict[str, tuple[bytes | None, str, str]] = {
        "empty": (b"", "empty.csv", "error"),
        "empty workbook": (b"", "empty.xlsx", "error"),
        "header only": (",".join(CUSTOMER_HEADERS).encode() + b"\n", "header.csv", "error"),
        "truncated xlsx": (valid[: len(valid) // 2], "truncated.xlsx", "error"),
        "CSV named .xlsx": (_csv_text("utf-8"), "named.xlsx", "error"),
        "zip bomb": (_replace_sheet(valid, _bomb), "bomb.xlsx", "error"),
        "billion laughs": (_replace_sheet(valid, LAUGHS), "laughs.xlsx", "error"),
        "UTF-16 with BOM": (_csv_text("utf-16"), "utf16.csv", "read"),
        "UTF-16 without BOM": (_csv_text("utf-16-le"), "utf16le.csv", "read"),
        "mixed encodings": (
            _csv_text("utf-8")
            + ",".join(
                map(str, customer_row(客户编号="CRM20240310003", 客户名称="深圳腾飞电子"))
            ).encode("gbk"),
            "mixed.csv",
            "error",
        ),
        "10,000 columns": (
            (
                ",".join(CUSTOMER_HEADERS + [f"extra{i}" for i in range(10_000)])
                + "\n"
                + ",".join(map(str, ROWS[0]))
                + "," * 10_000
                + "\n"
            ).encode(),
            "wide.csv",
            "error",
        ),
        "5 MB cell": (
            _csv_text("utf-8").replace(b"\r\n", b"\n").rstrip(b"\n") + b"x" * (5 * 2**20) + b"\n",
            "bigcell.csv",
            "error",
        ),
        "random bytes": (bytes(range(256)) * 64 + os.urandom(4096), "random.csv", "error"),
        "a directory": (None, "folder.csv", "error"),
    }
    corpus = {}
    for name, (data, file_name, expected) in files.items():
        path = folder / file_name
        if data is None:
            path.mkdir()
        else:
            path.write_bytes(data)
        corpus[name] = (path, expected)
    return corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "validate": lambda f, out: ["validate", str(f)],
    "clean": lambda f, out: ["clean", str(f), "-o", str(out / "cleaned.csv")],
    "dedupe": lambda f, out: ["dedupe", str(f), "-o", str(out / "merged.csv")],
    "report": lambda f, out: [
        "report",
        "all",
        "--customers",
        str(f),
        "--as-of",
        "2024-09-02",
        "-o",
        str(out / "r.xlsx"),
    ],
    "report service": lambda f, out: [
        "report",
        "service",
        "--tasks",
        str(f),
        "-o",
        str(out / "s.xlsx"),
    ],
    "due": lambda f, out: [
        "due",
        "-c",
        str(f),
        "--as-of",
        "2024-09-02",
        "--by-owner",
        str(out / "a"),
    ],
    "export": lambda f, out: [
        "export",
        str(f),
        "--to",
        "zoho",
        "-o",
        str(out / "z.csv"),
        "--skip-invalid",
    ],
    "tags check": lambda f, out: ["tags", "check", str(f)],
    "tags apply": lambda f, out: ["tags", "apply", str(f), "-o", str(out / "tagged.csv")],
    "tags stats": lambda f, out: ["tags", "stats", str(f)],
}
CORPUS_NAMES = ["empty", "empty workbook", "header only", "truncated xlsx", "CSV named .xlsx",
                "zip bomb", "billion laughs", "UTF-16 with BOM", "UTF-16 without BOM",
                "mixed encodings", "10,000 columns", "5 MB cell", "random bytes", "a directory"]  # fmt: skip


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", CORPUS_NAMES)
def test_every_command_on_every_bad_input(
    corpus: dict[str, tuple[Path, str]], tmp_path: Path, case: str, command: str
) -> None:
    path, expected = corpus[case]
    before = digest(path) if path.is_file() else None
    result = run(*COMMANDS[command](path, tmp_path))
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, explain(result)
    if expected == "error":
        assert result.exit_code == 2, explain(result)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {path}"), explain(result)
    elif command == "report service":  # the readable files are customer tables, not tasks
        assert result.exit_code == 2, explain(result)
        assert result.stderr == f"Error: {path}: its headers are those of customers, not tasks\n"
    else:
        assert result.exit_code in (0, 1), explain(result)
    assert (digest(path) if path.is_file() else None) == before


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("empty", "the file is empty"),
        ("header only", "has a header row but no data rows"),
        ("truncated xlsx", "the workbook is truncated or corrupt (not a valid zip)"),
        ("CSV named .xlsx", "is not an Excel workbook (it looks like text or CSV); check the file"),
        ("zip bomb", "xl/worksheets/sheet1.xml expands"),
        ("mixed encodings", "mixes text encodings (line 1 is UTF-8, line 4 is not)"),
        ("5 MB cell", "row 3, column 备注 holds 5,242,880 characters, over the limit of 32,767"),
        ("random bytes", "is not CSV text (it holds binary data)"),
        (
            "10,000 columns",
            "the header row names 10,013 columns, over the limit of 1,000 (raise it with --max-columns)",
        ),
        ("a directory", "is a folder, not a file"),
    ],
)
def test_bad_inputs_are_named_for_what_they_are(
    corpus: dict[str, tuple[Path, str]], case: str, message: str
) -> None:
    path, _ = corpus[case]
    result = run("validate", path)
    assert result.exit_code == 2, explain(result)
    assert message in result.stderr, explain(result)


def test_utf16_files_are_read_with_their_content(corpus: dict[str, tuple[Path, str]]) -> None:
    for case in ("UTF-16 with BOM", "UTF-16 without BOM"):
        result = run("validate", corpus[case][0], "--format", "json")
        assert result.exit_code == 0, explain(result)
        assert '"rows": 2' in result.stdout


def test_limits_can_be_raised(corpus: dict[str, tuple[Path, str]], tmp_path: Path) -> None:
    path, _ = corpus["5 MB cell"]
    result = run("--max-cell-chars", "6000000", "validate", path)
    assert result.exit_code in (0, 1), explain(result)
    small = write_csv(tmp_path / "c.csv", CUSTOMER_HEADERS, ROWS)
    result = run("--max-file-mib", "1", "validate", small)
    assert result.exit_code == 0, explain(result)
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(CUSTOMER_HEADERS + [f"x{i}" for i in range(1500)]) + "\n"
                    + ",".join(map(str, ROWS[0])) + "," * 1500 + "\n", encoding="utf-8")  # fmt: skip
    result = run("--max-columns", "2000", "validate", wide)
    assert result.exit_code == 0, explain(result)
    workbook = write_xlsx(tmp_path / "c.xlsx", CUSTOMER_HEADERS, ROWS)
    result = run("--max-cells", "10", "validate", workbook)
    assert result.exit_code == 2, explain(result)
    assert "over the limit of 10 cells (--max-cells)" in result.stderr


def test_a_file_without_read_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests may run as root, who reads any file: make the read itself fail.
    path = write_csv(tmp_path / "locked.csv", CUSTOMER_HEADERS, ROWS)
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "locked.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    for command in COMMANDS.values():
        result = run(*command(path, tmp_path))
        assert result.exit_code == 2, explain(result)
        assert result.stderr == f"Error: {path}: permission denied\n"


@pytest.mark.parametrize("case", ["zip bomb", "billion laughs", "10,000 columns", "5 MB cell"])
def test_hostile_files_take_bounded_time_and_memory(
    corpus: dict[str, tuple[Path, str]], case: str
) -> None:
    """In a child process: it ends on its own well within a minute, under 1 GiB of memory."""
    path, _ = corpus[case]
    child = subprocess.Popen(
        [sys.executable, "-m", "crmkit", "validate", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"{case}: still running after 60 s")
        time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    assert child.stderr is not None
    stderr = child.stderr.read().decode()
    assert code in (0, 1, 2) and "Traceback" not in stderr, stderr
    assert usage.ru_maxrss < 2**20, (
        f"{case}: peak {usage.ru_maxrss / 2**10:.0f} MiB"
    )  # KiB on Linux


# ---------------------------------------------------------------- formula injection


PROBES = [
    '=HYPERLINK("http://x","点击")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


@pytest.fixture
def probed(tmp_path: Path) -> Path:
    """A customer workbook whose free text, names and an unknown column hold formula probes."""
    rows = [
        customer_row(客户编号=f"CRM2024031000{i}", 客户名称=f"{probe}公司", 联系电话=f"1381234567{i}",
                     备注=probe) + [probe]
        for i, probe in enumerate(PROBES)
    ]  # fmt: skip
    rows.append(
        customer_row(客户编号="CRM20240310009", 客户名称=f"{PROBES[0]}公司", 联系电话="13812345670")
        + [PROBES[1]]
    )  # fmt: skip  (a duplicate, so dedupe merges and lists conflicts)
    path = write_xlsx(tmp_path / "probed.xlsx", [*CUSTOMER_HEADERS, "微信号"], rows)
    # Text cells, as a cell typed in Excel with a leading ' or imported from CSV would be (the
    # annotated copy keeps a workbook's own formulas: it is the user's workbook).
    workbook = load_workbook(path)
    for row in workbook.active.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    workbook.save(path)
    return path


def _no_formulas(path: Path) -> None:
    if path.suffix == ".xlsx":
        workbook = load_workbook(path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (
                        f"{path.name}!{cell.coordinate} is a formula: {cell.value}"
                    )
    else:
        text = path.read_text(encoding="utf-8-sig")
        import csv

        for row in csv.reader(io.StringIO(text)):
            for value in row:
                if re.fullmatch(r"[+-]\d+(\.\d+)?", value):
                    continue  # a signed number (days overdue, an E.164 phone) is not a formula
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (
                    f"{path.name}: {value!r}"
                )


def test_no_output_of_any_command_holds_a_live_formula(tmp_path: Path, probed: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    runs = [
        ["validate", probed, "--report", out / "issues.xlsx", "--annotate", out / "marked.xlsx"],
        ["validate", probed, "--report", out / "issues.csv"],
        ["clean", probed, "-o", out / "cleaned.xlsx"],
        ["clean", probed, "-o", out / "cleaned.csv"],
        [
            "dedupe",
            probed,
            "-o",
            out / "merged.xlsx",
            "--report",
            out / "pairs.xlsx",
            "--map",
            out / "map.xlsx",
        ],
        ["dedupe", probed, "-o", out / "merged.csv", "--report", out / "pairs.csv"],
        ["tags", "apply", probed, "-o", out / "tagged.xlsx", "--changes", out / "changes.xlsx"],
        ["export", probed, "--to", "hubspot", "-o", out / "hubspot.csv", "--skip-invalid"],
        ["export", probed, "--to", "fxiaoke", "-o", out / "fxiaoke.xlsx", "--skip-invalid"],
        [
            "report",
            "all",
            "--customers",
            probed,
            "--as-of",
            "2024-09-02",
            "-o",
            out / "report.xlsx",
        ],
    ]
    for args in runs:
        result = run(*args)
        assert result.exit_code in (0, 1), explain(result)
    written = sorted(p for p in out.iterdir() if p.suffix in (".xlsx", ".csv"))
    assert len(written) == 15
    for path in written:
        _no_formulas(path)
    merged = pd.read_csv(out / "merged.csv", encoding="utf-8-sig", dtype=str)
    assert merged["备注"].iloc[0] == "'" + PROBES[0]  # inert, and still all there


def test_service_report_and_agendas_hold_no_live_formula(tmp_path: Path) -> None:
    from .test_service import TASK_HEADERS, task

    rows = [
        task(
            任务编号=f"T{i}",
            截止日期="2024-03-01",
            任务内容=probe,
            **{"协作部门/人员": f"技术支持-{probe}"},
        )
        for i, probe in enumerate(PROBES)
    ]
    tasks = write_xlsx(tmp_path / "tasks.xlsx", TASK_HEADERS, rows)
    out = tmp_path / "out"
    result = run("report", "service", "--tasks", tasks, "--as-of", "2024-03-20",
                 "-o", out / "service.xlsx")  # fmt: skip
    assert result.exit_code == 0, explain(result)
    result = run("due", "--tasks", tasks, "--as-of", "2024-03-20", "--format", "csv",
                 "--by-owner", out)  # fmt: skip
    assert result.exit_code == 0, explain(result)
    written = sorted(p for p in out.iterdir() if p.suffix in (".xlsx", ".csv"))
    # one workbook, and an agenda per person: the tab and CR probes trim to the same "=1"
    assert len(written) == 1 + len(PROBES) - 1
    for path in written:
        _no_formulas(path)


def test_allow_formulas_writes_them_live(tmp_path: Path, probed: Path) -> None:
    # A table written whole (from CSV): its formula-like text becomes live formulas.
    text = tmp_path / "probed.csv"
    assert run("clean", probed, "-o", text).exit_code in (0, 1)
    out = tmp_path / "cleaned.xlsx"
    result = run("clean", text, "-o", out, "--allow-formulas")
    assert result.exit_code in (0, 1), explain(result)
    sheet = load_workbook(out).active
    assert any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    # A copy of a workbook keeps its text cells text: only the cleaned cells are written.
    copy = tmp_path / "copy.xlsx"
    assert run("clean", probed, "-o", copy, "--allow-formulas").exit_code in (0, 1)
    _no_formulas(copy)


# ---------------------------------------------------------------- outputs


def test_in_place_keeps_a_backup(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "客户.csv", [*CUSTOMER_HEADERS, "客户标签"], [[*ROWS[0], "预算低"]])
    before = path.read_bytes()
    result = run("tags", "apply", path, "-o", path)
    assert result.exit_code == 2, explain(result)
    assert path.read_bytes() == before
    result = run("tags", "apply", path, "-o", path, "--in-place")
    assert result.exit_code == 0, explain(result)
    assert (tmp_path / "客户.csv.bak").read_bytes() == before
    assert "预算规模-10万以下" in path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("command", [["clean"], ["tags", "apply"]])
def test_a_second_in_place_run_keeps_the_first_backup(tmp_path: Path, command: list[str]) -> None:
    path = write_csv(tmp_path / "客户.csv", [*CUSTOMER_HEADERS, "客户标签"], [[*ROWS[0], "预算低"]])
    original = path.read_bytes()
    for _ in range(3):
        result = run(*command, path, "-o", path, "--in-place")
        assert result.exit_code == 0, explain(result)
    assert (tmp_path / "客户.csv.bak").read_bytes() == original
    backups = sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name)
    assert backups == ["客户.csv.bak", "客户.csv.bak.2", "客户.csv.bak.3"]


_SLOW_WRITER = r"""
import sys, pandas as pd
from crmkit.io.write import write_frame
frame = pd.DataFrame({"客户名称": ["星辰科技有限公司" * 20] * 400_000, "备注": ["x" * 50] * 400_000})
print("start", flush=True)
write_frame(frame, sys.argv[1])
"""


def test_a_writer_killed_mid_write_leaves_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "merged.csv"
    write_frame(pd.DataFrame({"客户名称": ["旧文件"]}), target)
    before = target.read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target)], stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"start"
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".merged.csv.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the temporary file exists: the write has begun
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == before


def test_the_examples_are_never_written(tmp_path: Path) -> None:
    example = ROOT / "examples" / "customers.xlsx"
    before = digest(example)
    result = run("clean", example, "-o", example)
    assert result.exit_code == 2, explain(result)
    assert digest(example) == before


def test_openpyxl_parses_through_defusedxml() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # annotated copies load the user's workbook with openpyxl


def test_annotating_a_billion_laughs_workbook_is_refused(
    corpus: dict[str, tuple[Path, str]], tmp_path: Path
) -> None:
    path, _ = corpus["billion laughs"]
    result = run("validate", path, "--annotate", tmp_path / "marked.xlsx")
    assert result.exit_code == 2, explain(result)
    assert not (tmp_path / "marked.xlsx").exists()


def test_json_outputs_are_strict_json_without_nan() -> None:
    """Missing values are null: Python's bare NaN token is refused by strict JSON parsers."""
    import math

    import numpy as np
    import pandas as pd

    from crmkit.io.write import json_text

    payload = {"a": float("nan"), "b": [pd.NA, pd.NaT, None, np.float64("nan"), math.inf],
               "c": np.int64(5), "d": np.float64(1.5), "e": "文本", "f": np.bool_(True)}  # fmt: skip
    text = json_text(payload, indent=None)
    assert (
        text
        == '{"a": null, "b": [null, null, null, null, null], "c": 5, "d": 1.5, "e": "文本", "f": true}'
    )
