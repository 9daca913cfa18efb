"""The assessment rules' schema: every setting of rules.toml as a field of :class:`Rules`,
with its section, type, limits, default and one-line meaning, and the relations between
settings (:data:`RELATIONS`). Loading is :func:`pipeline.rules.load_rules`; the words for
the rules (messages, the reference table) are in :mod:`pipeline.rules_text`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    model_validator,
)

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
# What evaluates the data-quality suites (expectations/*.json): the names of the registry
# pipeline.quality.engines.ENGINES (tests/test_columnar_engine.py checks they agree).
VALIDATION_ENGINES = ("columnar", "great_expectations")
ValidationEngine = Literal[VALIDATION_ENGINES]  # type: ignore[valid-type]


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
    validation_engine: ValidationEngine = _rule(
        "columnar", "quality", "What checks the returns and the national table against the "
        "data-quality suites (expectations/*.json): columnar, the pipeline's own evaluator "
        "of the suites, column by column; great_expectations, Great Expectations itself. "
        "Both give the same results (the tests check it); columnar is much faster.",
        allowed="one of " + ", ".join(f'"{e}"' for e in VALIDATION_ENGINES))
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
