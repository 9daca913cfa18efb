"""The indicator register: the loaded :class:`Register`, :func:`load_register`, which reads
and checks every file of ``register/``, and the lookups and selections over it.

The files and their columns are defined in :mod:`pipeline.inputs.register_files`; each is
typed and checked by its parser in :mod:`pipeline.inputs.register_parsers`, over the cell
helpers of :mod:`pipeline.inputs.register_cells`.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, RegisterError, UnknownKeyError
from pipeline.inputs.audit_findings import read_audit_findings
from pipeline.inputs.go_issues import parse_go_issues
from pipeline.inputs.nis import catalogue_for
from pipeline.inputs.register_cells import read_optional, read_register_csv
from pipeline.inputs.register_files import (
    CALENDAR,
    DEFAULT_PARTNERSHIP,
    DELIVERY_PLANS,
    DIRECTORY,
    DISTRICTS,
    GO_ISSUES,
    IMPROVEMENT_OPTIONS,
    INDICATORS,
    PARTNERSHIP,
    REWARD_TARGETS,
    TARGETS,
    THEMES,
    RegisterFile,
)
from pipeline.inputs.register_parsers import (
    derive_themes,
    parse_calendar,
    parse_delivery_plans,
    parse_directory,
    parse_districts,
    parse_improvement_options,
    parse_indicators,
    parse_targets,
    parse_themes,
    theme_key,
)
from pipeline.inputs.reward_register import attach_reward_targets
from pipeline.periods import Period, parse_period, try_parse_period


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
        key = theme_key(self.themes, theme)
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


# the register last read from each folder, with a digest of the files it was read from: a
# stage's kernel is forked from a server that read it while the run started (see
# pipeline.run.warm.warm_register), so the kernels find it read (0.07 s each)
_READ: dict[Path, tuple[bytes, Register]] = {}
_READ_KEPT = 8


def register_digest(register_dir: Path) -> bytes | None:
    """A digest of every file directly in ``register_dir`` (name and content), or None when
    the folder cannot be read: what a register read from it depends on."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        for path in sorted(p for p in Path(register_dir).iterdir() if p.is_file()):
            data = path.read_bytes()
            digest.update(f"{path.name}\0{len(data)}\0".encode())
            digest.update(data)
    except OSError:
        return None
    return digest.digest()


def _copy(register: Register) -> Register:
    """A copy of ``register`` whose frames the caller may change."""
    return replace(register, **{f.name: getattr(register, f.name).copy()
                                for f in fields(register)
                                if isinstance(getattr(register, f.name), pd.DataFrame)})


def load_register(register_dir: Path) -> Register:
    """Read and check the register files in ``register_dir`` (see :func:`read_register`),
    or, when its files are byte for byte those of the last read of the same folder in this
    process, a copy of what that read gave (the same register, warnings included).

    Raises
    ------
    RegisterError
        Naming the file, row and column of the first inconsistency found (never kept: a
        broken register is read, and refused, each time).
    """
    folder = Path(register_dir).absolute()
    digest = register_digest(folder)
    kept = _READ.get(folder)
    if digest is not None and kept is not None and kept[0] == digest:
        return _copy(kept[1])
    register = read_register(register_dir)
    if digest is not None and register_digest(folder) == digest:  # not changed meanwhile
        _READ.pop(folder, None)
        _READ[folder] = (digest, register)
        while len(_READ) > _READ_KEPT:
            _READ.pop(next(iter(_READ)))
    return _copy(register)


def read_register(register_dir: Path) -> Register:
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
            frame, found = read_register_csv(register_dir / spec.name, spec)
        else:
            frame, found = read_optional(register_dir, spec)
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
    frame = read_optional(register_dir, DIRECTORY)[0]
    return None if frame is None else frame.reset_index(drop=True)


def read_improvement_options(register_dir: Path,
                             indicators: pd.DataFrame) -> pd.DataFrame | None:
    """The improvement options (``register/improvement_options.csv``), or None when there
    are none; see :func:`parse_improvement_options`."""
    return parse_improvement_options(read_optional(register_dir, IMPROVEMENT_OPTIONS)[0],
                                     indicators)


def read_go_issues(register_dir: Path, indicators: pd.DataFrame) -> pd.DataFrame | None:
    """The issues raised by Government Office (``register/go_issues.csv``), or None when
    there are none; see :func:`pipeline.inputs.go_issues.parse_go_issues`."""
    return parse_go_issues(read_optional(register_dir, GO_ISSUES)[0],
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
