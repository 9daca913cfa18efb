"""The register files' definitions: each file of register/, its columns, which are
required, their allowed values, defaults and examples, in :data:`REGISTER_FILES`.

Defined once: the reader checks files against them (:mod:`pipeline.inputs.register`),
``laa init`` writes new folders from them and the docs' reference is generated from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.inputs.go_issues import GO_ISSUE_STATUSES
from pipeline.inputs.nis import POLARITIES
from pipeline.inputs.performance_grant import FILE as PERFORMANCE_GRANT_FILE
from pipeline.inputs.reward_register import CONDITION_STATUSES
from pipeline.rules_schema import UNITS

ACCUMULATIONS = ("snapshot", "cumulative")
TARGET_STATUSES = ("agreed", "placeholder", "provisional")
YES_NO = ("yes", "no")
KINDS = ("designated", "statutory", "local")
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
