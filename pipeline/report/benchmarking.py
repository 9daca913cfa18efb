"""The benchmarking section: how the partnership compares, per theme, with a strip chart each.

Rendered from the frames :func:`pipeline.report.frames.load_appendix` collects (the assess
stage's ``benchmark`` and ``benchmark_members``, for the group chosen with
``--compare-with``). The strip charts are hand-written SVG in the house style of
:mod:`pipeline.report.charts`: every area of the group is a dot on one axis, ours a
larger dark diamond, the group median a vertical line, 95% confidence intervals as
whiskers where known; each chart's ``<title>`` says in words what it shows.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

import numpy as np
import pandas as pd
from markupsafe import Markup

from pipeline.assess.benchmark import QUARTILE_LABELS
from pipeline.figures import format_number
from pipeline.names import anchors
from pipeline.quality.national import GROUP_AREA_CHECK, OWN_AREA_CHECK
from pipeline.report.chart_style import FONT, INK, MUTED, svg_ring_path, svg_rule_path
from pipeline.report.chart_style import svg_number as _num
from pipeline.report.pages import render, render_string

OURS = "#0b4f9c"
DOT = "#767676"          # 4.5:1 on white: the dots are information, not decoration
WHISKER = "#b0b0b0"
QUARTILE_SHORT = {1: "Top", 2: "Upper middle", 3: "Lower middle", 4: "Bottom"}


def ordinal(n: int) -> str:
    """``1`` -> ``1st``, ``12`` -> ``12th``, ``23`` -> ``23rd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_words(rank: int, n: int, tied: bool = False) -> str:
    """``12th of 150`` (``=12th`` when tied); blank when not ranked."""
    if not rank or not n:
        return ""
    return f"{'=' if tied else ''}{ordinal(int(rank))} of {int(n)}"


def quartile_short(quartile: object) -> str:
    """The quartile for a narrow cell: ``Q1 (top)`` ... ``Q4 (bottom)``; blank for none."""
    q = int(quartile) if isinstance(quartile, int | float) and not pd.isna(quartile) else 0
    return f"Q{q} ({QUARTILE_SHORT[q].lower()})" if q in QUARTILE_SHORT else ""


def quartile_code(quartile: object) -> str:
    """``Q1`` (top) to ``Q4`` (bottom); blank for none."""
    return quartile_short(quartile).split(" ")[0]


def _interval(row: pd.Series, unit: str) -> str:
    low, high = row.get("lower_ci"), row.get("upper_ci")
    if low is None or pd.isna(low) or pd.isna(high):
        return ""
    return f"{format_number(low, unit)} to {format_number(high, unit)}"


def _travel(word: object, significant: object, against: object) -> str:
    word = str(word or "")
    if not word or word == "not comparable":
        return "not comparable" if word else ""
    sig = {"yes": ", significant", "no": ", within chance"}.get(str(significant or ""), "")
    return f"{word}{sig} (vs {against})" if against else f"{word}{sig}"


class Strip(NamedTuple):
    """One strip chart's areas as arrays: value and interval limits (NaN where unknown),
    and whether the area is ours; in the members' order."""

    values: np.ndarray
    lowers: np.ndarray
    uppers: np.ndarray
    ours: np.ndarray

    @classmethod
    def of(cls, members: pd.DataFrame) -> Strip:
        """The strip of a frame of members (``value``, ``lower_ci``, ``upper_ci``, ``ours``)."""
        return cls(*(members[c].astype(float).to_numpy() for c in ("value", "lower_ci",
                                                                   "upper_ci")),
                   members["ours"].astype(bool).to_numpy())

    def take(self, at: np.ndarray) -> Strip:
        """The members at these positions."""
        return Strip(*(a[at] for a in self))

    def points(self, ours: bool) -> zip:
        """Ours' (or the others') value and interval limits as floats, in order."""
        at = self.ours if ours else ~self.ours
        return zip(*(a[at].tolist() for a in self[:3]), strict=True)


def _least(values: np.ndarray) -> float:
    """The lowest value, NaN skipped (as pandas' ``min``); NaN when none is known."""
    known = values[~np.isnan(values)]
    return float(known.min()) if len(known) else np.nan


def _most(values: np.ndarray) -> float:
    """The highest value, NaN skipped (as pandas' ``max``); NaN when none is known."""
    known = values[~np.isnan(values)]
    return float(known.max()) if len(known) else np.nan


def describe_strip(title: str, row: pd.Series, members: pd.DataFrame | Strip, unit: str,
                   group_title: str, area_name: str) -> str:
    """The strip chart in words: our value and interval, rank, quartile, median, range."""
    strip = members if isinstance(members, Strip) else Strip.of(members)
    value = format_number(row["value"], unit)
    ci = _interval(row, unit)
    low, high = _least(strip.values), _most(strip.values)
    words = [f"{title}: {area_name} {value}" + (f" (95% interval {ci})" if ci else ""),
             f"ranked {rank_words(row['rank'], row['n'])} in {group_title}"
             + (f", {QUARTILE_LABELS[int(row['quartile'])]}" if row["quartile"] else ""),
             f"group median {format_number(row['median'], unit)}",
             f"the {len(strip.values)} areas range from {format_number(low, unit)} to "
             f"{format_number(high, unit)}",
             f"{'higher' if row['polarity'] != 'lower' else 'lower'} is better"]
    return "; ".join(words) + "."


def strip_svg(row: pd.Series, members: pd.DataFrame | Strip, chart_id: str, words: str,
              width: float = 190.0, height: float = 42.0) -> str:
    """One indicator's strip chart: the group's areas as dots on the value axis.

    Ours is a dark diamond drawn last, the group median a vertical line, intervals
    whiskers; the better end is labelled. The other areas' whiskers are one ``<path>``
    and their dots another, drawn over the whiskers. Empty string without members.
    """
    strip = members if isinstance(members, Strip) else Strip.of(members)
    values = strip.values
    if not len(values):
        return ""
    lows = np.where(np.isnan(strip.lowers), values, strip.lowers)
    highs = np.where(np.isnan(strip.uppers), values, strip.uppers)
    low, high = float(min(_least(lows), _least(values))), float(max(_most(highs), _most(values)))
    if high == low:
        low, high = low - 1.0, high + 1.0
    pad, axis_y, mid = 10.0, height - 12.0, 17.0

    def sx(v: float) -> float:
        return pad + (v - low) / (high - low) * (width - 2 * pad)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart strip" '
             f'width="{_num(width)}" height="{_num(height)}" viewBox="0 0 {_num(width)} '
             f'{_num(height)}" role="img" aria-labelledby="{chart_id}-title" '
             f'font-family="{FONT}" font-size="8">',
             f'<title id="{chart_id}-title">{escape(words)}</title>',
             f'<line x1="{_num(pad)}" y1="{_num(axis_y)}" x2="{_num(width - pad)}" '
             f'y2="{_num(axis_y)}" stroke="{MUTED}" stroke-width="0.6"/>']
    better_right = row["polarity"] != "lower"
    parts.append(f'<text x="{_num(width - pad if better_right else pad)}" '
                 f'y="{_num(height - 2)}" text-anchor="{"end" if better_right else "start"}" '
                 f'fill="{MUTED}">{"better →" if better_right else "← better"}</text>')
    # the group's whiskers as one path, its hollow dots as another over them: one element
    # per style, not two per area (a page holds about 150 areas in each of 45 strips)
    others = list(strip.points(ours=False))
    whiskers = svg_rule_path(((sx(lower), sx(upper)) for _, lower, upper in others
                              if not (pd.isna(lower) or pd.isna(upper))), mid)
    if whiskers:
        parts.append(f'<path d="{whiskers}" fill="none" stroke="{WHISKER}" '
                     'stroke-width="0.5"/>')
    dots = svg_ring_path((sx(value) for value, _, _ in others if not pd.isna(value)), mid, 2.2)
    if dots:
        parts.append(f'<path d="{dots}" fill="none" stroke="{DOT}" stroke-width="0.8"/>')
    median = row["median"]
    if not pd.isna(median):
        x = sx(float(median))
        parts.append(f'<line x1="{_num(x)}" y1="8" x2="{_num(x)}" y2="{_num(axis_y)}" '
                     f'stroke="{INK}" stroke-width="1" stroke-dasharray="2 1.5"/>')
        anchor = "end" if x > width * 0.7 else "start" if x < width * 0.3 else "middle"
        parts.append(f'<text x="{_num(x)}" y="6" text-anchor="{anchor}" '
                     f'fill="{INK}">median</text>')
    for value, lower, upper in strip.points(ours=True):
        x = sx(value)
        if not (pd.isna(lower) or pd.isna(upper)):
            parts.append(f'<line x1="{_num(sx(lower))}" y1="{_num(mid)}" '
                         f'x2="{_num(sx(upper))}" y2="{_num(mid)}" '
                         f'stroke="{OURS}" stroke-width="2"/>')
        parts.append(f'<path d="M{_num(x)} {_num(mid - 5)} L{_num(x + 5)} {_num(mid)} '
                     f'L{_num(x)} {_num(mid + 5)} L{_num(x - 5)} {_num(mid)} Z" '
                     f'fill="{OURS}" stroke="#ffffff" stroke-width="0.8"/>')
    parts.append("</svg>")
    return "".join(parts)


def benchmark_entries(rows: pd.DataFrame, members: pd.DataFrame, group_title: str,
                      area_name: str, review: str) -> list[dict[str, object]]:
    """One entry per indicator of a theme: figures in words and its strip chart."""
    ids = anchors("strip", list(rows["indicator_id"]))
    strips = _strips_by_indicator(members)
    none = Strip.of(members.iloc[0:0])
    entries = []
    for r in rows.to_dict("records"):
        unit = r["unit"]
        mine = strips.get((r["indicator_id"], r["geography"]), none)
        title = f"{r['indicator_id']} {r['title']}"
        words = describe_strip(title, r, mine, unit, group_title, area_name)
        tied = bool(r.get("tied", False))
        entries.append({
            "indicator_id": r["indicator_id"], "title": r["title"],
            "value": format_number(r["value"], unit), "period": r["period"],
            "ci": _interval(r, unit), "method": str(r.get("ci_method", "") or ""),
            "median": format_number(r["median"], unit),
            "rank": rank_words(r["rank"], r["n"], tied),
            "quartile": quartile_short(r["quartile"]),
            "comparison": str(r["comparison"]),
            "year_ago": _travel(r["travel_year_ago"], r["year_ago_significant"],
                                r.get("year_ago_period", "")),
            "review": _travel(r["travel_review"], r["review_significant"],
                              review or r.get("review_period", "")),
            "target": str(r.get("target_by_interval", "") or ""),
            "chart": Markup(strip_svg(r, mine, ids[r["indicator_id"]], words)),
        })
    return entries


def _strips_by_indicator(members: pd.DataFrame) -> dict[tuple[str, str], Strip]:
    """Each (indicator, geography)'s strip, its members in order: the frame's columns read
    once, rather than the frame filtered per indicator."""
    if members.empty:
        return {}
    strip = Strip.of(members)
    keys = members.groupby(["indicator_id", "geography"], sort=False).indices
    return {key: strip.take(at) for key, at in keys.items()}


def summarise_standing(table: pd.DataFrame) -> str:
    """A sentence of counts: quartiles and better/similar/worse than the group."""
    ranked = table[table["quartile"] > 0]
    if ranked.empty:
        return "No indicator could be ranked in this group."
    q = ranked["quartile"].value_counts()
    c = table["comparison"].astype(str).value_counts()
    text = (f"Of {len(ranked)} indicators ranked, {int(q.get(1, 0))} are in the top quartile "
            f"and {int(q.get(4, 0))} in the bottom quartile.")
    compared = int(c.get("better", 0) + c.get("similar", 0) + c.get("worse", 0))
    if compared:
        text += (f" Of the {compared} with a confidence interval, {int(c.get('better', 0))} "
                 f"are better than the group median, {int(c.get('similar', 0))} similar and "
                 f"{int(c.get('worse', 0))} worse.")
    return text


def render_benchmarking(table: pd.DataFrame, members: pd.DataFrame, themes: pd.DataFrame,
                        group_title: str, area_name: str, review: str,
                        source: str = "", quarantined: int = 0) -> str:
    """The benchmarking section's body: a sentence, then per theme a table and strip charts.

    Parameters
    ----------
    table
        The chosen group's rows, one per indicator (latest period up to the one assessed),
        with register ``title``, ``theme``, ``unit`` and ``target_by_interval``.
    members
        Every member's value for the strip charts (:func:`pipeline.assess.benchmark.
        benchmark_partnership`), for the chosen group.
    themes
        The themes shown, in order (``theme``, ``appendix_name``, ``block``).
    """
    groups = []
    for _, theme in themes.iterrows():
        rows = table[table["theme"] == theme["theme"]]
        if rows.empty:
            continue
        groups.append({"name": theme["appendix_name"], "block": theme["block"],
                       "rows": benchmark_entries(rows, members, group_title, area_name,
                                                 review)})
    return render("benchmarking.html.j2", groups=groups, group_title=group_title,
                  area_name=area_name, sentence=summarise_standing(table), source=source,
                  quarantined=quarantined, count=len(table),
                  areas=int(members["area_code"].nunique()) if len(members) else 0)


def render_no_comparison(meta: dict) -> str:
    """Why the appendix has no comparison with other areas, as a paragraph (escaped), from
    the benchmark stage's ``benchmark_groups.json``: its advisory that the partnership's
    area has no row in the national table (check ``national-own-area-present``), or ""."""
    reasons = [a.get("reason", "") for a in meta.get("advisories", [])
               if a.get("check") == OWN_AREA_CHECK]
    if not reasons:
        return ""
    return render_string("<p>No comparison with other areas: {{ reason }}.</p>",
                         reason=reasons[0])


def render_group_advisories(meta: dict) -> str:
    """The benchmark stage's advisories on the comparator groups (each code of
    ``groups.csv`` the national table lacks, with its row), as a list (escaped), or ""."""
    reasons = [a.get("reason", "") for a in meta.get("advisories", [])
               if a.get("check") == GROUP_AREA_CHECK]
    if not reasons:
        return ""
    return render_string(
        "<p>Comparator groups: {{ reasons|length }} area code{{ 's' if reasons|length != 1 }}"
        " of groups.csv not in the national table; each group is compared without them "
        "(ADVISORY, check {{ check }}).</p><ul>{% for r in reasons %}<li>{{ r }}</li>"
        "{% endfor %}</ul>", reasons=reasons, check=GROUP_AREA_CHECK)
