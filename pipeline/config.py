"""The run's one typed configuration: parameters, folders resolved from the project root, rules."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.periods import parse_period, previous_review_period
from pipeline.rules import Rules, load_rules

PACKAGE_DIR = Path(__file__).resolve().parent
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


def _resolve(root: Path, value: str | os.PathLike | None, default: str) -> Path:
    path = Path(value) if value else Path(default)
    return (path if path.is_absolute() else root / path).resolve()


def load_settings(
    period: str = DEMO_PERIOD,
    meeting: str = DEMO_MEETING,
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
) -> Settings:
    """Build the run's settings, checking the parameters.

    Relative folders are taken from the project root, never the current directory.
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
        For a malformed period or meeting date, or a data folder without a register.
    """
    root = find_project_root()
    parsed = parse_period(period)
    canonical = str(parsed)
    previous = str(parse_period(previous_period) if previous_period
                   else previous_review_period(parsed))
    try:
        meeting = dt.date.fromisoformat(str(meeting)).isoformat()
    except ValueError as exc:
        raise ConfigError(f"meeting {meeting!r} is not a date like 2007-09-03") from exc
    data = _resolve(root, data_dir, "data/raw")
    if not (data / "register").is_dir():
        raise ConfigError("data folder has no register/ subfolder", folder=str(data))
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
        clean_dir=_resolve(root, clean_dir, "data/clean"),
        reports_dir=_resolve(root, reports_dir, "reports"),
        generated_at=stamp,
        previous_period=previous,
        formats=",".join(parse_formats(formats or "html,pdf")),
        theme=(theme or "").strip(),
        district=(district or "").strip(),
        compare_with=(compare_with or "").strip().casefold(),
        scenario=parse_scenario(scenario),
        rules=load_rules(data / "register" / "rules.toml"),
    )
