"""The auditor's spot-check pack: a reproducible sample of figures, each traced to its source.

An auditor checking data quality samples figures and traces each to the return rows it
came from, as the Audit Commission's data quality reviews did. :func:`draw_sample` draws
the sample: every red or amber reward target first, then a random sample stratified by
theme, drawn with a seed the pack prints (:func:`describe_method` says how, so another
auditor draws the same by hand). :func:`spot_check_items` gathers, for each figure, the
figure as the appendix prints it (:mod:`pipeline.figures`), its return rows (the join of
:mod:`pipeline.report.lineage`: the submission in force and those it superseded, with
file, sheet, row, cell and the sha256 of the file as received beside the manifest's),
the checks it passed and the advisories raised on it, who certified the return, and the
lead's commentary. Pure functions over the published run's frames; the command that
writes the pack is :mod:`pipeline.run.audit`.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from pipeline.figures import format_date, format_number, mark_status
from pipeline.names import anchor
from pipeline.quality.quarantine import cell_reference
from pipeline.rag import rag_label
from pipeline.report.export import cut_at_word
from pipeline.report.lineage import SUPERSEDED, lineage_table
from pipeline.report.section_words import off_mark

MUST_RATINGS = ("R", "A")  # a reward target rated so is always in the sample
ROW_SUITE = "returns"      # the checks run on every return row
RETURNS = "returns"        # the data folder's returns, as the manifest names its inputs
NOT_RECORDED = "not recorded"
CELL_SHOWN = 60            # characters of each cell of a return row as re-read (as laa trace)


def default_seed(period: str, meeting: str) -> int:
    """The seed when none is given: the first 8 hex digits of the sha256 of
    ``"<period> <meeting>"`` as a number (``2006-07 Q4 2007-09-03`` always gives the same),
    so the same meeting draws the same sample unless the auditor picks another seed."""
    return int(hashlib.sha256(f"{period} {meeting}".encode()).hexdigest()[:8], 16)


def describe_method(size: int, seed: int) -> str:
    """How the sample is drawn, in words another auditor can follow to draw the same."""
    return (f"Every reward target rated red or amber is taken first. The rest of the "
            f"{size} figures are drawn at random from those with a return in force, "
            "stratified by theme: each theme gets its share of the draws in proportion to "
            "its figures (rounded down; the draws left over go one each to the themes with "
            "the largest remainders, in block order on a tie). The random numbers are "
            f"numpy.random.Generator(numpy.random.PCG64({seed})).random(): one number per "
            "figure, theme by theme in block order and figure by figure in the register's "
            "order; in each theme, the figures with the smallest numbers are taken.")


def apportion(counts: list[int], budget: int) -> list[int]:
    """Split ``budget`` draws over strata of ``counts`` figures in proportion (the largest
    remainder method; ties to the earlier stratum), never more than a stratum holds."""
    total = sum(counts)
    budget = min(budget, total)
    if budget <= 0 or total == 0:
        return [0] * len(counts)
    exact = [budget * c / total for c in counts]
    quotas = [int(e) for e in exact]
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - quotas[i]), i))
    for i in order[:budget - sum(quotas)]:
        quotas[i] += 1
    return quotas


def draw_sample(assessed: pd.DataFrame, theme_order: list[str], size: int,
                seed: int) -> pd.DataFrame:
    """The figures to check, in the pack's order (see :func:`describe_method`).

    Parameters
    ----------
    assessed
        The assessment (one row per indicator, in the register's order) with ``theme``,
        ``theme_name``, ``reward``, ``final_rag`` and ``record_id``.
    theme_order
        The theme keys in block order.
    size
        Figures in all; the red and amber reward targets are taken even if they are more.
    seed
        The seed of the random draw.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id``, ``theme``, ``theme_name`` and ``reason`` (why it was taken).
    """
    reward = assessed["reward"].astype(bool)
    must = assessed[reward & assessed["final_rag"].isin(MUST_RATINGS)]
    chosen = [(r["indicator_id"], r["theme"], r["theme_name"],
               f"{rag_label(r['final_rag']).lower()} reward target")
              for _, r in must.iterrows()]
    rest = assessed[~assessed.index.isin(must.index)
                    & (assessed["record_id"].astype(str) != "")]
    strata = [rest[rest["theme"] == theme] for theme in theme_order]
    rng = np.random.Generator(np.random.PCG64(seed))
    draws = [rng.random(len(stratum)) for stratum in strata]
    quotas = apportion([len(s) for s in strata], size - len(chosen))
    for stratum, numbers, quota in zip(strata, draws, quotas, strict=True):
        taken = sorted(np.argsort(numbers, kind="stable")[:quota])
        chosen += [(r["indicator_id"], r["theme"], r["theme_name"],
                    "drawn at random")
                   for _, r in stratum.iloc[taken].iterrows()]
    return pd.DataFrame(chosen, columns=["indicator_id", "theme", "theme_name", "reason"])


def figure_entry(row: pd.Series) -> dict[str, str]:
    """One figure as the appendix's block table prints it: value (``n/a`` if none) and the
    period it is for when not the one assessed, target, how far off what its rating was
    measured against (:func:`pipeline.report.section_words.off_mark`, as the block table) and
    both ratings; a provisional or estimated value says so."""
    unit = row["unit"]
    return {"indicator_id": str(row["indicator_id"]), "title": str(row["title"]),
            "theme_name": str(row["theme_name"]), "lead_org": str(row["lead_org"]),
            "value": mark_status(format_number(row["value"], unit),
                                 row.get("data_status", "")) or "n/a",
            "value_period": "" if row["value_period"] == row.get("period", "") else
            str(row["value_period"]),
            "target": format_number(row["target_value"], unit) or "n/a",
            "target_period": str(row.get("target_period", "") or ""),
            "off": off_mark(row, short=True),
            "computed": rag_label(row["computed_rag"]), "computed_code": row["computed_rag"],
            "final": rag_label(row["final_rag"]), "final_code": row["final_rag"],
            "lead_rag": rag_label(row.get("lead_rag", "")) or "not given",
            "rag_reason": str(row.get("rag_reason", "") or ""),
            "commentary": str(row.get("commentary", "") or ""),
            "actions": str(row.get("actions", "") or "")}


def related_findings(findings: pd.DataFrame, indicator_id: str, lineage: pd.DataFrame,
                     return_files: set[str]) -> pd.DataFrame:
    """The checks' findings on one figure: those on its return rows (in force or
    superseded), those on a whole file it came from (row 0, e.g. no certification), and
    those naming the indicator outside the clean returns' files (``return_files``): the
    register, a missing return, a quarantined one. A finding on another row of a return
    (a district's, another indicator's) is not the figure's."""
    if findings.empty:
        return findings
    rows = set(zip(lineage["source_file"].astype(str), lineage["source_row"].astype(int),
                   strict=True))
    files = set(lineage["source_file"].astype(str))
    source = findings["source_file"].astype(str)
    on_row = pd.Series([(f, int(r)) in rows for f, r in zip(source, findings["source_row"],
                                                            strict=True)],
                       index=findings.index, dtype=bool)
    on_file = source.isin(files) & (findings["source_row"] == 0)
    named = ((findings["indicator_id"].astype(str) == str(indicator_id))
             & ~source.isin(return_files | files))
    return findings[on_row | on_file | named]


def passed_checks(results: pd.DataFrame, raised: set[str]) -> list[str]:
    """The ids of the checks run on every return row that raised nothing on this figure
    (a figure in force passed every FAIL check: a row failing one is quarantined)."""
    ids = results.loc[results["suite"] == ROW_SUITE, "check_id"].astype(str)
    return [i for i in dict.fromkeys(ids) if i and i not in raised]


def certification(row: dict) -> str:
    """Who certified the return and when, with the cells it was read from; ``not
    recorded`` for what the return does not say."""
    who = str(row.get("certified_by", "") or "").strip()
    when = str(row.get("certified_on", "") or "").strip()
    if not who and not when:
        return NOT_RECORDED
    cells = [str(row.get(c, "") or "") for c in ("certified_by_cell", "certified_on_cell")]
    where = ", ".join(c for c in cells if c)
    on = format_date(when) if when else f"date {NOT_RECORDED}"
    return f"{who or 'name ' + NOT_RECORDED}, {on}" + (f" (cells {where})" if where else "")


def source_entry(row: dict, header: str, manifest: dict[str, str],
                 current: tuple[str, dict[str, str]]) -> dict[str, object]:
    """One return row as the pack lists it: where it is (file, sheet, row, the value's
    cell), its value as sent, the sha256 of its file as received beside the manifest's and
    the file's hash now (``current``: :func:`pipeline.run.trace.raw_row`'s answer)."""
    received = str(row["source_sha256"])
    recorded = manifest.get(f"{RETURNS}/{row['source_file']}", "")
    now, cells = current
    if not recorded:
        status = "not in the run's manifest"
    elif recorded != received:
        status = "differs from the run's manifest"
    elif not now:
        status = "matches the run's manifest; the file is no longer in the data folder"
    elif now != received:
        status = "matches the run's manifest; the file has CHANGED since"
    else:
        status = "matches the run's manifest; the file is unchanged"
    submitted = row.get("submitted_at")
    return {
        "role": row["role"], "superseded": row["role"] == SUPERSEDED,
        "value_text": str(row["value_text"]), "period": str(row["period"]),
        "partner": str(row["partner"]), "file": f"{RETURNS}/{row['source_file']}",
        "sheet": str(row["source_sheet"] or ""), "row": int(row["source_row"]),
        "cell": cell_reference("", header, "value", int(row["source_row"])),
        "sha256": received, "manifest_sha256": recorded, "hash_ok": bool(recorded) and
        recorded == received, "status": status,
        "submitted_by": str(row["submitted_by"] or "") or NOT_RECORDED,
        "submitted_at": "" if submitted is None or pd.isna(submitted) else
        f"{format_date(pd.Timestamp(submitted).date().isoformat())} at "
        f"{pd.Timestamp(submitted):%H:%M:%S}",
        "certified": certification(row),
        "cells": "; ".join(f"{k}={cut_at_word(' '.join(str(v).split()), CELL_SHOWN)}"
                           for k, v in cells.items()),
    }


def spot_check_items(sample: pd.DataFrame, assessed: pd.DataFrame, returns: pd.DataFrame,
                     findings: pd.DataFrame, results: pd.DataFrame, manifest: dict[str, str],
                     current: dict[str, tuple[str, dict[str, str]]]) -> list[dict[str, object]]:
    """Everything the pack says about each sampled figure, in the sample's order.

    ``manifest`` maps each input's path in the data folder (``returns/<file>``) to its
    sha256 as the run recorded it; ``current`` maps each return row's ``record_id`` to its
    file's hash now and the row's cells (:func:`pipeline.run.trace.raw_row`).
    """
    extra = ["record_id", "source_header", "certified_by", "certified_by_cell",
             "certified_on", "certified_on_cell"]
    known = returns[[c for c in extra if c in returns]].drop_duplicates("record_id")
    return_files = set(returns["source_file"].astype(str))
    # the sample's return rows joined once (the join orders each figure's rows on its own)
    picked = assessed[assessed["indicator_id"].isin(sample["indicator_id"])]
    lineages = lineage_table(picked, returns).merge(known, on="record_id", how="left")
    items = []
    for number, pick in enumerate(sample.itertuples(index=False), start=1):
        one = assessed[assessed["indicator_id"] == pick.indicator_id]
        figure = figure_entry(one.iloc[0])
        lineage = lineages[lineages["indicator_id"] == pick.indicator_id]
        sources = [source_entry(r, str(r.get("source_header", "") or ""), manifest,
                                current.get(r["record_id"], ("", {})))
                   for r in lineage.to_dict("records")]
        raised = related_findings(findings, pick.indicator_id, lineage, return_files)
        advisories = [{"check_id": str(f["check_id"]), "grade": str(f["grade"]),
                       "where": ", ".join(str(x) for x in (f["source_file"], f["cell"]) if x),
                       "reason": str(f["reason"])} for f in raised.to_dict("records")]
        in_force = [s for s in sources if not s["superseded"]]
        items.append({
            **figure, "number": number, "anchor": anchor("figure", pick.indicator_id),
            "why": pick.reason, "sources": sources, "advisories": advisories,
            "passed": passed_checks(results, {a["check_id"] for a in advisories}),
            "certified": in_force[0]["certified"] if in_force else NOT_RECORDED,
            "hashes_ok": bool(sources) and all(s["hash_ok"] for s in sources),
        })
    return items
