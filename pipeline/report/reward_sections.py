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


def render_first_agreement(per_target: pd.DataFrame, forecast: pd.DataFrame,
                           facts: dict[str, object]) -> str:
    """The first agreement's reward targets forecast to their final year, inside the
    second agreement's appendix (:func:`pipeline.assess.first_agreement.
    tabulate_first_agreement` of the sub-targets' ``forecast``): the count, the grant
    payable and at stake in total, what the forecast is from (``facts["basis"]``) and one
    row per reward target."""
    total = per_target[per_target["row_type"] == "overall total"].iloc[0]
    agreement = str(facts.get("agreement") or "the first agreement")
    finals = sorted(set(forecast.loc[forecast["row_type"] == "target", "final_year"]
                        .dropna().astype(str)))
    sentence = (f"{agreement}: {describe_reward_targets(forecast)}, a maximum grant of "
                f"{format_gbp(total['grant_gbp'])}; {format_gbp(total['forecast_gbp'])} "
                f"forecast payable at the end of {' and '.join(finals) or 'its final year'} "
                f"and {format_gbp(total['at_risk_forecast_gbp'])} at stake.")
    return render("first_agreement.html.j2", rows=_target_rows(per_target), sentence=sentence,
                  basis=str(facts.get("basis", "")),
                  caption=f"{agreement}: reward grant per reward target, final-year forecast")
