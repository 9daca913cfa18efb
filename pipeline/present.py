"""Presentation: the appendix's tables and text as escaped HTML fragments, from computed frames."""

from __future__ import annotations

import math

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from pipeline.assessment import RAG_LABELS
from pipeline.tables import TOTALS, format_gbp, round_half_up

_ENV = Environment(loader=PackageLoader("pipeline", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
RAG_CODES = {label: code for code, label in RAG_LABELS.items()}


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


def format_off_target(pct: float) -> str:
    """``46.2% off`` / ``on target``; blank when not computable."""
    if pct is None or (isinstance(pct, float) and math.isnan(pct)):
        return ""
    return "on target" if pct <= 0 else f"{round_half_up(pct, 1)}% off"


def _render(template: str, **context: object) -> str:
    return _ENV.get_template(template).render(**context)


def render_cover(partnership: str, agreement: str, meeting: str, period: str,
                 data_as_of: str, generated_at: str) -> str:
    """The appendix's cover block."""
    return _render("cover.html.j2", partnership=partnership, agreement=agreement,
                   meeting=meeting, period=period, data_as_of=data_as_of,
                   generated_at=generated_at)


def render_headline(sentence: str, summary: pd.DataFrame) -> str:
    """The computed headline sentence with the key counts."""
    totals = summary.loc[TOTALS]
    return _render("headline.html.j2", sentence=sentence, totals=totals.to_dict())


def render_risk_summary(shown: pd.DataFrame) -> str:
    """The Indicator Risk Summary (formatted by :func:`pipeline.tables.format_risk_summary`)."""
    columns = [(c, RAG_CODES.get(c, "N")) for c in shown.columns]
    rows = [(theme, [shown.at[theme, c] for c, _ in columns], theme == TOTALS)
            for theme in shown.index]
    return _render("risk_summary.html.j2", columns=columns, rows=rows)


def render_reward_grant(table: pd.DataFrame) -> str:
    """The reward target list with the grant at risk (Appendix 2)."""
    rows = [{
        "theme": r["theme"], "row_type": r["row_type"], "rag": r["rag"],
        "code": RAG_CODES.get(r["rag"], ""), "indicator": r["indicator"],
        "grant": format_gbp(r["grant_gbp"]),
        "at_risk": format_gbp(r["at_risk_gbp"]) if r["at_risk_gbp"] or r["row_type"] != "target"
        else "",
    } for _, r in table.iterrows()]
    return _render("reward_grant.html.j2", rows=rows)


def render_risk_list(title: str, items: pd.DataFrame, units: pd.Series) -> str:
    """One risk list: each indicator with its figures, the lead's commentary and actions."""
    entries = [{
        "indicator_id": r["indicator_id"], "title": r["title"], "theme": r["theme_name"],
        "lead_org": r["lead_org"], "rag": RAG_LABELS.get(r["final_rag"], r["final_rag"]),
        "code": r["final_rag"],
        "computed": RAG_LABELS.get(r["computed_rag"], r["computed_rag"]),
        "value": format_number(r["value"], units.get(r["indicator_id"], "count")),
        "target": format_number(r["target_value"], units.get(r["indicator_id"], "count")),
        "off": format_off_target(r["off_target_pct"]),
        "commentary": r["commentary"], "actions": r["actions"],
    } for _, r in items.iterrows()]
    return _render("risk_list.html.j2", title=title, entries=entries)


def render_quality(summary: pd.DataFrame) -> str:
    """The data-quality summary table (measure, count)."""
    rows = [(m, f"{int(c):,}") for m, c in zip(summary["Measure"], summary["Count"], strict=True)]
    return _render("quality.html.j2", rows=rows)
