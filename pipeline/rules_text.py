"""The rules in plain words: a value as TOML writes it, what each rule allows
(:func:`allowed_text`, for the loader's messages) and the reference table of every rule
(:func:`rules_table_markdown`, the table of docs/reference/rules.md).
"""

from __future__ import annotations

import math
import re

from pydantic.fields import FieldInfo

from pipeline.rules_schema import RELATIONS, RULE_SECTIONS, SECTION_OF, Rules


def toml_text(value: object) -> str:
    """A value as TOML would write it: ``120``, ``nan``, ``"ten"``, ``["A"]``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        whole = math.isfinite(value) and value.is_integer() and abs(value) < 1e15
        return str(int(value)) if whole else f"{value:g}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{key_text(k)} = {toml_text(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return str(value)


def key_text(key: str) -> str:
    """A TOML key as written: bare when it may be, else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_text(key)


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
    text, limit = f"a {kind}", {k: toml_text(float(v)) for k, v in _limits(field).items()}
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
                         f"| `{toml_text(default)}` | {field.description} |")
    return "\n".join(lines) + "\n"
