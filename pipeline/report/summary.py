"""The board summary: a few pages beside the full appendix, from the same frames.

Board members read the summary, officers the whole appendix. The appendix notebook's cells
tagged ``summary`` display these fragments (with the appendix's own headline and
Indicator Risk Summary, :mod:`pipeline.report.sections`), and
:mod:`pipeline.report.rendering` publishes them as ``summary.html``/``.pdf``. Every figure
comes from :class:`pipeline.report.frames.Appendix`, printed as the appendix prints it; the
risk lists and movers are one line each, and everything partners wrote is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.assess.changes import describe_comparison
from pipeline.assess.reward_targets import (
    describe_at_risk,
    describe_reward_targets,
    list_conditions,
)
from pipeline.figures import format_date, format_date_time, format_gbp
from pipeline.inputs.go_issues import count_go_issues, describe_go_issues
from pipeline.report.pages import render
from pipeline.report.reward_sections import describe_first_agreement
from pipeline.report.section_words import risk_entry

if TYPE_CHECKING:
    from pipeline.report.section_frames import FirstAgreementReward

SHOWN_MOVEMENTS = ("worsened", "improved")


def render_summary_cover(partnership: str, agreement: str, meeting: str, period: str,
                         data_as_of: str, generated_at: str, *,
                         previous_period: str | None = None, scope: str = "",
                         appendix_formats: Iterable[str] = ("html", "pdf"),
                         appendix: str = "appendix",
                         adds: Iterable[str] = ("each indicator's commentary and actions",
                                                "the block tables", "data quality")) -> str:
    """The summary's opening: the same cover facts as the appendix, on the first page, with
    a link to the full appendix in each format published (``appendix.html``, ``.pdf``;
    ``appendix`` names a themed one, ``appendix-health-safer``).

    ``previous_period`` adds the previous review ("" shows "none"; None leaves it out);
    ``scope`` says which themes a filtered summary covers; ``adds`` lists what the full
    appendix has beyond the summary (:meth:`pipeline.report.frames.Appendix.appendix_adds`).
    """
    links = [(f"{appendix}.{fmt}", fmt.upper()) for fmt in appendix_formats]
    return render("summary_cover.html.j2", partnership=partnership, agreement=agreement,
                  meeting=meeting, meeting_long=format_date(meeting), period=period,
                  data_as_of=format_date_time(data_as_of),
                  generated_at=format_date_time(generated_at, utc=True),
                  previous_period=previous_period, scope=scope, links=links,
                  adds=_in_words(list(adds)))


def _in_words(items: list[str]) -> str:
    """``a, b and c``."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def key_messages(go_issues: pd.DataFrame | None,
                 first_agreement: FirstAgreementReward | None,
                 filtered: bool = False) -> list[str]:
    """The board summary's key messages beside its headline, each a sentence computed from
    the data, printed by the summary (HTML, PDF) and its DOCX: the issues Government Office
    raised, counted as the appendix's section counts them (``go_issues``, None when the
    register has no ``go_issues.csv``; with ``filtered``, those about the indicators shown);
    and the first agreement's reward at stake, as the appendix's section says it
    (:func:`pipeline.report.reward_sections.describe_first_agreement`; None when the
    register names no first agreement). None of either: no message."""
    out = []
    if go_issues is not None and not go_issues.empty:
        about = ", on the indicators shown" if filtered else ""
        out.append(f"Government Office{about}: "
                   f"{describe_go_issues(count_go_issues(go_issues))}")
    if first_agreement is not None:
        out.append("Reward of the first agreement, " + describe_first_agreement(
            first_agreement.per_target, first_agreement.forecast, first_agreement.facts,
            filtered))
    return out


def render_key_messages(messages: list[str]) -> str:
    """The key messages of :func:`key_messages`, a paragraph each ("" for none)."""
    return render("key_messages.html.j2", messages=messages) if messages else ""


def render_risk_lines(lists: Mapping[str, pd.DataFrame]) -> str:
    """Each risk list (title -> rows of :func:`pipeline.assess.tables.list_risks`) as one
    line per indicator: rating, id, title, value against target, how far off, lead."""
    groups = [{"title": title, "entries": [risk_entry(r) for _, r in items.iterrows()]}
              for title, items in lists.items()]
    return render("summary_risks.html.j2", groups=groups)


def name_themes_short(reward: pd.DataFrame, themes: pd.DataFrame | None) -> pd.DataFrame:
    """``reward`` with each ``theme`` (an appendix name, "Healthier Communities") as the
    register's short name ("Health"), as the summary's other tables name it; unchanged
    without ``themes``. A new frame."""
    if themes is None:
        return reward
    short = dict(zip(themes["appendix_name"], themes["name"], strict=True))
    return reward.assign(theme=reward["theme"].map(lambda t: short.get(t, t)))


def render_grant_totals(reward: pd.DataFrame, themes: pd.DataFrame | None = None) -> str:
    """The performance reward grant at risk per theme and overall (the total rows of
    :func:`pipeline.assess.tables.tabulate_reward_grant`), with each theme's targets.

    A sentence counts the reward targets as the seeds do ("12 reward targets (32
    sub-targets)") and those at risk; with sub-targets the table counts both. Every grant
    whose condition is not met (not paid) or not yet known gets a line. ``themes`` (the
    register's, with ``name`` and ``appendix_name``) names each theme as the summary's
    other tables do ("Health", not "Healthier Communities").
    """
    reward = name_themes_short(reward, themes)
    targets = reward[reward["row_type"] == "target"]
    grouped = "reward_target" in targets and bool(
        (targets["reward_target"] != targets["indicator_id"]).any())
    rows = []
    for _, total in reward[reward["row_type"] != "target"].iterrows():
        overall = total["row_type"] == "overall total"
        mine = targets if overall else targets[targets["theme"] == total["theme"]]
        rows.append({"theme": "Total" if overall else total["theme"], "overall": overall,
                     "targets": f"{mine['reward_target'].nunique() if grouped else len(mine):,}",
                     "sub_targets": f"{len(mine):,}",
                     "at_risk_targets": f"{int((mine['at_risk_gbp'] > 0).sum()):,}",
                     "grant": format_gbp(total["grant_gbp"]),
                     "at_risk": format_gbp(total["at_risk_gbp"])})
    counted = (f"{describe_reward_targets(reward)}: {describe_at_risk(reward)}."
               if not targets.empty else "")
    conditions = [{"indicator": c["indicator"], "theme": c["theme"],
                   "status": c["condition_status"], "said": c["said"],
                   "grant": format_gbp(c["grant_gbp"])}
                  for c in list_conditions(reward).to_dict("records")]
    return render("summary_grant.html.j2", rows=rows, grouped=grouped, counted=counted,
                  conditions=conditions)


def render_changes(movements: pd.DataFrame, counts: dict[str, int],
                   previous_period: str | None) -> str:
    """What changed since the previous review: the counts of each kind of movement
    (:func:`pipeline.assess.changes.count_movements`), then each indicator that worsened
    or improved in a line (was, now, value then and now)."""
    groups = []
    for kind in SHOWN_MOVEMENTS:
        moved = movements[movements["movement"] == kind]
        groups.append({"kind": kind, "entries": [{
            "indicator_id": r["indicator_id"], "title": r["title"], "theme": r["theme_name"],
            "was": r["was"], "was_code": r["was_code"], "now": r["now"],
            "now_code": r["now_code"], "compared": describe_comparison(r),
        } for _, r in moved.iterrows()]})
    return render("summary_changes.html.j2", counts=counts, groups=groups,
                  previous_period=previous_period)
