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
    rows = [{
        "theme": r["theme"], "row_type": r["row_type"], "label": r["label"],
        "sub_targets": r["sub_targets"], "count": f"{int(r['sub_target_count']):,}",
        "at_risk_count": f"{int(r['at_risk_sub_targets']):,}", "conditions": r["conditions"],
        "grant": format_gbp(r["grant_gbp"]), "forecast": format_gbp(r["forecast_gbp"]),
        "risk_seed": format_gbp(r["at_risk_seed_gbp"]),
        "risk_forecast": format_gbp(r["at_risk_forecast_gbp"]),
    } for r in table.to_dict("records")]
    sentence = f"{describe_reward_targets(forecast)}: {describe_at_risk(forecast)}."
    return render("reward_targets.html.j2", rows=rows, sentence=sentence)
