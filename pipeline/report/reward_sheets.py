"""The reward tables of the appendix as data: the grant and its forecast, the gap analysis,
the improvement options and the grant per reward target (see :mod:`pipeline.report.sheets`)."""

from __future__ import annotations

import pandas as pd

from pipeline.report.reward_sections import ALL_THEMES
from pipeline.report.table_spec import AppendixTable, pct_value


def reward_grant_table(reward: pd.DataFrame, title: str = "Appendix 2: reward target list "
                       "and performance reward grant at risk") -> AppendixTable:
    """The seed's Appendix 2: each reward target's grant and grant at risk, with totals."""
    frame = pd.DataFrame({
        "Theme": reward["theme"], "Row": reward["row_type"], "RAG": reward["rag"],
        "Reward target": reward["indicator"], "All indicators (£)": reward["grant_gbp"],
        "At risk (£)": reward["at_risk_gbp"]})
    kinds = {"Theme": "text", "Row": "text", "RAG": "rag", "Reward target": "text",
             "All indicators (£)": "gbp", "At risk (£)": "gbp"}
    return AppendixTable("appendix-2-reward-grant", title, frame, kinds,
                         emphasis_column="Row", emphasis=("theme total", "overall total"),
                         sheet="Appendix 2 reward grant",
                         note="The whole grant of every reward target rated amber or red, "
                              "or whose grant's condition is not met, counts as at risk.")


AT_RISK_SEED = "At risk, whole grant of amber or red (£)"
AT_RISK_FORECAST = "At risk, not paid on the forecast (£)"
ACHIEVED_NOTE = ("Enhancement achieved % is the exact share: above 100 the value is past the "
                 "stretch target, below 0 short of the performance expected without stretch "
                 "(the documents say so in words).")
TOTALS_NOTE = ("The two totals at risk count different things: the whole grant of every "
               "reward target rated amber or red (or whose condition is not met), as the "
               "self-assessment counts it; and the maximum grant less the forecast payable, "
               "target by target at its latest value.")


def grant_forecast_table(grant: pd.DataFrame) -> AppendixTable:
    """The reward grant forecast under the Performance Reward Grant rule."""
    frame = pd.DataFrame({
        "Theme": grant["theme"], "Row": grant["row_type"], "Reward target": grant["indicator"],
        "RAG": grant["rag"], "Unit": grant["unit"], "Value": grant["value"],
        "Value period": grant["value_period"], "Expected without stretch":
        grant["without_stretch"], "Stretch target": grant["stretch"],
        "Enhancement achieved %": grant["achieved_pct"].map(pct_value),
        "Payable %": grant["payable_pct"].map(pct_value), "Basis": grant["basis"],
        "Maximum grant (£)": grant["grant_gbp"], "Forecast payable (£)": grant["forecast_gbp"],
        AT_RISK_SEED: grant["at_risk_seed_gbp"],
        AT_RISK_FORECAST: grant["at_risk_forecast_gbp"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"RAG": "rag", "Value": "value", "Expected without stretch": "value",
                  "Stretch target": "value", "Enhancement achieved %": "pct",
                  "Payable %": "pct", "Maximum grant (£)": "gbp", "Forecast payable (£)": "gbp",
                  AT_RISK_SEED: "gbp", AT_RISK_FORECAST: "gbp"})
    return AppendixTable("reward-grant-forecast", "Reward grant forecast", frame, kinds,
                         unit_column="Unit", emphasis_column="Row",
                         emphasis=("theme total", "overall total"), sheet="Reward grant forecast",
                         note=f"{ACHIEVED_NOTE} {TOTALS_NOTE}")


def reward_gap_table(table: pd.DataFrame) -> AppendixTable:
    """The reward target gap analysis, both scenarios (approved options, all options)."""
    frame = pd.DataFrame({
        "Theme": table["theme"], "Row": table["row_type"], "Reward target": table["indicator"],
        "RAG": table["rag"], "Unit": table["unit"], "Polarity": table["polarity"],
        "Value": table["value"], "Value period": table["value_period"],
        "Final year": table["final_year"], "Stretch target": table["final_stretch"],
        "Expected without stretch": table["final_without_stretch"],
        "Forecast": table["forecast"], "Forecast basis": table["basis"], "Gap": table["gap"],
        "Enhancement achieved %": table["achieved_pct"].map(pct_value),
        "Maximum grant (£)": table["grant_gbp"], "Payable at forecast (£)": table["payable_gbp"],
        "At stake (£)": table["at_stake_gbp"],
        "Approved options contribution": table["approved_contribution"],
        "Proposed options contribution": table["proposed_contribution"],
        "Options": table["options"], "Closes the gap": table["closes_gap"]})
    for name, words in (("approved", "approved options"), ("all", "all options")):
        frame[f"Value if {words} deliver"] = table[f"value_{name}"]
        frame[f"Payable if {words} deliver (£)"] = table[f"payable_{name}_gbp"]
        frame[f"Protected by {words} (£)"] = table[f"protected_{name}_gbp"]
        frame[f"Cost of {words} (£)"] = table[f"cost_{name}_gbp"]
        frame[f"Uncosted {words}"] = table[f"uncosted_{name}"]
        frame[f"Cost per £ protected, {words}"] = table[f"cost_per_gbp_{name}"].map(
            lambda x: pct_value(x, 2))
    kinds = {c: "text" for c in frame.columns}
    kinds.update({c: "gbp" for c in frame.columns if c.endswith("(£)")})
    kinds.update({c: "value" for c in ("Value", "Stretch target", "Expected without stretch",
                                       "Forecast", "Gap", "Approved options contribution",
                                       "Proposed options contribution",
                                       "Value if approved options deliver",
                                       "Value if all options deliver")})
    kinds.update({"RAG": "rag", "Enhancement achieved %": "pct", "Options": "number",
                  "Uncosted approved options": "number", "Uncosted all options": "number",
                  "Cost per £ protected, approved options": "number",
                  "Cost per £ protected, all options": "number"})
    return AppendixTable("reward-gap-analysis", "Reward targets: gap analysis", frame, kinds,
                         unit_column="Unit", emphasis_column="Row",
                         emphasis=("theme total", "overall total"), sheet="Reward gap analysis",
                         note="Final year forecast on the current trajectory, the gap to the "
                              "stretch target in the indicator's unit, and the grant payable "
                              "if the improvement options deliver in full. At stake: the grant "
                              "not paid on the final year forecast, for the targets not on "
                              "track. A cost per £ protected left blank where options have a "
                              f"cost: they protect no grant. {ACHIEVED_NOTE}")


def options_table(options: pd.DataFrame) -> AppendixTable:
    """Every improvement option with its contribution and whether the analysis counts it."""
    frame = pd.DataFrame({
        "Theme": options["theme"], "Reward target": options["indicator"],
        "Option": options["option"], "Status": options["status"],
        "Contribution as given": options["contribution"],
        "Contribution basis": options["contribution_basis"], "Unit": options["unit"],
        "Contribution in the unit": options["contribution_in_unit"],
        "Cost (£)": options["cost_gbp"], "Owner": options["owner"],
        "Counted": options["counted"], "Register row": options["source_row"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Option": "partner", "Owner": "partner", "Contribution as given": "number",
                  "Contribution in the unit": "value", "Cost (£)": "gbp",
                  "Register row": "count"})
    return AppendixTable("improvement-options", "Improvement options for the reward targets",
                         frame, kinds, unit_column="Unit", sheet="Improvement options")


def reward_targets_table(table: pd.DataFrame) -> AppendixTable:
    """The grant per reward target (issue 21.3), last so that the other tables' files keep
    their numbers."""
    frame = pd.DataFrame({
        "Theme": table["theme"], "Row": table["row_type"], "Reward target": table["label"],
        "Sub-targets": table["sub_targets"], "Number of sub-targets": table["sub_target_count"],
        "Sub-targets at risk": table["at_risk_sub_targets"], "Conditions": table["conditions"],
        "Maximum grant (£)": table["grant_gbp"], "Forecast payable (£)": table["forecast_gbp"],
        AT_RISK_SEED: table["at_risk_seed_gbp"],
        AT_RISK_FORECAST: table["at_risk_forecast_gbp"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Reward target": "partner", "Number of sub-targets": "count",
                  "Sub-targets at risk": "count",
                  **{c: "gbp" for c in frame.columns if c.endswith("(£)")}})
    return AppendixTable("reward-targets", "Reward grant per reward target", frame, kinds,
                         emphasis_column="Row", emphasis=("overall total",),
                         sheet="Reward targets",
                         note="The reward grant forecast added up per reward target. "
                              + TOTALS_NOTE)


def first_agreement_table(per_target: pd.DataFrame, filtered: bool = False) -> AppendixTable:
    """The first agreement's reward targets forecast to their final year (issue 21.4), in a
    second agreement's appendix: the columns of :func:`reward_targets_table` that apply
    (there is no rating rule here, only the forecast); with ``filtered`` (the tables of
    some themes) its note says it covers every theme
    (:data:`pipeline.report.reward_sections.ALL_THEMES`)."""
    base = reward_targets_table(per_target)
    names = {"Sub-targets at risk": "Sub-targets with grant at stake",
             "Forecast payable (£)": "Final-year forecast payable (£)",
             AT_RISK_FORECAST: "At stake (£)"}
    frame = base.frame.drop(columns=AT_RISK_SEED).rename(columns=names)
    kinds = {names.get(c, c): k for c, k in base.kinds.items() if c in base.frame.columns
             and c != AT_RISK_SEED}
    return AppendixTable("first-agreement-reward", "The first agreement's reward targets",
                         frame, kinds, emphasis_column="Row", emphasis=("overall total",),
                         sheet="First agreement reward",
                         note="Each reward target forecast to the end of its final year."
                              + (f" {ALL_THEMES}" if filtered else ""))
