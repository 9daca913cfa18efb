"""The indicator register: themes, indicators, targets, districts and the reporting calendar.

Every register file, its columns, which are required, their allowed values, defaults and
examples are defined once, in :data:`REGISTER_FILES`: the reader checks files against it,
``laa init`` writes new folders from it and the README documents it (a test compares them).
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, RegisterError, UnknownKeyError
from pipeline.inputs.audit_findings import read_audit_findings
from pipeline.inputs.go_issues import GO_ISSUE_STATUSES, parse_go_issues
from pipeline.inputs.nis import POLARITIES, catalogue_for, fill_from_catalogue, read_text_csv
from pipeline.inputs.performance_grant import FILE as PERFORMANCE_GRANT_FILE
from pipeline.inputs.reward_register import CONDITION_STATUSES, attach_reward_targets
from pipeline.names import id_sort_key, slug
from pipeline.periods import Period, normalise_period, parse_period, try_parse_period
from pipeline.rules import UNITS

ACCUMULATIONS = ("snapshot", "cumulative")
TARGET_STATUSES = ("agreed", "placeholder", "provisional")
YES_NO = ("yes", "no")
KINDS = ("designated", "statutory", "local")
_NO_HEADER = re.compile(r"unnamed: \d+")
DEFAULT_PARTNERSHIP = {"name": "Local Strategic Partnership",
                       "agreement": "Local Area Agreement"}
NI_BLANK = "; blank for an NI: the National Indicator Set catalogue's"


@dataclass(frozen=True)
class Column:
    """One column of a register file (or one key of ``partnership.toml``).

    ``required``: the header must name it. ``default``: what a blank cell of an optional
    column, or the whole column when absent, stands for (the reader fills it in).
    ``kind`` is the type as documented: text, number, whole number, period, date or choice
    (one of ``allowed``, in any case).
    """

    name: str
    kind: str
    example: str
    meaning: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    default: str = ""


@dataclass(frozen=True)
class RegisterFile:
    """One file of ``register/``: its columns, whether it must exist, and what its absence
    means. An optional CSV with no data rows counts as absent."""

    name: str
    required: bool
    columns: tuple[Column, ...]
    about: str
    when_absent: str = ""

    @property
    def names(self) -> list[str]:
        """The column names, in the order ``laa init`` writes them."""
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        """The columns the header must name."""
        return [c.name for c in self.columns if c.required]


INDICATORS = RegisterFile("indicators.csv", True, (
    Column("indicator_id", "text", "7.19", "the indicator's id, unique; returns name it",
           required=True),
    Column("title", "text", "Theft from a motor vehicle", "the indicator's title" + NI_BLANK,
           required=True),
    Column("theme", "text", "Safer Communities",
           "its theme: a key or a name from themes.csv; without themes.csv, the theme's name",
           required=True),
    Column("outcome_id", "text", "7.4", "the LAA outcome it serves (links to directory.csv)"),
    Column("lead_org", "text", "Leicestershire Constabulary",
           "the lead partner, which sends the indicator's return"),
    Column("lead_officer", "text", "A N Other", "the officer who leads it"),
    Column("polarity", "choice", "lower", "whether a higher or a lower value is better"
           + NI_BLANK, required=True, allowed=POLARITIES),
    Column("unit", "choice", "count", "what the values count (percent on a 0-100 scale)"
           + NI_BLANK, required=True, allowed=UNITS),
    Column("accumulation", "choice", "cumulative",
           "cumulative: a year-to-date count (Q2 is about half the year); snapshot: a level "
           "at a point in time", allowed=ACCUMULATIONS, default="snapshot"),
    Column("baseline_value", "number", "4977", "the baseline; blank when there is none"),
    Column("baseline_period", "period", "2004-05", "the financial year the baseline is for"),
    Column("reward", "choice", "yes", "yes for a reward (stretch) target", allowed=YES_NO,
           default="no"),
    Column("reward_grant_gbp", "number", "190522.50",
           "the Performance Reward Grant at stake; needed when reward is yes"),
    Column("reward_target", "text", "RT6",
           "reward indicators: the reward target it is a sub-target of (named in "
           "reward_targets.csv); blank: a reward target on its own"),
    Column("mandatory", "choice", "no", "yes for a mandatory target", allowed=YES_NO,
           default="no"),
    Column("profile", "text", "10;35;60;100",
           "the share (%) of the year's movement expected by the end of Q1;Q2;Q3;Q4; "
           "blank means a straight line (25;50;75;100)"),
    Column("kind", "choice", "designated",
           "the kind of target: designated (one of the up to 35 from the National Indicator "
           "Set negotiated with Government), statutory (the 16 education and early years "
           "targets), local (owned by the partnership, not reported to Government); blank: "
           "not classified, and the appendix has no summary by kind", allowed=KINDS),
    Column("maa", "text", "",
           "the neighbouring area a Multi-Area Agreement shares the indicator with (e.g. "
           "Leicester); blank: not an MAA indicator"),
), "One row per indicator of the agreement. An id written as a national indicator "
   "(`NI 152`) takes its title, polarity and unit from the National Indicator Set "
   "catalogue where the row leaves them blank (the package's, or the partnership's own "
   "`nis.csv`); an NI number the set does not have (NI 1 to NI 30 and NI 32 to NI 199) "
   "is refused.")

TARGETS = RegisterFile("targets.csv", True, (
    Column("indicator_id", "text", "7.19", "the indicator, as in indicators.csv",
           required=True),
    Column("period", "period", "2006-07",
           "a financial year, or a quarter (2006-07 Q2) whose own target replaces the "
           "profiled trajectory point", required=True),
    Column("target_value", "number", "3316",
           "the target (for a cumulative indicator, the year's total); blank only while "
           "placeholder", required=True),
    Column("target_status", "choice", "agreed", "how settled the target is",
           allowed=TARGET_STATUSES, default="agreed"),
    Column("target_without_stretch", "number", "3800",
           "reward targets: the performance expected without the stretch (for the grant "
           "forecast)"),
    Column("due_to_be_agreed", "date", "2009-03-31",
           "a placeholder or provisional target: the date it is due to be agreed "
           "(YYYY-MM-DD)"),
), "One row per indicator and period with a target; the years with targets or baselines "
   "are the agreement's: a period outside them is refused.")

THEMES = RegisterFile("themes.csv", False, (
    Column("theme", "text", "safer", "short key, unique", required=True),
    Column("name", "text", "Safer", "the name in the Indicator Risk Summary", required=True),
    Column("appendix_name", "text", "Safer Communities",
           "the name in the block tables and Appendix 2; blank: the name"),
    Column("block", "whole number", "7",
           "the LAA block number, the order of the block tables; blank: the row's position"),
    Column("summary_order", "whole number", "2",
           "the row order of the Indicator Risk Summary; blank: the row's position"),
), "One row per theme (LAA block).",
   "the themes are those indicators.csv names, in the order they first appear: the key is "
   "the name's slug (Safer Communities: safer-communities), the name and appendix name are "
   "the name as written, block and summary order the order of first appearance")

COUNTY = "county"   # the geography a return gives for the county figure: no district's name
DISTRICTS = RegisterFile("districts.csv", False, (
    Column("district", "text", "Melton", "a district name, as returns spell the geography "
           "(not county: that word is the county figure's)", required=True),
), "One row per district (district LSP).",
   "no districts: returns give county figures only, and district coverage shows none")

CALENDAR = RegisterFile("calendar.csv", False, (
    Column("period", "period", "2006-07 Q2", "a quarter or a financial year", required=True),
    Column("deadline", "date", "2006-11-14", "the date its returns are due (YYYY-MM-DD)",
           required=True),
    Column("meeting", "date", "2006-12-04", "the Board meeting that takes the period's "
           "returns (YYYY-MM-DD): `laa templates` and `laa status` write under "
           "reports/<meeting>/; blank: give --meeting"),
), "The reporting deadlines.",
   "no deadlines: no return is reported late, and every return received counts as on time")

DIRECTORY = RegisterFile("directory.csv", False, (
    Column("outcome_id", "text", "7.4", "the outcome, as in indicators.csv", required=True),
    Column("outcome", "text", "Fewer vehicle crimes", "the outcome's title", required=True),
    Column("lead_partnership", "text", "Safer Communities Partnership",
           "the partnership that leads the outcome"),
    Column("board_champion", "text", "Chief Constable", "its strategic board champion"),
    Column("executive_officer", "text", "Head of Community Safety", "its executive officer"),
    Column("outcome_lead", "text", "A N Other", "the officer who leads it"),
    Column("parent_outcome", "text", "",
           "for a sub-outcome, the outcome_id of the outcome it belongs to; blank for an "
           "outcome"),
), "The partnership directory: the outcomes (and sub-outcomes) of the Sustainable "
   "Community Strategy and who leads each, printed as the appendix's last section. The "
   "appendix lists the outcomes whose champion, executive officer or lead is blank, and "
   "the outcomes with no indicator against them or their sub-outcomes.",
   "the appendix has no partnership directory, and no directory gaps or outcomes "
   "without targets")

DELIVERY_PLANS = RegisterFile("delivery_plans.csv", False, (
    Column("indicator_id", "text", "7.19", "the target's indicator, as in indicators.csv",
           required=True),
    Column("received", "date", "2008-09-30",
           "the date its delivery plan was received (YYYY-MM-DD); blank: outstanding"),
    Column("challenge_reviewed", "date", "2008-11-12",
           "the date the challenge group reviewed it; blank: not yet"),
    Column("revised", "date", "2009-01-20",
           "the date a plan revised after the challenge came in; blank: not revised"),
    Column("due", "date", "2009-04-30", "an outstanding plan: the date it is now due"),
    Column("note", "text", "Separate MAA timescale",
           "why a plan is outstanding, or anything the Board should know"),
), "One row per target: where its delivery plan stands. A target with no row counts as "
   "outstanding.",
   "delivery plans are not tracked: the appendix has no delivery plan section")

PARTNERSHIP = RegisterFile("partnership.toml", False, (
    Column("name", "text", "Leicestershire Together", "the partnership's name, on the cover",
           default=DEFAULT_PARTNERSHIP["name"]),
    Column("agreement", "text", "Local Area Agreement 2006-09", "the agreement's title",
           default=DEFAULT_PARTNERSHIP["agreement"]),
), "The partnership's name and agreement, as TOML keys (name = \"...\").",
   f"the cover says {DEFAULT_PARTNERSHIP['name']} and {DEFAULT_PARTNERSHIP['agreement']}")

OPTION_STATUSES = ("proposed", "subject to approval", "approved", "rejected")
CONTRIBUTION_BASES = ("unit", "percent_of_gap")

IMPROVEMENT_OPTIONS = RegisterFile("improvement_options.csv", False, (
    Column("indicator_id", "text", "7.19", "the reward target the option serves, as in "
           "indicators.csv (reward yes)", required=True),
    Column("option", "text", "Extend car park patrols to the market towns",
           "what would be done", required=True),
    Column("contribution", "number", "120",
           "what it would add towards the final year's stretch target, as an improvement "
           "(120 fewer thefts for a lower-is-better count): in the indicator's unit, or with "
           "contribution_basis percent_of_gap as a % of the gap", required=True),
    Column("contribution_basis", "choice", "unit",
           "unit: the contribution is in the indicator's unit; percent_of_gap: a % of the gap "
           "between the final-year forecast and the stretch target", allowed=CONTRIBUTION_BASES,
           default="unit"),
    Column("cost_gbp", "number", "25000", "what it would cost; blank when not yet costed"),
    Column("status", "choice", "approved", "where its decision stands",
           allowed=OPTION_STATUSES, default="proposed"),
    Column("owner", "text", "Community Safety Manager", "who takes it forward"),
), "Improvement options for the reward targets not on track: the gap analysis adds up what "
   "they would contribute, approved ones apart from the rest (rejected ones are listed but "
   "count for nothing).",
   "the gap analysis shows each reward target not on track with no options to close its gap")

REWARD_TARGETS = RegisterFile("reward_targets.csv", False, (
    Column("reward_target", "text", "RT6",
           "a reward target as indicators.csv's reward_target names it, or one reward "
           "indicator's id for a condition on that sub-target alone", required=True),
    Column("name", "text", "Crime associated with prolific and priority offenders",
           "the reward target's name; blank on a sub-target's row"),
    Column("condition", "text", "Government confirms the 2005-06 baseline",
           "a condition the grant depends on besides the target itself; blank: none"),
    Column("condition_status", "choice", "not yet known",
           "needed with a condition: not met pays nothing and counts the whole grant at "
           "risk; not yet known forecasts as usual, marked pending",
           allowed=CONDITION_STATUSES),
    Column("condition_note", "text", "Awaiting the Home Office figures",
           "what the Board should know about the condition"),
), "One row per reward target to name, or per reward target or sub-target with a condition "
   "on its grant. A sub-target's condition replaces its reward target's.",
   "reward targets are named by their id (a reward target of one indicator: by the "
   "indicator), and no grant has a condition")

GO_ISSUES = RegisterFile("go_issues.csv", False, (
    Column("indicator_id", "text", "7.19", "the indicator the issue is about, as in "
           "indicators.csv; blank when the review did not name it"),
    Column("raised", "text", "Six-month review 2006-07", "where and when Government Office "
           "raised it", required=True),
    Column("issue", "text", "Theft from motor vehicles off trajectory",
           "the issue as Government Office put it", required=True),
    Column("status", "choice", "remaining", "resolved, or remaining (a risk or concern "
           "still open)", required=True, allowed=GO_ISSUE_STATUSES),
    Column("note", "text", "Car park patrols extended to the market towns",
           "where it stands, for the Board"),
), "The issues Government Office raised at a review, one row per indicator: the appendix "
   "lists them with how many are resolved and how many remain.",
   "the appendix has no section on issues raised by Government Office")

PERFORMANCE_GRANT = RegisterFile(PERFORMANCE_GRANT_FILE, False, (
    Column("first_agreement", "text", "../",
           "a second agreement's: the data folder of the first agreement, relative to this "
           "one (read only); its reward targets' final year is forecast in this one's "
           "documents, and its register and returns are inputs of this one's run"),
    Column("grant_gbp", "number", "5000000", "this agreement's own performance grant, at "
           "most; blank when not known"),
    Column("paid_after", "period", "2010-11", "the year at whose end the grant is paid"),
    Column("basis", "text", "performance across all targets", "what the grant is paid on"),
    Column("illustrative", "choice", "yes", "yes when the figures are not the "
           "partnership's own: the documents say \"Illustrative\"", allowed=YES_NO,
           default="no"),
), "The reward an agreement holds, as TOML keys: a second agreement's first agreement "
   "whose reward targets carry forward into it, and its own performance grant (seed 001, "
   "para 28). An unknown key stops the run (a misspelt first_agreement would otherwise "
   "drop the section unsaid).",
   "no reward section beyond the agreement's own reward targets")

REGISTER_FILES = (INDICATORS, TARGETS, THEMES, DISTRICTS, CALENDAR, DIRECTORY, DELIVERY_PLANS,
                  PARTNERSHIP, IMPROVEMENT_OPTIONS, REWARD_TARGETS, GO_ISSUES, PERFORMANCE_GRANT)

# The column names, for code that selects them.
INDICATOR_COLUMNS = INDICATORS.names
TARGET_COLUMNS = TARGETS.names
THEME_COLUMNS = THEMES.names
DIRECTORY_FILE = DIRECTORY.name
DIRECTORY_COLUMNS = DIRECTORY.names


@dataclass(frozen=True)
class Register:
    """The loaded register, one typed DataFrame per file, with keyed lookups.

    ``warnings``: what the reader noticed but did not stop for (unknown columns), one line
    each naming file and column; the CLI prints them. ``directory``, ``delivery_plans``
    and ``audit_findings`` (the auditor's, :mod:`pipeline.inputs.audit_findings`): None
    when the register has none.
    """

    themes: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame
    districts: tuple[str, ...]
    calendar: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())
    directory: pd.DataFrame | None = None
    delivery_plans: pd.DataFrame | None = None
    audit_findings: pd.DataFrame | None = None

    def indicator(self, indicator_id: str) -> pd.Series:
        """One indicator's register row; :class:`UnknownKeyError` if there is none."""
        found = self.indicators[self.indicators["indicator_id"] == indicator_id]
        if found.empty:
            raise UnknownKeyError(f"unknown indicator {indicator_id!r}")
        return found.iloc[0]

    def theme(self, theme: str) -> pd.Series:
        """One theme's row, by key or by name (any case); :class:`UnknownKeyError` if there
        is none."""
        key = _theme_keys(self.themes).get(slug(theme))
        if key is None:
            raise UnknownKeyError(f"unknown theme {theme!r}; known: "
                                  + ", ".join(self.themes["theme"]))
        return self.themes[self.themes["theme"] == key].iloc[0]

    def district(self, name: str) -> str:
        """The district's canonical name; :class:`UnknownKeyError` if it is not one."""
        for district in self.districts:
            if district.casefold() == str(name).strip().casefold():
                return district
        known = ", ".join(self.districts) or "none (districts.csv lists none)"
        raise UnknownKeyError(f"unknown district {name!r}; known: {known}")


def check_columns(frame: pd.DataFrame, spec: RegisterFile) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with exactly ``spec``'s columns, in its order, and the warnings it raised.

    An optional column the file lacks is added, filled with its default, as is any blank
    cell of an optional column that has a default. A column ``spec`` does not know is
    dropped with a warning naming the file and the column.

    Raises
    ------
    RegisterError
        Naming the file and the required column(s) missing.
    """
    missing = [c for c in spec.required_names if c not in frame.columns]
    if missing:
        raise RegisterError(f"required column{'s' if len(missing) > 1 else ''} missing",
                            file=spec.name, column=", ".join(missing))
    known = spec.names
    warnings = []
    for position, column in enumerate(frame.columns, start=1):
        if _NO_HEADER.fullmatch(column):   # a trailing comma, or a heading left out
            if (frame[column] != "").any():
                warnings.append(f"a column with no header ignored (file {spec.name}, "
                                f"column {position})")
        elif column not in known:
            close = difflib.get_close_matches(column, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.append(f"unknown column {column!r} ignored{hint} "
                            f"(file {spec.name}, column {column})")
    out = frame.reindex(columns=known, fill_value="")
    for column in spec.columns:
        if not column.required and column.default:
            out[column.name] = out[column.name].replace("", column.default)
    return out, warnings


def _read_csv(path: Path, spec: RegisterFile) -> tuple[pd.DataFrame, list[str]]:
    if not path.is_file():
        raise RegisterError("register file is missing", file=str(path))
    return check_columns(read_text_csv(path, "register file"), spec)


def _read_optional(register_dir: Path, spec: RegisterFile) -> tuple[pd.DataFrame | None,
                                                                       list[str]]:
    """An optional register CSV, or None when it is absent or has no data rows."""
    path = register_dir / spec.name
    if not path.is_file():
        return None, []
    frame, warnings = _read_csv(path, spec)
    return (None if frame.empty else frame), warnings


def _check_vocab(frame: pd.DataFrame, column: str, allowed: tuple[str, ...], file: str) -> None:
    bad = frame[~frame[column].isin(allowed)]
    if not bad.empty:
        row = bad.index[0] + 2
        named = ", ".join(a for a in allowed if a)
        raise RegisterError(f"{column} {bad[column].iloc[0]!r} is not one of {named}"
                            + (" (or blank)" if "" in allowed else ""),
                            file=file, row=row, column=column)


def _check_unique(frame: pd.DataFrame, column: str, file: str, message: str) -> None:
    """Refuse a value given twice in ``column``, naming the second row (``message`` is
    formatted with the value)."""
    dupes = frame[column][frame[column].duplicated()]
    if not dupes.empty:
        raise RegisterError(message.format(dupes.iloc[0]), file=file,
                            row=int(dupes.index[0]) + 2, column=column)


def _check_filled(frame: pd.DataFrame, column: str, file: str) -> None:
    blank = frame[frame[column] == ""]
    if not blank.empty:
        raise RegisterError(f"{column} is blank", file=file, row=int(blank.index[0]) + 2,
                            column=column)


def _to_number(frame: pd.DataFrame, column: str, file: str, required: bool) -> pd.Series:
    text = frame[column].str.replace(",", "", regex=False).str.replace("£", "", regex=False)
    numbers = pd.to_numeric(text.replace("", None), errors="coerce").astype("float64")
    bad = numbers.isna() & (text != "") if not required else numbers.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise RegisterError(f"{column} {frame[column].iloc[row - 2]!r} is not a number",
                            file=file, row=row, column=column)
    return numbers


def _to_period(frame: pd.DataFrame, column: str, file: str, required: bool) -> pd.Series:
    periods = frame[column].map(normalise_period)
    bad = periods.isna() & ((frame[column] != "") | required)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise RegisterError(f"{column} {frame[column].iloc[row]!r} is not a financial year or "
                            "quarter", file=file, row=row + 2, column=column)
    return periods.fillna("")


def _complete(raw: pd.DataFrame, spec: RegisterFile) -> pd.DataFrame:
    return check_columns(raw.reset_index(drop=True), spec)[0]


def parse_themes(raw: pd.DataFrame) -> pd.DataFrame:
    """Type the themes table and sort it in the Indicator Risk Summary's order.

    A blank ``appendix_name`` is the ``name``; a blank ``block`` or ``summary_order`` is
    the row's position (1, 2, ...).
    """
    themes = _complete(raw, THEMES)
    for column in ("theme", "name"):
        _check_filled(themes, column, THEMES.name)
    dupes = themes["theme"][themes["theme"].duplicated()]
    if not dupes.empty:
        raise RegisterError(f"duplicate theme {dupes.iloc[0]!r}", file=THEMES.name,
                            row=int(dupes.index[0]) + 2, column="theme")
    themes["appendix_name"] = themes["appendix_name"].where(themes["appendix_name"] != "",
                                                            themes["name"])
    position = pd.Series(range(1, len(themes) + 1), index=themes.index).astype(str)
    for column in ("block", "summary_order"):
        themes[column] = themes[column].where(themes[column] != "", position)
        themes[column] = _to_number(themes, column, THEMES.name, required=True).astype("int64")
    return themes.sort_values("summary_order", kind="stable").reset_index(drop=True)


def derive_themes(raw_indicators: pd.DataFrame) -> pd.DataFrame:
    """The themes when there is no themes.csv: those the indicators name, in the order they
    first appear (see :data:`THEMES`'s ``when_absent``)."""
    names = raw_indicators["theme"].astype(str).str.strip()
    _check_filled(pd.DataFrame({"theme": names}), "theme", INDICATORS.name)
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
    ind = _complete(raw, INDICATORS)
    _check_filled(ind, "indicator_id", file)
    dupes = ind["indicator_id"][ind["indicator_id"].duplicated()]
    if not dupes.empty:
        raise RegisterError(f"duplicate indicator id {dupes.iloc[0]!r}", file=file,
                            row=int(dupes.index[0]) + 2, column="indicator_id")
    _check_filled(ind, "theme", file)
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
        _check_filled(ind, column, file)
    for column in INDICATORS.columns:
        if column.allowed:
            ind[column.name] = ind[column.name].str.lower()
            blank_ok = ("",) if not (column.required or column.default) else ()
            _check_vocab(ind, column.name, column.allowed + blank_ok, file)
    ind["baseline_value"] = _to_number(ind, "baseline_value", file, required=False)
    ind["baseline_period"] = _to_period(ind, "baseline_period", file, required=False)
    ind["reward_grant_gbp"] = _to_number(ind, "reward_grant_gbp", file, required=False)
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
    tgt = _complete(raw, TARGETS)
    unknown = tgt[~tgt["indicator_id"].isin(indicators["indicator_id"])]
    if not unknown.empty:
        raise RegisterError(f"target for unknown indicator {unknown['indicator_id'].iloc[0]!r}",
                            file=file, row=int(unknown.index[0]) + 2, column="indicator_id")
    tgt["period"] = _to_period(tgt, "period", file, required=True)
    tgt["target_status"] = tgt["target_status"].str.lower()
    _check_vocab(tgt, "target_status", TARGET_STATUSES, file)
    tgt["target_value"] = _to_number(tgt, "target_value", file, required=False)
    tgt["target_without_stretch"] = _to_number(tgt, "target_without_stretch", file, False)
    tgt["due_to_be_agreed"] = _to_date(tgt, "due_to_be_agreed", file, required=False)
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
    cal = _complete(raw, CALENDAR)
    cal["period"] = _to_period(cal, "period", file, required=True)
    cal["deadline"] = _to_date(cal, "deadline", file, required=True)
    cal["meeting"] = _to_date(cal, "meeting", file, required=False)
    return cal


def _to_date(frame: pd.DataFrame, column: str, file: str, required: bool) -> pd.Series:
    """The column's dates as ``YYYY-MM-DD`` text (blank stays blank unless required)."""
    text = frame[column]
    dates = pd.to_datetime(text, errors="coerce", format="%Y-%m-%d")
    bad = dates.isna() & ((text != "") | required)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise RegisterError(f"{column} {text.iloc[row]!r} is not a date (YYYY-MM-DD)",
                            file=file, row=row + 2, column=column)
    return dates.dt.strftime("%Y-%m-%d").fillna("")


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
    directory = _complete(raw, DIRECTORY)
    for column in ("outcome_id", "outcome"):
        _check_filled(directory, column, file)
    _check_unique(directory, "outcome_id", file, "duplicate outcome id {!r}")
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
    plans = _complete(raw, DELIVERY_PLANS)
    _check_filled(plans, "indicator_id", file)
    unknown = plans[~plans["indicator_id"].isin(indicators["indicator_id"])]
    if not unknown.empty:
        raise RegisterError(f"delivery plan for unknown indicator "
                            f"{unknown['indicator_id'].iloc[0]!r}", file=file,
                            row=int(unknown.index[0]) + 2, column="indicator_id")
    _check_unique(plans, "indicator_id", file, "two delivery plans for {}")
    for column in ("received", "challenge_reviewed", "revised", "due"):
        plans[column] = _to_date(plans, column, file, required=False)
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
    districts = _complete(raw, DISTRICTS)
    _check_filled(districts, "district", DISTRICTS.name)
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


def load_register(register_dir: Path) -> Register:
    """Read and check the register files in ``register_dir``.

    indicators.csv and targets.csv are required; themes.csv, districts.csv, calendar.csv,
    directory.csv, delivery_plans.csv, partnership.toml, improvement_options.csv,
    reward_targets.csv and go_issues.csv are optional (see :data:`REGISTER_FILES`); so are
    nis.csv, a
    partnership's own National Indicator Set catalogue (:func:`pipeline.inputs.nis.
    catalogue_for`), and the auditor's findings (:mod:`pipeline.inputs.audit_findings`).
    The indicators carry their reward target and its condition
    (:func:`pipeline.inputs.reward_register.attach_reward_targets`).

    Raises
    ------
    RegisterError
        Naming the file, row and column of the first inconsistency found.
    """
    warnings: list[str] = []

    def read(spec: RegisterFile) -> pd.DataFrame | None:
        if spec.required:
            frame, found = _read_csv(register_dir / spec.name, spec)
        else:
            frame, found = _read_optional(register_dir, spec)
        warnings.extend(found)
        return frame

    raw_themes, raw_indicators = read(THEMES), read(INDICATORS)
    if raw_indicators.empty:
        raise RegisterError("no indicators: the file has no rows", file=INDICATORS.name)
    themes = derive_themes(raw_indicators) if raw_themes is None else parse_themes(raw_themes)
    catalogue, found = catalogue_for(register_dir)
    warnings.extend(found)
    indicators = attach_reward_targets(
        parse_indicators(raw_indicators, themes, catalogue), read(REWARD_TARGETS),
        {i: n for n, i in enumerate(raw_indicators["indicator_id"], start=2)})
    targets = parse_targets(read(TARGETS), indicators)
    districts = parse_districts(read(DISTRICTS))
    calendar = parse_calendar(read(CALENDAR))
    directory = parse_directory(read(DIRECTORY))
    plans = parse_delivery_plans(read(DELIVERY_PLANS), indicators)
    if directory is not None:
        known = set(directory["outcome_id"])
        warnings.extend(f"indicator {i} names outcome {o!r}, which {DIRECTORY.name} does not "
                        f"list (file {INDICATORS.name}, column outcome_id)"
                        for i, o in zip(indicators["indicator_id"], indicators["outcome_id"],
                                        strict=True) if o and o not in known)
    parse_improvement_options(read(IMPROVEMENT_OPTIONS), indicators)
    parse_go_issues(read(GO_ISSUES), set(indicators["indicator_id"]))
    warnings.extend(_read_partnership(register_dir)[1])
    return Register(themes, indicators, targets, districts, calendar, tuple(warnings),
                    directory, plans,
                    read_audit_findings(register_dir, list(indicators["indicator_id"])))


def agreement_years(register: Register) -> list[Period]:
    """The financial years of the agreement: those with a target or a baseline, in order."""
    periods = list(register.targets["period"]) + list(register.indicators["baseline_period"])
    return sorted({p.financial_year for p in map(try_parse_period, periods) if p is not None})


def check_period(register: Register, period: str) -> None:
    """Refuse a period outside the agreement: no indicator has a target or a baseline in
    its financial year.

    Raises
    ------
    ConfigError
        Naming the period and the years the targets and baselines cover.
    """
    wanted = parse_period(period)
    years = agreement_years(register)
    if wanted.financial_year in years:
        return
    if not years:
        cover = "the register has no targets or baselines"
    else:
        span = str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
        cover = f"targets and baselines cover {span}"
    raise ConfigError(f"period {wanted} is outside the agreement: {cover}")


def sort_indicators(frame: pd.DataFrame, column: str = "indicator_id") -> pd.DataFrame:
    """A copy of ``frame`` in natural indicator order, with a fresh index."""
    return frame.sort_values(column, key=lambda s: s.map(id_sort_key),
                             kind="stable").reset_index(drop=True)


def _read_partnership(register_dir: Path) -> tuple[dict[str, str], list[str]]:
    details = dict(DEFAULT_PARTNERSHIP)
    path = register_dir / PARTNERSHIP.name
    if not path.is_file():
        return details, []
    try:
        given = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegisterError(f"not valid TOML: {exc}", file=path.name) from exc
    except UnicodeDecodeError as exc:
        raise RegisterError(f"register file cannot be read: {exc}", file=path.name) from exc
    warnings = [f"unknown key {key!r} ignored (file {PARTNERSHIP.name}, key {key})"
                for key in given if key not in details]
    details.update({k: str(v).strip() for k, v in given.items()
                    if k in details and str(v).strip()})
    return details, warnings


def read_partnership(register_dir: Path) -> dict[str, str]:
    """The partnership's ``name`` and ``agreement`` from ``partnership.toml`` (optional);
    a key absent or blank takes its default (:data:`DEFAULT_PARTNERSHIP`)."""
    return _read_partnership(register_dir)[0]


def read_directory(register_dir: Path) -> pd.DataFrame | None:
    """The partnership directory (``register/directory.csv``), or None when there is none.

    One row per outcome: ``outcome_id``, ``outcome``, ``lead_partnership``,
    ``board_champion``, ``executive_officer``, ``outcome_lead`` (all text, blanks kept
    blank), in the file's order. A file with no rows counts as none.

    Raises
    ------
    RegisterError
        If the file cannot be read or lacks a required column (naming the file).
    """
    frame = _read_optional(register_dir, DIRECTORY)[0]
    return None if frame is None else frame.reset_index(drop=True)


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
    options = _complete(raw, IMPROVEMENT_OPTIONS)
    for column in ("indicator_id", "option"):
        _check_filled(options, column, file)
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
        _check_vocab(options, column, allowed, file)
    for column, required in (("contribution", True), ("cost_gbp", False)):
        text = options[column]
        options[column] = _to_number(options, column, file, required=required)
        negative = options[column] < 0
        if negative.any():
            row = int(negative.to_numpy().nonzero()[0][0])
            raise RegisterError(f"{column} {text.iloc[row]!r} is negative: expected 0 or "
                                "more", file=file, row=row + 2, column=column)
    options.insert(0, "source_row", range(2, len(options) + 2))
    return options


def read_improvement_options(register_dir: Path,
                             indicators: pd.DataFrame) -> pd.DataFrame | None:
    """The improvement options (``register/improvement_options.csv``), or None when there
    are none; see :func:`parse_improvement_options`."""
    return parse_improvement_options(_read_optional(register_dir, IMPROVEMENT_OPTIONS)[0],
                                     indicators)


def read_go_issues(register_dir: Path, indicators: pd.DataFrame) -> pd.DataFrame | None:
    """The issues raised by Government Office (``register/go_issues.csv``), or None when
    there are none; see :func:`pipeline.inputs.go_issues.parse_go_issues`."""
    return parse_go_issues(_read_optional(register_dir, GO_ISSUES)[0],
                           set(indicators["indicator_id"]))


def select_themes(reg: Register, theme: str) -> pd.DataFrame:
    """The themes to show: all of them for a blank filter, else those named.

    ``theme`` holds theme keys or names (``safer``, ``Older People``), separated by
    commas, in any case.

    Raises
    ------
    ConfigError
        Naming an unknown theme and listing the known ones.
    """
    wanted = [t.strip() for t in str(theme or "").split(",") if t.strip()]
    if not wanted:
        return reg.themes
    keys = []
    for name in wanted:
        matches = reg.themes[(reg.themes["theme"].str.casefold() == name.casefold())
                             | (reg.themes["name"].str.casefold() == name.casefold())
                             | (reg.themes["appendix_name"].str.casefold() == name.casefold())]
        if matches.empty:
            raise ConfigError(f"unknown theme {name!r}; known: "
                              + ", ".join(f"{k} ({n})" for k, n in
                                          zip(reg.themes["theme"], reg.themes["name"],
                                              strict=True)))
        keys.append(matches.iloc[0]["theme"])
    return reg.themes[reg.themes["theme"].isin(keys)]


def resolve_district(reg: Register, district: str) -> str:
    """The district's name as the register spells it ("" for none).

    Raises
    ------
    ConfigError
        For a district the register does not list.
    """
    if not str(district or "").strip():
        return ""
    try:
        return reg.district(district)
    except UnknownKeyError as exc:
        raise ConfigError(str(exc)) from None
