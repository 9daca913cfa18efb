"""Presentation of the block tables (one per theme, with trend charts) and the district pack.

Like :mod:`pipeline.report.sections`, every fragment is escaped HTML rendered by the one
template environment (:mod:`pipeline.report.pages`), from the assess stage's frames.
"""

from __future__ import annotations

import functools

import pandas as pd
from markupsafe import Markup

from pipeline.assess.assessment import printed_basis
from pipeline.figures import format_number, format_pct_value, mark_status, status_word
from pipeline.names import anchor, anchors
from pipeline.rag import RAG_LABELS, rag_label
from pipeline.report import charts
from pipeline.report.audit import audit_mark, number_marks
from pipeline.report.pages import render
from pipeline.report.section_words import off_mark
from pipeline.report.trends import Trend

TRAVEL_WORDS = {"improving": "improving", "worsening": "worsening", "no change": "no change",
                "not comparable": "not comparable"}


def _travel(row: pd.Series) -> list[dict[str, str]]:
    out = []
    for column, period_column in (("travel_vs_earlier", "earlier_period"),
                                  ("travel_vs_year_ago", "year_ago_period")):
        word = row.get(column, "")
        if not isinstance(word, str) or not word:
            continue
        # the period in full ("2006-07 Q2"): a bare "Q2" would read as the quartile printed
        # beside it in the same row
        period = row.get(period_column, "")
        against = period if isinstance(period, str) and word != "not comparable" else ""
        out.append({"word": TRAVEL_WORDS.get(word, word), "css": word.replace(" ", "-"),
                    "against": against})
    return out


def _figure(value: float, unit: str) -> str:
    return format_number(value, unit) or "n/a"


def block_anchor(theme: str) -> str:
    """The HTML id of a theme's block table: ``older_people`` -> ``block-older-people``."""
    return anchor("block", theme)


def render_block_table(theme: pd.Series, rows: pd.DataFrame,
                       trends: dict[str, Trend] | None = None,
                       quartiles: dict[str, str] | None = None) -> str:
    """One theme's block table: indicator, lead, baseline, target, latest value, how far
    off what the computed rating measured it against
    (:func:`~pipeline.report.section_words.off_mark`), computed and final RAG, direction of
    travel, and a small trend chart.

    Parameters
    ----------
    theme
        The theme's register row (``theme``, ``appendix_name``, ``block``).
    rows
        The theme's assessed indicators (:func:`pipeline.assess.assessment.assess_indicators`,
        with direction of travel), in the order to show.
    trends
        Trend per indicator id (:func:`pipeline.report.trends.indicator_trends`); none drawn
        for an indicator without one.
    quartiles
        Quartile in the comparator group per indicator id, printed under the final RAG
        (:func:`pipeline.report.section_frames.quartiles_by_indicator`); none without
        national data.

    A figure the auditor qualified or reserved (``audit_finding``,
    :func:`pipeline.report.audit.mark_figures`) has the mark under it and a numbered note
    after the table with the auditor's note.
    """
    trends = trends or {}
    quartiles = quartiles or {}
    ids = anchors("trend", list(rows["indicator_id"]))
    entries = []
    numbers, notes = number_marks(rows)
    for number, r in zip(numbers, rows.to_dict("records"), strict=True):  # rows as dicts
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
            "status": status_word(r.get("data_status", "")) if format_number(r["value"], unit)
            else "",
            "value_period": "" if r["value_period"] == r.get("period", "") else
            r["value_period"],
            "off": off_mark(r, short=True),
            "computed": rag_label(r["computed_rag"]), "computed_code": r["computed_rag"],
            "basis": printed_basis(r.get("rating_basis", "")),
            "final": rag_label(r["final_rag"]), "final_code": r["final_rag"],
            "differs": r["final_rag"] != r["computed_rag"],
            "quartile": quartiles.get(r["indicator_id"], ""),
            "travel": _travel(r), "chart": Markup(chart),
            "audit": audit_mark(r)["mark"], "audit_number": number,
        })
    counts = [{"code": code, "label": label, "count": int((rows["final_rag"] == code).sum())}
              for code, label in RAG_LABELS.items() if (rows["final_rag"] == code).any()]
    periods = sorted({p for p in rows.get("target_period", pd.Series(dtype=object)) if p})
    period = rows["period"].iloc[0] if "period" in rows and len(rows) else ""
    return render("block_table.html.j2", anchor=block_anchor(theme["theme"]),
                   block=theme["block"], name=theme["appendix_name"], rows=entries,
                   period=period,
                   counts=counts, differing=sum(e["differs"] for e in entries),
                   target_period=periods[0] if len(periods) == 1 else "",
                   with_quartiles=bool(quartiles), notes=notes)


def render_block_key() -> str:
    """How to read the block tables: the RAG letters and the trend chart's marks."""
    return render("block_key.html.j2", codes=list(RAG_LABELS.items()),
                   trend_key=Markup(charts.legend_trend_svg()))


def render_district_pack(district: str, rows: pd.DataFrame, period: str,
                         indicator_count: int) -> str:
    """A district LSP pack's body: the indicators with district data, district beside county.

    Parameters
    ----------
    district
        The district, as the register names it.
    rows
        From :func:`pipeline.report.frames.district_rows`.
    period
        The period assessed.
    indicator_count
        All indicators in the appendix (the base of the coverage sentence).

    A county figure the auditor qualified or reserved (``audit_finding``, carried from the
    appendix's rows) is marked as the block tables mark it, with its numbered note after
    the table (:func:`pipeline.report.audit.number_marks`).
    """
    groups = []
    numbers, notes = number_marks(rows)
    number_of = dict(zip(rows.index, numbers, strict=True))
    for theme_name, group in rows.groupby("theme_name", sort=False):
        entries = []
        for at, r in group.iterrows():
            unit = r["unit"]
            if unit in ("count", "gbp"):
                share = format_pct_value(r["share_of_county_pct"])
                versus = f"{share} of the county total" if share else ""
            else:
                versus = {"better": "better than the county", "worse": "worse than the county",
                          "same": "the same as the county"}.get(r["vs_county"], "")
            entries.append({
                "indicator_id": r["indicator_id"], "title": r["title"], "lead_org": r["lead_org"],
                "value": mark_status(format_number(r["value"], unit), r.get("data_status", "")),
                "value_period": "" if r["value_period"] == period else r["value_period"],
                "county": mark_status(format_number(r["county_value"], unit),
                                      r.get("county_data_status", "")), "versus": versus,
                "target": format_number(r["target_value"], unit),
                "code": r["final_rag"], "label": rag_label(r["final_rag"]),
                "audit": audit_mark(r)["mark"], "audit_number": number_of[at]})
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
    return render("district_pack.html.j2", district=district, period=period,
                   sentence=sentence, figures=figures, groups=groups, notes=notes)
