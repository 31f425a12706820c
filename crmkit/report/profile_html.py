"""Lay out the customer profile as one self-contained HTML page (the report template: inline
CSS and SVG bars, printable)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmkit.report.html import _chart, _list_section, _page, _section
from crmkit.report.labels import column_label, format_change, format_value, label
from crmkit.report.profile import FEEDBACK_CATEGORY, KEY_SHARE, NEED_CATEGORY, ProfileData

_BARS = 20  # the first customers by M drawn as bars (all the key customers are in the table)
# The Pareto chart's frame in SVG units: amount axis on the left, cumulative share on the right,
# customer names slanted below.
_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 720, 330, 70, 50, 14, 110


def _pareto(lang: str, shown: pd.DataFrame) -> dict[str, Any] | None:
    """The first customers by M as bars and their cumulative share of all M as a line on a
    0–100% axis, with a marker at 80% (the key-customer cut): the geometry the template draws."""
    if not len(shown):
        return None
    amounts = [float(v) for v in shown["monetary"]]
    top = max(amounts) or 1.0
    width, height = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    slot = width / len(shown)
    bottom = _TOP + height

    def share_y(share: float) -> float:
        return round(bottom - height * min(max(share, 0.0), 1.0), 1)

    bars, points = [], []
    for i, (name, amount, cumulative) in enumerate(
        zip(shown["name"], amounts, shown["cumulative_share"], strict=True)
    ):
        x = _LEFT + slot * i
        tall = height * amount / top
        text = "" if not isinstance(name, str) else name
        bars.append({
            "x": round(x + slot * 0.15, 1), "y": round(bottom - tall, 1),
            "width": round(slot * 0.7, 1), "height": round(tall, 1),
            "label": text if len(text) <= 8 else text[:7] + "…", "name": text,
            "lx": round(x + slot / 2, 1), "ly": bottom + 12,
            "title": f"{text}: {format_value('monetary', amount)} · "
                     f"{format_value('cumulative_share', cumulative)}",
        })  # fmt: skip
        points.append(f"{round(x + slot / 2, 1)},{share_y(float(cumulative))}")
    ticks = [
        {"y": share_y(f), "amount": format_value("monetary", top * f), "share": f"{f:.0%}"}
        for f in (0, 0.2, 0.4, 0.6, 0.8, 1)
    ]
    return {
        "width": _W, "height": _H, "left": _LEFT, "right": _W - _RIGHT, "top": _TOP,
        "bottom": bottom, "bars": bars, "points": " ".join(points),
        "dots": [dict(zip(("x", "y"), p.split(","), strict=True)) for p in points],
        "marker": share_y(KEY_SHARE),
        "ticks": ticks,
        "legend": [
            {"cls": "bar", "text": column_label(lang, "monetary")},
            {"cls": "line", "text": column_label(lang, "cumulative_share")},
            {"cls": "mark", "text": f"{KEY_SHARE:.0%} · {label(lang, 'key_customer')}"},
        ],
    }  # fmt: skip


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
    title = label(lang, "key_title").format(k=count)
    pareto = _section(title, keys, lang, note=note)
    pareto["pareto"] = _pareto(lang, data.pareto_view(_BARS))
    sections.append(pareto)
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
