"""The run's one typed configuration: parameters, folders resolved from the project root, rules."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.digest import sha256_bytes
from pipeline.errors import ConfigError
from pipeline.names import slug
from pipeline.periods import parse_period, previous_review_period
from pipeline.project import PACKAGE_DIR, find_project_root  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from pipeline.rules_schema import Rules

DEMO_PERIOD = "2006-07 Q4"
DEMO_MEETING = "2007-09-03"
FORMATS = ("html", "pdf")  # the appendix's output formats, in canonical order
SCENARIOS = ("approved", "all")  # --scenario options=...: the improvement options delivered


def _default_rules() -> Rules:
    """The rules of a Settings given none: the defaults of pipeline/rules.toml."""
    from pipeline.rules_schema import Rules

    return Rules()


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
    rules: Rules = field(default_factory=_default_rules)
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


def resolve_folder(root: Path, value: str | os.PathLike | None,
                   default: str | Path = ".") -> Path:
    """A folder as given (``value``, else ``default``), absolute: a relative one is taken
    from the project ``root``, never the current directory (see :func:`folder_parameter`)."""
    path = Path(value) if value else Path(default)
    return (path if path.is_absolute() else root / path).resolve()


def folder_parameter(root: Path, folder: Path) -> str:
    """A folder as the notebooks' parameters and the manifest name it: relative to the
    project ``root`` in posix form when it lies inside it (``data/raw``, ``reports``), so
    a checkout gives the same bytes and stage keys wherever it is; absolute otherwise (an
    officer's folder elsewhere). :func:`resolve_folder` turns it back into the folder."""
    return folder.relative_to(root).as_posix() if folder.is_relative_to(root) \
        else str(folder)


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
    data = resolve_folder(root, data_dir, DEMO_DATA)
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
    from pipeline.rules import load_rules

    root, data = data_folder(data_dir)
    rules = load_rules(data / "register" / "rules.toml")
    canonical = default_period(root, data, period)
    parsed = parse_period(canonical)
    previous = str(parse_period(previous_period) if previous_period
                   else previous_review_period(parsed))
    meeting = default_meeting(root, data, canonical, meeting)
    clean, reports = default_folders(root, data)
    outputs = {"--clean-dir": resolve_folder(root, clean_dir, clean),
               "--reports-dir": resolve_folder(root, reports_dir, reports)}
    if output:
        outputs["--output"] = resolve_folder(root, output, reports)
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
