"""The returns as the returns suite checks them: annotated with derived columns (unit,
lateness, conflicts, numeric ids resolved, template cells changed), and the suites'
parameters from the register. The cross-row views are in :mod:`pipeline.quality.cross_checks`.
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.inputs.ingest import READ_DEFAULTS
from pipeline.inputs.register import Register
from pipeline.inputs.return_sheet import BLOCK_COLUMNS
from pipeline.names import id_sort_key
from pipeline.periods import Period, normalise_period, try_parse_period
from pipeline.quality.partner_checks import annotate_partners
from pipeline.rules_schema import Rules

_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def agreement_periods(register: Register) -> list[str]:
    """Every financial year with a target, and its four quarters: the periods returns may use."""
    years = sorted({Period(int(p[:4])) for p in register.targets["period"]})
    return [str(Period(y.year, q)) for y in years for q in (1, 2, 3, 4, 5)]


def suite_parameters(register: Register, rules: Rules) -> dict[str, object]:
    """Values the suites take from the register and the rules."""
    return {
        "indicator_ids": sorted(register.indicators["indicator_id"], key=id_sort_key),
        "periods": agreement_periods(register),
        "geographies": ["county", *register.districts],
        "district_min_pct": 100.0 - rules.district_sum_tolerance_pct,
        "district_max_pct": 100.0 + rules.district_sum_tolerance_pct,
    }


def run_stamp(run_time: str | None) -> pd.Timestamp:
    """The run's generated-at stamp as a naive UTC time (now, if none or unreadable)."""
    try:
        stamp = pd.Timestamp(run_time) if run_time else None
    except ValueError:
        stamp = None
    if stamp is None:
        stamp = pd.Timestamp.now(tz="UTC")
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp


def period_start(period: Period) -> pd.Timestamp:
    """The first day of a financial year (1 April) or of one of its quarters."""
    month = 4 if period.is_year else 4 + 3 * (period.quarter - 1)
    return pd.Timestamp(period.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def resolve_numeric_ids(ids: pd.Series, numeric: pd.Series,
                        register_ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids read from number cells, where Excel dropped trailing zeros (``7.20`` -> ``7.2``).

    A number matching one register id only is that id; matching several (``7.2`` and
    ``7.20``) it is ambiguous. Returns the ids and, per row, why the id is ambiguous (or "").
    """
    by_number: dict[float, list[str]] = {}
    for known in register_ids:
        if _PLAIN_NUMBER.match(str(known)):
            by_number.setdefault(float(known), []).append(str(known))
    resolved, ambiguous = ids.copy(), pd.Series("", index=ids.index, dtype=object)
    for at in ids.index[numeric.astype(bool)]:
        text = str(ids[at])
        if not _PLAIN_NUMBER.match(text):
            continue
        candidates = sorted(by_number.get(float(text), []), key=len)
        if len(candidates) == 1:
            resolved[at] = candidates[0]
        elif len(candidates) > 1:
            ambiguous[at] = (f"an indicator id typed as text: the cell holds the number {text}, "
                             f"which could be indicator {' or '.join(candidates)} (a number "
                             "loses its trailing zeros); format the column as Text and type "
                             "the id as the register has it")
    return resolved, ambiguous


def implausible_submissions(rows: pd.DataFrame, stamp: pd.Timestamp,
                            periods: list[str]) -> pd.Series:
    """Why each submission time cannot be right ("" when it can).

    After the run (by date: the time of day may be local) it would outrank every
    correction; before the period it reports on began (for a period outside ``periods``,
    the agreement's: that period is reported already) it is mistyped.
    """
    submitted = rows["submitted_at"]
    known = set(periods)
    first = period_start(Period(min(try_parse_period(p).year for p in periods))) \
        if periods else pd.NaT
    starts = rows["period"].map(lambda p: period_start(try_parse_period(p))
                                if p in known else first)
    future = submitted.dt.normalize() > stamp.normalize()
    early = (submitted < pd.to_datetime(starts)).fillna(False).astype(bool) & ~future
    out = pd.Series("", index=rows.index, dtype=object)
    out[early] = [f"a submission time after {p if p in known else 'the agreement'} "
                  f"began ({s:%Y-%m-%d}): is the year right?"
                  for p, s in zip(rows.loc[early, "period"], starts[early], strict=True)]
    out[future] = (f"a submission time no later than this run ({stamp:%Y-%m-%d}): a date in "
                   "the future would outrank every correction sent after it")
    return out


def annotate_returns(rows: pd.DataFrame, register: Register,
                     declared: tuple[str, ...] = (), run_time: str | None = None) -> pd.DataFrame:
    """Returns with the derived columns the returns suite checks (unit, lateness, conflicts).

    ``declared`` extra columns are expected, so not reported as unexpected. ``run_time``
    (the run's generated-at stamp; now if not given) bounds the submission times. An id
    read from a number cell is matched to the register here (see
    :func:`resolve_numeric_ids`); the id as read stays in ``indicator_id_text``.
    """
    out = rows.copy()
    for column, default in {**READ_DEFAULTS, **dict.fromkeys(BLOCK_COLUMNS, ""),
                            "confirmation": ""}.items():
        if column not in out:
            out[column] = default
    if declared:
        out["unexpected_columns"] = out["unexpected_columns"].map(
            lambda text: ", ".join(c for c in text.split(", ") if c and c not in declared))
    out["indicator_id_text"] = out["indicator_id"]
    out["indicator_id"], out["indicator_id_ambiguous"] = resolve_numeric_ids(
        out["indicator_id"], out["indicator_id_numeric"], register.indicators["indicator_id"])
    # Whose file it is: where a row leaves the partner blank, the file's other rows say.
    named = out[out["partner"].fillna("") != ""].groupby("source_file")["partner"].agg(
        lambda s: ", ".join(sorted(set(s))))
    out["file_partner"] = out["source_file"].map(named).fillna("")
    units = register.indicators.set_index("indicator_id")["unit"]
    out["unit"] = out["indicator_id"].map(units).fillna("")
    out["value_percent"] = out["value"].where(out["unit"] == "percent")
    out["value_count"] = out["value"].where(out["unit"] == "count")
    out["count_not_whole"] = (out["value_count"].notna()
                              & (out["value_count"] % 1 != 0)).astype(bool)
    out["submitted_at_problem"] = implausible_submissions(out, run_stamp(run_time),
                                                          agreement_periods(register))
    deadlines = dict(zip(register.calendar["period"], register.calendar["deadline"],
                         strict=True))
    out["deadline"] = pd.to_datetime(out["period"].map(lambda p: deadlines.get(p, "")),
                                     errors="coerce", format="ISO8601")
    late = (out["submitted_at"].dt.normalize() - out["deadline"]).dt.days
    out["days_late"] = late.astype("float64").where(out["submitted_at_problem"] == "")
    out["deadline"] = out["deadline"].dt.strftime("%Y-%m-%d").fillna("")
    out["template_locked"], out["template_locked_column"] = locked_cells_changed(out, register)
    out["template_lead"] = rows_not_led(out, register)
    out = annotate_partners(out, register)
    # A submission is one file: within it, one value per key; across files the later wins.
    # A template row whose locked cells were changed is not the indicator's: it conflicts
    # with nothing (it fails on its own).
    key = ["source_file", "indicator_id", "period", "geography", "submitted_at"]
    own = out[(out["template_locked"] == "") & (out["template_lead"] == "")]
    values = own.groupby(key, dropna=False)["value_text"].transform("nunique").reindex(
        out.index, fill_value=1)
    out["conflicting"] = (values > 1).astype(bool)
    same = key + ["value_text", "data_status"]
    out["duplicate_row"] = (out.duplicated(same, keep="first") & ~out["conflicting"]).astype(bool)
    out["agreement"] = ", ".join(str(Period(y)) for y in
                                 sorted({int(p[:4]) for p in register.targets["period"]}))
    return out


def locked_cells_changed(rows: pd.DataFrame, register: Register) -> tuple[pd.Series, pd.Series]:
    """Why a template row's locked cells are not as the template wrote them ("" when they
    are), and the column concerned: the partner or period changed, or the indicator id
    changed (the row's locked title is another indicator's). Rows of other files: ""."""
    titles = register.indicators.set_index("indicator_id")["title"]
    why = pd.Series("", index=rows.index, dtype=object)
    column = pd.Series("", index=rows.index, dtype=object)
    template = rows[rows["template"] == "yes"]
    for at, row in template.iterrows():
        wanted_period = normalise_period(row["template_period"]) or row["template_period"]
        title = titles.get(row["indicator_id"])
        if row["partner"] != row["template_partner"]:
            why[at], column[at] = (f"the partner as the template wrote it "
                                   f"({row['template_partner']}): the locked cell was "
                                   "changed; put it back"), "partner"
        elif row["period"] != wanted_period:
            why[at], column[at] = (f"the period as the template wrote it ({wanted_period}): "
                                   "the locked cell was changed; a return for another period "
                                   "goes on that period's template"), "period"
        elif title is not None and row["locked_title"] and row["locked_title"] != title:
            why[at], column[at] = (
                f"the indicator this row was made for: its locked title reads "
                f"{row['locked_title']!r}, but {row['indicator_id']} is {title!r}, so the locked "
                "id was changed; put the id back, and give a value for "
                f"{row['indicator_id']} on its own row"), "indicator_id"
    return why, column


def rows_not_led(rows: pd.DataFrame, register: Register) -> pd.Series:
    """Why a template row is for an indicator its partner does not lead ("" when it is not)."""
    leads = register.indicators.set_index("indicator_id")["lead_org"]
    why = pd.Series("", index=rows.index, dtype=object)
    template = rows[(rows["template"] == "yes") & rows["indicator_id"].isin(leads.index)]
    for at, row in template.iterrows():
        lead = leads[row["indicator_id"]]
        if lead != row["template_partner"]:
            why[at] = (f"an indicator {row['template_partner']} leads: {row['indicator_id']} is "
                       f"led by {lead or 'no partner in the register'}, who returns it; this "
                       "template was made for "
                       f"{row['template_partner']}, so the added row was not used")
    return why


