"""What goes into a board appendix or a district pack: the frames, filtered and tabulated.

The appendix notebook calls :func:`load_appendix` once; everything it shows, and every
table it exports to XLSX and CSV (:func:`appendix_tables`, :func:`district_tables`), comes
from the frames collected here. With no theme filter they are the assess stage's own
tables, read back; with one they are recomputed from the same assessment, restricted to
the themes asked for, by the same functions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import changes, districts, forecast, register, store, tables
from pipeline.assessment import RAG_LABELS
from pipeline.charts import Trend, indicator_trends
from pipeline.config import Settings
from pipeline.errors import ConfigError, UnknownKeyError
from pipeline.tables import TOTALS, round_half_up

FORMATS = ("html", "pdf")
DIRECTORY_FILE = "directory.csv"
DIRECTORY_COLUMNS = ["outcome_id", "outcome", "lead_partnership", "board_champion",
                     "executive_officer", "outcome_lead"]
TRAVEL_COLUMNS = ("travel_vs_earlier", "travel_vs_year_ago")


def parse_formats(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The output formats asked for, in canonical order: ``"pdf, html"`` -> ``("html", "pdf")``.

    Raises
    ------
    ConfigError
        For an unknown format, or none at all.
    """
    items = re.split(r"[,\s]+", text) if isinstance(text, str) else list(text)
    asked = {i.strip().lower().lstrip(".") for i in items if i and i.strip()}
    unknown = sorted(asked - set(FORMATS))
    if unknown or not asked:
        raise ConfigError(f"output format(s) {', '.join(unknown) or '(none)'} not known; "
                          f"use html, pdf or both (e.g. 'html,pdf')")
    return tuple(f for f in FORMATS if f in asked)


def select_themes(reg: register.Register, theme: str) -> pd.DataFrame:
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


def resolve_district(reg: register.Register, district: str) -> str:
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


def slug(text: str) -> str:
    """A file-name-safe form: ``Hinckley & Bosworth`` -> ``hinckley-bosworth``."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).casefold()).strip("-") or "x"


def tables_folder(settings: Settings, district: str = "") -> Path:
    """Where the appendix's tables go (``tables/``), or a district pack's
    (``districts/<district>/tables/``)."""
    base = settings.report_dir / "districts" / slug(district) if district else settings.report_dir
    return base / "tables"


def scorecard_link(settings: Settings, district: str = "") -> str:
    """The relative link from a document to the data-quality scorecard, or ``""`` if the
    validate stage did not write one."""
    if not (settings.report_dir / "data-quality" / "scorecard.html").is_file():
        return ""
    return ("../../" if district else "") + "data-quality/scorecard.html"


def read_directory(register_dir: Path) -> pd.DataFrame | None:
    """The partnership directory (``register/directory.csv``), or None when there is none.

    One row per outcome: ``outcome_id``, ``outcome``, ``lead_partnership``,
    ``board_champion``, ``executive_officer``, ``outcome_lead`` (all text, blanks kept
    blank), in the file's order.

    Raises
    ------
    RegisterError
        If the file cannot be read or lacks one of those columns (naming the file).
    """
    path = register_dir / DIRECTORY_FILE
    if not path.is_file():
        return None
    frame = register.read_register_csv(path, DIRECTORY_COLUMNS)
    return frame[DIRECTORY_COLUMNS].reset_index(drop=True)


@dataclass
class Appendix:
    """Everything one appendix (and its district pack) shows, as frames and text."""

    settings: Settings
    partnership: dict[str, str]
    themes: pd.DataFrame
    theme_filter: tuple[str, ...]
    review: str | None
    data_as_of: str
    assessed: pd.DataFrame
    summary: pd.DataFrame
    headline: str
    risks: dict[str, pd.DataFrame]
    reward: pd.DataFrame
    grant_forecast: pd.DataFrame
    transitions: pd.DataFrame
    movements: pd.DataFrame
    ratings: pd.DataFrame
    disagreements: pd.DataFrame
    trends: dict[str, Trend]
    coverage: pd.DataFrame
    coverage_sentence: str
    district_view: pd.DataFrame
    quality: pd.DataFrame
    directory: pd.DataFrame | None
    districts: tuple[str, ...]
    district: str = ""

    @property
    def filtered(self) -> bool:
        """True when only some themes are shown."""
        return bool(self.theme_filter)

    def block(self, theme: str) -> pd.DataFrame:
        """The block table rows of one theme (by key): every indicator, in register order."""
        return self.assessed[self.assessed["theme"] == theme].reset_index(drop=True)


def load_appendix(settings: Settings, theme: str = "", district: str = "") -> Appendix:
    """Read the assess stage's outputs and the register; apply the theme filter.

    Parameters
    ----------
    settings
        The run's settings (folders, period, previous review period, rules).
    theme
        Blank for all themes, else theme keys or names separated by commas.
    district
        Blank, or the district whose pack is produced beside the appendix.
    """
    reg = register.load_register(settings.register_dir)
    themes = select_themes(reg, theme)
    chosen = resolve_district(reg, district)
    keys = set(themes["theme"])
    filtered = len(themes) != len(reg.themes)
    assessed = store.read_frame(settings, "assessment")
    returns = store.read_frame(settings, "returns")
    review = changes.resolve_previous_period(settings.period, settings.previous_period)
    headline = store.read_json(settings, "headline")
    rules = settings.rules
    if not filtered:
        summary = store.read_frame(settings, "risk_summary")
        sentence = headline["sentence"]
        risks = {name: store.read_frame(settings, name)
                 for name in ("red_non_reward", "red_reward", "amber_reward")}
        reward = store.read_frame(settings, "reward_grant")
        grant = store.read_frame(settings, "grant_forecast")
        transitions = store.read_frame(settings, "rag_transitions")
        movements = store.read_frame(settings, "rag_movements")
        ratings = store.read_frame(settings, "ratings")
        disagreements = store.read_frame(settings, "rag_disagreements")
        coverage = store.read_frame(settings, "district_coverage")
        coverage_sentence = headline["district_coverage"]
        view = store.read_frame(settings, "district_view")
    else:
        assessed = assessed[assessed["theme"].isin(keys)].reset_index(drop=True)
        previous = store.read_frame(settings, "previous_assessment")
        if "theme" in previous:
            previous = previous[previous["theme"].isin(keys)]
        summary = tables.summarise_risk(assessed, themes)
        sentence = tables.compose_headline(assessed, rules)
        risks = tables.list_risks(assessed)
        reward = tables.tabulate_reward_grant(assessed, themes, rules)
        grant = forecast.tabulate_grant_forecast(assessed, themes, rules)
        transitions = changes.tabulate_transitions(previous, assessed, themes)
        movements = changes.list_movements(previous, assessed)
        ratings = tables.tabulate_ratings(assessed)
        disagreements = tables.list_rag_disagreements(ratings, rules)
        ids = set(assessed["indicator_id"])
        values = store.read_frame(settings, "district_values")
        values = values[values["indicator_id"].isin(ids)]
        coverage = districts.summarise_district_coverage(values, len(assessed), reg.districts)
        coverage_sentence = districts.compose_coverage_sentence(coverage, settings.period)
        view = districts.compare_districts(values, assessed)
    if "profile" in reg.indicators and "profile" not in assessed:
        assessed = assessed.merge(reg.indicators[["indicator_id", "profile"]],
                                  on="indicator_id", how="left")
    quality = tables.summarise_quality(store.read_frame(settings, "ingested"), returns,
                                       store.read_frame(settings, "quarantine"),
                                       store.read_frame(settings, "validation_results"))
    return Appendix(
        settings=settings, partnership=register.read_partnership(settings.register_dir),
        themes=themes.sort_values("block", kind="stable").reset_index(drop=True),
        theme_filter=tuple(themes["name"]) if filtered else (), review=review,
        data_as_of=tables.data_as_of(returns), assessed=assessed, summary=summary,
        headline=sentence, risks=risks, reward=reward, grant_forecast=grant,
        transitions=transitions, movements=movements, ratings=ratings,
        disagreements=disagreements,
        trends=indicator_trends(assessed, returns, reg.targets, settings.period),
        coverage=coverage, coverage_sentence=coverage_sentence, district_view=view,
        quality=quality, directory=read_directory(settings.register_dir),
        districts=reg.districts, district=chosen)


def district_rows(app: Appendix, district: str) -> pd.DataFrame:
    """The indicators with a value for ``district``: its value beside the county's.

    One row per indicator in register order, with the theme, the county's target and
    final RAG, the district's value, and for counts and money its share of the county
    total, for percentages, rates and scores whether it is better or worse than the
    county by polarity.
    """
    view = app.district_view
    mine = view[(view["district"] == district) & view["value"].notna()]
    columns = ["indicator_id", "theme", "theme_name", "lead_org", "target_value",
               "final_rag", "computed_rag", "value_period", "polarity"]
    county = app.assessed[columns].rename(columns={"value_period": "county_value_period",
                                                  "polarity": "_polarity"})
    out = mine.merge(county, on="indicator_id", how="inner").drop(columns="_polarity")
    order = {t: i for i, t in enumerate(app.themes["theme"])}
    out["_theme_order"] = out["theme"].map(order)
    out["_key"] = out["indicator_id"].map(register.indicator_sort_key)
    out = out.sort_values(["_theme_order", "_key"], kind="stable")
    return out.drop(columns=["_theme_order", "_key"]).reset_index(drop=True)


# Tables for officers: one sheet (XLSX) and one CSV each.

@dataclass(frozen=True)
class AppendixTable:
    """One table of the appendix as data, for a spreadsheet.

    ``kinds`` says how each column is written: ``text``; ``partner`` (text partners wrote:
    always a string, never a formula); ``count``; ``number``; ``value`` (formatted by the
    row's unit, in the column named by ``unit_column``); ``gbp``; ``pct`` (a figure that is
    already a percentage, e.g. 63.6); ``rag`` (a RAG label, filled with its colour).
    Rows whose ``emphasis_column`` value is in ``emphasis`` are printed bold (totals).
    ``sheet`` is the workbook sheet's name (the title when blank; 31 characters at most).
    """

    name: str
    title: str
    frame: pd.DataFrame
    kinds: dict[str, str]
    unit_column: str | None = None
    emphasis_column: str | None = None
    emphasis: tuple[str, ...] = ()
    note: str = ""
    sheet: str = ""


def _label(code: object) -> str:
    return RAG_LABELS.get(str(code), str(code) if code is not None else "")


def _pct_value(value: float, places: int = 1) -> float:
    return float("nan") if pd.isna(value) else float(round_half_up(value, places))


def risk_summary_table(summary: pd.DataFrame) -> AppendixTable:
    """The Indicator Risk Summary with each row's shares of its rated indicators."""
    frame = summary.reset_index()
    frame = frame.rename(columns={frame.columns[0]: "Theme"})
    rated = frame[["Green", "Amber", "Red"]].sum(axis=1)
    frame["Rated (green, amber or red)"] = rated
    for column in ("Green", "Amber", "Red"):
        frame[f"{column} % of rated"] = [
            float("nan") if r == 0 else _pct_value(100.0 * n / r)
            for n, r in zip(frame[column], rated, strict=True)]
    kinds = {c: "count" for c in frame.columns}
    kinds["Theme"] = "text"
    for column in ("Green", "Amber", "Red"):
        kinds[f"{column} % of rated"] = "pct"
    return AppendixTable("indicator-risk-summary", "Indicator Risk Summary", frame, kinds,
                         emphasis_column="Theme", emphasis=(TOTALS,),
                         sheet="Indicator Risk Summary",
                         note="Final RAG counted per theme; shares are of the rated "
                              "indicators (green, amber or red), rounded half up.")


def reward_grant_table(reward: pd.DataFrame, title: str = "Appendix 2: reward target list "
                       "and performance reward grant at risk") -> AppendixTable:
    """The seed's Appendix 2: each reward target's grant and grant at risk, with totals."""
    frame = pd.DataFrame({
        "Theme": reward["theme"], "Row": reward["row_type"], "RAG": reward["rag"],
        "Reward target": reward["indicator"], "All indicators (£)": reward["grant_gbp"],
        "At risk (£)": reward["at_risk_gbp"]})
    kinds = {"Theme": "text", "Row": "text", "RAG": "rag", "Reward target": "text",
             "All indicators (£)": "gbp", "At risk (£)": "gbp"}
    return AppendixTable("appendix-2-reward-grant", title, frame, kinds,
                         emphasis_column="Row", emphasis=("theme total", "overall total"),
                         sheet="Appendix 2 reward grant",
                         note="The whole grant of every reward target rated amber or red "
                              "counts as at risk.")


def grant_forecast_table(grant: pd.DataFrame) -> AppendixTable:
    """The reward grant forecast under the Performance Reward Grant rule."""
    frame = pd.DataFrame({
        "Theme": grant["theme"], "Row": grant["row_type"], "Reward target": grant["indicator"],
        "RAG": grant["rag"], "Unit": grant["unit"], "Value": grant["value"],
        "Value period": grant["value_period"], "Expected without stretch":
        grant["without_stretch"], "Stretch target": grant["stretch"],
        "Enhancement achieved %": grant["achieved_pct"].map(_pct_value),
        "Payable %": grant["payable_pct"].map(_pct_value), "Basis": grant["basis"],
        "Maximum grant (£)": grant["grant_gbp"], "Forecast payable (£)": grant["forecast_gbp"],
        "At risk, seed rule (£)": grant["at_risk_seed_gbp"],
        "At risk, forecast (£)": grant["at_risk_forecast_gbp"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"RAG": "rag", "Value": "value", "Expected without stretch": "value",
                  "Stretch target": "value", "Enhancement achieved %": "pct",
                  "Payable %": "pct", "Maximum grant (£)": "gbp", "Forecast payable (£)": "gbp",
                  "At risk, seed rule (£)": "gbp", "At risk, forecast (£)": "gbp"})
    return AppendixTable("reward-grant-forecast", "Reward grant forecast", frame, kinds,
                         unit_column="Unit", emphasis_column="Row",
                         emphasis=("theme total", "overall total"), sheet="Reward grant forecast")


RISK_TITLES = {"red_non_reward": "Red outcome risks: non-reward targets",
               "red_reward": "Red reward target risks",
               "amber_reward": "Amber reward target risks"}


RISK_SHEETS = {"red_non_reward": "Red non-reward risks", "red_reward": "Red reward risks",
               "amber_reward": "Amber reward risks"}


def risk_list_table(name: str, items: pd.DataFrame) -> AppendixTable:
    """One risk list with the computed position, the lead's commentary and actions."""
    frame = pd.DataFrame({
        "Indicator": items["indicator_id"], "Title": items["title"],
        "Theme": items["theme_name"], "Lead organisation": items["lead_org"],
        "Unit": items["unit"], "Value": items["value"], "Value period": items["value_period"],
        "Target": items["target_value"],
        "% off trajectory": items["off_trajectory_pct"].map(_pct_value),
        "Computed RAG": items["computed_rag"].map(_label),
        "Final RAG": items["final_rag"].map(_label),
        "Position (computed)": items["statement"], "Lead's commentary": items["commentary"],
        "Actions": items["actions"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Value": "value", "Target": "value", "% off trajectory": "pct",
                  "Computed RAG": "rag", "Final RAG": "rag", "Lead's commentary": "partner",
                  "Actions": "partner", "Title": "partner", "Lead organisation": "partner"})
    return AppendixTable(name.replace("_", "-"), RISK_TITLES.get(name, name), frame, kinds,
                         unit_column="Unit", sheet=RISK_SHEETS.get(name, ""))


def transitions_table(transitions: pd.DataFrame, review: str | None,
                      period: str) -> AppendixTable:
    """The RAG transition matrix per theme (rows then, columns now)."""
    frame = transitions.rename(columns={"theme": "Theme", "was": f"Rating at {review}"})
    frame = frame.rename(columns={c: f"Now {c}" for c in frame.columns
                                  if c in RAG_LABELS.values()})
    kinds = {c: "count" for c in frame.columns}
    kinds.update({"Theme": "text", f"Rating at {review}": "text"})
    return AppendixTable("changes-matrix", f"RAG ratings at {review} and at {period}", frame,
                         kinds, emphasis_column="Theme", emphasis=(changes.OVERALL,),
                         sheet="Changes since last review")


def movements_table(movements: pd.DataFrame, review: str | None) -> AppendixTable:
    """Every indicator whose final rating moved since the previous review."""
    frame = pd.DataFrame({
        "Indicator": movements["indicator_id"], "Title": movements["title"],
        "Theme": movements["theme_name"], "Unit": movements["unit"],
        "Was": movements["was"], "Now": movements["now"], "Movement": movements["movement"],
        "Value then": movements["was_value"], "Period then": movements["was_value_period"],
        "Value now": movements["value"], "Period now": movements["value_period"],
        "Commentary then": movements["was_commentary"],
        "Commentary now": movements["commentary"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Was": "rag", "Now": "rag", "Value then": "value", "Value now": "value",
                  "Title": "partner", "Commentary then": "partner",
                  "Commentary now": "partner"})
    return AppendixTable("changes-list", f"Ratings changed since {review}", frame, kinds,
                         unit_column="Unit", sheet="Ratings changed")


def block_table(app: Appendix, theme: pd.Series) -> AppendixTable:
    """One theme's block table: every indicator with its figures and ratings."""
    rows = app.block(theme["theme"])
    frame = pd.DataFrame({
        "Indicator": rows["indicator_id"], "Title": rows["title"],
        "Lead organisation": rows["lead_org"], "Lead officer": rows["lead_officer"],
        "Unit": rows["unit"], "Polarity": rows["polarity"] + " is better",
        "Baseline": rows["baseline_value"], "Baseline period": rows["baseline_period"],
        "Target": rows["target_value"], "Target period": rows["target_period"],
        "Target status": rows["target_status"], "Latest value": rows["value"],
        "Value period": rows["value_period"],
        "% off target": rows["off_target_pct"].map(_pct_value),
        "Expected (trajectory)": rows["expected_value"],
        "% off trajectory": rows["off_trajectory_pct"].map(_pct_value),
        "Computed RAG": rows["computed_rag"].map(_label),
        "Lead RAG": rows["lead_rag"].map(lambda c: _label(c) if c else ""),
        "Final RAG": rows["final_rag"].map(_label)})
    for column, label in zip(TRAVEL_COLUMNS, ("Since last return", "On a year before"),
                             strict=True):
        if column in rows:
            frame[label] = rows[column]
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Baseline": "value", "Target": "value", "Latest value": "value",
                  "Expected (trajectory)": "value", "% off target": "pct",
                  "% off trajectory": "pct", "Computed RAG": "rag", "Lead RAG": "rag",
                  "Final RAG": "rag", "Title": "partner", "Lead organisation": "partner",
                  "Lead officer": "partner"})
    return AppendixTable(f"block-{slug(theme['theme'])}", f"Block {theme['block']}: "
                         f"{theme['appendix_name']}", frame, kinds, unit_column="Unit",
                         sheet=f"Block {theme['block']} {theme['appendix_name']}")


def disagreements_table(disagreements: pd.DataFrame) -> AppendixTable:
    """Lead and computed ratings further apart than the rule allows."""
    frame = pd.DataFrame({
        "Indicator": disagreements["indicator_id"], "Title": disagreements["title"],
        "Theme": disagreements["theme_name"],
        "Lead RAG": disagreements["lead_rag"].map(_label),
        "Computed RAG": disagreements["computed_rag"].map(_label),
        "% off trajectory": disagreements["off_trajectory_pct"].map(_pct_value),
        "Why listed": disagreements["reason"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"Lead RAG": "rag", "Computed RAG": "rag", "% off trajectory": "pct",
                  "Title": "partner"})
    return AppendixTable("rating-disagreements", "Lead and computed ratings apart", frame,
                         kinds, sheet="Lead and computed apart")


def coverage_table(coverage: pd.DataFrame) -> AppendixTable:
    """Indicators with district-level values, per district."""
    frame = pd.DataFrame({"District": coverage["district"],
                          "Indicators with data": coverage["indicators_with_data"],
                          "Indicators": coverage["indicators"],
                          "Share of all indicators": coverage["share"]})
    return AppendixTable("district-coverage", "District coverage", frame,
                         {"District": "text", "Indicators with data": "count",
                          "Indicators": "count", "Share of all indicators": "text"})


def district_view_table(view: pd.DataFrame) -> AppendixTable:
    """Every district value beside the county's (one row per indicator and district)."""
    frame = pd.DataFrame({
        "Indicator": view["indicator_id"], "Title": view["title"], "Unit": view["unit"],
        "Polarity": view["polarity"] + " is better", "District": view["district"],
        "District value": view["value"], "Value period": view["value_period"],
        "County value": view["county_value"],
        "Share of county total %": view["share_of_county_pct"].map(_pct_value),
        "Against the county": view["vs_county"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({"District value": "value", "County value": "value",
                  "Share of county total %": "pct", "Title": "partner"})
    return AppendixTable("district-values", "District values against the county", frame,
                         kinds, unit_column="Unit")


def quality_table(quality: pd.DataFrame) -> AppendixTable:
    """The data-quality summary: what was read, kept, superseded and quarantined."""
    return AppendixTable("data-quality-summary", "Data quality of the returns",
                         quality.rename(columns={"Count": "Count"}),
                         {"Measure": "text", "Count": "count"})


def directory_table(directory: pd.DataFrame) -> AppendixTable:
    """The partnership directory: who leads each outcome."""
    frame = directory.rename(columns={
        "outcome_id": "Outcome", "outcome": "Title", "lead_partnership": "Lead partnership",
        "board_champion": "Board champion", "executive_officer": "Executive officer",
        "outcome_lead": "Outcome lead"})
    return AppendixTable("partnership-directory", "Partnership directory", frame,
                         {c: "partner" for c in frame.columns})


def appendix_tables(app: Appendix) -> list[AppendixTable]:
    """Every table of the board appendix, in the appendix's order."""
    out = [risk_summary_table(app.summary)]
    out += [risk_list_table(name, app.risks[name]) for name in RISK_TITLES]
    out += [reward_grant_table(app.reward), grant_forecast_table(app.grant_forecast)]
    if app.review:
        out += [transitions_table(app.transitions, app.review, app.settings.period),
                movements_table(app.movements, app.review)]
    out.append(disagreements_table(app.disagreements))
    out += [block_table(app, theme) for _, theme in app.themes.iterrows()]
    out += [coverage_table(app.coverage), district_view_table(app.district_view),
            quality_table(app.quality)]
    if app.directory is not None:
        out.append(directory_table(app.directory))
    return out


def district_tables(app: Appendix, district: str) -> list[AppendixTable]:
    """The district pack's table: the district's values beside the county's."""
    rows = district_rows(app, district)
    frame = pd.DataFrame({
        "Indicator": rows["indicator_id"], "Title": rows["title"], "Theme": rows["theme_name"],
        "Lead organisation": rows["lead_org"], "Unit": rows["unit"],
        "Polarity": rows["polarity"] + " is better",
        f"{district} value": rows["value"], "Value period": rows["value_period"],
        "County value": rows["county_value"], "County target": rows["target_value"],
        "County final RAG": rows["final_rag"].map(_label),
        f"{district} share of county total %": rows["share_of_county_pct"].map(_pct_value),
        f"{district} against the county": rows["vs_county"]})
    kinds = {c: "text" for c in frame.columns}
    kinds.update({f"{district} value": "value", "County value": "value",
                  "County target": "value", "County final RAG": "rag",
                  f"{district} share of county total %": "pct", "Title": "partner",
                  "Lead organisation": "partner"})
    return [AppendixTable(f"{slug(district)}-values", f"{district} against the county",
                          frame, kinds, unit_column="Unit")]


def w3c_date(stamp: str) -> str:
    """The generated-at stamp as a W3C date for document metadata (UTC when no zone given);
    blank when it is not a date."""
    try:
        when = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return ""
    if when.tzinfo is None:
        return when.isoformat(timespec="seconds") + "Z"
    return when.isoformat(timespec="seconds")


def document_spec(app: Appendix, formats: str, district: str = "") -> dict[str, object]:
    """What :func:`pipeline.rendering.render_outputs` needs to publish one document.

    Carried in the cover's output metadata (``{"laa": spec}``): the document's name, its
    path in the report folder (no suffix), title, running header, footer, creation date
    (the generated-at stamp), author (the partnership) and formats.
    """
    name = app.partnership.get("name", "")
    meeting = app.settings.meeting
    if district:
        path = f"districts/{slug(district)}/district-pack"
        title = f"{district} district pack, {app.settings.period}, {name}"
        header = f"{name} · {district} district pack · {app.settings.period}"
    else:
        path = "appendix"
        scope = f" ({', '.join(app.theme_filter)})" if app.filtered else ""
        title = (f"Self-assessment appendix{scope}, {app.settings.period}, Board meeting "
                 f"{meeting}")
        header = f"{name} · Self-assessment {app.settings.period}{scope} · Board {meeting}"
    return {"document": "district-pack" if district else "appendix", "path": path,
            "title": title, "running_header": header,
            "footer": f"{app.partnership.get('agreement', '')} · data as of {app.data_as_of}",
            "created": w3c_date(app.settings.generated_at), "author": name,
            "formats": list(parse_formats(formats))}
