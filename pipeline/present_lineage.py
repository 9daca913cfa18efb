"""Presentation of lineage: the appendix's section linking each figure to its return rows."""

from __future__ import annotations

import re

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from pipeline.lineage import SUPERSEDED, lineage_table

_ENV = Environment(loader=PackageLoader("pipeline", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
SHA_SHOWN = 12


def lineage_anchor(indicator_id: str) -> str:
    """The HTML id of an indicator's lineage rows: ``7.20`` -> ``lineage-7-20``."""
    return "lineage-" + (re.sub(r"[^0-9A-Za-z]+", "-", str(indicator_id)).strip("-").lower()
                         or "indicator")


def lineage_href(indicator_id: str) -> str:
    """The link to an indicator's lineage rows, for the appendix's other sections."""
    return "#" + lineage_anchor(indicator_id)


def lineage_items(assessment: pd.DataFrame, returns: pd.DataFrame) -> list[dict[str, object]]:
    """Per assessed indicator (in the assessment's order): its anchor and lineage rows (pure)."""
    table = lineage_table(assessment, returns)
    grouped = {i: g for i, g in table.groupby("indicator_id", sort=False)}
    items = []
    for indicator_id in assessment["indicator_id"].astype(str):
        rows = grouped.get(indicator_id, table.iloc[0:0])
        items.append({
            "indicator_id": indicator_id,
            "anchor": lineage_anchor(indicator_id),
            "rows": [{
                "role": r["role"], "css": "superseded" if r["role"] == SUPERSEDED else "",
                "value_text": r["value_text"], "period": r["period"], "partner": r["partner"],
                "source_file": r["source_file"], "source_sheet": r["source_sheet"],
                "source_row": r["source_row"], "source_sha256": r["source_sha256"],
                "sha_short": str(r["source_sha256"])[:SHA_SHOWN],
                "submitted_by": r["submitted_by"] or "(not given)",
                "submitted_at": "" if pd.isna(r["submitted_at"])
                else pd.Timestamp(r["submitted_at"]).isoformat(),
            } for _, r in rows.iterrows()],
        })
    return items


def render_lineage(assessment: pd.DataFrame, returns: pd.DataFrame, period: str,
                   title: str = "Lineage: where each figure comes from") -> str:
    """The lineage section as escaped HTML: one anchored group of rows per indicator."""
    return _ENV.get_template("lineage.html.j2").render(
        title=title, period=period, items=lineage_items(assessment, returns))
