"""Presentation: the appendix's tables and text as escaped HTML fragments, from computed frames.

Every fragment is rendered by Jinja2 with autoescaping on, so text that partners wrote
(commentary, actions, names) arrives as text, never as markup. Charts are SVG built by
:mod:`pipeline.charts` from the same frames, and are the only markup passed through.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipeline import charts
from pipeline.assessment import RAG_LABELS
from pipeline.present_lineage import lineage_href
from pipeline.tables import TOTALS, format_gbp, format_off_target, format_pct, round_half_up

_ENV = Environment(loader=PackageLoader("pipeline", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_ENV.globals["lineage_href"] = lineage_href
RAG_CODES = {label: code for code, label in RAG_LABELS.items()}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def format_number(value: float, unit: str = "count") -> str:
    """A value as the Board reads it: ``3,202``, ``39.36%``, ``£1,250``; blank if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit == "gbp":
        return format_gbp(value, 0 if float(value).is_integer() else 2)
    places = 0 if float(value).is_integer() else 2
    text = f"{round_half_up(value, places):,.{places}f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    return text + ("%" if unit == "percent" else "")


def format_date(iso: str) -> str:
    """``2007-09-03`` -> ``3 September 2007`` (any locale); the text itself if not a date."""
    try:
        day = dt.date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _render(template: str, **context: object) -> str:
    return _ENV.get_template(template).render(**context)


def render_cover(partnership: str, agreement: str, meeting: str, period: str,
                 data_as_of: str, generated_at: str, *, previous_period: str | None = None,
                 subtitle: str = "", scope: str = "") -> str:
    """The cover: partnership, meeting, period assessed, data as of, generated at, contents.

    ``previous_period`` adds the previous review ("" shows "none"; None leaves it out);
    ``scope`` says what a filtered appendix or district pack covers. The contents list
    is filled in by :func:`pipeline.rendering.add_contents` from the page's headings.
    """
    return _render("cover.html.j2", partnership=partnership, agreement=agreement,
                   meeting=meeting, meeting_long=format_date(meeting), period=period,
                   data_as_of=data_as_of, generated_at=generated_at,
                   previous_period=previous_period,
                   subtitle=subtitle or f"Self-assessment {period}: appendix to the Board "
                                        "report", scope=scope)


def render_heading(text: str, level: int = 2) -> str:
    """A section heading with the id nbconvert gives markdown headings (``8.-Directory``),
    for sections shown only when their data exist."""
    anchor = "-".join(str(text).split())
    return _render_string(f"<h{level} id=\"{{{{ anchor }}}}\">{{{{ text }}}}</h{level}>",
                          anchor=anchor, text=text)


def _render_string(source: str, **context: object) -> str:
    return _ENV.from_string(source).render(**context)


def _figures(totals: pd.Series, with_share: bool = True) -> list[dict[str, object]]:
    rated = int(sum(int(totals.get(c, 0)) for c in ("Green", "Amber", "Red")))
    figures = []
    for label in totals.index:
        code = RAG_CODES.get(label)
        if code is None:
            continue
        count = int(totals[label])
        share = format_pct(count, rated) if with_share and code in ("G", "A", "R") else ""
        figures.append({"code": code, "label": label, "count": f"{count:,}",
                        "words": label.lower(), "share": share})
    return figures


def render_headline(sentence: str, summary: pd.DataFrame) -> str:
    """The computed headline sentence with the key counts (and shares of the rated)."""
    return _render("headline.html.j2", sentence=sentence,
                   figures=_figures(summary.loc[TOTALS]))


def render_risk_summary(shown: pd.DataFrame, counts: pd.DataFrame | None = None) -> str:
    """The Indicator Risk Summary (formatted by :func:`pipeline.tables.format_risk_summary`).

    With ``counts`` (the summary as numbers) a stacked bar chart of RAG by theme follows.
    """
    columns = [(c, RAG_CODES.get(c, "N")) for c in shown.columns]
    rows = [(theme, [shown.at[theme, c] for c, _ in columns], theme == TOTALS)
            for theme in shown.index]
    chart = Markup(charts.rag_by_theme_svg(counts)) if counts is not None else ""
    return _render("risk_summary.html.j2", columns=columns, rows=rows, chart=chart)


def render_reward_grant(table: pd.DataFrame,
                        caption: str = "Reward target list and performance reward grant "
                                       "at risk") -> str:
    """The reward target list with the grant at risk (Appendix 2)."""
    rows = [{
        "theme": r["theme"], "row_type": r["row_type"], "rag": r["rag"],
        "code": RAG_CODES.get(r["rag"], ""), "indicator": r["indicator"],
        "grant": format_gbp(r["grant_gbp"]),
        "at_risk": format_gbp(r["at_risk_gbp"]) if r["at_risk_gbp"] or r["row_type"] != "target"
        else "",
    } for _, r in table.iterrows()]
    return _render("reward_grant.html.j2", rows=rows, caption=caption)


def render_quality(summary: pd.DataFrame, link: str = "",
                   link_text: str = "the data-quality scorecard") -> str:
    """The data-quality summary table (measure, count), with a link to the full report."""
    rows = [(m, f"{int(c):,}") for m, c in zip(summary["Measure"], summary["Count"], strict=True)]
    return _render("quality.html.j2", rows=rows, link=link, link_text=link_text)


# Issue 4: trajectory, computed vs lead RAG, changes since the last review, grant
# forecast, district coverage and performance statements.

def _label(code: str) -> str:
    return RAG_LABELS.get(code, code)


def _pct(value: float, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{round_half_up(value, places)}%"


def format_off_trajectory(pct: float, short: bool = False) -> str:
    """``46.2% off trajectory`` / ``on trajectory`` (``46.2% off`` / ``on track`` if short);
    blank when not computable."""
    if pct is None or (isinstance(pct, float) and math.isnan(pct)):
        return ""
    if pct <= 0:
        return "on track" if short else "on trajectory"
    return f"{round_half_up(pct, 1)}% off" + ("" if short else " trajectory")


def render_assessed_risk_list(title: str, items: pd.DataFrame) -> str:
    """One risk list with the computed performance statement beside the lead's commentary.

    ``items`` comes from :func:`pipeline.tables.list_risks` (with ``statement``).
    """
    entries = [{
        "indicator_id": r["indicator_id"], "title": r["title"], "theme": r["theme_name"],
        "lead_org": r["lead_org"], "rag": _label(r["final_rag"]), "code": r["final_rag"],
        "computed": _label(r["computed_rag"]),
        "value": format_number(r["value"], r["unit"]), "value_period": r["value_period"],
        "target": format_number(r["target_value"], r["unit"]),
        "off": format_off_trajectory(r["off_trajectory_pct"]),
        "statement": r["statement"], "commentary": r["commentary"], "actions": r["actions"],
    } for _, r in items.iterrows()]
    return _render("risk_list_assessed.html.j2", title=title, entries=entries)


def render_rag_disagreements(disagreements: pd.DataFrame, ratings: pd.DataFrame,
                             max_steps: int) -> str:
    """The indicators whose lead and computed ratings disagree beyond the rule, with counts."""
    rated = ratings[ratings["lead_rag"].isin(("G", "A", "R"))
                    & ratings["computed_rag"].isin(("G", "A", "R"))]
    kinder = int((rated["rag_gap"] > 0).sum())
    harsher = int((rated["rag_gap"] < 0).sum())
    rows = [{
        "indicator": f"{r['indicator_id']} - {r['title']}", "lead": _label(r["lead_rag"]),
        "lead_code": r["lead_rag"], "computed": _label(r["computed_rag"]),
        "computed_code": r["computed_rag"],
        "off": format_off_trajectory(r["off_trajectory_pct"], short=True),
        "reason": r["reason"],
    } for _, r in disagreements.iterrows()]
    return _render("rag_disagreements.html.j2", rows=rows, rated=len(rated), kinder=kinder,
                   harsher=harsher, max_steps=max_steps)


def render_transitions(transitions: pd.DataFrame, previous_period: str | None,
                       period: str) -> str:
    """The RAG transition matrix per theme since the previous review."""
    states = [c for c in transitions.columns if c not in ("theme", "was", "Total")]
    rows = [{"theme": r["theme"], "was": r["was"], "cells": [int(r[s]) for s in states],
             "same": [s == r["was"] for s in states], "total": int(r["Total"])}
            for _, r in transitions.iterrows()]
    overall = [r for r in rows if r["theme"] == rows[-1]["theme"]] if rows else []
    moved = sum(r["total"] - sum(n for n, same in zip(r["cells"], r["same"], strict=True)
                                 if same) for r in overall)
    return _render("transitions.html.j2", states=states, rows=rows, moved=moved,
                   previous_period=previous_period, period=period)


def render_movements(movements: pd.DataFrame, counts: dict[str, int],
                     previous_period: str | None) -> str:
    """The indicators whose rating moved since the previous review, with both commentaries."""
    entries = [{
        "indicator_id": r["indicator_id"], "title": r["title"], "theme": r["theme_name"],
        "was": r["was"], "was_code": r["was_code"], "now": r["now"], "now_code": r["now_code"],
        "movement": r["movement"],
        "was_value": format_number(r["was_value"], r["unit"]),
        "was_period": r["was_value_period"],
        "value": format_number(r["value"], r["unit"]), "value_period": r["value_period"],
        "was_commentary": r["was_commentary"], "commentary": r["commentary"],
    } for _, r in movements.iterrows()]
    return _render("movements.html.j2", entries=entries, counts=counts,
                   previous_period=previous_period)


def render_grant_forecast(table: pd.DataFrame, floor_pct: float, cap_pct: float) -> str:
    """The reward grant forecast: maximum, forecast payable and at risk under both rules."""
    rows = [{
        "theme": r["theme"], "row_type": r["row_type"], "indicator": r["indicator"],
        "rag": r["rag"], "code": RAG_CODES.get(r["rag"], ""),
        "value": format_number(r["value"], r["unit"]) if r["row_type"] == "target" else "",
        "without": format_number(r["without_stretch"], r["unit"]),
        "stretch": format_number(r["stretch"], r["unit"]),
        "achieved": _pct(r["achieved_pct"]), "basis": r["basis"],
        "grant": format_gbp(r["grant_gbp"]), "forecast": format_gbp(r["forecast_gbp"]),
        "risk_seed": format_gbp(r["at_risk_seed_gbp"]),
        "risk_forecast": format_gbp(r["at_risk_forecast_gbp"]),
    } for _, r in table.iterrows()]
    return _render("grant_forecast.html.j2", rows=rows, floor=f"{floor_pct:g}",
                   cap=f"{cap_pct:g}")


def render_district_coverage(coverage: pd.DataFrame, sentence: str) -> str:
    """District coverage: the sentence, then indicators with data per district."""
    rows = [(r["district"], f"{int(r['indicators_with_data']):,}", r["share"])
            for _, r in coverage.iterrows()]
    return _render("district_coverage.html.j2", sentence=sentence, rows=rows)


def render_district_view(view: pd.DataFrame, districts: tuple[str, ...]) -> str:
    """Each indicator with district data: the county value, then each district's."""
    rows = []
    for indicator_id, group in view.groupby("indicator_id", sort=False):
        first = group.iloc[0]
        by_district = {r["district"]: r for _, r in group.iterrows()}
        cells = []
        for district in districts:
            r = by_district.get(district)
            if r is None:
                cells.append("")
            elif first["unit"] in ("count", "gbp"):
                share = _pct(r["share_of_county_pct"])
                cells.append(format_number(r["value"], r["unit"])
                             + (f" ({share})" if share else ""))
            else:
                marker = {"better": " better", "worse": " worse", "same": " same"}
                cells.append(format_number(r["value"], r["unit"])
                             + marker.get(r["vs_county"], ""))
        rows.append({"indicator": f"{indicator_id} - {first['title']}",
                     "county": format_number(first["county_value"], first["unit"]),
                     "cells": cells})
    return _render("district_view.html.j2", districts=list(districts), rows=rows)


# Issue 5: block tables with trend charts, the partnership directory, district packs.

TRAVEL_WORDS = {"improving": "improving", "worsening": "worsening", "no change": "no change",
                "not comparable": "not comparable"}


def _short_period(period: object, assessed: object) -> str:
    """``2006-07 Q2`` -> ``Q2`` when the period assessed is in the same year; else as is."""
    text = period if isinstance(period, str) else ""
    now = assessed if isinstance(assessed, str) else ""
    if text and now and text[:7] == now[:7] and len(text) > 8:
        return text[8:]
    return text


def _travel(row: pd.Series) -> list[dict[str, str]]:
    out = []
    for column, period_column in (("travel_vs_earlier", "earlier_period"),
                                  ("travel_vs_year_ago", "year_ago_period")):
        word = row.get(column, "")
        if not isinstance(word, str) or not word:
            continue
        against = "" if word == "not comparable" else _short_period(
            row.get(period_column, ""), row.get("period", ""))
        out.append({"word": TRAVEL_WORDS.get(word, word), "css": word.replace(" ", "-"),
                    "against": against})
    return out


def _figure(value: float, unit: str) -> str:
    return format_number(value, unit) or "n/a"


def block_anchor(theme: str) -> str:
    """The HTML id of a theme's block table: ``older_people`` -> ``block-older-people``."""
    return "block-" + "".join(ch if ch.isalnum() else "-" for ch in str(theme).lower())


def render_block_table(theme: pd.Series, rows: pd.DataFrame,
                       trends: dict[str, charts.Trend] | None = None) -> str:
    """One theme's block table: indicator, lead, baseline, target, latest value, % off
    target, computed and final RAG, direction of travel, and a small trend chart.

    Parameters
    ----------
    theme
        The theme's register row (``theme``, ``appendix_name``, ``block``).
    rows
        The theme's assessed indicators (:func:`pipeline.assessment.assess_indicators`,
        with direction of travel), in the order to show.
    trends
        Trend per indicator id (:func:`pipeline.charts.indicator_trends`); none drawn
        for an indicator without one.
    """
    trends = trends or {}
    ids = charts.chart_ids("trend", list(rows["indicator_id"]))
    entries = []
    for _, r in rows.iterrows():
        unit = r["unit"]
        trend = trends.get(r["indicator_id"])
        chart = charts.trend_svg(trend, ids[r["indicator_id"]],
                                 format_value=functools.partial(_figure, unit=unit)) \
            if trend is not None else ""
        entries.append({
            "indicator_id": r["indicator_id"], "title": r["title"],
            "reward": bool(r.get("reward", False)),
            "lead_org": r["lead_org"], "lead_officer": r.get("lead_officer", ""),
            "baseline": format_number(r["baseline_value"], unit),
            "baseline_period": r["baseline_period"] if format_number(r["baseline_value"], unit)
            else "",
            "target": format_number(r["target_value"], unit),
            "target_status": r.get("target_status", ""),
            "value": format_number(r["value"], unit),
            "value_period": "" if r["value_period"] == r.get("period", "") else
            r["value_period"],
            "off": format_off_target(r["off_target_pct"]),
            "computed": _label(r["computed_rag"]), "computed_code": r["computed_rag"],
            "final": _label(r["final_rag"]), "final_code": r["final_rag"],
            "differs": r["final_rag"] != r["computed_rag"],
            "travel": _travel(r), "chart": Markup(chart),
        })
    counts = [{"code": code, "label": label, "count": int((rows["final_rag"] == code).sum())}
              for code, label in RAG_LABELS.items() if (rows["final_rag"] == code).any()]
    periods = sorted({p for p in rows.get("target_period", pd.Series(dtype=object)) if p})
    period = rows["period"].iloc[0] if "period" in rows and len(rows) else ""
    return _render("block_table.html.j2", anchor=block_anchor(theme["theme"]),
                   block=theme["block"], name=theme["appendix_name"], rows=entries,
                   period=period,
                   counts=counts, differing=sum(e["differs"] for e in entries),
                   target_period=periods[0] if len(periods) == 1 else "")


def render_block_key() -> str:
    """How to read the block tables: the RAG letters and the trend chart's marks."""
    return _render("block_key.html.j2", codes=list(RAG_LABELS.items()),
                   trend_key=Markup(charts.legend_trend_svg()))


def render_directory(directory: pd.DataFrame) -> str:
    """The partnership directory: lead partnership, board champion, executive officer and
    outcome lead of each outcome (all partner text, escaped)."""
    return _render("directory.html.j2", rows=directory.to_dict("records"))


def render_district_pack(district: str, rows: pd.DataFrame, period: str,
                         indicator_count: int) -> str:
    """A district LSP pack's body: the indicators with district data, district beside county.

    Parameters
    ----------
    district
        The district, as the register names it.
    rows
        From :func:`pipeline.appendix.district_rows`.
    period
        The period assessed.
    indicator_count
        All indicators in the appendix (the base of the coverage sentence).
    """
    groups = []
    for theme_name, group in rows.groupby("theme_name", sort=False):
        entries = []
        for _, r in group.iterrows():
            unit = r["unit"]
            if unit in ("count", "gbp"):
                share = _pct(r["share_of_county_pct"])
                versus = f"{share} of the county total" if share else ""
            else:
                versus = {"better": "better than the county", "worse": "worse than the county",
                          "same": "the same as the county"}.get(r["vs_county"], "")
            entries.append({
                "indicator_id": r["indicator_id"], "title": r["title"], "lead_org": r["lead_org"],
                "value": format_number(r["value"], unit),
                "value_period": "" if r["value_period"] == period else r["value_period"],
                "county": format_number(r["county_value"], unit), "versus": versus,
                "target": format_number(r["target_value"], unit),
                "code": r["final_rag"], "label": _label(r["final_rag"])})
        groups.append((theme_name, entries))
    n = len(rows)
    sentence = (f"{district} has district-level values for {n} of the {indicator_count} "
                f"indicators at {period}. Each is shown with the county's value, target and "
                "final rating beside it.")
    better = int((rows["vs_county"] == "better").sum())
    worse = int((rows["vs_county"] == "worse").sum())
    if better or worse:
        sentence += (f" Of those compared by rate or percentage, {district} does better than "
                     f"the county on {better} and worse on {worse}.")
    figures = [{"code": code, "label": label, "count": int((rows["final_rag"] == code).sum()),
                "words": f"{label.lower()} (county rating)"}
               for code, label in RAG_LABELS.items() if (rows["final_rag"] == code).any()]
    return _render("district_pack.html.j2", district=district, period=period,
                   sentence=sentence, figures=figures, groups=groups)
