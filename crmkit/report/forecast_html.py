"""Lay out the forecast as one self-contained HTML page (inline SVG bars), through the weekly
report's page and section helpers."""

from __future__ import annotations

from typing import Any

from crmkit.report.forecast import ForecastData, forecast_definitions, forecast_frame
from crmkit.report.forecast_excel import finding_frame, headline
from crmkit.report.html import _chart, _list_section, _page, _section
from crmkit.report.labels import format_value, label


def forecast_sections(
    data: ForecastData, lang: str, list_limit: int = 1000
) -> list[dict[str, Any]]:
    """The forecast's sections: owners (target and won, weighted pipeline and gap), stages,
    the customers whose owner has no target, and the target table's problems."""
    owners = forecast_frame(data, label(lang, "total"))
    chart = _chart(lang, data.owners, "owner", "target", "won_amount")
    note = ""
    if data.owners_without_customers:
        names = "、".join(data.owners_without_customers)
        note = f"{label(lang, 'owners_without_customers')}: {names}"
    # two tables of a page's width: attainment, then the pipeline behind it
    shown = owners[["owner", "target", "won_amount", "attainment", "gap", "expected_amount",
                    "expected_finish", "run_rate"]]  # fmt: skip
    sections = [_section(label(lang, "forecast_owners"), shown, lang, chart, note)]
    chart = _chart(lang, data.owners, "owner", "weighted_pipeline", "gap")
    shown = owners[["owner", "pipeline", "weighted_pipeline", "gap", "coverage", "open_customers",
                    "target_deals", "won_deals"]]  # fmt: skip
    sections.append(_section(label(lang, "pipeline_vs_gap"), shown, lang, chart))
    chart = _chart(lang, data.stages, "stage", "pipeline", "weighted_pipeline")
    sections.append(_section(label(lang, "forecast_stages"), data.stages, lang, chart))
    sections.append(
        _list_section(
            label(lang, "customers_without_target"), data.customers_without_target, lang, list_limit
        )
    )
    if data.findings:
        sections.append(_section(label(lang, "target_findings"), finding_frame(data), lang))
    return sections


def render_forecast_html(data: ForecastData, *, lang: str = "zh", list_limit: int = 1000) -> str:
    """The forecast page as a string."""
    cards = [
        {"label": label(lang, f"h_{key}"), "value": format_value(key, value), "previous": None}
        for key, value in headline(data)
    ]
    period = f"{data.period_name} ({data.period.since:%Y-%m-%d} {label(lang, 'to')} {data.period.until:%Y-%m-%d})"
    definitions = data.note_texts(lang) + forecast_definitions(lang, data)
    sections = forecast_sections(data, lang, list_limit)
    return _page(lang, "forecast_title", period, data.as_of, cards, sections, definitions)
