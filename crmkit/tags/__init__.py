"""Customer tags by one naming rule (类别-值): check them, fix them, count them.

book = load_rulebook(spec=customers_spec)
result = read_tags(table, book)      # every row: tags as written, canonical, what changed
check = check_tags(result)           # each non-canonical tag, its rows and suggestion
fixed = apply_tags(result)           # the table with canonical tags, and the changes
stats = tag_stats(result, won=...)   # counts per category and value, among won customers
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmkit.findings import Finding, Severity
from crmkit.frames.canonical import canonical_frame
from crmkit.frames.columns import normalize_column
from crmkit.frames.pipeline import won_mask
from crmkit.io.table import Table
from crmkit.spec.rulebook import Rulebook, RulebookError, load_rulebook
from crmkit.spec.tagcanon import Reading, TagReader
from crmkit.text.pii import mask_pii

if TYPE_CHECKING:
    from crmkit.spec.config import ReportConfig

__all__ = [
    "RulebookError",
    "TagCheck",
    "TagRows",
    "apply_tags",
    "check_tags",
    "load_rulebook",
    "read_tags",
    "tag_stats",
]


@dataclass
class TagRows:
    """Every row's tags: as written (None: empty), canonical (None: empty), the rules that
    changed them; the readings of each distinct cell; and per derived category, the row's
    derived tag (`derived`, None when its column is empty) and the tags its cell already had
    in that category (`own`, joined, '' when none)."""

    table: Table
    book: Rulebook
    before: pd.Series
    after: pd.Series
    rules: pd.Series
    readings: dict[str, list[Reading]]
    derived: pd.DataFrame
    own: pd.DataFrame

    @property
    def changed(self) -> pd.Series:
        """Which rows' tags change."""
        return ~((self.before == self.after) | (self.before.isna() & self.after.isna()))

    def unknown_rows(self, strict: bool = False) -> int:
        """How many rows hold a tag no rule reads, when that is an error (`strict`, or the
        rulebook's unknown = "fail"); 0 when unknown tags are allowed."""
        if not (strict or self.book.unknown == "fail"):
            return 0
        unknown = {
            cell
            for cell, readings in self.readings.items()
            if any(r.canonical is None for r in readings)
        }
        return int(self.before.isin(list(unknown)).sum())

    def won(self, pipeline: ReportConfig) -> np.ndarray:
        """Which customers are won, by the pipeline of crmkit.toml (stage, or intent)."""
        frame = canonical_frame(self.table, ["stage", "intent"]).frame
        return won_mask(frame["stage"], frame["intent"], pipeline)


def _by_distinct(series: pd.Series, convert: Any) -> np.ndarray:
    """`convert` applied to each distinct non-missing value, spread back to the rows (None for
    missing cells): a million rows hold few distinct values."""
    codes, uniques = pd.factorize(series)
    converted = np.array([convert(u) for u in uniques] + [None], dtype=object)
    return converted[codes]  # code -1 (missing) takes the last slot


def _derived(table: Table, book: Rulebook) -> pd.DataFrame:
    columns: dict[str, Any] = {}
    spec = table.spec
    for category in book.categories:
        if not category.derive or category.field_name is None or spec is None:
            continue
        if not table.has(category.field_name):
            continue
        normalized = normalize_column(
            table.column(category.field_name),
            spec.field(category.field_name),
            text_is_native=table.format == "csv",
        ).values

        def tag(
            value: Any, mapping: dict[str, str] = category.derive_map, name: str = category.name
        ) -> Any:
            target = mapping.get(value) if mapping else value
            return f"{name}{book.joiner}{target}" if target else None

        columns[category.name] = _by_distinct(normalized, tag)
    return pd.DataFrame(columns, index=table.data.index, dtype=object)


def _join(parts: list[np.ndarray], separator: str) -> np.ndarray:
    """Row by row, the non-empty parts joined by the separator ('' when all are empty)."""
    result = parts[0]
    for part in parts[1:]:
        both = (result != "") & (part != "")
        result = np.where(both, result + separator + part, np.where(result != "", result, part))
    return result


def read_tags(table: Table, book: Rulebook) -> TagRows:
    """Read every row's tags (and derived tags) into canonical form.

    Each distinct cell is read once; derived tags are then put in place column-wise, so that
    a million rows take seconds.
    """
    reader = TagReader(book)
    index = table.data.index
    if table.has("tags"):
        cells = _by_distinct(table.column("tags"), lambda v: str(v).strip() or None)
    else:
        cells = np.full(table.rows, None, dtype=object)
    derived = _derived(table, book)
    names = list(derived.columns)
    position = {c.name: i for i, c in enumerate(book.categories)}
    cuts = [position[n] for n in names]  # derived categories, in category order
    codes, distinct = pd.factorize(pd.Series(cells, dtype=object))
    size = len(distinct) + 1  # the last slot stands for an empty cell
    segments = [np.full(size, "", dtype=object) for _ in range(len(names) + 1)]
    own = [np.full(size, "", dtype=object) for _ in names]
    unknown = np.full(size, "", dtype=object)
    base_rules = np.full(size, "", dtype=object)
    readings: dict[str, list[Reading]] = {}
    for slot, cell in enumerate(distinct):
        reading = reader.read_cell(str(cell))
        readings[str(cell)] = reading.readings
        used = {r.rule for r in reading.readings if r.changed and r.canonical is not None}
        known = [t for t in reading.tags if t in reader.order]
        others = [t for t in reading.tags if t not in reader.order]
        if others and book.unknown == "drop":
            used.add("dropped")
            others = []
        pieces: list[list[str]] = [[] for _ in range(len(names) + 1)]
        mine: list[list[str]] = [[] for _ in names]
        for tag in known:
            category = reader.order[tag][0]
            if category in cuts:
                mine[cuts.index(category)].append(tag)
            else:
                pieces[sum(1 for cut in cuts if cut < category)].append(tag)
        for k, piece in enumerate(pieces):
            segments[k][slot] = book.separator.join(piece)
        for k, piece in enumerate(mine):
            own[k][slot] = book.separator.join(piece)
        unknown[slot] = book.separator.join(others)
        base_rules[slot] = ",".join(sorted(used))
    rows = np.where(codes < 0, size - 1, codes)
    parts = [segments[0][rows]]
    changed_by_derivation = np.zeros(len(rows), dtype=bool)
    own_frame: dict[str, np.ndarray] = {}
    for k, name in enumerate(names):
        target = derived[name].to_numpy(dtype=object)
        mine_rows = own[k][rows]
        own_frame[name] = mine_rows
        has_target = pd.notna(target)
        changed_by_derivation |= has_target & (mine_rows != target)
        parts += [np.where(has_target, target, mine_rows), segments[k + 1][rows]]
    parts.append(unknown[rows])
    after = _join(parts, book.separator)
    rule = base_rules[rows]
    rule = np.where(changed_by_derivation, np.where(rule != "", "derived," + rule, "derived"), rule)
    return TagRows(
        table=table,
        book=book,
        before=pd.Series(cells, index=index, dtype=object),
        after=pd.Series(after, index=index, dtype=object).mask(after == "", None),
        rules=pd.Series(rule, index=index, dtype=object),
        readings=readings,
        derived=derived,
        own=pd.DataFrame(own_frame, index=index, dtype=object),
    )


@dataclass
class TagFinding:
    """A tag not written canonically: how often, in which rows, and what it should be."""

    tag: str
    count: int = 0
    rows: list[int] = field(default_factory=list)
    suggestion: str | None = None
    rule: str = ""
    score: float | None = None
    sheets: list[str] = field(default_factory=list)  # each row's sheet, read from several

    def where(self) -> list[str]:
        """Its rows, each as sheet:row when the table was read from several sheets."""
        if self.sheets:
            return [f"{s}:{r}" for s, r in zip(self.sheets, self.rows, strict=True)]
        return [str(r) for r in self.rows]


@dataclass
class TagCheck:
    """The outcome of `tags check`: rows, rows that would change, and the findings."""

    rows: int
    changed_rows: int
    findings: list[TagFinding]
    unknown: int  # occurrences of tags no rule reads
    derived_missing: int = 0  # derived tags apply would add (行业-<所属行业> …)
    file: str = ""  # the table checked
    column: str = ""  # its tags column, as written
    unknown_fails: bool = False  # the rulebook's unknown = "fail"

    def to_findings(self, strict: bool = False) -> list[Finding]:
        """Each row of each finding as a crmkit Finding (the shape of validate's issues): a
        warning where a rule says how to write the tag or an unknown tag is allowed, an error
        for an unknown tag under `strict` or the rulebook's unknown = "fail"."""
        located = []
        for finding in self.findings:
            sheets: list[str | None] = [*finding.sheets] or [None] * len(finding.rows)
            severity: Severity = "warning"
            if finding.suggestion:
                message = f"write {finding.tag} as {finding.suggestion}"
            else:
                message = f"no rule of the rulebook reads {finding.tag}"
                if strict or self.unknown_fails:
                    severity = "error"
            located += [
                Finding(self.file, sheet, row, self.column, "tags", finding.tag, severity,
                        f"tags-{finding.rule or 'unknown'}", message)
                for sheet, row in zip(sheets, finding.rows, strict=True)
            ]  # fmt: skip
        return located

    @property
    def canonical(self) -> bool:
        """True when every tag written is canonical (derived tags still to add do not count)."""
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: rows, changed_rows, findings [{tag, count, rows, suggestion, rule, score}]."""
        return {
            "rows": self.rows,
            "changed_rows": self.changed_rows,
            "derived_missing": self.derived_missing,
            "findings": [
                {"tag": f.tag, "count": f.count, "rows": f.rows, "suggestion": f.suggestion,
                 "rule": f.rule, "score": f.score, **({"sheets": f.sheets} if f.sheets else {})}
                for f in self.findings
            ],
        }  # fmt: skip

    def findings_frame(self) -> pd.DataFrame:
        """The findings as a table: tag, count, rows (sheet:row when read from several sheets),
        suggestion, rule, score."""
        frame = pd.DataFrame(
            self.to_dict()["findings"],
            columns=["tag", "count", "rows", "suggestion", "rule", "score"],
        )
        frame["rows"] = [" ".join(f.where()) for f in self.findings]
        return frame


def check_tags(result: TagRows) -> TagCheck:
    """Each tag that is not canonical (or is missing, for derived tags), most frequent first."""
    findings: dict[tuple[str, str], TagFinding] = {}
    unknown = 0
    cells = result.before
    rows_of = pd.Series(cells.index, index=cells.index).groupby(cells.to_numpy()).agg(list)
    for cell, rows in rows_of.items():
        for reading in result.readings.get(str(cell), []):
            if not reading.changed:
                continue
            suggestion = reading.canonical or reading.suggestion
            finding = findings.setdefault(
                (reading.written, "tag"),
                TagFinding(
                    mask_pii(reading.written),  # a listing never shows an ID or card number
                    suggestion=suggestion,
                    rule=reading.rule,
                    score=reading.score,
                ),
            )
            finding.count += len(rows)
            finding.rows.extend(int(r) for r in rows)
            if reading.canonical is None:
                unknown += len(rows)
    missing = 0
    for name in result.derived.columns:
        target = result.derived[name].to_numpy(dtype=object)
        mine = result.own[name].to_numpy(dtype=object)
        has_target = pd.notna(target)
        missing += int((has_target & (mine == "")).sum())
        # A tag that contradicts its column: the column is the source of the tag.
        for position in np.flatnonzero(has_target & (mine != "") & (mine != target)):
            for tag in str(mine[position]).split(result.book.separator):
                if tag == target[position]:
                    continue
                finding = findings.setdefault(
                    (tag, "derived"),
                    TagFinding(tag, suggestion=target[position], rule="derived"),
                )
                if finding.suggestion != target[position]:
                    finding.suggestion = None  # its rows' columns hold different values
                finding.count += 1
                finding.rows.append(int(result.before.index[int(position)]))
    ordered = sorted(findings.values(), key=lambda f: (-f.count, f.tag))
    for finding in ordered:
        finding.rows.sort()
        if result.table.parts:  # rows of several sheets: each as its sheet shows it
            places = [result.table.place(row) for row in finding.rows]
            finding.sheets = [str(sheet) for sheet, _ in places]
            finding.rows = [row for _, row in places]
    column = result.table.header_of("tags") if result.table.has("tags") else ""
    return TagCheck(len(cells), int(result.changed.sum()), ordered, unknown, missing,
                    result.table.name, column, result.book.unknown == "fail")  # fmt: skip


def apply_tags(result: TagRows) -> tuple[Table, pd.DataFrame]:
    """The table with canonical tags (every other cell untouched; a 客户标签 column is added,
    as the spec places and heads it, when the table has none), and one row per change: row,
    before, after, rule."""
    table = result.table
    if not table.has("tags"):
        table = (
            table.add_field_column("tags")  # where the spec puts it, in the table's language
            if table.spec is not None
            else table.insert_column(len(table.headers), "tags", field="tags")
        )
    changed = result.changed
    data = table.data.copy()
    position = table.fields["tags"]
    data[position] = data[position].astype(object).where(~changed, result.after)
    fixed = table.with_data(data)
    rows = result.before.index[changed.to_numpy()]
    places = [table.place(row) for row in rows]
    changes = pd.DataFrame(
        {
            **({"sheet": [sheet for sheet, _ in places]} if table.parts else {}),
            "row": [row for _, row in places],
            "before": _masked(result.before[changed]),
            "after": _masked(result.after[changed]),
            "rule": result.rules[changed].to_numpy(dtype=object),
        }
    )
    return fixed, changes


def _masked(values: pd.Series) -> np.ndarray:
    """Cells for a listing: national ID and bank-card numbers masked."""
    return np.array([mask_pii(v) if isinstance(v, str) else v for v in values], dtype=object)


def tag_stats(result: TagRows, won: Iterable[bool] | pd.Series) -> pd.DataFrame:
    """Per category and value: customers with the tag and their share, and the same among won
    customers, with lift = share among won / share among all (成交客户标签共性)."""
    won_mask = np.asarray(
        list(won) if not isinstance(won, pd.Series) else won.to_numpy(), dtype=bool
    )
    book = result.book
    tags = result.after.fillna("").map(lambda t: [x for x in t.split(book.separator) if x])
    frame_in = pd.DataFrame({"tag": tags.to_numpy(), "won": won_mask})
    exploded = frame_in.explode("tag").dropna(subset=["tag"]).reset_index()
    exploded = exploded.drop_duplicates(subset=["index", "tag"])
    total = len(result.after)
    total_won = int(won_mask.sum())
    counts = exploded.groupby("tag").agg(customers=("won", "size"), won=("won", "sum"))
    order = TagReader(book).order
    rows = []
    for tag, values in counts.iterrows():
        text = str(tag)
        known = text in order
        category, _, value = text.partition(book.joiner) if known else ("(未知)", "", text)
        share = values["customers"] / total if total else 0.0
        won_share = values["won"] / total_won if total_won else 0.0
        rows.append(
            {"category": category, "value": value, "tag": text, "customers": int(values["customers"]),
             "share": round(share, 4), "won": int(values["won"]), "won_share": round(won_share, 4),
             "lift": round(won_share / share, 2) if share else None,
             "_order": order.get(text, (len(order), 0))}
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=["category", "value", "tag", "customers", "share", "won",
                                        "won_share", "lift", "_order"])  # fmt: skip
    frame = frame.sort_values(["_order", "tag"]).drop(columns="_order").reset_index(drop=True)
    return frame
