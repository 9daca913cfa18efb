"""The officer's covering report and the board summary as editable Word documents (DOCX).

The covering report is drafted from the same frames as the appendix
(:class:`pipeline.report.frames.Appendix`), every figure printed as the appendix prints it
(:mod:`pipeline.figures`, :func:`pipeline.assess.tables.format_risk_summary`,
:func:`pipeline.report.section_words.risk_entry`). The officer's own words (title, purpose,
background, recommendations, officers to contact) come from
``<data-dir>/register/covering_report.toml``
(:func:`pipeline.inputs.covering_words.read_covering_words`), so a rerun keeps
them and no figure is ever typed; a word not written yet shows as a bracketed placeholder.
The Indicator Risk Summary's chart is the appendix's own SVG, drawn as a PNG by Typst
(:func:`chart_png`). The Word mechanics (headings, tables, pictures with alternative text,
properties, byte-identical files) are in :mod:`pipeline.report.wordfile`.
"""

from __future__ import annotations

import pandas as pd

from pipeline.assess.changes import count_movements, describe_comparison
from pipeline.assess.reward_targets import describe_at_risk, describe_reward_targets
from pipeline.assess.tables import TOTALS, format_risk_summary
from pipeline.figures import (
    format_date,
    format_date_time,
    format_gbp,
    format_pct,
)
from pipeline.inputs.covering_words import CoveringWords
from pipeline.rag import RAG_CODES
from pipeline.report.audit import describe_checked, has_findings, list_marked
from pipeline.report.charts import describe_rag_by_theme, rag_by_theme_svg
from pipeline.report.frames import Appendix
from pipeline.report.pdf import shipped_fonts
from pipeline.report.section_words import risk_entry
from pipeline.report.summary import SHOWN_MOVEMENTS, key_messages, name_themes_short
from pipeline.report.wordfile import WordFile

PLACEHOLDERS = {
    "title": "[Title: to be written by the officer]",
    "purpose": "[Purpose: to be written by the officer]",
    "background": "[Background: to be written by the officer]",
    "recommendations": "[Recommendations: to be written by the officer]",
    "contacts": "[Officers to contact: to be written by the officer]",
}
CHART_PPI = 150


def headline_figures(summary: pd.DataFrame) -> list[str]:
    """The headline's key counts as the appendix prints them: ``63 green, 63.6% of rated``."""
    totals = summary.loc[TOTALS]
    rated = int(sum(int(totals.get(c, 0)) for c in ("Green", "Amber", "Red")))
    lines = []
    for label in totals.index:
        count = int(totals[label])
        share = (f", {format_pct(count, rated)} of rated"
                 if label in ("Green", "Amber", "Red") else "")
        lines.append(f"{count:,} {label.lower()}{share}")
    return lines


def risk_summary_rows(summary: pd.DataFrame) -> list[list[str]]:
    """The Indicator Risk Summary as table rows, header first, cells as the appendix's."""
    shown = format_risk_summary(summary)
    return [["Theme", *shown.columns]] + [[str(theme), *(str(shown.at[theme, c])
                                                          for c in shown.columns)]
                                         for theme in shown.index]


def risk_lines(items: pd.DataFrame) -> list[str]:
    """One line per risk, as the board summary prints it: rating, id, title, value against
    target, how far off trajectory, the auditor's mark and note if any, lead."""
    lines = []
    for _, row in items.iterrows():
        e = risk_entry(row)
        off = f", {e['off']}" if e["off"] else ""
        lead = f" (lead: {e['lead_org']})" if e["lead_org"] else ""
        audit = f" ({e['audit']})" if e["audit"] else ""
        lines.append(f"{e['rag']}: {e['indicator_id']} {e['title']}: {e['value'] or 'n/a'} "
                     f"against target {e['target'] or 'n/a'}{off}{audit}{lead}")
    return lines


def grant_rows(reward: pd.DataFrame, themes: pd.DataFrame | None = None) -> list[list[str]]:
    """The performance reward grant and the grant at risk per theme and overall (the total
    rows of :func:`pipeline.assess.tables.tabulate_reward_grant`), header first; themes by
    their short names as in the board summary (:func:`name_themes_short`)."""
    reward = name_themes_short(reward, themes)
    rows = [["Theme", "Grant", "Grant at risk"]]
    for _, total in reward[reward["row_type"] != "target"].iterrows():
        theme = "Total" if total["row_type"] == "overall total" else str(total["theme"])
        rows.append([theme, format_gbp(total["grant_gbp"]), format_gbp(total["at_risk_gbp"])])
    return rows


def grant_sentence(reward: pd.DataFrame) -> str:
    """The reward targets counted as the board summary counts them, with those at risk."""
    if reward[reward["row_type"] == "target"].empty:
        return "No reward targets in the themes shown."
    return f"{describe_reward_targets(reward)}: {describe_at_risk(reward)}."


def change_lines(movements: pd.DataFrame, previous_period: str | None) -> tuple[str, list[str]]:
    """What changed since the previous review: the counts in a sentence, then one line per
    indicator that worsened or improved (was, now, value then and now)."""
    if not previous_period:
        return "No previous review to compare with.", []
    counts = count_movements(movements)
    sentence = (f"Since {previous_period}: {counts['worsened']} worsened, "
                f"{counts['improved']} improved, {counts['now rated']} rated that could not "
                f"be rated then, and {counts['no longer rated']} no longer rated")
    if counts["not compared"]:
        sentence += (f"; {counts['not compared']} changed rating with values that cannot be "
                     "compared like with like")
    sentence += "."
    lines = []
    for kind in SHOWN_MOVEMENTS:
        for _, r in movements[movements["movement"] == kind].iterrows():
            lines.append(f"{kind.capitalize()}: {r['indicator_id']} {r['title']} "
                         f"({r['theme_name']}): {r['was']} to {r['now']}, "
                         f"{describe_comparison(r)}")
    return sentence, lines


def chart_png(summary: pd.DataFrame) -> tuple[bytes, str] | None:
    """The appendix's chart of final RAG ratings by theme
    (:func:`pipeline.report.charts.rag_by_theme_svg`, the same SVG) as a PNG drawn by
    Typst in the shipped fonts, with the chart in words for its alternative text; None
    when there is no theme to draw. The same summary gives the same bytes."""
    import typst

    svg = rag_by_theme_svg(summary)
    if not svg:
        return None
    rows = summary.drop(index=[TOTALS], errors="ignore")
    words = describe_rag_by_theme(rows, [c for c in summary.columns if c in RAG_CODES])
    source = ('#set page(width: auto, height: auto, margin: 0pt)\n'
              '#image(bytes(sys.inputs.at("svg")), format: "svg")')
    png = typst.compile(source.encode("utf-8"), format="png", ppi=CHART_PPI,
                        sys_inputs={"svg": svg}, font_paths=shipped_fonts(),
                        ignore_system_fonts=True)
    return png, words


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _figures_sections(doc: WordFile, app: Appendix, level: int) -> None:
    """The sections drafted from figures, shared by the covering report and the summary."""
    doc.heading("Headline figures", level)
    doc.paragraph(app.headline)
    for message in key_messages(app.go_issues, app.first_agreement, app.filtered):
        doc.paragraph(message)
    for line in headline_figures(app.summary):
        doc.bullet(line)
    doc.heading("Indicator Risk Summary", level)
    doc.table(risk_summary_rows(app.summary), "Indicator Risk Summary: final RAG ratings "
              "by theme, number of indicators (Totals: share of the rated)")
    chart = chart_png(app.summary)
    if chart is not None:
        doc.picture(chart[0], chart[1], "Final RAG ratings by theme, number of indicators "
                    "(the table above gives every figure)")
    for title, items in app.risk_lists().items():
        doc.heading(f"{title} ({len(items)})", level)
        lines = risk_lines(items)
        for line in lines:
            doc.bullet(line)
        if not lines:
            doc.paragraph("None.")
    if app.has_reward:
        doc.heading("Reward grant at risk", level)
        doc.paragraph("The whole grant of every reward target rated amber or red, or whose "
                      "grant's condition is not met, counts as at risk. "
                      + grant_sentence(app.reward))
        doc.table(grant_rows(app.reward, app.themes), "Performance reward grant at risk by theme")
    doc.heading("Changes since the last review", level)
    sentence, lines = change_lines(app.movements, app.review)
    doc.paragraph(sentence)
    for line in lines:
        doc.bullet(line)
    if has_findings(app.assessed):
        doc.heading("The auditor's findings", level)
        doc.paragraph(describe_checked(app.assessed["audit_finding"])
                      or "The auditor sampled figures but checked none of them.")
        for row in list_marked(app.assessed):
            note = f": {row['note']}" if row["note"] else ""
            doc.bullet(f"{row['indicator_id']} {row['title']}: {row['value']} "
                       f"({row['value_period']}). {row['mark']}{note}.")


def build_covering_report(app: Appendix, words: CoveringWords, generated_at: str) -> WordFile:
    """The covering report: the partnership's heading and the meeting, Purpose, Background,
    the figures' sections (as the appendix's), Recommendations and Officers to contact."""
    settings, name = app.settings, app.partnership["name"]
    title = words.title or f"Performance self-assessment {settings.period}"
    doc = WordFile(title=f"{name}: {title}", author=name, generated_at=generated_at,
                   subject=f"{app.partnership['agreement']}: covering report, Board meeting "
                           f"{format_date(settings.meeting)}")
    doc.heading(f"{name} Board", 0)
    doc.paragraph(f"Meeting of {format_date(settings.meeting)}", bold=True)
    doc.paragraph(title if words.title else PLACEHOLDERS["title"], bold=True)
    doc.paragraph(f"{app.partnership['agreement']}: period assessed {settings.period}; data "
                  f"as of {format_date_time(app.data_as_of)}; figures from the appendix "
                  f"prepared {format_date_time(generated_at, utc=True)}.")
    doc.heading("Purpose of Report", 1)
    for text in _paragraphs(words.purpose) or [PLACEHOLDERS["purpose"]]:
        doc.paragraph(text)
    doc.heading("Background", 1)
    for text in _paragraphs(words.background) or [PLACEHOLDERS["background"]]:
        doc.paragraph(text)
    doc.heading("Performance", 1)
    _figures_sections(doc, app, 2)
    doc.heading("Recommendations", 1)
    if words.recommendations:
        doc.paragraph("It is recommended that the Board:")
        for text in words.recommendations:
            doc.numbered(text)
    else:
        doc.paragraph(PLACEHOLDERS["recommendations"])
    doc.heading("Officers to Contact", 1)
    for contact in words.contacts:
        doc.paragraph("\n".join(v for v in (contact["name"], contact["role"], contact["phone"],
                                            contact["email"]) if v))
    if not words.contacts:
        doc.paragraph(PLACEHOLDERS["contacts"])
    return doc


def build_board_summary(app: Appendix, generated_at: str) -> WordFile:
    """The board summary as DOCX: the cover facts, headline, Indicator Risk Summary, red and
    amber risks one line each, the grant at risk per theme and the changes."""
    settings, name = app.settings, app.partnership["name"]
    doc = WordFile(title=f"{name}: board summary, self-assessment {settings.period}",
                   author=name, generated_at=generated_at,
                   subject=f"{app.partnership['agreement']}: board summary, Board meeting "
                           f"{format_date(settings.meeting)}")
    doc.heading(f"{name}: board summary", 0)
    doc.paragraph(f"{app.partnership['agreement']}. Board meeting "
                  f"{format_date(settings.meeting)}; period assessed {settings.period}; "
                  f"data as of {format_date_time(app.data_as_of)}; prepared "
                  f"{format_date_time(generated_at, utc=True)}.")
    _figures_sections(doc, app, 1)
    return doc
