"""The partners' side of the loop: what each return template is pre-filled with, and the
chase list (per partner, what is due, what came in, what is missing and what failed).

Both read the returns as they are now: ingest and every check, in memory, publishing
nothing (:func:`check_now`). The chase list is plain text an officer can paste into an
e-mail (:func:`format_chase_list`) and a CSV with one line per partner and indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.assess.assessment import assess_indicators, target_for
from pipeline.assess.trajectory import profile_trajectory
from pipeline.config import Settings
from pipeline.inputs.ingest import ingest_returns
from pipeline.inputs.partners import as_registered
from pipeline.inputs.register import Register
from pipeline.inputs.register_parsers import sort_indicators
from pipeline.inputs.templates import deadline_for
from pipeline.periods import try_parse_period
from pipeline.quality.quarantine import Checked, check_returns, load_suites

CHASE_COLUMNS = ["partner", "indicator_id", "title", "status", "source_file", "cell",
                 "submitted_at", "certified_by", "check_id", "grade", "reason", "period",
                 "deadline"]
UNREAD = "(files that could not be read)"


@dataclass(frozen=True)
class Now:
    """The returns as read now: every row (``ingested``) and what the checks made of them."""

    ingested: pd.DataFrame
    checked: Checked


def check_now(settings: Settings, register: Register) -> Now:
    """Ingest every return and run every check for ``settings.period`` (nothing written)."""
    read = ingest_returns(settings.returns_dir, max_bytes=int(settings.rules.max_file_mb * 1e6))
    checked = check_returns(read.rows, read.file_problems, register,
                            load_suites(settings.expectations_dir), settings.period,
                            settings.rules, run_time=settings.generated_at,
                            assess=assess_indicators)
    return Now(read.rows, checked)


def template_figures(register: Register, clean: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per indicator: the period's target and trajectory point, and the last county value
    in force before the period, with its period (see ``FIGURE_COLUMNS`` of the templates)."""
    ind = register.indicators
    targets = target_for(register.targets, period).set_index("indicator_id")["target_value"]
    wanted = try_parse_period(period)
    county = clean[clean["in_force"].astype(bool) & (clean["geography"] == "county")]
    parsed = county["period"].map(try_parse_period)
    earlier = county[parsed.map(lambda p: p is not None and p < wanted).astype(bool)].assign(
        _p=parsed)
    last = earlier.sort_values("_p", kind="stable").drop_duplicates("indicator_id",
                                                                     keep="last")
    last = last.set_index("indicator_id")
    return pd.DataFrame({
        "indicator_id": ind["indicator_id"],
        "target": ind["indicator_id"].map(targets).astype("float64"),
        "trajectory_point": profile_trajectory(ind, register.targets,
                                               dict.fromkeys(ind["indicator_id"], period)),
        "last_value": ind["indicator_id"].map(last["value"]).astype("float64"),
        "last_value_period": ind["indicator_id"].map(last["period"]).astype(object).fillna(""),
    }).reset_index(drop=True)


def _when(stamp: object) -> str:
    return "" if pd.isna(stamp) else pd.Timestamp(stamp).strftime("%Y-%m-%d %H:%M")


def chase_list(register: Register, now: Now, period: str) -> pd.DataFrame:
    """One line per partner and indicator due (``received``, ``failed`` or ``missing``),
    one per file sent, one per problem of a row that failed a check, one per row that
    passed for an indicator the partner does not lead (``not due``), one per advisory, and
    one per file that could not be read; each with the file, cell, check id and reason
    where there is one. Every partner that sent a row is listed, whether or not it leads
    an indicator, so every row of every file appears."""
    ind = register.indicators[register.indicators["lead_org"].fillna("") != ""]
    titles = register.indicators.set_index("indicator_id")["title"]
    deadline = deadline_for(register, period)
    leaders = ind["lead_org"].unique()   # a variant spelling counts as the lead's name
    rows = as_registered(now.ingested[now.ingested["period"] == period], leaders)
    clean = as_registered(now.checked.clean, leaders)
    clean = clean[clean["period"] == period]
    found = as_registered(now.checked.findings, leaders)
    files = set(rows["source_file"])   # a row of such a file with a mistyped period too
    failed = found[(found["grade"] == "FAIL") & (found["suite"] == "returns")
                   & ((found["period"] == period) | found["source_file"].isin(files))]
    found = found[(found["period"] == period) | (found["suite"] == "certification")]
    leads = dict(tuple(ind.groupby("lead_org", sort=True)))
    senders = set(rows["partner"].fillna("")) | set(clean["partner"]) | set(failed["partner"])
    records = []
    for partner in sorted(set(leads) | (senders - {""})):
        mine = leads.get(partner, ind.iloc[0:0])
        ok = clean[clean["partner"] == partner]
        bad = failed[failed["partner"] == partner]
        certified = _certified(rows[rows["partner"] == partner])
        due = list(sort_indicators(mine)["indicator_id"]) if len(mine) else []
        for indicator in due:
            got = ok[ok["indicator_id"] == indicator].sort_values("submitted_at")
            status = ("received" if len(got) else
                      "failed" if indicator in set(bad["indicator_id"]) else "missing")
            base = {"partner": partner, "indicator_id": indicator,
                    "title": titles.get(indicator, ""), "status": status, "period": period,
                    "deadline": deadline}
            if len(got):
                last = got.iloc[-1]
                base.update(source_file=last["source_file"],
                            submitted_at=_when(last["submitted_at"]),
                            certified_by=certified.get(last["source_file"], ""))
            records.append(base)
        sent = rows[rows["partner"] == partner]
        files = set(sent["source_file"]) | set(bad["source_file"])
        for file in sorted(files):
            group = sent[sent["source_file"] == file]
            records.append({"partner": partner, "status": "file", "source_file": file,
                            "submitted_at": _when(group["submitted_at"].max()),
                            "certified_by": certified.get(str(file), ""), "period": period,
                            "deadline": deadline})
        for problem in bad.itertuples(index=False):
            records.append(_problem(partner, problem, "failed row", period, deadline))
        for row in ok[~ok["indicator_id"].isin(due)].itertuples(index=False):
            records.append({"partner": partner, "indicator_id": row.indicator_id,
                            "title": titles.get(row.indicator_id, ""), "status": "not due",
                            "source_file": row.source_file,
                            "submitted_at": _when(row.submitted_at), "period": period,
                            "deadline": deadline})
    # Advisories, less the missing returns (listed as missing already).
    advisories = found[(found["grade"] == "ADVISORY") & (found["partner"] != "(register)")
                       & (found["check_id"] != "return-complete")]
    for problem in advisories.itertuples(index=False):
        records.append(_problem(problem.partner, problem, "advisory", period, deadline))
    whole = now.checked.quarantine[now.checked.quarantine["source_row"] == 0]
    for problem in whole.itertuples(index=False):
        records.append(_problem(UNREAD, problem, "file not read", period, deadline))
    out = pd.DataFrame(records, columns=CHASE_COLUMNS).fillna("")
    return out.astype(str)


def _problem(partner: str, problem, status: str, period: str, deadline: str) -> dict:
    return {"partner": partner, "indicator_id": problem.indicator_id, "status": status,
            "source_file": problem.source_file, "cell": problem.cell,
            "check_id": problem.check_id, "grade": problem.grade, "reason": problem.reason,
            "period": period, "deadline": deadline}


def _certified(rows: pd.DataFrame) -> dict[str, str]:
    """Per file: "<name>, <date>" of its certification, or "not certified"."""
    out = {}
    for file, group in rows.groupby("source_file", sort=True):
        name = group["certified_by"].iloc[0] if "certified_by" in group else ""
        date = group["certified_on"].iloc[0] if "certified_on" in group else ""
        out[str(file)] = (f"{name}, {date}" if name and date else name) or "not certified"
    return out


def _deadline_words(deadline: str, as_of: pd.Timestamp) -> str:
    if not deadline:
        return "no deadline in the reporting calendar"
    days = (pd.Timestamp(deadline) - as_of.normalize()).days
    if days > 0:
        return f"due {deadline} ({days} day{'s' * (days != 1)} to go)"
    if days == 0:
        return f"due today, {deadline}"
    return f"was due {deadline} ({-days} day{'s' * (days != -1)} ago)"


def format_chase_list(chase: pd.DataFrame, period: str, deadline: str,
                      as_of: pd.Timestamp) -> str:
    """The chase list as text to paste into an e-mail: a paragraph per partner."""
    lines = [f"Returns for {period}: {_deadline_words(deadline, as_of)}; "
             f"position at {as_of:%Y-%m-%d %H:%M}.", ""]
    for partner, mine in chase.groupby("partner", sort=True):
        due = mine[mine["status"].isin(["received", "failed", "missing"])]
        if partner == UNREAD:
            lines.append(f"{partner}:")
        elif due.empty:
            failing = mine[mine["status"] == "failed row"]
            count = int((mine["status"] == "not due").sum()) + len(set(zip(
                failing["source_file"], failing["cell"].str.replace(r"\D", "", regex=True),
                strict=True)))
            lines.append(f"{partner}: no indicators due (it leads none in the register); "
                         f"{count} row{'s' * (count != 1)} sent.")
        else:
            received = due[due["status"] == "received"]
            lines.append(f"{partner}: {len(received)} of {len(due)} indicators received"
                         + (" (complete)." if len(received) == len(due) else "."))
        for row in mine[mine["status"] == "file"].itertuples(index=False):
            lines.append(f"  Came in: {row.source_file}, sent {row.submitted_at or '(no time)'}, "
                         + ("not certified" if row.certified_by == "not certified"
                            else f"certified by {row.certified_by}"))
        missing = due[due["status"] == "missing"]["indicator_id"].tolist()
        if missing:
            lines.append(f"  Missing ({len(missing)}): {', '.join(missing)}")
        for label, status in (("Failed (kept out of the figures)", "failed row"),
                              ("File not read", "file not read")):
            for row in mine[mine["status"] == status].itertuples(index=False):
                where = ", ".join(t for t in (row.source_file, row.cell) if t)
                what = f"{row.indicator_id}: " if row.indicator_id else ""
                lines.append(f"  {label}: {what}{where}: {row.reason} [{row.check_id}]")
        extra = mine[mine["status"] == "not due"]
        if len(extra):
            listed = ", ".join(f"{r.indicator_id} ({r.source_file})"
                               for r in extra.itertuples(index=False))
            lines.append(f"  Sent, though another partner leads it (the value counts): "
                         f"{listed}")
        advisories = mine[mine["status"] == "advisory"]
        for (check, file, reason), group in advisories.groupby(
                ["check_id", "source_file", "reason"], sort=True):
            ids = sorted(set(group["indicator_id"]) - {""})
            cells = ", ".join(c for c in group["cell"] if c)
            where = ", ".join(t for t in (file, cells if len(group) == 1 else "") if t)
            what = (f"{', '.join(ids)}: " if len(ids) <= 8
                    else f"{len(ids)} indicators ({', '.join(ids[:8])}, ...): ")
            lines.append(f"  Advisory (the value counts): {what if ids else ''}{where}: "
                         f"{reason} [{check}]")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
