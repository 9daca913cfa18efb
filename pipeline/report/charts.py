"""Charts as inline SVG: RAG by theme (stacked bars) and a small trend per indicator.

Hand-written SVG, no plotting library: the same numbers give the same bytes, nothing is
loaded from anywhere (no fonts, no scripts), and the charts print as crisply as text in
the PDF. Every chart carries a ``<title>`` and ``<desc>`` that say in words what it shows.
Colours come from :data:`RAG_STYLE`, the one palette of the appendix (HTML badges, charts
and spreadsheet fills); red segments are also hatched, so that red and green stay apart
in black and white and for colour-blind readers, and every segment wide enough to hold its
count is labelled (at the demo's scale, all of them).

The palette and the shared SVG primitives are :mod:`pipeline.report.chart_style`; what a
trend chart shows (the data) is :mod:`pipeline.report.trends`.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import pandas as pd

from pipeline.figures import format_gbp
from pipeline.rag import RAG_CODES, rag_code
from pipeline.report.chart_style import FONT, INK, MUTED, RAG_STYLE
from pipeline.report.chart_style import chart_figure as _label
from pipeline.report.chart_style import svg_number as _num
from pipeline.report.trends import Trend


def _solid_behind(code: str, x_centre: float, y: float, width: float, height: float) -> str:
    """A solid patch of the RAG fill behind a label drawn on a hatched (red) area, so the
    label's contrast is that of the fill (the hatch's pale stripes would fall below 4.5:1)."""
    if code != "R":
        return ""
    return (f'<rect x="{_num(x_centre - width / 2)}" y="{_num(y)}" width="{_num(width)}" '
            f'height="{_num(height)}" fill="{RAG_STYLE[code][0]}"/>')


def _hatch(pattern_id: str) -> str:
    fill, _ = RAG_STYLE["R"]
    return (f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{fill}"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-opacity="0.45" '
            'stroke-width="2"/></pattern>')


def segment_label_width(count: int) -> float:
    """The narrowest bar segment (in SVG units) that holds ``count`` as its label."""
    return 7.0 * len(str(count)) + 4.0


def describe_rag_by_theme(rows: pd.DataFrame, columns: list[str]) -> str:
    """The RAG-by-theme chart in words (its title, the PDF's alternative text), e.g.
    ``Indicator ratings by theme: Safer 12 green, 3 amber, ...; Health ...``."""
    words = []
    for theme, row in rows.iterrows():
        counts = ", ".join(f"{int(row[c])} {c.lower()}" for c in columns if int(row[c]))
        words.append(f"{theme} {counts or 'no indicators'}")
    return "Final RAG ratings by theme, number of indicators: " + "; ".join(words) + "."


def rag_by_theme_svg(summary: pd.DataFrame, chart_id: str = "rag-by-theme",
                     totals_label: str = "Totals") -> str:
    """Stacked horizontal bars: each theme's indicators by final RAG, with counts.

    Parameters
    ----------
    summary
        The Indicator Risk Summary as counts (:func:`pipeline.assess.tables.summarise_risk`):
        themes as the index (a ``Totals`` row is left out), columns named by RAG label.
    chart_id
        Prefix of the SVG's ids, unique within the page.
    totals_label
        The index label of the totals row, which is not drawn.

    Returns
    -------
    str
        An ``<svg>`` element (empty string when there is no theme to draw).
    """
    rows = summary.drop(index=[totals_label], errors="ignore")
    columns = [c for c in summary.columns if c in RAG_CODES]
    if rows.empty or not columns:
        return ""
    label_w, bar_w, total_w, row_h, bar_h, top = 190.0, 420.0, 44.0, 26.0, 18.0, 30.0
    width = label_w + bar_w + total_w
    height = top + row_h * len(rows) + 6
    largest = max(int(rows[columns].sum(axis=1).max()), 1)
    scale = bar_w / largest
    hatch = f"{chart_id}-hatch"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart rag-chart" '
             f'width="{_num(width)}" height="{_num(height)}" viewBox="0 0 {_num(width)} '
             f'{_num(height)}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
             f'font-family="{FONT}" font-size="11">',
             f'<title id="{chart_id}-title">{escape(describe_rag_by_theme(rows, columns))}'
             "</title>"]
    words = []
    for theme, row in rows.iterrows():
        counts = ", ".join(f"{int(row[c])} {c.lower()}" for c in columns)
        words.append(f"{theme}: {counts}")
    parts.append(f'<desc id="{chart_id}-desc">{escape("; ".join(words))}.</desc>')
    parts.append(f"<defs>{_hatch(hatch)}</defs>")
    x = label_w
    for column in columns:   # legend
        code = RAG_CODES[column]
        fill, text = RAG_STYLE[code]
        paint = f"url(#{hatch})" if code == "R" else fill
        short = {"N": "Not available", "T": "Target not agreed"}.get(code, column)
        parts.append(f'<rect x="{_num(x)}" y="4" width="16" height="14" fill="{paint}"/>'
                     f'{_solid_behind(code, x + 8, 6, 9, 10)}'
                     f'<text x="{_num(x + 8)}" y="15" fill="{text}" text-anchor="middle" '
                     f'font-weight="bold" font-size="10">{code}</text>'
                     f'<text x="{_num(x + 20)}" y="15" fill="{INK}">{escape(short)}</text>')
        x += 20 + 7.0 * len(short) + 14
    for number, (theme, row) in enumerate(rows.iterrows()):
        y = top + number * row_h
        parts.append(f'<text x="{_num(label_w - 8)}" y="{_num(y + bar_h - 5)}" '
                     f'text-anchor="end" fill="{INK}">{escape(str(theme))}</text>')
        x = label_w
        for column in columns:
            count = int(row[column])
            if count == 0:
                continue
            code = RAG_CODES[column]
            fill, text = RAG_STYLE[code]
            paint = f"url(#{hatch})" if code == "R" else fill
            w = count * scale
            parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
                         f'height="{_num(bar_h)}" fill="{paint}" stroke="#ffffff" '
                         'stroke-width="1"/>')
            if w >= segment_label_width(count):
                patch_w = min(7.0 * len(str(count)) + 4, w - 4)
                parts.append(_solid_behind(code, x + w / 2, y + 3, patch_w, bar_h - 6))
                parts.append(f'<text x="{_num(x + w / 2)}" y="{_num(y + bar_h - 5)}" '
                             f'text-anchor="middle" fill="{text}" font-weight="bold">'
                             f"{count}</text>")
            x += w
        total = int(row[columns].sum())
        parts.append(f'<text x="{_num(x + 6)}" y="{_num(y + bar_h - 5)}" fill="{MUTED}">'
                     f"{total}</text>")
    parts.append("</svg>")
    return "".join(parts)


def describe_trend(trend: Trend, format_value: Callable[[float], str] = _label) -> str:
    """The trend in words (the chart's title), e.g. ``baseline 2004-05 33.5; ... target 40``."""
    parts = []
    if trend.baseline is not None:
        parts.append(f"{trend.baseline[2]}: {format_value(trend.baseline[1])}")
    label = "year to date, " if trend.cumulative else ""
    parts += [f"{label}{p}: {format_value(v)}" for _, v, p in trend.actual]
    if trend.target is not None:
        parts.append(f"{trend.target[2]}: {format_value(trend.target[1])}")
    return "; ".join(parts) if trend.actual else "no value returned"


def trend_svg(trend: Trend, chart_id: str, width: float = 120.0, height: float = 38.0,
              format_value: Callable[[float], str] = _label) -> str:
    """A small trend chart: values returned (solid) against the trajectory (dashed).

    The baseline is a hollow dot, the latest value a dot in its final RAG colour with its
    letter beside it, the year's target a short bar at the right edge. Returns an empty
    string when the indicator has no value to draw.
    """
    if not trend.actual:
        return ""
    pad_x, pad_y, letter_w = 4.0, 5.0, 12.0
    everything = [v for _, v, _ in trend.actual] + [v for _, v, _ in trend.expected]
    everything += [trend.target[1]] if trend.target else []
    everything += [trend.baseline[1]] if trend.baseline else []
    low, high = min(everything), max(everything)
    if high == low:
        low, high = low - 1.0, high + 1.0
    xs = [p for p, _, _ in trend.actual] + [p for p, _, _ in trend.expected]
    xs += [trend.baseline[0]] if trend.baseline else []
    xs += [trend.target[0]] if trend.target else []
    first, last = min(xs), max(xs)
    span = max(last - first, 1)
    plot_w = width - 2 * pad_x - letter_w

    def sx(q: int) -> float:
        return pad_x + (q - first) / span * plot_w

    def sy(v: float) -> float:
        return pad_y + (high - v) / (high - low) * (height - 2 * pad_y)

    words = describe_trend(trend, format_value)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" '
             f'width="{_num(width)}" height="{_num(height)}" viewBox="0 0 {_num(width)} '
             f'{_num(height)}" role="img" aria-labelledby="{chart_id}-title" '
             f'font-family="{FONT}" font-size="9">',
             f'<title id="{chart_id}-title">{escape(trend.indicator_id)}: {escape(words)}'
             "</title>"]
    if trend.expected:
        line = " ".join(f"{_num(sx(q))},{_num(sy(v))}" for q, v, _ in trend.expected)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{MUTED}" '
                     'stroke-width="1.2" stroke-dasharray="3 2"/>')
    if trend.target is not None:
        tx, ty = sx(trend.target[0]), sy(trend.target[1])
        parts.append(f'<line x1="{_num(tx - 5)}" y1="{_num(ty)}" x2="{_num(tx + 5)}" '
                     f'y2="{_num(ty)}" stroke="{INK}" stroke-width="2"/>')
    series = ([trend.baseline] if trend.baseline else []) + list(trend.actual)
    if len(series) > 1:
        line = " ".join(f"{_num(sx(q))},{_num(sy(v))}" for q, v, _ in series)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{INK}" '
                     'stroke-width="1.5"/>')
    if trend.baseline is not None:
        parts.append(f'<circle cx="{_num(sx(trend.baseline[0]))}" '
                     f'cy="{_num(sy(trend.baseline[1]))}" r="2.2" fill="#ffffff" '
                     f'stroke="{INK}" stroke-width="1.2"/>')
    for q, v, _ in trend.actual[:-1]:
        parts.append(f'<circle cx="{_num(sx(q))}" cy="{_num(sy(v))}" r="1.8" fill="{INK}"/>')
    q, v, _ = trend.actual[-1]
    fill, text = RAG_STYLE.get(trend.rag, ("#ffffff", INK))
    parts.append(f'<circle cx="{_num(sx(q))}" cy="{_num(sy(v))}" r="3.4" fill="{fill}" '
                 f'stroke="{INK}" stroke-width="1"/>')
    if trend.rag:
        parts.append(f'<text x="{_num(width - letter_w / 2 - 1)}" y="{_num(height / 2 + 3)}" '
                     f'text-anchor="middle" font-weight="bold" fill="{INK}">'
                     f"{escape(trend.rag)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def legend_trend_svg(chart_id: str = "trend-legend") -> str:
    """The key to the trend charts, drawn with the same marks."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart trend-key" width="420" '
            f'height="16" viewBox="0 0 420 16" role="img" aria-labelledby="{chart_id}-title" '
            f'font-family="{FONT}" font-size="10">'
            f'<title id="{chart_id}-title">Key to the trend charts: a hollow dot is the '
            'baseline, a solid line the values returned, a dashed line the trajectory, a '
            'short bar the target and a coloured dot the latest value in its final RAG '
            'colour</title>'
            f'<circle cx="6" cy="8" r="2.2" fill="#ffffff" stroke="{INK}" stroke-width="1.2"/>'
            f'<text x="12" y="11" fill="{INK}">baseline</text>'
            f'<line x1="62" y1="8" x2="82" y2="8" stroke="{INK}" stroke-width="1.5"/>'
            f'<text x="86" y="11" fill="{INK}">values returned</text>'
            f'<line x1="176" y1="8" x2="196" y2="8" stroke="{MUTED}" stroke-width="1.2" '
            'stroke-dasharray="3 2"/>'
            f'<text x="200" y="11" fill="{INK}">trajectory</text>'
            f'<line x1="262" y1="8" x2="272" y2="8" stroke="{INK}" stroke-width="2"/>'
            f'<text x="276" y="11" fill="{INK}">target</text>'
            f'<circle cx="322" cy="8" r="3.4" fill="{RAG_STYLE["A"][0]}" stroke="{INK}" '
            'stroke-width="1"/>'
            f'<text x="330" y="11" fill="{INK}">latest, final RAG</text></svg>')


# Issue 14: the reward gap analysis chart. Bars in two blues and a pale grey, never RAG
# colours: the rating is printed as its letter beside each target.
GAP_STYLE = {"stake": "#dde1e6", "approved": "#1f4e8c", "proposed": "#8fb3e0"}


def describe_reward_gaps(rows: pd.DataFrame) -> str:
    """The reward gap chart in words (its title): the grant at stake in all and what the
    options would protect, e.g. ``Grant at stake £5,063,770.51; approved options would
    protect £649,893.42, all options £1,823,801.54.``"""
    money = format_gbp
    return (f"Reward grant at stake on the final year forecast, {len(rows)} target"
            f"{'s' if len(rows) != 1 else ''}: {money(rows['at_stake_gbp'].sum())} in all; "
            f"approved options would protect {money(rows['protected_approved_gbp'].sum())}, "
            f"approved and proposed options together "
            f"{money(rows['protected_all_gbp'].sum())}.")


def reward_gap_svg(table: pd.DataFrame, chart_id: str = "reward-gap") -> str:
    """Horizontal bars, one per reward target with grant at stake: the grant at stake (pale
    bar), the part approved options would protect (dark) and the further part proposed
    options would (light, hatched), with the amounts in words at the bar's end.

    Parameters
    ----------
    table
        :func:`pipeline.assess.reward_gap.analyse_reward_gaps`' table (total rows are
        left out).
    chart_id
        Prefix of the SVG's ids, unique within the page.

    Returns
    -------
    str
        An ``<svg>`` element; empty when no target has grant at stake.
    """
    rows = table[(table["row_type"] == "target") & (table["at_stake_gbp"] > 0)]
    if rows.empty:
        return ""
    label_w, bar_w, note_w, row_h, bar_h, top = 70.0, 330.0, 340.0, 24.0, 16.0, 30.0
    width, height = label_w + bar_w + note_w, top + row_h * len(rows) + 4
    scale = bar_w / max(float(rows["at_stake_gbp"].max()), 1.0)
    hatch = f"{chart_id}-hatch"
    words = [f"{r['indicator_id']} ({r['rag']}): {format_gbp(r['at_stake_gbp'])} at stake, "
             f"{format_gbp(r['protected_approved_gbp'])} protected by approved options, "
             f"{format_gbp(r['protected_all_gbp'])} by all options"
             for _, r in rows.iterrows()]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart gap-chart" '
             f'width="{_num(width)}" height="{_num(height)}" viewBox="0 0 {_num(width)} '
             f'{_num(height)}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
             f'font-family="{FONT}" font-size="10">',
             f'<title id="{chart_id}-title">{escape(describe_reward_gaps(rows))}</title>',
             f'<desc id="{chart_id}-desc">{escape("; ".join(words))}.</desc>',
             f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" '
             f'patternTransform="rotate(45)"><rect width="6" height="6" '
             f'fill="{GAP_STYLE["proposed"]}"/><line x1="0" y1="0" x2="0" y2="6" '
             f'stroke="{GAP_STYLE["approved"]}" stroke-width="1.5"/></pattern></defs>']
    x = label_w
    for key, text in (("stake", "Grant at stake"), ("approved", "Protected: approved options"),
                      ("proposed", "Further, if proposed options also deliver")):
        paint = f"url(#{hatch})" if key == "proposed" else GAP_STYLE[key]
        parts.append(f'<rect x="{_num(x)}" y="5" width="14" height="12" fill="{paint}" '
                     f'stroke="{INK}" stroke-width="0.5"/><text x="{_num(x + 18)}" y="15" '
                     f'fill="{INK}">{escape(text)}</text>')
        x += 18 + 5.6 * len(text) + 14
    for number, (_, r) in enumerate(rows.iterrows()):
        y = top + number * row_h
        stake = float(r["at_stake_gbp"])
        approved = min(max(float(r["protected_approved_gbp"]), 0.0), stake)
        further = min(max(float(r["protected_all_gbp"]) - approved, 0.0), stake - approved)
        parts.append(f'<text x="{_num(label_w - 6)}" y="{_num(y + bar_h - 4)}" '
                     f'text-anchor="end" fill="{INK}">{escape(str(r["indicator_id"]))} '
                     f'({escape(rag_code(r["rag"]) or str(r["rag"]))})</text>')
        parts.append(f'<rect x="{_num(label_w)}" y="{_num(y)}" width="{_num(stake * scale)}" '
                     f'height="{_num(bar_h)}" fill="{GAP_STYLE["stake"]}" stroke="{MUTED}" '
                     'stroke-width="0.5"/>')
        if approved > 0:
            parts.append(f'<rect x="{_num(label_w)}" y="{_num(y + 3)}" '
                         f'width="{_num(approved * scale)}" height="{_num(bar_h - 6)}" '
                         f'fill="{GAP_STYLE["approved"]}"/>')
        if further > 0:
            parts.append(f'<rect x="{_num(label_w + approved * scale)}" y="{_num(y + 3)}" '
                         f'width="{_num(further * scale)}" height="{_num(bar_h - 6)}" '
                         f'fill="url(#{hatch})"/>')
        note = (f"£{_label(round(stake))} at stake; protected £{_label(round(approved))}"
                + (f" (+£{_label(round(further))} proposed)" if further > 0 else ""))
        parts.append(f'<text x="{_num(label_w + stake * scale + 6)}" '
                     f'y="{_num(y + bar_h - 4)}" fill="{MUTED}">{escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)
