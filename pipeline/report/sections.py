"""Presentation: the appendix's tables and text as escaped HTML fragments, from computed frames.

Every fragment is rendered by Jinja2 with autoescaping on, so text that partners wrote
(commentary, actions, names) arrives as text, never as markup. Charts are SVG built by
:mod:`pipeline.report.charts` from the same frames, and are the only markup passed through.
How each row is worded (a risk's figures, the gap analysis's gaps and costs) is
:mod:`pipeline.report.section_words`.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from pipeline.assess.assessment import printed_basis
from pipeline.assess.changes import describe_comparison
from pipeline.assess.pooled_fund import share_text
from pipeline.assess.reward_targets import describe_not_on_track
from pipeline.assess.tables import TOTALS, format_risk_summary
from pipeline.figures import (
    format_date,
    format_date_time,
    format_gbp,
    format_number,
    format_pct_value,
    format_share_achieved,
    mark_status,
)
from pipeline.rag import RAG_CODES, rag_code, rag_label
from pipeline.report import charts
from pipeline.report.pages import render, render_string
from pipeline.report.reward_sections import condition_text
from pipeline.report.section_words import (
    contribution_text,
    describe_grant_totals,
    gap_row,
    headline_counts,
    indicator_row,
    off_mark,
    risk_entry,
)


def render_cover(partnership: str, agreement: str, meeting: str, period: str,
                 data_as_of: str, generated_at: str, *, previous_period: str | None = None,
                 subtitle: str = "", scope: str = "") -> str:
    """The cover: partnership, meeting, period assessed, data as of, when it was prepared
    (the generated-at stamp, in words and UTC), contents; dates as the Board reads them.

    ``previous_period`` adds the previous review ("" shows "none"; None leaves it out);
    ``scope`` says what a filtered appendix or district pack covers. The contents list
    is filled in by :func:`pipeline.report.pages.add_contents` from the page's headings.
    """
    return render("cover.html.j2", partnership=partnership, agreement=agreement,
                   meeting=meeting, meeting_long=format_date(meeting), period=period,
                   data_as_of=format_date_time(data_as_of),
                   generated_at=format_date_time(generated_at, utc=True),
                   previous_period=previous_period,
                   subtitle=subtitle or f"Self-assessment {period}: appendix to the Board "
                                        "report", scope=scope)


def render_heading(text: str, level: int = 2) -> str:
    """A section heading with the id nbconvert gives markdown headings (``8.-Directory``),
    for sections shown only when their data exist."""
    anchor = "-".join(str(text).split())
    return render_string(f"<h{level} id=\"{{{{ anchor }}}}\">{{{{ text }}}}</h{level}>",
                          anchor=anchor, text=text)


def render_headline(sentence: str, summary: pd.DataFrame) -> str:
    """The computed headline sentence with the key counts (and shares of the rated)."""
    return render("headline.html.j2", sentence=sentence,
                   figures=headline_counts(summary.loc[TOTALS]))


def render_risk_summary(shown: pd.DataFrame, counts: pd.DataFrame | None = None, *,
                        caption: str = "Indicator Risk Summary", row_header: str = "Theme",
                        targets: list[str] | None = None) -> str:
    """The Indicator Risk Summary (formatted by :func:`pipeline.assess.tables.format_risk_summary`).

    With ``counts`` (the summary as numbers) a stacked bar chart of RAG by theme follows.
    ``targets``: a Targets column (one figure per row) before the ratings.
    """
    columns = [(c, RAG_CODES.get(c, "N")) for c in shown.columns]
    rows = [(theme, [shown.at[theme, c] for c, _ in columns], theme == TOTALS)
            for theme in shown.index]
    chart = Markup(charts.rag_by_theme_svg(counts)) if counts is not None else ""
    return render("risk_summary.html.j2", columns=columns, rows=rows, chart=chart,
                   caption=caption, row_header=row_header, targets=targets or [])


def render_reward_grant(table: pd.DataFrame,
                        caption: str = "Reward target list and performance reward grant "
                                       "at risk") -> str:
    """The reward target list with the grant at risk (Appendix 2)."""
    rows = [{
        "theme": r["theme"], "row_type": r["row_type"], "rag": r["rag"],
        "code": rag_code(r["rag"]), "indicator": r["indicator"],
        "grant": format_gbp(r["grant_gbp"]),
        "at_risk": format_gbp(r["at_risk_gbp"]) if r["at_risk_gbp"] or r["row_type"] != "target"
        else "",
        "condition": condition_text(r.get("condition_status", ""), r.get("condition_note", ""),
                                    r.get("condition", "")),
    } for _, r in table.iterrows()]
    return render("reward_grant.html.j2", rows=rows, caption=caption)


def render_quality(summary: pd.DataFrame, link: str = "",
                   link_text: str = "the data-quality report") -> str:
    """The data-quality summary table (measure, count), with a link to the full report."""
    rows = [(m, f"{int(c):,}") for m, c in zip(summary["Measure"], summary["Count"], strict=True)]
    return render("quality.html.j2", rows=rows, link=link, link_text=link_text)


# Issue 4: trajectory, computed vs lead RAG, changes since the last review, grant
# forecast, district coverage and performance statements.

def render_assessed_risk_list(title: str, items: pd.DataFrame) -> str:
    """One risk list with the computed performance statement beside the lead's commentary.

    ``items`` comes from :func:`pipeline.assess.tables.list_risks` (with ``statement``).
    """
    entries = [{
        **risk_entry(r), "theme": r["theme_name"], "computed": rag_label(r["computed_rag"]),
        "value_period": r["value_period"], "basis": printed_basis(r.get("rating_basis", "")),
        "statement": r["statement"], "commentary": r["commentary"], "actions": r["actions"],
    } for _, r in items.iterrows()]
    return render("risk_list_assessed.html.j2", title=title, entries=entries)


def render_rag_disagreements(disagreements: pd.DataFrame, ratings: pd.DataFrame,
                             max_steps: int) -> str:
    """The indicators whose lead and computed ratings disagree beyond the rule, with counts."""
    rated = ratings[ratings["lead_rag"].isin(("G", "A", "R"))
                    & ratings["computed_rag"].isin(("G", "A", "R"))]
    kinder = int((rated["rag_gap"] > 0).sum())
    harsher = int((rated["rag_gap"] < 0).sum())
    rows = [{
        "indicator": f"{r['indicator_id']} - {r['title']}", "lead": rag_label(r["lead_rag"]),
        "lead_code": r["lead_rag"], "computed": rag_label(r["computed_rag"]),
        "computed_code": r["computed_rag"],
        "off": off_mark(r, short=True),
        "reason": r["reason"],
    } for _, r in disagreements.iterrows()]
    return render("rag_disagreements.html.j2", rows=rows, rated=len(rated), kinder=kinder,
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
    return render("transitions.html.j2", states=states, rows=rows, moved=moved,
                   previous_period=previous_period, period=period)


def render_movements(movements: pd.DataFrame, counts: dict[str, int],
                     previous_period: str | None) -> str:
    """The indicators whose rating moved since the previous review, with both commentaries."""
    entries = [{
        "indicator_id": r["indicator_id"], "title": r["title"], "theme": r["theme_name"],
        "was": r["was"], "was_code": r["was_code"], "now": r["now"], "now_code": r["now_code"],
        "movement": r["movement"],
        "was_value": mark_status(format_number(r["was_value"], r["unit"]),
                                 r.get("was_data_status", "")),
        "was_period": r["was_value_period"],
        "value": mark_status(format_number(r["value"], r["unit"]), r.get("data_status", "")),
        "value_period": r["value_period"],
        "compared": describe_comparison(r) if r.get("basis", "") else "",
        "was_commentary": r["was_commentary"], "commentary": r["commentary"],
    } for _, r in movements.iterrows()]
    return render("movements.html.j2", entries=entries, counts=counts,
                   previous_period=previous_period)


def render_grant_forecast(table: pd.DataFrame, floor_pct: float, cap_pct: float) -> str:
    """The reward grant forecast: maximum, forecast payable and at risk under both rules."""
    rows = [{
        "theme": r["theme"], "row_type": r["row_type"], "indicator": r["indicator"],
        "rag": r["rag"], "code": rag_code(r["rag"]),
        "value": format_number(r["value"], r["unit"]) if r["row_type"] == "target" else "",
        "without": format_number(r["without_stretch"], r["unit"]),
        "stretch": format_number(r["stretch"], r["unit"]),
        "achieved": format_share_achieved(r["achieved_pct"]), "basis": r["basis"],
        "grant": format_gbp(r["grant_gbp"]), "forecast": format_gbp(r["forecast_gbp"]),
        "risk_seed": format_gbp(r["at_risk_seed_gbp"]),
        "risk_forecast": format_gbp(r["at_risk_forecast_gbp"]),
    } for _, r in table.iterrows()]
    return render("grant_forecast.html.j2", rows=rows, floor=f"{floor_pct:g}",
                   cap=f"{cap_pct:g}", totals=describe_grant_totals(table))


def render_district_coverage(coverage: pd.DataFrame, sentence: str) -> str:
    """District coverage: the sentence, then indicators with data per district."""
    rows = [(r["district"], f"{int(r['indicators_with_data']):,}", r["share"])
            for _, r in coverage.iterrows()]
    return render("district_coverage.html.j2", sentence=sentence, rows=rows)


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
                share = format_pct_value(r["share_of_county_pct"])
                cells.append(mark_status(format_number(r["value"], r["unit"]),
                                         r.get("data_status", ""))
                             + (f" ({share})" if share else ""))
            else:
                marker = {"better": " better", "worse": " worse", "same": " same"}
                cells.append(mark_status(format_number(r["value"], r["unit"]),
                                         r.get("data_status", ""))
                             + marker.get(r["vs_county"], ""))
        rows.append({"indicator": f"{indicator_id} - {first['title']}",
                     "county": mark_status(format_number(first["county_value"], first["unit"]),
                                           first.get("county_data_status", "")),
                     "cells": cells})
    return render("district_view.html.j2", districts=list(districts), rows=rows)


def render_directory(directory: pd.DataFrame) -> str:
    """The partnership directory: lead partnership, board champion, executive officer and
    outcome lead of each outcome (all partner text, escaped)."""
    return render("directory.html.j2", rows=directory.to_dict("records"))


# Issue 12: what a second-generation agreement (LAA2) adds. Each renderer takes a frame of
# pipeline.assess.agreement that is not None (the notebook shows the section only then).

def render_paragraph(text: str) -> str:
    """One paragraph of prose, escaped (for sections whose heading is conditional)."""
    return render_string("<p>{{ text }}</p>", text=text)


def render_kind_summary(by_kind: pd.DataFrame) -> str:
    """The Indicator Risk Summary by kind of target (designated, statutory, local), with
    the number of targets of each kind."""
    targets = [f"{int(n):,}" for n in by_kind.sum(axis=1)]
    return render_risk_summary(format_risk_summary(by_kind),
                               caption="Indicator Risk Summary by kind of target",
                               row_header="Kind of target", targets=targets)


def render_maa_indicators(maa: pd.DataFrame) -> str:
    """The indicators shared with a neighbouring area under a Multi-Area Agreement."""
    rows = [{**indicator_row(r), "value": format_number(r["value"], r["unit"]),
             "value_period": r["value_period"],
             "target": format_number(r["target_value"], r["unit"]),
             "rag": rag_label(r["final_rag"]), "code": r["final_rag"]}
            for _, r in maa.iterrows()]
    return render("maa_indicators.html.j2", rows=rows)


def render_placeholders(placeholders: pd.DataFrame, period: str) -> str:
    """The targets still to be agreed, with the date each is due, and how many of them are
    counted apart from the rated indicators for the period."""
    final = placeholders["final_rag"]
    unagreed, no_value = int((final == "T").sum()), int((final == "N").sum())
    rated = len(placeholders) - unagreed - no_value
    parts = [f"{unagreed} as target not agreed"] + (
        [f"{no_value} as not available for reporting (no value yet)"] if no_value else [])
    sentence = (f"{len(placeholders)} of the targets are placeholders still to be agreed "
                f"(or provisional). For {period}, {unagreed + no_value} of them are counted "
                f"apart from the rated indicators: {' and '.join(parts)}.")
    if rated:
        sentence += (f" {rated} {'are' if rated != 1 else 'is'} rated: only a later year's "
                     "target is still to be agreed.")
    overdue = int(placeholders["overdue"].sum())
    if overdue:
        sentence += (f" {overdue} {'were' if overdue != 1 else 'was'} due to be agreed "
                     "before this meeting.")
    rows = [{**indicator_row(r), "periods": r["periods"], "status": r["target_status"],
             "due": format_date(r["due_to_be_agreed"]), "overdue": bool(r["overdue"])}
            for _, r in placeholders.iterrows()]
    return render("placeholders.html.j2", rows=rows, sentence=sentence)


def render_directory_gaps(gaps: pd.DataFrame, counts: dict[str, int]) -> str:
    """The outcomes and sub-outcomes of the directory with a role left blank."""
    sentence = (f"{len(gaps)} of the directory's {counts['all']} outcomes and sub-outcomes "
                "have a role left blank; the Board is asked to help fill them.")
    return render("directory_gaps.html.j2", rows=gaps.to_dict("records"), sentence=sentence)


def render_outcomes_without_target(missing: pd.DataFrame, counts: dict[str, int]) -> str:
    """The outcomes of the Sustainable Community Strategy with no LAA target against them."""
    sentence = (f"{len(missing)} of the {counts['outcomes']} outcomes have no LAA target "
                "against them or any of their sub-outcomes. An outcome with a target may "
                "still be only partly covered by it.")
    return render("outcomes_without_target.html.j2", rows=missing.to_dict("records"),
                   sentence=sentence)


def render_delivery_plans(plans: pd.DataFrame, counts: dict[str, int]) -> str:
    """Where the delivery plans stand (received, reviewed by the challenge group, revised),
    and each outstanding plan with its due date and note."""
    sentence = (f"Delivery plans received for {counts['received']} of the {counts['targets']} "
                f"targets; {counts['reviewed']} reviewed by the challenge group, "
                f"{counts['revised']} revised since; {counts['outstanding']} outstanding.")
    outstanding = plans[plans["stage"] == "outstanding"]
    rows = [{**indicator_row(r), "due": format_date(r["due"]),
             "note": r["note"]} for _, r in outstanding.iterrows()]
    return render("delivery_plans.html.j2", rows=rows, sentence=sentence)


# Issue 14: the reward target gap analysis and the pooled fund outturn.

SCENARIO_WORDS = {"approved": "approved options", "all": "all options"}


def render_reward_gaps(table: pd.DataFrame, options: pd.DataFrame, scenario: str,
                       floor_pct: float, cap_pct: float) -> str:
    """The reward target gap analysis: a summary sentence, the chart of the grant at stake
    against what the options would protect, a table per theme, and the options.

    ``scenario`` (``""``, ``approved`` or ``all``) adds the grant payable if those options
    deliver; cost per pound protected is for those options (all options without one).
    """
    basis = scenario or "all"
    themes = []
    for name, rows in table[table["theme"] != ""].groupby("theme", sort=False):
        themes.append({"name": name, "rows": [gap_row(r, basis)
                                              for r in rows.to_dict("records")]})
    total = table[table["row_type"] == "overall total"].iloc[0]
    targets = table[table["row_type"] == "target"]
    closed = int(targets["closes_gap"].isin(("no gap", "yes: approved options")).sum())
    summary = (f"{describe_not_on_track(targets)}: "
               f"{format_gbp(total['grant_gbp'])} of grant, of which "
               f"{format_gbp(total['payable_gbp'])} would be paid on the final year forecast "
               f"and {format_gbp(total['at_stake_gbp'])} is at stake. If they delivered in "
               f"full, approved options would protect {format_gbp(total['protected_approved_gbp'])}"
               f" of it and all options {format_gbp(total['protected_all_gbp'])}; {closed} of "
               f"the {len(targets)} targets have no gap or one the approved options close.")
    listed = [{"theme": o["theme"], "indicator": o["indicator"], "option": o["option"],
               "status": o["status"], "contribution": contribution_text(o),
               "cost": format_gbp(o["cost_gbp"], 0) if not pd.isna(o["cost_gbp"])
               else "not costed", "owner": o["owner"], "counted": o["counted"]}
              for o in options.to_dict("records")]
    years = sorted(set(targets["final_year"]))
    return render("reward_gap.html.j2", summary=summary, themes=themes, options=listed,
                   final_year=" and ".join(years) if years else "final year's",
                   chart=Markup(charts.reward_gap_svg(table)), scenario=scenario,
                   basis=SCENARIO_WORDS[basis], floor=f"{floor_pct:g}", cap=f"{cap_pct:g}")


def render_pooled_fund(year: str, outturn: pd.DataFrame, check: dict, problems: pd.DataFrame,
                       lines: pd.DataFrame, threshold_pct: float) -> str:
    """The pooled fund outturn: the sentence with the rule's verdict, the blocks and total,
    and every finance return row or block that could not be used (one message each)."""
    def money(amount: float) -> str:
        places = 0 if float(amount).is_integer() else 2
        return ("-" if amount < 0 else "") + format_gbp(abs(amount), places)

    rows = [{
        "block": r["block"], "total": r["row_type"] == "total",
        "allocation": money(r["allocation_gbp"]),
        "virement": money(r["virement_gbp"]) if r["virement_gbp"] else "",
        "budget": money(r["budget_gbp"]), "spend": money(r["spend_gbp"]),
        "underspend": money(r["underspend_gbp"]),
        "pct": "" if pd.isna(r["underspend_pct"])
        else share_text(r["underspend_pct"], threshold_pct),
        "carry": money(r["carry_forward_gbp"]) if r["carry_forward_gbp"] else "",
        "commentary": r["commentary"],
    } for r in outturn.to_dict("records")]
    counted = [f"{int(r['rows_read'])} rows: {int(r['rows_used'])} used, "
               f"{int(r['rows_set_aside'])} set aside" for r in lines.to_dict("records")]
    read = (("the finance return, " if len(counted) == 1 else
             f"{len(counted)} finance returns, ") + "; ".join(counted)) if counted else ""
    shown = [{**p, "row": int(p["source_row"]) or ""} for p in problems.to_dict("records")]
    sentence = check.get("sentence", "The finance return has no row that could be used: "
                                     "there is no outturn to report.")
    return render("pooled_fund.html.j2", year=year, rows=rows, sentence=sentence,
                   threshold=f"{threshold_pct:g}", lines=read, problems=shown)
