"""The assessment rules (thresholds): one schema for every setting, and the one loader.

The defaults are in ``pipeline/rules.toml``; a partnership overrides any of them in
``<data-dir>/register/rules.toml``. :func:`load_rules` checks every value (type, range and
relations) before any stage runs and refuses a bad one with a :class:`ConfigError` (exit 2)
naming the file, the section, the key and what is allowed. Each field of :class:`Rules`
carries its section and a one-line meaning, from which :func:`rules_table_markdown` builds
the reference table of ``docs/reference/rules.md`` (``python -m pipeline.rules`` prints it).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.fields import FieldInfo

from pipeline.errors import ConfigError
from pipeline.rag import RAG_LABELS

DEFAULT_RULES = Path(__file__).resolve().parent / "rules.toml"
RULE_SECTIONS = ("rag", "headline", "reward", "quality", "finance", "benchmark")
# The units an indicator may have: the register's vocabulary, kept here (a base module)
# because [rag.by_unit] is checked against it before the register is read.
UNITS = ("count", "percent", "rate", "score", "gbp")
TOLERANCE_KEYS = ("green_max_off_pct", "amber_max_off_pct")
# (lower, higher): the first rule must not be above the second. red_far_off_pct is "how far
# off is far" for a red, and every red is already beyond amber_max_off_pct.
RELATIONS = (("green_max_off_pct", "amber_max_off_pct"),
             ("amber_max_off_pct", "red_far_off_pct"),
             ("grant_floor_pct", "grant_cap_pct"))

RagCode = Literal[tuple(RAG_LABELS)]  # type: ignore[valid-type]
# What a snapshot indicator's value from an in-year quarter (Q1-Q3) is rated against.
IN_YEAR_BASES = ("trajectory", "annual_target")
InYearBasis = Literal[IN_YEAR_BASES]  # type: ignore[valid-type]


def _as_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _whole(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


Whole = Annotated[int, BeforeValidator(_whole)]
Codes = Annotated[tuple[RagCode, ...], BeforeValidator(_as_tuple)]
Texts = Annotated[tuple[StrictStr, ...], BeforeValidator(_as_tuple)]


def _rule(default: object, section: str, meaning: str, allowed: str = "",
          **limits: Any) -> Any:
    """A rule's field: its default, section, meaning and limits (numbers are finite)."""
    extra = {"section": section, **({"allowed": allowed} if allowed else {})}
    if isinstance(default, float):
        limits.setdefault("allow_inf_nan", False)
    factory = {"default_factory": dict} if isinstance(default, dict) else {"default": default}
    if not isinstance(default, str):  # a choice (Literal) matches its values exactly anyway
        limits.setdefault("strict", True)
    return Field(**factory, description=meaning, json_schema_extra=extra, **limits)


class RuleRelation(ValueError):
    """Two rules out of order: ``low`` is above ``high``."""

    def __init__(self, low: str, high: str) -> None:
        self.low, self.high = low, high
        super().__init__(f"{low} must not be above {high}")


class Rules(BaseModel):
    """Assessment thresholds, read from rules.toml (docs/analyst.md: "The rules, in plain words").

    Frozen, hashable and picklable; every field and relation is checked when it is built
    (a ``pydantic.ValidationError`` in code; :func:`load_rules` turns it into a
    :class:`ConfigError` naming the file). The two tolerance tables are checked by
    :func:`load_rules` only (and again by ``assessment.check_tolerances`` when assessing),
    so a test may build rules with a bad table on purpose.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    green_max_off_pct: float = _rule(
        0.0, "rag", "Green while the value is no more than this % off trajectory "
        "(0 = met or beaten).", ge=0)
    amber_max_off_pct: float = _rule(
        10.0, "rag", "Amber while no more than this % off trajectory; beyond it, Red.", ge=0)
    lead_gap_max_steps: Whole = _rule(
        1, "rag", "List every indicator whose lead rating is more than this many steps "
        "(Green-Amber-Red) from the computed one.", ge=0)
    no_change_max_pct: float = _rule(
        0.0, "rag", "Direction of travel: a change of no more than this % of the earlier "
        "value is \"no change\".", ge=0)
    by_unit: dict[str, Any] = _rule(
        {}, "rag", "Tolerances per unit, replacing the two thresholds above for that unit.",
        allowed=f"a table: unit ({', '.join(UNITS)}) = {{ green_max_off_pct, "
        "amber_max_off_pct }, each threshold as above; green at most amber once applied")
    by_indicator: dict[str, Any] = _rule(
        {}, "rag", "Tolerances per indicator id, winning over its unit's, threshold by "
        "threshold.",
        allowed="a table: \"indicator id\" = { green_max_off_pct, amber_max_off_pct }, each "
        "threshold as above; green at most amber once applied over the defaults and over "
        "every unit's entry")
    snapshot_in_year_basis: InYearBasis = _rule(
        "trajectory", "rag", "What a level (snapshot) indicator's value from Q1, Q2 or Q3 is "
        "rated against: trajectory, the value expected at that quarter on the way from the "
        "baseline to the annual target; annual_target, the year's target itself (year-to-date "
        "counts always keep their trajectory; a year-end value is always rated against the "
        "target).", allowed="one of " + ", ".join(f'"{b}"' for b in IN_YEAR_BASES))
    red_far_off_pct: float = _rule(
        20.0, "headline", "The headline counts red indicators \"more than N% off "
        "trajectory\".", ge=0)
    statement_change_places: Whole = _rule(
        1, "headline", "Performance statements round the change from baseline to this many "
        "decimals.", ge=0, le=6)
    statement_off_places: Whole = _rule(
        1, "headline", "Performance statements round the % off target to this many decimals.",
        ge=0, le=6)
    at_risk_ratings: Codes = _rule(
        ("A", "R"), "reward", "Final ratings whose whole reward grant counts as \"at risk\".",
        allowed="a list of one or more of " + ", ".join(
            f"\"{code}\" ({label})" for code, label in RAG_LABELS.items()),
        min_length=1)
    grant_floor_pct: float = _rule(
        60.0, "reward", "Nothing of the reward grant is paid below this share (%) of the "
        "enhancement achieved.", ge=0, le=100)
    grant_cap_pct: float = _rule(
        100.0, "reward", "From the floor up the share achieved is paid, capped at this %.",
        gt=0, le=100)
    max_file_mb: float = _rule(
        25.0, "quality", "A return file larger than this (MB) is quarantined whole.", gt=0,
        le=1_000_000)
    declared_extra_columns: Texts = _rule(
        (), "quality", "Columns a return may carry beyond the standard ones without a "
        "warning (names lower case, with underscores).",
        allowed="a list of column names (text), possibly empty")
    district_sum_tolerance_pct: float = _rule(
        5.0, "quality", "District values of a count should add up to the county value within "
        "this %.", ge=0)
    plausible_change_pct: float = _rule(
        50.0, "quality", "Plausibility warning: a change from the previous period of more "
        "than this % (counts, rates, scores, money).", ge=0)
    plausible_change_points: float = _rule(
        20.0, "quality", "Plausibility warning: a change of more than this many points "
        "(percentages).", ge=0)
    soft_range_margin_pct: float = _rule(
        25.0, "quality", "Soft range: the history's range widened by this % of its larger "
        "end (counts, rates, scores, money).", ge=0)
    soft_range_margin_points: float = _rule(
        10.0, "quality", "Soft range: the history's range widened by this many points "
        "(percentages).", ge=0)
    soft_range_min_history: Whole = _rule(
        2, "quality", "Soft range: the fewest earlier values (and baseline) that make a "
        "range.", ge=1)
    underspend_max_pct: float = _rule(
        5.0, "finance", "Pooled fund: the year's underspend should stay under this % of the "
        "total allocation.", ge=0, le=100)
    target_needs_interval: StrictBool = _rule(
        False, "benchmark", "Call a target met only when the value's 95% confidence interval "
        "lies wholly on the right side of it.")

    def __hash__(self) -> int:  # the tables are dicts: hash the values as sorted JSON
        return hash(json.dumps(self.model_dump(mode="json"), sort_keys=True))

    @model_validator(mode="after")
    def _check_relations(self) -> Rules:
        for low, high in RELATIONS:
            if getattr(self, low) > getattr(self, high):
                raise RuleRelation(low, high)
        return self


SECTION_OF: dict[str, str] = {name: field.json_schema_extra["section"]  # type: ignore[index]
                              for name, field in Rules.model_fields.items()}


def _toml_text(value: object) -> str:
    """A value as TOML would write it: ``120``, ``nan``, ``"ten"``, ``["A"]``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        whole = math.isfinite(value) and value.is_integer() and abs(value) < 1e15
        return str(int(value)) if whole else f"{value:g}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key_text(k)} = {_toml_text(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return str(value)


def _key_text(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_text(key)


def _limits(field: FieldInfo) -> dict[str, float]:
    return {name: getattr(m, name) for m in field.metadata for name in ("ge", "gt", "le")
            if getattr(m, name, None) is not None}


def _kind(field: FieldInfo) -> str:
    if field.annotation is bool:
        return "true or false"
    if isinstance(field.default, dict) or field.default_factory is dict:
        return "table"
    if isinstance(field.default, tuple):
        return "list"
    if isinstance(field.default, str):
        return "choice"
    return "whole number" if field.annotation is int else "number"


def allowed_text(name: str, relations: bool = True) -> str:
    """What rule ``name`` allows, in plain words: ``a number from 0 to 100; at most ...``.

    Parameters
    ----------
    name
        A field of :class:`Rules`.
    relations
        Also name the rules it must not be above or below (:data:`RELATIONS`).

    Returns
    -------
    str
        Generated from the field's limits, or the text its schema gives for lists and tables.
    """
    field = Rules.model_fields[name]
    extra = field.json_schema_extra or {}
    if "allowed" in extra:  # type: ignore[operator]
        return str(extra["allowed"])  # type: ignore[index]
    kind = _kind(field)
    if kind == "true or false":
        return "true or false"
    text, limit = f"a {kind}", {k: _toml_text(float(v)) for k, v in _limits(field).items()}
    if "ge" in limit and "le" in limit:
        text += f" from {limit['ge']} to {limit['le']}"
    elif "gt" in limit and "le" in limit:
        text += f" above {limit['gt']}, up to {limit['le']}"
    elif "ge" in limit:
        text += f", {limit['ge']} or more"
    elif "gt" in limit:
        text += f" above {limit['gt']}"
    if relations:
        text += "".join(f"; at least {low}" for low, high in RELATIONS if high == name)
        text += "".join(f"; at most {high}" for low, high in RELATIONS if low == name)
    return text


def _where(path: Path) -> str:
    """The file as a partnership knows it: ``register/rules.toml``."""
    return f"{path.parent.name}/{path.name}"


def _refuse(path: Path, message: str) -> ConfigError:
    return ConfigError(f"{_where(path)} {message}", file=str(path))


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"rules file is not valid TOML: {exc}", file=str(path)) from exc


def _rules_in(raw: dict, path: Path) -> dict[str, object]:
    """The rules one file gives, each checked to be a known key in its own section."""
    found: dict[str, object] = {}
    for section, table in raw.items():
        if section not in RULE_SECTIONS:
            if section in SECTION_OF:
                raise _refuse(path, f"{section}: belongs in [{SECTION_OF[section]}]; put it "
                              "under that heading")
            raise _refuse(path, f"[{section}]: unknown section; known: "
                          f"{', '.join(RULE_SECTIONS)}")
        if not isinstance(table, dict):
            raise _refuse(path, f"{section} = {_toml_text(table)}: [{section}] should be a "
                          "table of rules")
        for key, value in table.items():
            right = SECTION_OF.get(key)
            if right is None:
                mine = [k for k, s in SECTION_OF.items() if s == section]
                raise _refuse(path, f"[{section}] {_key_text(key)}: unknown rule; "
                              f"[{section}] takes {', '.join(mine)}")
            if right != section:
                raise _refuse(path, f"[{section}] {key}: belongs in [{right}], not "
                              f"[{section}]")
            found[key] = value
    return found


def _explain(error: dict, merged: dict[str, object], origin: dict[str, Path],
             files: list[Path]) -> ConfigError:
    """One pydantic error as the file, section, key, value and what is allowed; for two
    rules out of order, the one set by the later file is named."""
    if error["loc"]:
        key = str(error["loc"][0])
        return _refuse(origin[key], f"[{SECTION_OF[key]}] {key} = {_toml_text(merged[key])}: "
                       f"should be {allowed_text(key)}")
    relation = error["ctx"]["error"]
    low, high = relation.low, relation.high
    values = {k: _toml_text(merged.get(k, Rules.model_fields[k].default)) for k in (low, high)}
    rank = {key: files.index(origin[key]) if key in origin else -1 for key in (low, high)}
    if rank[high] >= rank[low] and high in origin:
        return _refuse(origin[high], f"[{SECTION_OF[high]}] {high} = {values[high]}: must be "
                       f"at least {low} ({values[low]})")
    return _refuse(origin[low], f"[{SECTION_OF[low]}] {low} = {values[low]}: must be at most "
                   f"{high} ({values[high]})")


_THRESHOLDS = {name: TypeAdapter(Annotated[float, *Rules.model_fields[name].metadata])
               for name in TOLERANCE_KEYS}


def _check_tables(rules: Rules, origin: dict[str, Path]) -> None:
    """Each tolerance entry: a known unit, known thresholds, each as the default's, and green
    at most amber once applied (an indicator's over the defaults and over every unit's)."""
    for kind in ("by_unit", "by_indicator"):
        path, label = origin.get(kind, DEFAULT_RULES), f"[rag.{kind}]"
        for key, entry in getattr(rules, kind).items():
            if kind == "by_unit" and key not in UNITS:
                raise _refuse(path, f"{label} {_key_text(key)}: not a unit; units are "
                              f"{', '.join(UNITS)}")
            if not isinstance(entry, dict):
                raise _refuse(path, f"{label} {_key_text(key)} = {_toml_text(entry)}: should "
                              "be a table such as { amber_max_off_pct = 5.0 }")
            for name, value in entry.items():
                if name not in TOLERANCE_KEYS:
                    raise _refuse(path, f"{label} {_key_text(key)}: unknown threshold "
                                  f"{_key_text(name)}; known: {', '.join(TOLERANCE_KEYS)}")
                try:
                    _THRESHOLDS[name].validate_python(value)
                except ValidationError:
                    raise _refuse(path, f"{label} {_key_text(key)}.{name} = "
                                  f"{_toml_text(value)}: should be "
                                  f"{allowed_text(name, relations=False)}") from None
    defaults = {name: getattr(rules, name) for name in TOLERANCE_KEYS}
    bases = [("the defaults", {})] + [(f"[rag.by_unit] {unit}'s", entry)
                                      for unit, entry in rules.by_unit.items()]
    for kind, under in (("by_unit", bases[:1]), ("by_indicator", bases)):
        for key, entry in getattr(rules, kind).items():
            for source, base in under:
                green, amber = ({**defaults, **base, **entry}[n] for n in TOLERANCE_KEYS)
                if amber < green:
                    raise _refuse(origin.get(kind, DEFAULT_RULES),
                                  f"[rag.{kind}] {_key_text(key)}: amber_max_off_pct "
                                  f"{amber:g} would be below green_max_off_pct {green:g} "
                                  f"over {source}; give both thresholds, green at most amber")


def load_rules(*paths: Path) -> Rules:
    """Merge the default rules with any override files that exist, later ones winning.

    A table such as ``[rag.by_unit]`` given in a later file replaces the earlier one whole.

    Raises
    ------
    ConfigError
        Naming the file, section and key, and what is allowed: for a file that is not TOML,
        an unknown section or rule, a rule in the wrong section, a value of the wrong type
        or out of range (NaN and infinity included), or two rules out of order.
    """
    merged: dict[str, object] = {}
    origin: dict[str, Path] = {}
    files = [path for path in (DEFAULT_RULES, *paths) if path.is_file()]
    for path in files:
        for key, value in _rules_in(_read_toml(path), path).items():
            merged[key], origin[key] = value, path
    try:
        rules = Rules(**merged)
    except ValidationError as exc:
        raise _explain(exc.errors()[0], merged, origin, files) from None
    _check_tables(rules, origin)
    return rules


def rules_table_markdown() -> str:
    """Every rule as a row of a markdown table: section, key, type, allowed, default, meaning.

    Returns
    -------
    str
        The table, one line per rule in section order, ending with a newline. The table
        of docs/reference/rules.md is this text (tests/test_rules_schema.py keeps them equal).
    """
    lines = ["| Section | Key | Type | Allowed | Default | Meaning |",
             "|---|---|---|---|---|---|"]
    for section in RULE_SECTIONS:
        for name, field in Rules.model_fields.items():
            if SECTION_OF[name] != section:
                continue
            default = {} if field.default_factory is dict else field.default
            lines.append(f"| `[{section}]` | `{name}` | {_kind(field)} | {allowed_text(name)} "
                         f"| `{_toml_text(default)}` | {field.description} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(rules_table_markdown(), end="")
