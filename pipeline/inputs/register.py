"""The indicator register: themes, indicators, targets, districts and the reporting calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import RegisterError, UnknownKeyError
from pipeline.periods import normalise_period

POLARITIES = ("higher", "lower")
UNITS = ("count", "percent", "rate", "score", "gbp")
ACCUMULATIONS = ("snapshot", "cumulative")
TARGET_STATUSES = ("agreed", "placeholder", "provisional")
YES_NO = ("yes", "no")

INDICATOR_COLUMNS = [
    "indicator_id", "title", "theme", "outcome_id", "lead_org", "lead_officer", "polarity",
    "unit", "baseline_value", "baseline_period", "reward", "reward_grant_gbp", "mandatory",
]
TARGET_COLUMNS = ["indicator_id", "period", "target_value", "target_status"]
THEME_COLUMNS = ["theme", "name", "appendix_name", "block", "summary_order"]
DIRECTORY_FILE = "directory.csv"
DIRECTORY_COLUMNS = ["outcome_id", "outcome", "lead_partnership", "board_champion",
                     "executive_officer", "outcome_lead"]


@dataclass(frozen=True)
class Register:
    """The loaded register, one typed DataFrame per file, with keyed lookups."""

    themes: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame
    districts: tuple[str, ...]
    calendar: pd.DataFrame

    def indicator(self, indicator_id: str) -> pd.Series:
        """One indicator's register row; :class:`UnknownKeyError` if there is none."""
        found = self.indicators[self.indicators["indicator_id"] == indicator_id]
        if found.empty:
            raise UnknownKeyError(f"unknown indicator {indicator_id!r}")
        return found.iloc[0]

    def theme(self, theme: str) -> pd.Series:
        """One theme's row, by key or by name; :class:`UnknownKeyError` if there is none."""
        found = self.themes[(self.themes["theme"] == theme) | (self.themes["name"] == theme)]
        if found.empty:
            raise UnknownKeyError(f"unknown theme {theme!r}; known: "
                                  + ", ".join(self.themes["theme"]))
        return found.iloc[0]

    def district(self, name: str) -> str:
        """The district's canonical name; :class:`UnknownKeyError` if it is not one."""
        for district in self.districts:
            if district.casefold() == str(name).strip().casefold():
                return district
        raise UnknownKeyError(f"unknown district {name!r}; known: {', '.join(self.districts)}")


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise RegisterError("register file is missing", file=str(path))
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RegisterError(f"register file cannot be read: {exc}", file=path.name) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise RegisterError(f"missing column(s) {', '.join(missing)}", file=path.name)
    return frame.apply(lambda col: col.str.strip())


def read_register_csv(path: Path, required: list[str]) -> pd.DataFrame:
    """A register CSV as stripped text, with a RegisterError naming the file if it is
    missing, unreadable or lacks a required column."""
    return _read_csv(path, required)


def _check_vocab(frame: pd.DataFrame, column: str, allowed: tuple[str, ...], file: str) -> None:
    bad = frame[~frame[column].isin(allowed)]
    if not bad.empty:
        row = bad.index[0] + 2
        raise RegisterError(f"{column} {bad[column].iloc[0]!r} is not one of {', '.join(allowed)}",
                            file=file, row=row, column=column)


def _to_number(frame: pd.DataFrame, column: str, file: str, required: bool) -> pd.Series:
    text = frame[column].str.replace(",", "", regex=False).str.replace("£", "", regex=False)
    numbers = pd.to_numeric(text.replace("", None), errors="coerce").astype("float64")
    bad = numbers.isna() & (text != "") if not required else numbers.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise RegisterError(f"{column} {frame[column].iloc[row - 2]!r} is not a number",
                            file=file, row=row, column=column)
    return numbers


def parse_themes(raw: pd.DataFrame) -> pd.DataFrame:
    """Type the themes table and sort it in the Indicator Risk Summary's order."""
    themes = raw.copy()
    dupes = themes["theme"][themes["theme"].duplicated()]
    if not dupes.empty:
        raise RegisterError(f"duplicate theme {dupes.iloc[0]!r}", file="themes.csv",
                            row=int(dupes.index[0]) + 2, column="theme")
    for column in ("block", "summary_order"):
        themes[column] = _to_number(themes, column, "themes.csv", required=True).astype("int64")
    return themes.sort_values("summary_order", kind="stable").reset_index(drop=True)


def parse_indicators(raw: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Type the indicators table and check ids, themes and vocabularies."""
    ind = raw.copy()
    file = "indicators.csv"
    dupes = ind["indicator_id"][ind["indicator_id"].duplicated()]
    if not dupes.empty:
        raise RegisterError(f"duplicate indicator id {dupes.iloc[0]!r}", file=file,
                            row=int(dupes.index[0]) + 2, column="indicator_id")
    unknown = ind[~ind["theme"].isin(themes["theme"])]
    if not unknown.empty:
        raise RegisterError(f"unknown theme {unknown['theme'].iloc[0]!r}; known: "
                            + ", ".join(themes["theme"]), file=file,
                            row=int(unknown.index[0]) + 2, column="theme")
    ind["polarity"] = ind["polarity"].str.lower()
    ind["unit"] = ind["unit"].str.lower()
    for column, allowed in (("polarity", POLARITIES), ("unit", UNITS),
                            ("reward", YES_NO), ("mandatory", YES_NO)):
        ind[column] = ind[column].str.lower()
        _check_vocab(ind, column, allowed, file)
    if "accumulation" not in ind:
        ind["accumulation"] = "snapshot"
    _check_vocab(ind, "accumulation", ACCUMULATIONS, file)
    ind["baseline_value"] = _to_number(ind, "baseline_value", file, required=False)
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
    tgt = raw.copy()
    file = "targets.csv"
    unknown = tgt[~tgt["indicator_id"].isin(indicators["indicator_id"])]
    if not unknown.empty:
        raise RegisterError(f"target for unknown indicator {unknown['indicator_id'].iloc[0]!r}",
                            file=file, row=int(unknown.index[0]) + 2, column="indicator_id")
    periods = tgt["period"].map(normalise_period)
    if periods.isna().any():
        row = int(periods.isna().to_numpy().nonzero()[0][0])
        raise RegisterError(f"period {tgt['period'].iloc[row]!r} is not a financial year or "
                            "quarter", file=file, row=row + 2, column="period")
    tgt["period"] = periods
    tgt["target_status"] = tgt["target_status"].str.lower().replace("", "agreed")
    _check_vocab(tgt, "target_status", TARGET_STATUSES, file)
    tgt["target_value"] = _to_number(tgt, "target_value", file, required=False)
    if "target_without_stretch" in tgt:
        tgt["target_without_stretch"] = _to_number(tgt, "target_without_stretch", file, False)
    dupes = tgt[tgt.duplicated(["indicator_id", "period"])]
    if not dupes.empty:
        raise RegisterError(f"two targets for {dupes['indicator_id'].iloc[0]} in "
                            f"{dupes['period'].iloc[0]}", file=file, row=int(dupes.index[0]) + 2)
    return tgt.reset_index(drop=True)


def load_register(register_dir: Path) -> Register:
    """Read and check the register CSVs in ``register_dir``.

    Raises
    ------
    RegisterError
        Naming the file, row and column of the first inconsistency found.
    """
    themes = parse_themes(_read_csv(register_dir / "themes.csv", THEME_COLUMNS))
    indicators = parse_indicators(
        _read_csv(register_dir / "indicators.csv", INDICATOR_COLUMNS), themes)
    targets = parse_targets(_read_csv(register_dir / "targets.csv", TARGET_COLUMNS), indicators)
    districts_path = register_dir / "districts.csv"
    districts = (tuple(_read_csv(districts_path, ["district"])["district"])
                 if districts_path.is_file() else ())
    calendar_path = register_dir / "calendar.csv"
    calendar = (_read_csv(calendar_path, ["period", "deadline"]) if calendar_path.is_file()
                else pd.DataFrame({"period": pd.Series(dtype=str),
                                   "deadline": pd.Series(dtype=str)}))
    return Register(themes, indicators, targets, districts, calendar)


def indicator_sort_key(indicator_id: str) -> tuple:
    """Natural order of ids: ``7.2`` before ``7.10``, ``NI 8`` before ``NI 152``."""
    parts = re.split(r"[.\s]+", str(indicator_id).strip())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in parts)


def sort_indicators(frame: pd.DataFrame, column: str = "indicator_id") -> pd.DataFrame:
    """A copy of ``frame`` in natural indicator order, with a fresh index."""
    return frame.sort_values(column, key=lambda s: s.map(indicator_sort_key),
                             kind="stable").reset_index(drop=True)


def read_partnership(register_dir: Path) -> dict[str, str]:
    """The partnership's name and agreement title from ``partnership.toml`` (optional)."""
    import tomllib

    details = {"name": "Local Strategic Partnership", "agreement": "Local Area Agreement"}
    path = register_dir / "partnership.toml"
    if path.is_file():
        try:
            details.update({k: str(v) for k, v in
                            tomllib.loads(path.read_text(encoding="utf-8")).items()})
        except tomllib.TOMLDecodeError as exc:
            raise RegisterError(f"not valid TOML: {exc}", file=path.name) from exc
    return details


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
    frame = read_register_csv(path, DIRECTORY_COLUMNS)
    return frame[DIRECTORY_COLUMNS].reset_index(drop=True)
