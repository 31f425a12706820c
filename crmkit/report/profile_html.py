"""Lay out the customer profile as one self-contained HTML page (the report template: inline
CSS and SVG bars, printable)."""

from __future__ import annotations

from crmkit.report.html import _chart, _list_section, _page, _section
from crmkit.report.labels import format_change, format_value, label
from crmkit.report.profile import FEEDBACK_CATEGORY, NEED_CATEGORY, ProfileData

_BARS = 20  # the key customers drawn as bars (all of them are in the table)


def render_profile_html(data: ProfileData, *, lang: str = "zh", list_limit: int = 1000) -> str:
    """The profile page as a string; lists show at most `list_limit` rows."""
    segments = data.segment_view()
    sections = [
        _section(
            label(lang, "segments"), segments, lang, _chart(lang, segments, "segment", "customers")
        )
    ]
    count = len(data.key_customers)
    keys = data.pareto_view(min(count, list_limit)).drop(columns="key_customer")
    more = count - len(keys)
    note = f"… {more} {label(lang, 'more_rows')}" if more > 0 else ""
    chart = _chart(lang, keys.head(_BARS), "name", "monetary")
    title = label(lang, "key_title").format(k=count)
    sections.append(_section(title, keys, lang, chart, note))
    by_owner = data.risk_by_owner
    # bars of high + medium, the high part inside: the inner bar never outgrows its bar
    at_risk = by_owner.assign(at_risk=by_owner["high"] + by_owner["medium"])
    chart = _chart(lang, at_risk, "owner", "at_risk", "high")
    sections.append(_section(label(lang, "churn_by_owner"), by_owner, lang, chart))
    sections.append(_list_section(label(lang, "churn"), data.risk, lang, list_limit))
    for category in (NEED_CATEGORY, FEEDBACK_CATEGORY):
        frame = data.hotspot_view(category)
        chart = _chart(lang, frame, "topic", "mentions", "mentions_previous")
        sections.append(_section(f"{label(lang, 'hotspots')} · {category}", frame, lang, chart))
    customers = data.customer_view(lang, list_limit)
    more = len(data.customers) - list_limit
    note = f"… {more} {label(lang, 'more_rows')}" if more > 0 else ""
    sections.append(_section(label(lang, "rfm"), customers, lang, note=note))
    headline = [
        {
            "label": label(lang, f"h_{h.key}"),
            "value": format_value(h.key, h.value),
            "previous": None if h.previous is None else format_value(h.key, h.previous),
            "change": format_change(h.key, h.value, h.previous, lang),
        }
        for h in data.headline
    ]
    period = f"{data.period.since:%Y-%m-%d} {label(lang, 'to')} {data.period.until:%Y-%m-%d}"
    meta = f"{period} · {label(lang, f'basis_{data.basis}')}"
    return _page(
        lang, "profile_title", meta, data.as_of, headline, sections, data.definitions(lang)
    )
