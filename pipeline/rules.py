"""The assessment rules (thresholds): the one loader, over one schema for every setting.

The defaults are in ``pipeline/rules.toml``; a partnership overrides any of them in
``<data-dir>/register/rules.toml``. :func:`load_rules` checks every value (type, range and
relations) before any stage runs and refuses a bad one with a :class:`ConfigError` (exit 2)
naming the file, the section, the key and what is allowed. The schema, :class:`Rules`, is in
:mod:`pipeline.rules_schema`: each field carries its section and a one-line meaning, from
which :func:`pipeline.rules_text.rules_table_markdown` builds the reference table of
``docs/reference/rules.md`` (``python -m pipeline.rules`` prints it).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import TypeAdapter, ValidationError

from pipeline.errors import ConfigError
from pipeline.rules_schema import (
    DEFAULT_RULES,
    RULE_SECTIONS,
    SECTION_OF,
    TOLERANCE_KEYS,
    UNITS,
    Rules,
)
from pipeline.rules_text import allowed_text, key_text, rules_table_markdown, toml_text


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
            raise _refuse(path, f"{section} = {toml_text(table)}: [{section}] should be a "
                          "table of rules")
        for key, value in table.items():
            right = SECTION_OF.get(key)
            if right is None:
                mine = [k for k, s in SECTION_OF.items() if s == section]
                raise _refuse(path, f"[{section}] {key_text(key)}: unknown rule; "
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
        return _refuse(origin[key], f"[{SECTION_OF[key]}] {key} = {toml_text(merged[key])}: "
                       f"should be {allowed_text(key)}")
    relation = error["ctx"]["error"]
    low, high = relation.low, relation.high
    values = {k: toml_text(merged.get(k, Rules.model_fields[k].default)) for k in (low, high)}
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
                raise _refuse(path, f"{label} {key_text(key)}: not a unit; units are "
                              f"{', '.join(UNITS)}")
            if not isinstance(entry, dict):
                raise _refuse(path, f"{label} {key_text(key)} = {toml_text(entry)}: should "
                              "be a table such as { amber_max_off_pct = 5.0 }")
            for name, value in entry.items():
                if name not in TOLERANCE_KEYS:
                    raise _refuse(path, f"{label} {key_text(key)}: unknown threshold "
                                  f"{key_text(name)}; known: {', '.join(TOLERANCE_KEYS)}")
                try:
                    _THRESHOLDS[name].validate_python(value)
                except ValidationError:
                    raise _refuse(path, f"{label} {key_text(key)}.{name} = "
                                  f"{toml_text(value)}: should be "
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
                                  f"[rag.{kind}] {key_text(key)}: amber_max_off_pct "
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


if __name__ == "__main__":
    print(rules_table_markdown(), end="")
