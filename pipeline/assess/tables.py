"""Self-assessment tables: Indicator Risk Summary, reward grant at risk, risk lists, headline."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from pipeline.assess.assessment import rag_gap, usable_rows
from pipeline.assess.reward_targets import condition_not_met, with_reward_targets
from pipeline.figures import format_pct, round_half_up
from pipeline.rag import RAG_LABELS, RATED
from pipeline.rules_schema import Rules

SUMMARY_COLUMNS = [RAG_LABELS[code] for code in (*RATED, "N")]
TOTALS = "Totals"


def summarise_risk(assessed: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Counts of final RAG per theme (the Indicator Risk Summary), with a Totals row.

    Columns Green, Amber, Red, Not available for reporting, and Target not agreed
    only when some indicator has it. Index: theme names in summary order, then Totals.
    """
    labels = assessed["final_rag"].map(RAG_LABELS)
    counts = pd.crosstab(assessed["theme"], labels)
    columns = SUMMARY_COLUMNS + ([RAG_LABELS["T"]] if (assessed["final_rag"] == "T").any()
                                 else [])
    counts = counts.reindex(index=themes["theme"], columns=columns, fill_value=0)
    counts.index = pd.Index(themes["name"].tolist(), name="Theme")
    counts.columns.name = None
    counts.loc[TOTALS] = counts.sum()
    return counts.astype("int64")


def format_risk_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as printed: the Totals row shows rated counts with their % of all rated.

    Green, Amber and Red in the Totals row read ``63 (63.6%)``: the share of indicators
    that could be rated (not available and target not agreed are left out of the base).
    """
    shown = summary.astype(str)
    totals = summary.loc[TOTALS]
    rated = int(totals[["Green", "Amber", "Red"]].sum())
    for column in ("Green", "Amber", "Red"):
        shown.loc[TOTALS, column] = f"{totals[column]} ({format_pct(totals[column], rated)})"
    return shown


def tabulate_reward_grant(assessed: pd.DataFrame, themes: pd.DataFrame,
                          rules: Rules) -> pd.DataFrame:
    """The reward targets with their grant and the grant at risk (the seed's Appendix 2).

    A target's whole grant counts as at risk when its final RAG is in
    ``rules.at_risk_ratings`` (amber or red by default), or when its grant's condition is
    not met. Rows: each target, a TOTAL row per theme (in block order), and an Overall
    Total row; ``row_type`` tells them apart. Target rows carry their reward target and
    condition (:func:`reward_target_columns`).
    """
    reward = with_reward_targets(assessed[assessed["reward"].astype(bool)])
    reward["at_risk_gbp"] = reward["reward_grant_gbp"].where(
        reward["final_rag"].isin(rules.at_risk_ratings) | condition_not_met(reward), 0.0)
    return tabulate_by_theme(reward, themes, lambda rows: {
        "rag": rows["final_rag"].map(RAG_LABELS),
        "indicator_id": rows["indicator_id"],
        "indicator": rows["indicator_id"] + " - " + rows["title"],
        "grant_gbp": rows["reward_grant_gbp"],
        "at_risk_gbp": rows["at_risk_gbp"],
        **reward_target_columns(rows),
    }, money=("grant_gbp", "at_risk_gbp"))


def reward_target_columns(rows: pd.DataFrame) -> dict[str, pd.Series]:
    """The reward target and condition columns a reward table carries for its target rows
    (``rows`` from :func:`pipeline.assess.reward_targets.with_reward_targets`)."""
    return {c: rows[c] for c in ("reward_target", "reward_target_name", "condition",
                                 "condition_status", "condition_note")}


def tabulate_by_theme(reward: pd.DataFrame, themes: pd.DataFrame,
                      columns: Callable[[pd.DataFrame], dict[str, object]],
                      money: tuple[str, ...]) -> pd.DataFrame:
    """Reward targets per theme in block order, with a TOTAL row per theme and an Overall
    Total row (``row_type`` tells them apart).

    ``columns`` gives a theme's target rows' columns; total rows sum the ``money`` columns,
    leave text blank and other numbers missing. Money is rounded half up to pence.
    """
    # every target's row built once and sliced per theme: the same rows, in the same order
    # and types, as building each theme's from its own targets
    every = pd.DataFrame({"theme": "", "row_type": "target", **columns(reward)})
    keys = reward["theme"].to_numpy()
    parts = []
    for key, name in themes.sort_values("block", kind="stable")[["theme", "appendix_name"]] \
            .itertuples(index=False):
        mine = keys == key
        if not mine.any():
            continue
        parts.append(every[mine].assign(theme=name))
        parts.append(_total_row(parts[-1], name, "theme total", "TOTAL", money))
    parts.append(_total_row(every, "", "overall total", "Overall Total", money))
    table = pd.concat(parts, ignore_index=True)
    for column in money:
        table[column] = table[column].map(lambda x: float(round_half_up(x, 2)))
    return table


def _total_row(targets: pd.DataFrame, theme: str, row_type: str, label: str,
               money: tuple[str, ...]) -> pd.DataFrame:
    row = {}
    for column, dtype in targets.dtypes.items():
        if column in money:
            row[column] = targets[column].sum()
        elif pd.api.types.is_numeric_dtype(dtype):
            row[column] = float("nan")
        else:
            row[column] = ""
    row.update({"theme": theme, "row_type": row_type, "indicator": label})
    return pd.DataFrame([row], columns=targets.columns)


RISK_LIST_COLUMNS = ["indicator_id", "title", "theme_name", "lead_org", "unit", "value",
                     "value_period", "target_value", "off_target_pct", "expected_value",
                     "trajectory_period", "off_trajectory_pct", "computed_rag", "final_rag",
                     "statement", "commentary", "actions", "rating_basis", "data_status"]


def list_risks(assessed: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The three risk lists of the self-assessment, each in indicator order.

    Keys: ``red_non_reward``, ``red_reward``, ``amber_reward``. Each row carries the
    computed performance statement (:func:`pipeline.assess.statements.add_statements`) beside
    the lead's commentary and actions.
    """
    reward = assessed["reward"].astype(bool)
    picks = {
        "red_non_reward": (assessed["final_rag"] == "R") & ~reward,
        "red_reward": (assessed["final_rag"] == "R") & reward,
        "amber_reward": (assessed["final_rag"] == "A") & reward,
    }
    return {name: assessed.loc[mask].reindex(columns=RISK_LIST_COLUMNS).reset_index(drop=True)
            for name, mask in picks.items()}


def compose_headline(assessed: pd.DataFrame, rules: Rules) -> str:
    """The sentence the seed left unfilled, computed from the final ratings.

    "X% of the indicators are on track to meet target figures, X% amber and X% red. Of
    those that are red only X% are more than 20% off trajectory." Percentages are of
    the rated indicators; "off trajectory" is ``off_trajectory_pct``, the value against
    the value expected at its period (the annual target at the year end).
    """
    rag = assessed["final_rag"]
    rated = int(rag.isin(RATED).sum())
    if rated == 0:
        return ("No indicator can be rated yet: none has a value for the period against an "
                "agreed target.")
    red = assessed[rag == "R"]
    far = int((red["off_trajectory_pct"] > rules.red_far_off_pct).sum())
    limit = f"{rules.red_far_off_pct:g}% off trajectory"
    if red.empty:
        reds = "None is red."
    elif far == 0:
        reds = f"Of those that are red none is more than {limit}."
    else:
        reds = f"Of those that are red only {format_pct(far, len(red))} are more than {limit}."
    return (f"{format_pct((rag == 'G').sum(), rated)} of the indicators are on track to meet "
            f"target figures, {format_pct((rag == 'A').sum(), rated)} amber and "
            f"{format_pct(len(red), rated)} red. {reds}")


RATING_COLUMNS = ["indicator_id", "title", "theme_name", "unit", "value", "value_period",
                  "expected_value", "off_trajectory_pct", "computed_rag", "lead_rag", "final_rag",
                  "rag_gap"]


def tabulate_ratings(assessed: pd.DataFrame) -> pd.DataFrame:
    """Every indicator's final RAG with the computed one beside it (the block tables).

    ``rag_gap``: steps from the computed to the lead's rating, positive when the lead is
    kinder than the numbers (:func:`pipeline.assess.assessment.rag_gap`). Direction of travel
    columns are kept when the assessment has them.
    """
    table = assessed.assign(rag_gap=[rag_gap(c, lead) for c, lead in
                                     zip(assessed["computed_rag"], assessed["lead_rag"],
                                         strict=True)])
    travel = [c for c in ("travel_vs_earlier", "travel_vs_year_ago") if c in table]
    return table[RATING_COLUMNS + travel].reset_index(drop=True)


def list_rag_disagreements(ratings: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Indicators whose lead rating differs from the computed one by more than
    ``rules.lead_gap_max_steps`` steps, or that the lead rates green and the numbers red.

    ``ratings`` comes from :func:`tabulate_ratings`; a ``reason`` column says which test
    caught each row.
    """
    lead_green_numbers_red = (ratings["lead_rag"] == "G") & (ratings["computed_rag"] == "R")
    too_far = ratings["rag_gap"].abs() > rules.lead_gap_max_steps
    picked = ratings[lead_green_numbers_red | too_far].copy()
    picked["reason"] = [
        f"lead {RAG_LABELS[lead]}, computed {RAG_LABELS[c]} ({abs(g)} step"
        f"{'s' if abs(g) != 1 else ''} {'kinder' if g > 0 else 'harsher'})"
        for lead, c, g in zip(picked["lead_rag"], picked["computed_rag"], picked["rag_gap"],
                              strict=True)]
    return picked.reset_index(drop=True)


def data_as_of(returns: pd.DataFrame, period: str) -> str:
    """The latest submission time among the returns used for ``period`` (``YYYY-MM-DD
    HH:MM``): rows in force of the period's year up to ``period``, in any geography
    (:func:`pipeline.assess.assessment.usable_rows`), so a Q2 appendix is not dated by a
    Q4 return that came in later."""
    stamps = usable_rows(returns, period)["submitted_at"].dropna()
    return "" if stamps.empty else stamps.max().strftime("%Y-%m-%d %H:%M")


def summarise_quality(ingested: pd.DataFrame, clean: pd.DataFrame,
                      quarantine: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """The appendix's data-quality summary: what was read, kept, superseded and quarantined."""
    failed_warnings = results[~results["success"] & (results["severity"] == "warning")]
    whole_files = quarantine[quarantine["source_row"] == 0]
    measures = [
        ("Return files read", ingested["source_file"].nunique()),
        ("Rows read", len(ingested)),
        ("Rows passing every FAIL check", len(clean)),
        ("Rows superseded by a later submission", int((~clean["in_force"].astype(bool)).sum())),
        ("Rows quarantined", int((quarantine["source_row"] > 0).sum())),
        ("Files or sheets quarantined whole", len(whole_files)),
        ("Checks run", len(results)),
        ("ADVISORY findings (rows)", int(failed_warnings["unexpected_count"].sum())),
    ]
    return pd.DataFrame(measures, columns=["Measure", "Count"])
