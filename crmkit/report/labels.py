"""How the reports show their values: number formats, column labels, missing values."""

from __future__ import annotations

from typing import Any

# The words themselves are crmkit/text/words.py (one table for every command); re-exported here
# for the report modules.
from crmkit.text.words import LABELS as LABELS
from crmkit.text.words import label as label

BLANK = "(blank)"  # a group whose cell is empty; shown as label "blank" in the reader's language


PROFILE_PERCENT_KEYS = {"repeat_rate", "repeat_followup_rate", "cumulative_share", "amount_share"}
PROFILE_MONEY_KEYS = {"monetary", "avg_order_value", "period_amount"}
PROFILE_COUNT_KEYS = {"frequency", "recency_days", "r", "f", "m", "high", "medium", "low", "mentions",
                      "mentions_previous", "at_risk", "scored_customers", "no_orders", "key_customers",
                      "followed_customers", "no_followups",
                      "risk_high", "risk_medium", "period_orders"}  # fmt: skip

PERCENT_KEYS = {"share", "conversion", "win_rate", "complaint_share", "attainment",
                "expected_finish", "probability"} | PROFILE_PERCENT_KEYS  # fmt: skip
MONEY_KEYS = {"amount", "cost", "cost_per_customer", "cost_per_won", "pipeline_amount", "target",
              "won_amount", "gap", "pipeline", "weighted_pipeline", "expected_amount",
              "run_rate"} | PROFILE_MONEY_KEYS  # fmt: skip
COUNT_KEYS = {"current", "reached", "customers", "won", "count", "stalled", "days_idle", "row", "tasks",
              "open_tasks", "overdue_tasks", "closed", "days_overdue", "feedback", "complaints",
              "target_deals", "won_deals", "open_customers"} | PROFILE_COUNT_KEYS  # fmt: skip
NUMERIC_KEYS = PERCENT_KEYS | MONEY_KEYS | COUNT_KEYS | {
    "median_days_idle", "max_days_idle", "median_days_to_close", "satisfaction", "coverage",
    "orders_per_customer", "followups_per_customer"}  # fmt: skip


def for_reader(listing: Any) -> Any:
    """A listing as a reader sees it: without the `sheet` column when no row has a sheet (a
    CSV file has none)."""
    if "sheet" in listing and listing["sheet"].isna().all():
        return listing.drop(columns="sheet")
    return listing


def column_label(lang: str, key: str, by: str | None = None) -> str:
    """The header of a metrics column ("stage" is 阶段 here, not the report name; the "group"
    of a funnel per owner is headed 负责人)."""
    if key == "group" and by:
        return label(lang, by)
    return label(lang, "stage_col" if key == "stage" else key)


def funnel_by_title(lang: str, by: str) -> str:
    """The title of the funnel per group: 销售漏斗 · 按负责人."""
    return label(lang, "by_title").format(report=label(lang, "funnel"), by=label(lang, by))


def is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT (never shown as <NA>, nan or NaT)."""
    if value is None:
        return True
    import pandas as pd  # here, not at the top: `crmkit --help` imports no pandas (STYLE.md)

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is a value
        return False


def format_value(key: str, value: Any) -> str:
    """A number as a person reads it: 76.2%, 1,240,000, 12; missing as —."""
    if is_missing(value):
        return "—"
    if key in PERCENT_KEYS:
        return f"{float(value) * 100:.1f}%"
    if key in MONEY_KEYS:
        return f"{float(value):,.0f}"
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else f"{value:.1f}"
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    return str(value)


def cell_text(lang: str, key: str, value: Any) -> str:
    """A table cell as a reader sees it: `format_value`, the empty group in the reader's language."""
    return (
        label(lang, "blank")
        if isinstance(value, str) and value == BLANK
        else format_value(key, value)
    )


def format_change(key: str, value: Any, previous: Any, lang: str = "en") -> str:
    """The change from the previous period: +3, -1.5 pp (percentages), or — when unknown."""
    if is_missing(value) or is_missing(previous):
        return "—"
    delta = float(value) - float(previous)
    if key in PERCENT_KEYS:
        return f"{delta * 100:+.1f} {label(lang, 'pp')}"
    if key in MONEY_KEYS:
        return f"{delta:+,.0f}"
    return f"{delta:+g}"
