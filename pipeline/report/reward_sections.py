"""Presentation of reward targets: the grant per reward target beside the per theme
totals, counted and worded as the seeds do ("12 reward targets (32 sub-targets)"), and a
grant's condition in words. Escaped HTML fragments from the frames of
:mod:`pipeline.assess.reward_targets`.
"""

from __future__ import annotations

import pandas as pd

from pipeline.assess.reward_targets import (
    NOT_MET,
    PENDING,
    describe_at_risk,
    describe_reward_targets,
)
from pipeline.figures import format_gbp
from pipeline.report.pages import render


def condition_text(status: str, note: str, condition: str) -> str:
    """A grant's condition as printed beside its target: ``condition not met: <note>``,
    ``condition not yet known: <note>``; "" when there is none or it is met.

    >>> condition_text("not met", "", "PCT target met")
    'condition not met: PCT target met'
    """
    if status not in (NOT_MET, PENDING):
        return ""
    return f"condition {status}: {note or condition}"


def render_reward_targets(table: pd.DataFrame, forecast: pd.DataFrame) -> str:
    """The grant per reward target (:func:`pipeline.assess.reward_targets.
    tabulate_reward_targets`), with the count of reward targets and sub-targets and how
    many have grant at risk, from the grant forecast ``forecast``."""
    sentence = f"{describe_reward_targets(forecast)}: {describe_at_risk(forecast)}."
    return render("reward_targets.html.j2", rows=_target_rows(table), sentence=sentence)


def _target_rows(table: pd.DataFrame) -> list[dict[str, object]]:
    """The rows of a per reward target table, printed."""
    return [{
        "theme": r["theme"], "row_type": r["row_type"], "label": r["label"],
        "sub_targets": r["sub_targets"], "count": f"{int(r['sub_target_count']):,}",
        "at_risk_count": f"{int(r['at_risk_sub_targets']):,}", "conditions": r["conditions"],
        "grant": format_gbp(r["grant_gbp"]), "forecast": format_gbp(r["forecast_gbp"]),
        "risk_seed": format_gbp(r["at_risk_seed_gbp"]),
        "risk_forecast": format_gbp(r["at_risk_forecast_gbp"]),
    } for r in table.to_dict("records")]


# A second agreement's themes are not its first's (LAA2's "Health and Wellbeing" is not
# LAA1's "Healthier Communities"): a themed appendix says the first's reward is all of it.
ALL_THEMES = ("It covers every reward target of the first agreement, whatever the themes "
              "shown: the first agreement's themes are not this agreement's.")


def describe_first_agreement(per_target: pd.DataFrame, forecast: pd.DataFrame,
                             facts: dict[str, object], filtered: bool = False) -> str:
    """The first agreement's reward in a sentence: the count of reward targets, the maximum
    grant, the grant forecast payable at the end of the final year and the grant at stake
    (the ``overall total`` of ``per_target``, :func:`pipeline.assess.first_agreement.
    tabulate_first_agreement` of the sub-targets' ``forecast``); with ``filtered`` (an
    appendix of some themes) followed by :data:`ALL_THEMES`. The appendix's section and the
    board summary both print it."""
    total = per_target[per_target["row_type"] == "overall total"].iloc[0]
    agreement = str(facts.get("agreement") or "the first agreement")
    finals = sorted(set(forecast.loc[forecast["row_type"] == "target", "final_year"]
                        .dropna().astype(str)))
    sentence = (f"{agreement}: {describe_reward_targets(forecast)}, a maximum grant of "
                f"{format_gbp(total['grant_gbp'])}; {format_gbp(total['forecast_gbp'])} "
                f"forecast payable at the end of {' and '.join(finals) or 'its final year'} "
                f"and {format_gbp(total['at_risk_forecast_gbp'])} at stake.")
    return f"{sentence} {ALL_THEMES}" if filtered else sentence


def render_first_agreement(per_target: pd.DataFrame, forecast: pd.DataFrame,
                           facts: dict[str, object], filtered: bool = False) -> str:
    """The first agreement's reward targets forecast to their final year, inside the
    second agreement's appendix: the sentence of :func:`describe_first_agreement` (saying,
    with ``filtered``, that it covers every theme), what the forecast is from
    (``facts["basis"]``) and one row per reward target."""
    agreement = str(facts.get("agreement") or "the first agreement")
    return render("first_agreement.html.j2", rows=_target_rows(per_target),
                  sentence=describe_first_agreement(per_target, forecast, facts, filtered),
                  basis=str(facts.get("basis", "")),
                  caption=f"{agreement}: reward grant per reward target, final-year forecast"
                          + (", every theme" if filtered else ""))
