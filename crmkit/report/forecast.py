"""The forecast report: sales targets against the won amount and the weighted pipeline.

Definitions (README, "report forecast"): the period is the month, quarter or year containing
the day of the report. Open customers are those neither won (pipeline.won) nor lost
(pipeline.lost), created by that day; weighted pipeline = Σ 预计成交金额 × the probability of
the stage ([pipeline.probability]; a stage not listed, or none, weighs 0). Won = the orders'
成交金额 dated in the period up to the day when an orders table is given, else the 预计成交金额
of won customers whose 更新时间 falls there. Per owner: gap = target − won (0 once reached);
coverage = weighted pipeline ÷ gap; expected finish = (won + weighted pipeline) ÷ target; run
rate = won ÷ the elapsed share of the period (what the period ends at if the pace holds).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmkit.findings import Finding
from crmkit.frames.columns import normalize_column
from crmkit.frames.keys import duplicate_key_findings, shared_keys
from crmkit.frames.period import Period, on_record
from crmkit.frames.records import records
from crmkit.io.table import Table
from crmkit.report import write_by_suffix
from crmkit.report.metrics import BLANK
from crmkit.report.notes import Note, row_findings
from crmkit.spec.config import ForecastConfig, ReportConfig
from crmkit.text.period import PERIOD_KINDS, PeriodKind, period_bounds, period_containing

TARGET_FIELDS = ("owner", "period", "target_amount", "target_deals")
OWNER_COLUMNS = ["owner", "target", "won_amount", "attainment", "gap", "pipeline",
                 "weighted_pipeline", "coverage", "expected_amount", "expected_finish", "run_rate",
                 "target_deals", "won_deals", "open_customers"]  # fmt: skip
STAGE_COLUMNS = ["stage", "customers", "pipeline", "probability", "weighted_pipeline"]
LIST_COLUMNS = ["customer_id", "name", "owner", "stage", "amount", "sheet", "row"]


@dataclass
class ForecastData:
    """The computed forecast of one run: per owner, per stage, the lists and the findings."""

    as_of: date
    period: Period
    period_name: str  # the canonical period: 2024-09, 2024Q3 or 2024
    basis: str  # "orders" or "customers": where the won amount comes from
    elapsed: float  # the share of the period's days up to and including as_of
    owners: pd.DataFrame
    stages: pd.DataFrame
    total: dict[str, Any]
    owners_without_customers: list[str] = field(default_factory=list)
    customers_without_target: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # in English: JSON and the terminal
    note_items: list[Note] = field(default_factory=list)  # the notes, for any language
    probability: dict[str, float] = field(default_factory=dict)
    won_stage: str = "成交"
    lost: tuple[str, ...] = ("关闭",)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract of `report forecast --format json`."""
        owners = [_owner_record(r) for r in records(self.owners)]
        return {
            "as_of": self.as_of.isoformat(),
            "period": {
                "name": self.period_name,
                "since": self.period.since.isoformat(),
                "until": self.period.until.isoformat(),
                "elapsed": self.elapsed,
            },
            "basis": self.basis,
            "owners": owners,
            "total": _owner_record(dict(self.total)),
            "stages": records(self.stages),
            "owners_without_customers": list(self.owners_without_customers),
            "customers_without_target": records(self.customers_without_target),
            "findings": [f.as_dict() for f in self.findings],
            "notes": list(self.notes),
        }

    def note_texts(self, lang: str) -> list[str]:
        """The notes on rows left out, in the reader's language."""
        return [n.text(lang) for n in self.note_items]


def _owner_record(row: dict[str, Any]) -> dict[str, Any]:
    """An owner row as JSON: `won` is the won amount; the empty owner is null."""
    out = {("won" if k == "won_amount" else k): v for k, v in row.items()}
    if out.get("owner") == BLANK:
        out["owner"] = None
    return out


def targets_from_table(table: Table) -> tuple[pd.DataFrame, list[Finding]]:
    """Read a target table (read with the targets spec): the usable targets (owner, period,
    target_amount, target_deals, sheet, row) and a Finding for every row left out (no owner,
    an unreadable period, an amount missing, unreadable or not above 0, an owner+period given
    again: the first counts)."""
    assert table.spec is not None
    native = table.format == "csv"
    columns = {
        name: normalize_column(table.column(name), table.spec.field(name), text_is_native=native)
        for name in TARGET_FIELDS
        if table.has(name)
    }
    findings: list[Finding] = []
    for name in ("owner", "period", "target_amount"):
        if name not in columns:
            header = table.spec.field(name).header("zh")
            findings.append(
                Finding(table.name, table.sheet, table.header_row, header, name, "", "error",
                        "missing_column", f"required column {header} is missing")
            )  # fmt: skip
    if findings:
        return pd.DataFrame(columns=[*TARGET_FIELDS, "sheet", "row"]), findings
    index = table.data.index
    bad = np.zeros(len(index), dtype=bool)

    def flag(name: str, mask: np.ndarray, rule: str, message: str) -> None:
        header = table.header_of(name)
        raw = table.column(name)
        for position in np.flatnonzero(mask & ~bad).tolist():
            value = raw.iloc[position]
            text = "" if value is None or value != value else str(value)
            findings.append(
                Finding(table.name, table.sheet, int(index[position]), header, name, text,
                        "error", rule, message.format(header=header, value=text))
            )  # fmt: skip
        bad[:] |= mask

    for name in ("owner", "period", "target_amount"):
        flag(
            name,
            columns[name].mask("empty").to_numpy(),
            "required",
            "{header} is required but empty",
        )
    flag("period", columns["period"].mask("invalid").to_numpy(), "period",
         "{value} is not a period: write a month 2024-09, a quarter 2024Q3 or a year 2024")  # fmt: skip
    amounts = pd.to_numeric(columns["target_amount"].values, errors="coerce").to_numpy(dtype=float)
    flag("target_amount", columns["target_amount"].mask("invalid").to_numpy(), "number",
         "{value} is not a number")  # fmt: skip
    flag("target_amount", amounts <= 0, "above", "{header} must be more than 0, not {value}")
    if "target_deals" in columns:
        header = table.header_of("target_deals")
        column = columns["target_deals"]
        for row in column.values.index[column.mask("invalid").to_numpy() & ~bad]:
            value = str(table.column("target_deals")[row])
            findings.append(
                Finding(table.name, table.sheet, int(row), header, "target_deals", value,
                        "warning", "number", f"{value} is not a number; the target counts without {header}")
            )  # fmt: skip
    good = {name: column.values[~bad] for name, column in columns.items()}
    key = {name: columns[name].values for name in ("owner", "period")}
    later = {row for row, rows in shared_keys(key).items() if row != rows[0]}
    for finding in duplicate_key_findings(table, ("owner", "period"), columns):
        if finding.row in later and not bad[index.get_loc(finding.row)]:
            message = finding.message + "; the first row counts"
            cell = table.column(finding.field)[finding.row]  # the 期间 cell as written
            findings.append(Finding(**{**finding.as_dict(), "message": message,
                                       "value": "" if cell is None else str(cell)}))  # fmt: skip
    keep = ~bad & ~np.isin(index.to_numpy(), list(later))
    frame = pd.DataFrame({name: good[name] for name in good}, index=index[~bad]).loc[index[keep]]
    if "target_deals" not in frame:
        frame["target_deals"] = np.nan
    frame["target_amount"] = pd.to_numeric(frame["target_amount"]).astype(float)
    frame["target_deals"] = pd.to_numeric(frame["target_deals"], errors="coerce").astype(float)
    sheets, rows = table.places(frame.index)
    frame["sheet"], frame["row"] = sheets, rows
    located = []
    for finding in findings:
        if finding.row is not None and table.parts:
            sheet, row = table.place(finding.row)
            finding = Finding(**{**finding.as_dict(), "sheet": sheet, "row": row})
        located.append(finding)
    located.sort(key=lambda f: (f.sheet or "", f.row or 0))
    return frame.reset_index(drop=True), located


def compute_forecast(
    customers: pd.DataFrame,
    targets: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    config: ReportConfig | None = None,
    forecast: ForecastConfig | None = None,
    as_of: date,
    period: PeriodKind = "month",
) -> ForecastData:
    """Attainment and the weighted pipeline per owner for the period of `period` that holds
    `as_of`, from canonical frames: customers (frames.canonical.FIELDS["customers"]), targets
    (`targets_from_table`) and, if given, orders (customer_id, customer_name, owner, date, amount).
    """
    if period not in PERIOD_KINDS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_KINDS)}, not {period!r}")
    config = config or ReportConfig()
    chances = (forecast or ForecastConfig()).probability
    name = period_containing(as_of, period)
    since, until = period_bounds(name)
    elapsed = ((as_of - since).days + 1) / ((until - since).days + 1)
    notes: list[Note] = []
    findings: list[Finding] = []
    people = on_record(customers, "created_at", as_of)
    assert people is not None
    owner = people["owner"].astype(object).where(people["owner"].notna(), BLANK)
    stage = people["stage"].astype(object)
    won = (stage == config.won).to_numpy(dtype=bool)
    lost = stage.isin(list(config.lost)).to_numpy(dtype=bool)
    open_ = ~won & ~lost
    amount = people["amount"].astype(float)
    chance = stage.map(chances).astype(float).fillna(0.0)
    below = open_ & (amount < 0).to_numpy(dtype=bool)
    if below.any():  # the customers spec says ≥ 0: validate refuses them, so does the sum
        notes.append(Note("pipeline_below_zero", {"n": int(below.sum())}))
        findings += row_findings(people, below, "amount", "pipeline_amount_below_zero",
                                 "预计成交金额 below 0: the customer is left out of the pipeline")  # fmt: skip
        open_ = open_ & ~below
    pipeline = pd.DataFrame(
        {
            "owner": owner[open_],
            "stage": stage[open_].where(stage[open_].notna(), BLANK),
            "amount": amount[open_].fillna(0.0),
            "weighted": (amount[open_].fillna(0.0) * chance[open_]),
        }
    )
    unpriced = int(amount[open_].isna().sum())
    if unpriced:
        notes.append(Note("unpriced", {"n": unpriced}))
    start, end = pd.Timestamp(since), pd.Timestamp(as_of) + pd.Timedelta(days=1)
    if orders is not None:
        basis = "orders"
        # an order names its customer's owner whenever that customer was created
        everyone = customers["owner"].astype(object).where(customers["owner"].notna(), BLANK)
        deals = _orders_in(orders, customers, everyone, start, end, notes, findings)
    else:
        basis = "customers"
        moment = people["updated_at"]
        inside = won & ((moment >= start) & (moment < end)).fillna(False).to_numpy(dtype=bool)
        undated = won & moment.isna().to_numpy()
        if undated.any():
            notes.append(Note("won_undated", {"n": int(undated.sum())}))
            findings += row_findings(people, undated, "updated_at", "won_undated",
                                     "a won customer without 更新时间: not counted as won")  # fmt: skip
        deals = pd.DataFrame({"owner": owner[inside], "amount": amount[inside]})
    missing = int(deals["amount"].isna().sum())
    if missing:
        key = "orders_no_amount_zero" if orders is not None else "won_no_amount_zero"
        notes.append(Note(key, {"n": missing}))
    targets_now = targets[targets["period"] == name]
    if not len(targets_now) and len(targets):
        kinds = sorted(set(targets["period"]))
        named = ", ".join(kinds[:6]) + (" …" if len(kinds) > 6 else "")
        notes.append(Note("no_target", {"period": name, "kinds": named}))
    owners = _owner_table(targets_now, pipeline, deals, elapsed)
    total = _total(owners, elapsed)
    stages = _stage_table(pipeline, config, chances)
    with_customers = set(owner)
    targeted = set(targets_now["owner"])
    without = [o for o in targets_now["owner"] if o not in with_customers]
    listed = (open_ | won) & ~owner.isin(targeted).to_numpy(dtype=bool)
    chosen = people[listed]
    listing = pd.DataFrame(
        {
            "customer_id": chosen["customer_id"],
            "name": chosen["name"],
            "owner": owner[listed],
            "stage": chosen["stage"],
            "amount": chosen["amount"],
            "sheet": chosen.get("sheet"),
            "row": chosen.get("row", chosen.index),
        },
        columns=LIST_COLUMNS,
    ).sort_values(["owner", "amount"], ascending=[True, False], na_position="last")
    return ForecastData(
        as_of=as_of,
        period=Period(since, until),
        period_name=name,
        basis=basis,
        elapsed=elapsed,
        owners=owners,
        stages=stages,
        total=total,
        owners_without_customers=without,
        customers_without_target=listing.reset_index(drop=True),
        notes=[n.text("en") for n in notes],
        note_items=notes,
        findings=findings,
        probability=dict(chances),
        won_stage=config.won,
        lost=config.lost,
    )


def _orders_in(
    orders: pd.DataFrame,
    people: pd.DataFrame,
    owner: pd.Series,
    start: pd.Timestamp,
    end: pd.Timestamp,
    notes: list[Note],
    findings: list[Finding],
) -> pd.DataFrame:
    """The orders dated in [start, end) with their owner: the order's own 负责人, else the
    owner of its customer (by 客户编号, else 客户名称)."""
    negative = (orders["amount"] < 0).fillna(False).to_numpy(dtype=bool)
    if negative.any():  # the orders spec says ≥ 0: validate refuses them, so does the sum
        notes.append(Note("orders_below_zero", {"n": int(negative.sum())}))
        findings += row_findings(orders, negative, "amount", "order_amount_unusable",
                                 "成交金额 below 0: the order is left out")  # fmt: skip
        orders = orders[~negative]
    moment = orders["date"]
    undated = moment.isna().to_numpy()
    if undated.any():
        notes.append(Note("orders_undated_forecast", {"n": int(undated.sum())}))
        findings += row_findings(orders, undated, "date", "order_undated",
                                 "no 成交日期 (empty or not a date): the order is left out")  # fmt: skip
    inside = orders[((moment >= start) & (moment < end)).fillna(False).to_numpy(dtype=bool)]
    findings += row_findings(inside, inside["amount"].isna().to_numpy(), "amount",
                             "order_amount_missing",
                             "no 成交金额 (empty or not a number): the order counts as a deal of 0")  # fmt: skip
    by_id = pd.Series(owner.to_numpy(), index=people["customer_id"].to_numpy())
    by_id = by_id[~by_id.index.duplicated()]
    # A 客户名称 that customers of different owners share names none of them (give a 客户编号).
    named = pd.DataFrame({"name": people["name"].to_numpy(), "owner": owner.to_numpy()})
    named = named.dropna(subset=["name"]).drop_duplicates()
    clash = named["name"].duplicated(keep=False).to_numpy()
    by_name = pd.Series(named["owner"].to_numpy()[~clash], index=named["name"].to_numpy()[~clash])
    shared = set(named["name"].to_numpy()[clash])
    found = pd.Series(np.nan, index=inside.index, dtype=object)
    if "owner" in inside:
        found = inside["owner"].astype(object)
    if "customer_id" in inside:
        found = found.where(found.notna(), inside["customer_id"].map(by_id))
    shared_name = np.zeros(len(inside), dtype=bool)
    if "customer_name" in inside:
        shared_name = (found.isna() & inside["customer_name"].isin(shared)).to_numpy(dtype=bool)
        found = found.where(found.notna() | shared_name, inside["customer_name"].map(by_name))
    if shared_name.any():
        notes.append(Note("orders_shared_name_forecast", {"n": int(shared_name.sum())}))
    unknown = int(found.isna().sum()) - int(shared_name.sum())
    if unknown:
        notes.append(Note("orders_unknown_forecast", {"n": unknown}))
    return pd.DataFrame({"owner": found.where(found.notna(), BLANK), "amount": inside["amount"]})


def _ratio(top: pd.Series, bottom: pd.Series) -> pd.Series:
    """top ÷ bottom where bottom is above 0, else missing."""
    return (top / bottom.where(bottom > 0)).astype(float)


def _owner_table(
    targets: pd.DataFrame, pipeline: pd.DataFrame, deals: pd.DataFrame, elapsed: float
) -> pd.DataFrame:
    goal = targets.groupby("owner", sort=False)[["target_amount", "target_deals"]].sum(min_count=1)
    open_by = pipeline.groupby("owner", sort=False).agg(
        pipeline=("amount", "sum"), weighted_pipeline=("weighted", "sum"), open_customers=("amount", "size")
    )  # fmt: skip
    won_by = deals.groupby("owner", sort=False).agg(
        won_amount=("amount", "sum"), won_deals=("amount", "size")
    )
    order = list(goal.index) + sorted(
        (set(open_by.index) | set(won_by.index)) - set(goal.index), key=lambda o: (o == BLANK, o)
    )
    frame = pd.DataFrame(index=pd.Index(order, name="owner"))
    frame["target"] = goal["target_amount"]
    frame["target_deals"] = goal["target_deals"]
    frame = frame.join(open_by).join(won_by)
    for column in ("pipeline", "weighted_pipeline", "won_amount"):
        frame[column] = frame[column].fillna(0.0).astype(float)
    for column in ("won_deals", "open_customers"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame = frame.reset_index()
    return _derive(frame, elapsed)[OWNER_COLUMNS]


def _derive(frame: pd.DataFrame, elapsed: float) -> pd.DataFrame:
    """Attainment, gap, coverage, expected amount and finish, run rate from the sums."""
    target = frame["target"].astype(float)
    frame["attainment"] = _ratio(frame["won_amount"], target)
    frame["gap"] = (target - frame["won_amount"]).clip(lower=0.0)
    frame["coverage"] = _ratio(frame["weighted_pipeline"], frame["gap"])
    frame["expected_amount"] = frame["won_amount"] + frame["weighted_pipeline"]
    frame["expected_finish"] = _ratio(frame["expected_amount"], target)
    frame["run_rate"] = frame["won_amount"] / elapsed
    return frame


def _total(owners: pd.DataFrame, elapsed: float) -> dict[str, Any]:
    # the total is that of the owners with a target: won amounts and pipelines of owners
    # without one (listed in their own rows) would make the attainment mean nothing
    owners = owners[owners["target"].notna()]
    sums = {
        "owner": "total",
        "target": owners["target"].sum(min_count=1),
        "won_amount": owners["won_amount"].sum(),
        "pipeline": owners["pipeline"].sum(),
        "weighted_pipeline": owners["weighted_pipeline"].sum(),
        "target_deals": owners["target_deals"].sum(min_count=1),
        "won_deals": owners["won_deals"].sum(),
        "open_customers": owners["open_customers"].sum(),
    }
    row = _derive(pd.DataFrame([sums]), elapsed)
    # what is still missing is each owner's own gap: one owner ahead does not close another's
    row["gap"] = owners["gap"].sum(min_count=1)
    row["coverage"] = _ratio(row["weighted_pipeline"], row["gap"])
    return records(row[OWNER_COLUMNS])[0]


def _stage_table(
    pipeline: pd.DataFrame, config: ReportConfig, chances: dict[str, float]
) -> pd.DataFrame:
    grouped = pipeline.groupby("stage", sort=False).agg(
        customers=("amount", "size"), pipeline=("amount", "sum"), weighted_pipeline=("weighted", "sum")
    )  # fmt: skip
    open_stages = [s for s in config.stages if s != config.won and s not in config.lost]
    others = sorted(set(grouped.index) - set(open_stages), key=lambda s: (s == BLANK, s))
    frame = grouped.reindex(open_stages + others)
    frame["customers"] = frame["customers"].fillna(0).astype(int)
    for column in ("pipeline", "weighted_pipeline"):
        frame[column] = frame[column].fillna(0.0).astype(float)
    frame.index.name = "stage"
    frame = frame.reset_index()
    frame["probability"] = frame["stage"].map(chances).astype(float).fillna(0.0)
    return frame[STAGE_COLUMNS]


def write_forecast_report(
    data: ForecastData,
    output: str | Path,
    *,
    lang: str = "zh",
    inputs: Iterable[str | Path | None] = (),
    list_limit: int = 1000,
) -> Path:
    """Write the forecast as .xlsx, .html or .json (by suffix), atomically, creating its folder."""
    from crmkit.report.forecast_excel import build_forecast_workbook
    from crmkit.report.forecast_html import render_forecast_html

    return write_by_suffix(
        output,
        inputs,
        workbook=lambda: build_forecast_workbook(data, lang=lang, list_limit=list_limit),
        page=lambda: render_forecast_html(data, lang=lang, list_limit=list_limit),
        payload=data.to_dict,
    )


def period_span(as_of: date, period: PeriodKind) -> Period:
    """The period of a kind that holds a day (for output names: {since} {until})."""
    since, until = period_bounds(period_containing(as_of, period))
    return Period(since, until)


def forecast_frame(data: ForecastData, lang_total: str) -> pd.DataFrame:
    """The owner table with its total row last (the owner cell of that row is `lang_total`)."""
    total = pd.DataFrame([{**data.total, "owner": lang_total}], columns=OWNER_COLUMNS)
    if not len(data.owners):
        return total
    return pd.concat([data.owners, total], ignore_index=True)


def forecast_definitions(lang: str, data: ForecastData) -> list[str]:
    """The definitions behind the forecast's numbers, one sentence each, in the reader's language."""
    chances = "、".join(f"{k} {v:.0%}" for k, v in data.probability.items())
    lost = "、".join(data.lost)
    span = f"{data.period.since} – {data.period.until}"
    if lang == "zh":
        won = (
            "成交记录表中成交日期在本期（截至当日）的成交金额之和，负责人取订单的负责人，未填时取其客户的负责人"
            if data.basis == "orders"
            else f"销售阶段为「{data.won_stage}」且更新时间在本期（截至当日）的客户的预计成交金额之和"
            "（未给成交记录表，以更新时间作为成交日期）"
        )
        return [
            f"期间 {data.period_name}（{span}），截至 {data.as_of}，已过 {data.elapsed:.0%}。",
            f"已成交金额 = {won}；达成率 = 已成交金额 ÷ 目标金额；差额 = 目标金额 − 已成交金额（达成后为 0）。",
            f"在途客户：截至当日已创建、既未成交也未输单（{lost}）的客户；加权在途金额 = Σ 预计成交金额 × 阶段赢单概率"
            f"（{chances}；未列出的阶段或未填写阶段按 0 计；未填预计成交金额按 0 计）。",
            "覆盖倍数 = 加权在途金额 ÷ 差额；预计完成率 = (已成交金额 + 加权在途金额) ÷ 目标金额；"
            "按进度推算 = 已成交金额 ÷ 已过期间比例。",
            "有目标无客户的负责人、无目标负责人的客户都列出，不丢弃；合计行把有目标的各行相加（无目标负责人的成交与在途不计入合计；团队目标与个人目标会重复计入），合计差额为各负责人差额之和。",
        ]
    won = (
        "the orders' 成交金额 dated in the period up to that day; the owner is the order's 负责人, "
        "else its customer's"
        if data.basis == "orders"
        else f"the 预计成交金额 of customers in stage {data.won_stage} whose 更新时间 falls in the "
        "period up to that day (no orders table: the update time stands for the date won)"
    )
    return [
        f"Period {data.period_name} ({span}), as of {data.as_of}: {data.elapsed:.0%} elapsed.",
        f"Won = {won}; attainment = won ÷ target; gap = target − won (0 once reached).",
        f"Open customers: created by that day, neither won nor lost ({lost}); weighted pipeline = "
        f"Σ 预计成交金额 × the stage's probability ({chances}; any other stage, or none, weighs 0; "
        "a missing amount counts as 0).",
        "Coverage = weighted pipeline ÷ gap; expected finish = (won + weighted pipeline) ÷ "
        "target; run rate = won ÷ the elapsed share of the period.",
        "Owners with a target but no customers, and customers whose owner has no target, are "
        "listed, not dropped; the total adds up the rows of owners with a target (won amounts and pipelines of owners without one are not in it; a team's target and its members' count twice); its gap is the sum of the owners' gaps.",
    ]
