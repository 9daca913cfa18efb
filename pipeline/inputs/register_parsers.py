"""The parsers of the register files, one per file: each types and checks a file's rows
(themes, indicators, targets, calendar, directory, delivery plans, districts, improvement
options) and refuses the first inconsistency, naming file, row and column.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from pipeline.errors import RegisterError
from pipeline.inputs.nis import fill_from_catalogue
from pipeline.inputs.register_cells import (
    check_filled,
    check_unique,
    check_vocab,
    complete_columns,
    to_date,
    to_number,
    to_period,
)
from pipeline.inputs.register_files import (
    CALENDAR,
    CONTRIBUTION_BASES,
    COUNTY,
    DELIVERY_PLANS,
    DIRECTORY,
    DISTRICTS,
    IMPROVEMENT_OPTIONS,
    INDICATORS,
    OPTION_STATUSES,
    TARGET_STATUSES,
    TARGETS,
    THEMES,
)
from pipeline.names import id_sort_key, slug


def parse_themes(raw: pd.DataFrame) -> pd.DataFrame:
    """Type the themes table and sort it in the Indicator Risk Summary's order.

    A blank ``appendix_name`` is the ``name``; a blank ``block`` or ``summary_order`` is
    the row's position (1, 2, ...).
    """
    themes = complete_columns(raw, THEMES)
    for column in ("theme", "name"):
        check_filled(themes, column, THEMES.name)
    dupes = themes["theme"][themes["theme"].duplicated()]
    if not dupes.empty:
        raise RegisterError(f"duplicate theme {dupes.iloc[0]!r}", file=THEMES.name,
                            row=int(dupes.index[0]) + 2, column="theme")
    themes["appendix_name"] = themes["appendix_name"].where(themes["appendix_name"] != "",
                                                            themes["name"])
    position = pd.Series(range(1, len(themes) + 1), index=themes.index).astype(str)
    for column in ("block", "summary_order"):
        themes[column] = themes[column].where(themes[column] != "", position)
        themes[column] = to_number(themes, column, THEMES.name, required=True).astype("int64")
    return themes.sort_values("summary_order", kind="stable").reset_index(drop=True)


def derive_themes(raw_indicators: pd.DataFrame) -> pd.DataFrame:
    """The themes when there is no themes.csv: those the indicators name, in the order they
    first appear (see :data:`THEMES`'s ``when_absent``)."""
    names = raw_indicators["theme"].astype(str).str.strip()
    check_filled(pd.DataFrame({"theme": names}), "theme", INDICATORS.name)
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(slug(name), name)
    order = [str(i) for i in range(1, len(first) + 1)]
    return parse_themes(pd.DataFrame({
        "theme": list(first), "name": list(first.values()),
        "appendix_name": list(first.values()), "block": order, "summary_order": order}))


def _theme_keys(themes: pd.DataFrame) -> dict[str, str]:
    """The slug of each theme's key, name and appendix name to its key: a theme is named in
    any case and spacing (``Safer Communities``, ``safer-communities``). A key wins over a
    name, a name over an appendix name."""
    lookup: dict[str, str] = {}
    for column in ("theme", "name", "appendix_name"):
        for text, key in zip(themes[column], themes["theme"], strict=True):
            lookup.setdefault(slug(text), key)
    return lookup


def theme_key(themes: pd.DataFrame, text: str) -> str | None:
    """The key of the theme ``text`` names (by key, name or appendix name, in any case and
    spacing), or None."""
    return _theme_keys(themes).get(slug(text))


def parse_indicators(raw: pd.DataFrame, themes: pd.DataFrame,
                     catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Type the indicators table and check ids, themes and vocabularies.

    ``theme`` may name a theme by key or by name, in any case and spacing; it becomes the
    key. ``catalogue``: the National Indicator Set catalogue in use (None: the package's).
    """
    file = INDICATORS.name
    ind = complete_columns(raw, INDICATORS)
    check_filled(ind, "indicator_id", file)
    dupes = ind["indicator_id"][ind["indicator_id"].duplicated()]
    if not dupes.empty:
        raise RegisterError(f"duplicate indicator id {dupes.iloc[0]!r}", file=file,
                            row=int(dupes.index[0]) + 2, column="indicator_id")
    check_filled(ind, "theme", file)
    keys = _theme_keys(themes)
    found = ind["theme"].map(lambda name: keys.get(slug(name)))
    if found.isna().any():
        row = int(found.isna().to_numpy().nonzero()[0][0])
        raise RegisterError(f"unknown theme {ind['theme'].iloc[row]!r}; known: "
                            + ", ".join(themes["theme"]), file=file, row=row + 2,
                            column="theme")
    ind["theme"] = found
    ind = fill_from_catalogue(ind, file, catalogue)
    for column in ("title", "polarity", "unit"):
        check_filled(ind, column, file)
    for column in INDICATORS.columns:
        if column.allowed:
            ind[column.name] = ind[column.name].str.lower()
            blank_ok = ("",) if not (column.required or column.default) else ()
            check_vocab(ind, column.name, column.allowed + blank_ok, file)
    ind["baseline_value"] = to_number(ind, "baseline_value", file, required=False)
    ind["baseline_period"] = to_period(ind, "baseline_period", file, required=False)
    ind["reward_grant_gbp"] = to_number(ind, "reward_grant_gbp", file, required=False)
    ind["reward"] = ind["reward"] == "yes"
    ind["mandatory"] = ind["mandatory"] == "yes"
    no_grant = ind[ind["reward"] & ind["reward_grant_gbp"].isna()]
    if not no_grant.empty:
        raise RegisterError("reward target has no reward_grant_gbp", file=file,
                            row=int(no_grant.index[0]) + 2, column="reward_grant_gbp")
    return sort_indicators(ind)


def parse_targets(raw: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Type the targets table; a target for an unknown indicator is an error."""
    file = TARGETS.name
    tgt = complete_columns(raw, TARGETS)
    unknown = tgt[~tgt["indicator_id"].isin(indicators["indicator_id"])]
    if not unknown.empty:
        raise RegisterError(f"target for unknown indicator {unknown['indicator_id'].iloc[0]!r}",
                            file=file, row=int(unknown.index[0]) + 2, column="indicator_id")
    tgt["period"] = to_period(tgt, "period", file, required=True)
    tgt["target_status"] = tgt["target_status"].str.lower()
    check_vocab(tgt, "target_status", TARGET_STATUSES, file)
    tgt["target_value"] = to_number(tgt, "target_value", file, required=False)
    tgt["target_without_stretch"] = to_number(tgt, "target_without_stretch", file, False)
    tgt["due_to_be_agreed"] = to_date(tgt, "due_to_be_agreed", file, required=False)
    dupes = tgt[tgt.duplicated(["indicator_id", "period"])]
    if not dupes.empty:
        raise RegisterError(f"two targets for {dupes['indicator_id'].iloc[0]} in "
                            f"{dupes['period'].iloc[0]}", file=file, row=int(dupes.index[0]) + 2)
    return tgt.reset_index(drop=True)


def parse_calendar(raw: pd.DataFrame | None) -> pd.DataFrame:
    """Type the calendar: periods in their canonical spelling, deadlines as ``YYYY-MM-DD``
    text; an empty calendar (no deadlines) for None."""
    if raw is None:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in ("period", "deadline", "meeting")})
    file = CALENDAR.name
    cal = complete_columns(raw, CALENDAR)
    cal["period"] = to_period(cal, "period", file, required=True)
    cal["deadline"] = to_date(cal, "deadline", file, required=True)
    cal["meeting"] = to_date(cal, "meeting", file, required=False)
    return cal


def parse_directory(raw: pd.DataFrame | None) -> pd.DataFrame | None:
    """Check the partnership directory: outcome ids filled and unique, each sub-outcome's
    ``parent_outcome`` an outcome of the file (two levels: outcomes and sub-outcomes).
    Rows keep the file's order; None for None.

    Raises
    ------
    RegisterError
        Naming the file, row and column of the first problem.
    """
    if raw is None:
        return None
    file = DIRECTORY.name
    directory = complete_columns(raw, DIRECTORY)
    for column in ("outcome_id", "outcome"):
        check_filled(directory, column, file)
    check_unique(directory, "outcome_id", file, "duplicate outcome id {!r}")
    tops = set(directory.loc[directory["parent_outcome"] == "", "outcome_id"])
    bad = directory[(directory["parent_outcome"] != "")
                    & ~directory["parent_outcome"].isin(tops)]
    if not bad.empty:
        parent = bad["parent_outcome"].iloc[0]
        why = ("is itself a sub-outcome" if parent in set(directory["outcome_id"])
               else "is not an outcome_id of the file")
        raise RegisterError(f"parent_outcome {parent!r} {why}", file=file,
                            row=int(bad.index[0]) + 2, column="parent_outcome")
    return directory


def parse_delivery_plans(raw: pd.DataFrame | None,
                         indicators: pd.DataFrame) -> pd.DataFrame | None:
    """Check the delivery plans: one row per known indicator, dates as ``YYYY-MM-DD``, and
    no challenge review or revision of a plan not received. None for None.

    Raises
    ------
    RegisterError
        Naming the file, row and column of the first problem.
    """
    if raw is None:
        return None
    file = DELIVERY_PLANS.name
    plans = complete_columns(raw, DELIVERY_PLANS)
    check_filled(plans, "indicator_id", file)
    unknown = plans[~plans["indicator_id"].isin(indicators["indicator_id"])]
    if not unknown.empty:
        raise RegisterError(f"delivery plan for unknown indicator "
                            f"{unknown['indicator_id'].iloc[0]!r}", file=file,
                            row=int(unknown.index[0]) + 2, column="indicator_id")
    check_unique(plans, "indicator_id", file, "two delivery plans for {}")
    for column in ("received", "challenge_reviewed", "revised", "due"):
        plans[column] = to_date(plans, column, file, required=False)
    for column in ("challenge_reviewed", "revised"):
        early = plans[(plans[column] != "") & ((plans["received"] == "")
                                               | (plans[column] < plans["received"]))]
        if not early.empty:
            raise RegisterError(f"{column} {early[column].iloc[0]} but the plan was "
                                + ("not received" if early["received"].iloc[0] == ""
                                   else f"received only on {early['received'].iloc[0]}"),
                                file=file, row=int(early.index[0]) + 2, column=column)
    return plans


def parse_districts(raw: pd.DataFrame | None) -> tuple[str, ...]:
    """The district names in the file's order; none for None."""
    if raw is None:
        return ()
    districts = complete_columns(raw, DISTRICTS)
    check_filled(districts, "district", DISTRICTS.name)
    folded = districts["district"].map(lambda n: unicodedata.normalize("NFKC", n).strip()
                                       .casefold())
    county = folded[folded == COUNTY]
    if not county.empty:
        raise RegisterError(f"district {districts['district'][county.index[0]]!r}: the name is "
                            f"reserved for the county figure (returns write {COUNTY!r} for "
                            "the whole county), so no district may be called that; name the "
                            "district as it is known", file=DISTRICTS.name,
                            row=int(county.index[0]) + 2, column="district")
    dupes = districts["district"][districts["district"].str.casefold().duplicated()]
    if not dupes.empty:
        raise RegisterError(f"duplicate district {dupes.iloc[0]!r}", file=DISTRICTS.name,
                            row=int(dupes.index[0]) + 2, column="district")
    return tuple(districts["district"])


def sort_indicators(frame: pd.DataFrame, column: str = "indicator_id") -> pd.DataFrame:
    """A copy of ``frame`` in natural indicator order, with a fresh index."""
    return frame.sort_values(column, key=lambda s: s.map(id_sort_key),
                             kind="stable").reset_index(drop=True)


def parse_improvement_options(raw: pd.DataFrame | None,
                              indicators: pd.DataFrame) -> pd.DataFrame | None:
    """Type the improvement options (``improvement_options.csv``); None for none.

    Each option must serve a reward target of ``indicators``; ``contribution`` and
    ``cost_gbp`` are numbers of at least 0 (``£`` and thousands separators allowed);
    ``status`` and ``contribution_basis`` are read in any case. Rows keep the file's order;
    ``source_row`` is the row number in the file (the header is row 1).

    Raises
    ------
    RegisterError
        Naming the file, row and column of the first bad value.
    """
    if raw is None:
        return None
    file = IMPROVEMENT_OPTIONS.name
    options = complete_columns(raw, IMPROVEMENT_OPTIONS)
    for column in ("indicator_id", "option"):
        check_filled(options, column, file)
    reward = dict(zip(indicators["indicator_id"], indicators["reward"], strict=True))
    for row, indicator_id in enumerate(options["indicator_id"], start=2):
        if indicator_id not in reward:
            raise RegisterError(f"option for unknown indicator {indicator_id!r}", file=file,
                                row=row, column="indicator_id")
        if not reward[indicator_id]:
            raise RegisterError(f"indicator {indicator_id!r} is not a reward target "
                                "(reward is not yes in indicators.csv)", file=file, row=row,
                                column="indicator_id")
    for column in ("status", "contribution_basis"):
        options[column] = options[column].str.lower().str.split().str.join(" ")
        allowed = OPTION_STATUSES if column == "status" else CONTRIBUTION_BASES
        check_vocab(options, column, allowed, file)
    for column, required in (("contribution", True), ("cost_gbp", False)):
        text = options[column]
        options[column] = to_number(options, column, file, required=required)
        negative = options[column] < 0
        if negative.any():
            row = int(negative.to_numpy().nonzero()[0][0])
            raise RegisterError(f"{column} {text.iloc[row]!r} is negative: expected 0 or "
                                "more", file=file, row=row + 2, column=column)
    options.insert(0, "source_row", range(2, len(options) + 2))
    return options
