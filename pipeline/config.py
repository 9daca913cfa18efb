"""The run's one typed configuration: parameters, folders resolved from the project root, rules."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import MISSING, dataclass, field
from pathlib import Path

from pipeline.digest import sha256_bytes
from pipeline.errors import ConfigError
from pipeline.names import slug
from pipeline.periods import parse_period, previous_review_period

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_RULES = PACKAGE_DIR / "rules.toml"
DEMO_PERIOD = "2006-07 Q4"
DEMO_MEETING = "2007-09-03"
FORMATS = ("html", "pdf")  # the appendix's output formats, in canonical order
SCENARIOS = ("approved", "all")  # --scenario options=...: the improvement options delivered


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


def parse_scenario(text: str | None) -> str:
    """The reward gap scenario asked for: ``options=approved`` -> ``approved``,
    ``options=all`` -> ``all``; blank or ``none`` -> ``""`` (the grant as forecast).

    Raises
    ------
    ConfigError
        For anything else, in one line saying what is allowed.
    """
    given = "".join(str(text or "").split()).lower()
    if given in ("", "none", "options=none"):
        return ""
    name = given.removeprefix("options=")
    if given.startswith("options=") and name in SCENARIOS:
        return name
    raise ConfigError(f"scenario {text!r} not known; use options=approved or options=all "
                      "(or leave it out for the grant as forecast)")


def find_project_root() -> Path:
    """The project root: ``$LAA_PROJECT_ROOT``, else the folder holding the package.

    Never the current directory, so a run behaves the same wherever it starts.
    """
    env = os.environ.get("LAA_PROJECT_ROOT")
    root = Path(env).resolve() if env else PACKAGE_DIR.parent
    if not (root / "pyproject.toml").is_file():
        raise ConfigError(f"no project found at {root}: set LAA_PROJECT_ROOT to the checkout")
    return root


@dataclass(frozen=True)
class Rules:
    """Assessment thresholds, read from rules.toml (see README, "The rules")."""

    # Data quality (see README, "Data quality"): limits and tolerances of the checks.
    max_file_mb: float = 25.0
    declared_extra_columns: tuple[str, ...] = ()
    district_sum_tolerance_pct: float = 5.0
    plausible_change_pct: float = 50.0
    plausible_change_points: float = 20.0
    soft_range_margin_pct: float = 25.0
    soft_range_margin_points: float = 10.0
    soft_range_min_history: int = 2

    green_max_off_pct: float = 0.0
    amber_max_off_pct: float = 10.0
    red_far_off_pct: float = 20.0
    at_risk_ratings: tuple[str, ...] = ("A", "R")
    # Issue 4 (see README, "The rules"): tolerances per unit / per indicator, each a
    # mapping like {"amber_max_off_pct": 5.0}; checked by assessment.check_tolerances.
    by_unit: dict[str, dict[str, float]] = field(default_factory=dict, hash=False)
    by_indicator: dict[str, dict[str, float]] = field(default_factory=dict, hash=False)
    lead_gap_max_steps: int = 1
    no_change_max_pct: float = 0.0
    grant_floor_pct: float = 60.0
    grant_cap_pct: float = 100.0
    underspend_max_pct: float = 5.0
    statement_change_places: int = 0
    statement_off_places: int = 1
    # Benchmarking (see README, "Benchmarking"): a target counts as met only when the
    # value's 95% confidence interval lies wholly on the right side of it.
    target_needs_interval: bool = False

    def __post_init__(self) -> None:
        if self.amber_max_off_pct < self.green_max_off_pct:
            raise ConfigError("rules: amber_max_off_pct must not be below green_max_off_pct")


RULE_SECTIONS = ("rag", "headline", "reward", "quality", "finance", "benchmark")


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"rules file is not valid TOML: {exc}", file=str(path)) from exc


def _check_rule(name: str, value: object, path: Path) -> object:
    """The value in the type its default has, or a ConfigError naming the rule and file."""
    default = Rules.__dataclass_fields__[name].default
    if default is MISSING:  # dict and tuple rules (factories)
        kind = Rules.__dataclass_fields__[name].default_factory()
    else:
        kind = default
    if isinstance(kind, bool) or isinstance(kind, str):
        ok = isinstance(value, type(kind))
    elif isinstance(kind, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and isinstance(kind, int) and not isinstance(kind, bool):
            ok = float(value).is_integer()
            value = int(value) if ok else value
    elif isinstance(kind, tuple):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        value = tuple(value) if ok else value
    else:
        ok = isinstance(value, dict)
    if not ok:
        raise ConfigError(f"rule {name} = {value!r} should be a {type(kind).__name__}",
                          file=str(path))
    return value


def load_rules(*paths: Path) -> Rules:
    """Merge the default rules with any override files that exist, later ones winning.

    Raises
    ------
    ConfigError
        Naming the file and rule for an unknown rule, a section that is not a table, or a
        value of the wrong type.
    """
    merged: dict[str, object] = {}
    known = set(Rules.__dataclass_fields__)
    for path in (DEFAULT_RULES, *paths):
        if not path.is_file():
            continue
        raw = _read_toml(path)
        for section in RULE_SECTIONS:
            table = raw.get(section, {})
            if not isinstance(table, dict):
                raise ConfigError(f"[{section}] should be a table of rules", file=str(path))
            unknown = sorted(set(table) - known)
            if unknown:
                raise ConfigError(f"unknown rule(s) {', '.join(unknown)}; "
                                  f"known: {', '.join(sorted(known))}", file=str(path))
            merged.update({k: _check_rule(k, v, path) for k, v in table.items()})
    return Rules(**merged)


@dataclass(frozen=True)
class Settings:
    """Everything one run needs: its parameters and absolute folders."""

    period: str
    meeting: str
    project_root: Path
    data_dir: Path
    clean_dir: Path
    reports_dir: Path
    generated_at: str
    rules: Rules = field(default_factory=Rules)
    previous_period: str = ""
    formats: str = "html,pdf"
    theme: str = ""
    district: str = ""
    compare_with: str = ""
    scenario: str = ""
    output: Path | None = None  # ``laa templates`` / ``status --output``: checked like the rest

    @property
    def register_dir(self) -> Path:
        """Where the indicator register lives (``<data-dir>/register``)."""
        return self.data_dir / "register"

    @property
    def returns_dir(self) -> Path:
        """Where partner returns arrive (``<data-dir>/returns``)."""
        return self.data_dir / "returns"

    @property
    def expectations_dir(self) -> Path:
        """The Great Expectations suites, kept as JSON."""
        return self.project_root / "expectations"

    @property
    def notebooks_dir(self) -> Path:
        """The parameterised notebooks of the run."""
        return self.project_root / "notebooks"

    @property
    def report_dir(self) -> Path:
        """This meeting's published reports: ``<reports>/<meeting>``."""
        return self.reports_dir / self.meeting


DEMO_DATA, DEMO_CLEAN, DEMO_REPORTS = "data/raw", "data/clean", "reports"


def _resolve(root: Path, value: str | os.PathLike | None, default: str | Path) -> Path:
    path = Path(value) if value else Path(default)
    return (path if path.is_absolute() else root / path).resolve()


def is_demo_data(root: Path, data: Path) -> bool:
    """True for the shipped demo's data folder (``data/raw``): only it has the demo's
    period, meeting and output folders by default."""
    return data == (root / DEMO_DATA).resolve()


def data_folder_slug(root: Path, data: Path) -> str:
    """The name of a data folder's own derived data and reports: its path under
    ``data/raw`` (``data/raw/laa2`` -> ``laa2``), else under the project root
    (``partners/blaby`` -> ``partners-blaby``), else its name and a short hash of its
    path (``/srv/blaby`` -> ``blaby-1a2b3c``). Two folders share one only if their paths
    differ in punctuation alone (``a/b``, ``a-b``)."""
    for base in ((root / DEMO_DATA).resolve(), root):
        if data.is_relative_to(base) and data != base:
            return slug(data.relative_to(base).as_posix())
    return f"{slug(data.name)}-{sha256_bytes(str(data).encode('utf-8'))[:6]}"


def default_folders(root: Path, data: Path) -> tuple[Path, Path]:
    """The derived-data and reports folders of a data folder when none is given: the demo's
    ``data/clean`` and ``reports``, else ``data/clean/<slug>`` and ``reports/<slug>`` (see
    :func:`data_folder_slug`)."""
    clean, reports = (root / DEMO_CLEAN).resolve(), (root / DEMO_REPORTS).resolve()
    if is_demo_data(root, data):
        return clean, reports
    name = data_folder_slug(root, data)
    return clean / name, reports / name


def check_output_folders(root: Path, data: Path, outputs: dict[str, Path]) -> None:
    """Refuse an output folder that is, contains or lies inside a data folder (the run's
    and the project's ``data/raw``): derived files must never land among the returns.

    Raises
    ------
    ConfigError
        Naming the option, the folder and the data folder.
    """
    for option, folder in outputs.items():
        for source in dict.fromkeys((data, (root / DEMO_DATA).resolve())):
            if folder == source:
                how = "is"
            elif folder in source.parents:
                how = "contains"
            elif source in folder.parents:
                how = "lies inside"
            else:
                continue
            raise ConfigError(f"{option} {folder} {how} the data folder {source}: outputs "
                              "never go into a data folder; give a folder outside it")


def default_period(root: Path, data: Path, period: str | None) -> str:
    """The period given, canonical; without one, the demo's for the demo's data folder.

    Raises
    ------
    ConfigError
        For a malformed period, or none given for another data folder.
    """
    if period:
        return str(parse_period(period))
    if is_demo_data(root, data):
        return DEMO_PERIOD
    raise ConfigError(f"give --period 'YYYY-YY QN' (the quarter or year of the returns): "
                      f"the default {DEMO_PERIOD} is the shipped demo's", folder=str(data))


def default_meeting(root: Path, data: Path, period: str, meeting: str | None) -> str:
    """The meeting given (a date, ``YYYY-MM-DD``); without one, the demo's for the demo's
    data folder. The CLI passes the reporting calendar's meeting when there is one.

    Raises
    ------
    ConfigError
        For a malformed date, or none given for another data folder.
    """
    if not meeting:
        if not is_demo_data(root, data):
            raise ConfigError(f"give --meeting YYYY-MM-DD (register/calendar.csv has no "
                              f"meeting for {period})", folder=str(data))
        meeting = DEMO_MEETING
    try:
        return dt.date.fromisoformat(str(meeting)).isoformat()
    except ValueError as exc:
        raise ConfigError(f"meeting {meeting!r} is not a date like 2007-09-03") from exc


def data_folder(data_dir: str | os.PathLike | None) -> tuple[Path, Path]:
    """The project root and the data folder, absolute (default ``data/raw``).

    Raises
    ------
    ConfigError
        If the folder has no ``register/`` sub-folder.
    """
    root = find_project_root()
    data = _resolve(root, data_dir, DEMO_DATA)
    if not (data / "register").is_dir():
        raise ConfigError("data folder has no register/ subfolder", folder=str(data))
    return root, data


def load_settings(
    period: str | None = None,
    meeting: str | None = None,
    data_dir: str | os.PathLike | None = None,
    clean_dir: str | os.PathLike | None = None,
    reports_dir: str | os.PathLike | None = None,
    generated_at: str | None = None,
    previous_period: str | None = None,
    formats: str | None = None,
    theme: str | None = None,
    district: str | None = None,
    compare_with: str | None = None,
    scenario: str | None = None,
    output: str | os.PathLike | None = None,
) -> Settings:
    """Build the run's settings, checking the parameters.

    Relative folders are taken from the project root, never the current directory. The
    period and meeting default to the demo's for the demo's data folder only (see
    :func:`default_period`, :func:`default_meeting`); the derived-data and reports folders
    to the data folder's own (see :func:`default_folders`). No output folder (``clean_dir``,
    ``reports_dir``, ``output``: a command's own output, kept in ``Settings.output``) may
    be, contain or lie inside a data folder (see :func:`check_output_folders`).
    ``previous_period`` (the review compared against) defaults to
    :func:`pipeline.periods.previous_review_period` of ``period``. ``formats`` (``html``,
    ``pdf`` or both, default both), ``theme`` (a filter of theme keys or names) and
    ``district`` (a district LSP pack) shape the appendix only, as do ``scenario``
    (:func:`parse_scenario`: which improvement options the reward gap analysis counts) and
    ``compare_with`` (the comparator group of the benchmarking section, checked against the
    data folder's groups by the CLI).

    Raises
    ------
    ConfigError
        For a malformed period or meeting date, a data folder without a register, no
        period or meeting for another data folder than the demo's, or an output folder
        over a data folder.
    """
    if period:
        parse_period(period)  # a malformed period is the first thing said
    root, data = data_folder(data_dir)
    rules = load_rules(data / "register" / "rules.toml")
    canonical = default_period(root, data, period)
    parsed = parse_period(canonical)
    previous = str(parse_period(previous_period) if previous_period
                   else previous_review_period(parsed))
    meeting = default_meeting(root, data, canonical, meeting)
    clean, reports = default_folders(root, data)
    outputs = {"--clean-dir": _resolve(root, clean_dir, clean),
               "--reports-dir": _resolve(root, reports_dir, reports)}
    if output:
        outputs["--output"] = _resolve(root, output, reports)
    check_output_folders(root, data, outputs)
    stamp = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    try:
        dt.datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise ConfigError(f"generated-at {stamp!r} is not a date and time like "
                          "2007-06-30T12:00:00") from exc
    return Settings(
        period=canonical,
        meeting=meeting,
        project_root=root,
        data_dir=data,
        clean_dir=outputs["--clean-dir"],
        reports_dir=outputs["--reports-dir"],
        generated_at=stamp,
        previous_period=previous,
        formats=",".join(parse_formats(formats or "html,pdf")),
        theme=(theme or "").strip(),
        district=(district or "").strip(),
        compare_with=(compare_with or "").strip().casefold(),
        scenario=parse_scenario(scenario),
        rules=rules,
        output=outputs.get("--output"),
    )
