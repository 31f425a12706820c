"""Each person's agenda (`crmkit due`): what is overdue, due today and planned.

Items come from four places: a customer's next follow-up — the earlier of its 下次跟进时间
and its cadence date (last follow-up, or creation, plus the intent level's cadence days) —,
a contract's end (合同到期日, a renewal), the deadline of every open collaboration task, and
a stage left too long (阶段超时: no activity for longer than the stage's `stall_days`).
An item is overdue when its date is before the day, due today on the day, and planned when it
falls within the plan window: the larger of `days` and the item kind's reminder lead time
(renewals 30 days ahead, follow-ups and tasks 1 day by default).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmkit.errors import OutputError, UsageError
from crmkit.frames.canonical import places_of
from crmkit.frames.period import on_record
from crmkit.frames.records import records
from crmkit.frames.tasks import DONE, split_assignee
from crmkit.io.write import frame_to_csv_bytes, is_input, make_folder, write_bytes
from crmkit.spec.config import DueConfig, ReportConfig
from crmkit.spec.fields import builtin_spec
from crmkit.text.pii import mask_phone
from crmkit.text.words import LANGS, words_of

GROUPS = ("overdue", "today", "planned")
KINDS = ("followup", "renewal", "task", "stage")
UNASSIGNED = "(未分配)"  # the Chinese word; the label due_unassigned is the one shown
ITEM_COLUMNS = ["owner", "department", "group", "kind", "due", "days", "customer_id", "customer",
                "phone", "priority", "what", "file", "sheet", "row"]  # fmt: skip


@dataclass
class Agenda:
    """The agenda items of a day, ordered by owner, then overdue / today / planned, then date."""

    as_of: date
    days: int
    items: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ITEM_COLUMNS))

    @property
    def overdue(self) -> int:
        """How many items are overdue."""
        return int((self.items["group"] == "overdue").sum())

    def per_owner(self) -> dict[str, Agenda]:
        """Each person's own agenda, in order."""
        return {
            str(owner): Agenda(self.as_of, self.days, items)
            for owner, items in self.items.groupby("owner", sort=False)
        }

    def only(self, name: str) -> Agenda:
        """The items of one person, or of one department (技术支持), or of 技术支持-刘洋 exactly."""
        items = self.items
        full = items["department"].str.cat(items["owner"], sep="-")
        chosen = (items["owner"] == name) | (items["department"] == name) | (full == name)
        return Agenda(self.as_of, self.days, items[chosen.to_numpy(dtype=bool)])

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `due --format json`."""
        counts = {g: int((self.items["group"] == g).sum()) for g in GROUPS}
        return {
            "as_of": self.as_of.isoformat(),
            "days": self.days,
            "counts": counts,
            "items": records(self.items),
        }


def _frame(rows: dict[str, Any], index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame({c: rows.get(c) for c in ITEM_COLUMNS}, index=index)


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.normalize()


def _owners(customers: pd.DataFrame, followups: pd.DataFrame | None, nobody: str) -> pd.Series:
    owner = customers["owner"]
    if followups is not None and len(followups):
        # Undated follow-ups first: the latest is the latest dated one when there is one.
        latest = (
            followups.dropna(subset=["by"])
            .sort_values("at", na_position="first", kind="stable")
            .groupby("customer_id")["by"]
            .last()
        )
        owner = owner.where(owner.notna(), customers["customer_id"].map(latest))
    return owner.fillna(nobody)


def _open_customers(
    customers: pd.DataFrame, followups: pd.DataFrame | None, config: ReportConfig, nobody: str
) -> pd.DataFrame:
    """The customers not lost, each with the person whose agenda it is on."""
    lost = customers["stage"].isin(list(config.lost)).to_numpy(dtype=bool)
    return customers[~lost].assign(owner=_owners(customers, followups, nobody)[~lost])


def _followup_items(
    people: pd.DataFrame,
    followups: pd.DataFrame | None,
    config: ReportConfig,
    words: dict[str, str],
) -> pd.DataFrame:
    anchor = _dates(people["created_at"])
    if followups is not None and len(followups):
        last = followups.groupby("customer_id")["at"].max()
        seen = _dates(people["customer_id"].map(last))
        anchor = seen.where(seen.notna(), anchor)
    every = people["intent"].map(config.cadence_days)
    cadence = anchor + pd.to_timedelta(every, unit="D")
    planned = _dates(people["next_followup"])
    use_cadence = cadence.notna() & (planned.isna() | (cadence < planned))
    due = planned.where(~use_cadence, cadence)
    what = pd.Series(
        [
            words["cadence"].format(intent=i, every=int(e), last=f"{a:%Y-%m-%d}")
            if c
            else (words["next"].format(date=f"{d:%Y-%m-%d}") if d == d else "")
            for i, e, a, c, d in zip(
                people["intent"], every.fillna(0), anchor, use_cadence, planned, strict=True
            )
        ],
        index=people.index,
        dtype=object,
    )
    rows = {
        "owner": people["owner"], "department": "", "kind": "followup",
        "due": due, "customer_id": people["customer_id"], "customer": people["name"],
        "phone": people["phone"], "priority": None, "what": what,
    }  # fmt: skip
    frame = _frame(rows, people.index)
    return frame[frame["due"].notna()]


def _stage_items(
    people: pd.DataFrame,
    followups: pd.DataFrame | None,
    config: ReportConfig,
    words: dict[str, str],
    as_of: date,
) -> pd.DataFrame:
    """阶段超时: customers whose stage has had no activity (a follow-up, else an edit or the
    creation) for longer than `stall_days` of that stage; due the day the limit ran out."""
    limit = people["stage"].astype(object).map(config.stall_days).astype(float)
    last = pd.concat([_dates(people["updated_at"]), _dates(people["created_at"])], axis=1).max(
        axis=1
    )
    if followups is not None and len(followups):
        seen = _dates(people["customer_id"].map(followups.groupby("customer_id")["at"].max()))
        last = seen.where(seen.notna(), last)
    idle = (pd.Timestamp(as_of) - last).dt.total_seconds() / 86400
    stalled = (limit.notna() & (idle > limit)).to_numpy(dtype=bool)
    chosen, limit, last, idle = people[stalled], limit[stalled], last[stalled], idle[stalled]
    rows = {
        "owner": chosen["owner"], "department": "", "kind": "stage",
        "due": last + pd.to_timedelta(limit, unit="D"), "customer_id": chosen["customer_id"],
        "customer": chosen["name"], "phone": chosen["phone"], "priority": None,
        "what": [words["stalled"].format(stage=s, n=int(n), limit=int(k))
                 for s, n, k in zip(chosen["stage"], idle, limit, strict=True)],
    }  # fmt: skip
    return _frame(rows, chosen.index)


def _renewal_items(people: pd.DataFrame, words: dict[str, str]) -> pd.DataFrame:
    ends = _dates(people["contract_end"])
    chosen = ends.notna().to_numpy(dtype=bool)
    ending, ends = people[chosen], ends[chosen]
    rows = {
        "owner": ending["owner"], "department": "", "kind": "renewal",
        "due": ends, "customer_id": ending["customer_id"], "customer": ending["name"],
        "phone": ending["phone"], "priority": None,
        "what": [words["contract"].format(date=f"{d:%Y-%m-%d}") for d in ends],
    }  # fmt: skip
    return _frame(rows, ending.index)


def _task_items(tasks: pd.DataFrame, customers: pd.DataFrame | None, nobody: str) -> pd.DataFrame:
    open_ = tasks[(tasks["status"] != DONE).fillna(True).to_numpy(dtype=bool)]
    split = [split_assignee(v) for v in open_["assignee"]]
    name = open_["customer_name"]
    if customers is not None:
        names = customers.drop_duplicates("customer_id").set_index("customer_id")["name"]
        name = name.where(name.notna(), open_["customer_id"].map(names))
    rows = {
        "owner": [p or nobody for _, p in split], "department": [d for d, _ in split],
        "kind": "task", "due": _dates(open_["due"]), "customer_id": open_["customer_id"],
        "customer": name, "phone": None, "priority": open_["priority"],
        "what": [" ".join(str(v) for v in (t, c) if v == v and v is not None)
                 for t, c in zip(open_["task_id"], open_["content"], strict=True)],
    }  # fmt: skip
    frame = _frame(rows, open_.index)
    return frame[frame["due"].notna()]


def build_agenda(
    customers: pd.DataFrame | None,
    followups: pd.DataFrame | None,
    tasks: pd.DataFrame | None,
    *,
    as_of: date,
    days: int,
    config: ReportConfig,
    due: DueConfig,
    sources: dict[str, str] | None = None,
    show_phones: bool = False,
    lang: str = "zh",
    priorities: Sequence[str] = (),
) -> Agenda:
    """Every item due by the end of the plan window, from canonical frames (any may be None).

    Only what is on record by the end of `as_of` counts (`on_record`): customers created,
    follow-ups made and tasks created after it are left out; undated rows stay. `sources`
    names the file each kind of table came from ("customers", "tasks"), for the file and row
    of each item. `priorities`: the task priorities, most urgent first (default: those of the
    tasks spec, 紧急 重要 一般), which order tasks due on one day.
    """
    words = words_of(lang, "due_")
    sources = sources or {}
    customers = on_record(customers, "created_at", as_of)
    followups = on_record(followups, "at", as_of)
    tasks = on_record(tasks, "created_at", as_of)
    parts: list[pd.DataFrame] = []
    if customers is not None:
        people = _open_customers(customers, followups, config, words["unassigned"])
        for frame in (
            _followup_items(people, followups, config, words),
            _renewal_items(people, words),
            _stage_items(people, followups, config, words, as_of),
        ):
            parts.append(_placed(frame, customers, sources.get("customers", "")))
    if tasks is not None:
        frame = _task_items(tasks, customers, words["unassigned"])
        parts.append(_placed(frame, tasks, sources.get("tasks", "")))
    parts = [p for p in parts if len(p)]
    if not parts:
        return Agenda(as_of, days)
    items = pd.concat(parts, ignore_index=True)
    today = pd.Timestamp(as_of)
    items["days"] = ((items["due"] - today) / pd.Timedelta(days=1)).astype(int)
    lead = items["kind"].map(due.lead_days).fillna(0).astype(int)
    window = np.maximum(lead.to_numpy(), days)
    items = items[(items["days"] <= window).to_numpy()].copy()
    items["group"] = np.select(
        [items["days"] < 0, items["days"] == 0], ["overdue", "today"], "planned"
    )
    if not show_phones:
        items["phone"] = items["phone"].map(mask_phone, na_action="ignore")
    rank = {p: r for r, p in enumerate(priorities or builtin_spec("tasks").options_of("priority"))}
    items["priority_rank"] = items["priority"].map(rank).fillna(len(rank))
    items["group_rank"] = items["group"].map({g: i for i, g in enumerate(GROUPS)})
    items = items.sort_values(["owner", "group_rank", "days", "priority_rank", "customer_id"])
    return Agenda(as_of, days, items[ITEM_COLUMNS].reset_index(drop=True))


def _placed(items: pd.DataFrame, source: pd.DataFrame, file: str) -> pd.DataFrame:
    """Items with the file, sheet and row (as the spreadsheet shows it) of their source rows."""
    sheets, rows = places_of(source.loc[items.index])
    return items.assign(file=file, sheet=sheets, row=rows)


def render_text(agenda: Agenda, lang: str = "zh") -> str:
    """The agenda as plain text for a terminal or a cron mail: one block per person."""
    words = words_of(lang, "due_")
    lines = [f"{words['agenda']} · {words['as_of']} {agenda.as_of:%Y-%m-%d}"]
    if not len(agenda.items):
        return "\n".join([*lines, "", words["nothing"]])
    for owner, mine in agenda.items.groupby("owner", sort=False):
        counts = " · ".join(f"{words[g]} {int((mine['group'] == g).sum())}" for g in GROUPS)
        lines += ["", f"{owner} — {counts}"]
        for group in GROUPS:
            chosen = mine[mine["group"] == group]
            if not len(chosen):
                continue
            lines.append(f"  {words[group]}")
            for item in chosen.itertuples(index=False):
                lines.append("    " + _line(item, words))
    return "\n".join(lines)


def _line(item: Any, words: dict[str, str]) -> str:
    if item.days < 0:
        when = words["late"].format(n=-item.days)
    elif item.days == 0:
        when = words["now"]
    else:
        when = words["ahead"].format(n=item.days)
    who = " ".join(
        str(v) for v in (item.customer_id, item.customer, item.phone) if v is not None and v == v
    )
    kind = words[item.kind] + (f"({item.priority})" if isinstance(item.priority, str) else "")
    return "  ".join(part for part in (f"{item.due:%Y-%m-%d}", when, kind, who, item.what) if part)


_SUFFIXES = {"text": ".txt", "json": ".json", "csv": ".csv"}


def render_agenda(agenda: Agenda, format: str = "text", lang: str = "zh") -> bytes:
    """The agenda as the bytes of a file or of stdout: `render_text`, the JSON of `to_dict`, or
    CSV of the item columns (UTF-8, no BOM). Raises UsageError for any other format."""
    if format == "json":
        text = json.dumps(agenda.to_dict(), ensure_ascii=False, indent=2) + "\n"
        return text.encode("utf-8")
    if format == "csv":  # the writer shows a midnight date as 2024-03-20
        return frame_to_csv_bytes(agenda.items, bom=False)
    if format == "text":
        return (render_text(agenda, lang) + "\n").encode("utf-8")
    raise UsageError(f"an agenda is written as text, json or csv, not {format!r}")


@dataclass
class AgendaFiles:
    """What `write_agendas` did in its folder: the files written, and the earlier agendas removed."""

    folder: Path
    written: list[Path]
    removed: list[Path]


def write_agendas(
    agenda: Agenda,
    folder: str | Path,
    *,
    format: str = "text",
    lang: str = "zh",
    inputs: Iterable[str | Path | None] = (),
) -> AgendaFiles:
    """Write each person's agenda into `folder` (created when missing) as `<person>.txt`
    (.json, .csv by `format`), each file atomically, then remove the agenda files an earlier
    run wrote for people with nothing due now: each run owns its folder's agendas. A file that
    is not an agenda (`_is_agenda`) is never touched, nor is any input.

    Returns the files written and removed. Raises OutputError when the folder cannot be
    created, a file cannot be written (or is an input) or an earlier agenda cannot be removed;
    UsageError for an unknown format.
    """
    folder = Path(folder)
    if format not in _SUFFIXES:
        raise UsageError(f"an agenda is written as text, json or csv, not {format!r}")
    make_folder(folder)
    agendas = agenda.per_owner()
    inputs = list(inputs)
    written = [
        write_bytes(
            render_agenda(agendas[owner], format, lang),
            folder / f"{stem}{_SUFFIXES[format]}",
            inputs=inputs,
        )
        for owner, stem in _file_names(list(agendas)).items()
    ]
    removed = [p for p in _stale_agendas(folder, written) if not is_input(p, inputs)]
    for path in removed:  # yesterday's agenda of someone with nothing due today
        try:
            path.unlink()
        except OSError as exc:
            raise OutputError(
                f"{path}: cannot remove this earlier agenda ({exc.strerror or exc})"
            ) from None
    return AgendaFiles(folder, written, removed)


def _is_agenda(path: Path) -> bool:
    """True for a file `write_agendas` writes: text headed 待办 · 截至 …, the JSON of
    `Agenda.to_dict`, or CSV headed by the item columns. Nothing else in the folder is touched."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
    if path.suffix == ".txt":
        return any(
            first.startswith(f"{w['agenda']} · {w['as_of']} ")
            for w in (words_of(lang, "due_") for lang in LANGS)
        )
    if path.suffix == ".csv":
        return first == ",".join(ITEM_COLUMNS)
    if path.suffix == ".json":
        return head.startswith("{") and all(f'"{k}"' in head for k in ("as_of", "days", "counts"))
    return False


def _stale_agendas(folder: Path, written: Iterable[Path]) -> list[Path]:
    """The agenda files in `folder` an earlier run wrote and this one did not (people with
    nothing due today, any format)."""
    keep = {p.resolve() for p in written}
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in _SUFFIXES.values()
        and p.is_file()
        and p.resolve() not in keep
        and _is_agenda(p)
    )


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _file_names(owners: list[str]) -> dict[str, str]:
    """A distinct file name (no suffix) per person: characters no file system accepts become _,
    and names that meet that way are numbered (刘*, 刘? → 刘_, 刘_-2)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for owner in owners:
        base = (_UNSAFE.sub("_", owner).strip(" .") or "_")[:100]
        name, number = base, 1
        while name.casefold() in used:
            number += 1
            name = f"{base}-{number}"
        used.add(name.casefold())
        names[owner] = name
    return names
