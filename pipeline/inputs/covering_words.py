"""The officer's own words for the covering report: ``register/covering_report.toml``.

Title, purpose, background, recommendations and officers to contact, written by the
officer after a run (so not a run input: :data:`pipeline.run.manifest.NOT_RUN_INPUTS`) and
put around the appendix's figures by :mod:`pipeline.report.covering`. Read and checked
before anything else ``laa report`` does, so a bad file is refused at once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError

COVERING_FILE = "covering_report.toml"  # not a run input (run.manifest.NOT_RUN_INPUTS)
TEXT_KEYS = ("title", "purpose", "background")
LIST_KEYS = ("recommendations", "contacts")
CONTACT_KEYS = ("name", "role", "phone", "email")


@dataclass(frozen=True)
class CoveringWords:
    """The officer's own words: empty text or lists mean not written yet."""

    title: str = ""
    purpose: str = ""
    background: str = ""
    recommendations: tuple[str, ...] = ()
    contacts: tuple[dict[str, str], ...] = ()


def read_covering_words(register_dir: Path) -> CoveringWords:
    """The officer's words from ``register/covering_report.toml`` (optional: none written
    without it).

    Keys: ``title``, ``purpose``, ``background`` (text; a blank line starts a new
    paragraph), ``recommendations`` (a list of text), ``contacts`` (a list of tables with
    ``name`` and, optionally, ``role``, ``phone``, ``email``).

    Raises
    ------
    ConfigError
        If the file is not valid TOML or UTF-8, has an unknown key, or a key of the wrong
        kind (naming the file and the key).
    """
    path = register_dir / COVERING_FILE
    if not path.is_file():
        return CoveringWords()
    try:
        given = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=path.name) from exc
    return parse_covering_words(given, path.name)


def parse_covering_words(given: dict[str, object], source: str) -> CoveringWords:
    """Check and type the officer's words read from ``source`` (see
    :func:`read_covering_words`)."""
    for key in given:
        if key not in TEXT_KEYS + LIST_KEYS:
            raise ConfigError(f"unknown key {key!r}; known: "
                              + ", ".join(TEXT_KEYS + LIST_KEYS), file=source, key=key)
    texts = {}
    for key in TEXT_KEYS:
        value = given.get(key, "")
        if not isinstance(value, str):
            raise ConfigError("expected text in quotes", file=source, key=key)
        texts[key] = value.strip()
    recommendations = given.get("recommendations", [])
    if not isinstance(recommendations, list) or not all(
            isinstance(r, str) for r in recommendations):
        raise ConfigError("expected a list of text, e.g. [\"Notes the report\"]",
                          file=source, key="recommendations")
    contacts = given.get("contacts", [])
    if not isinstance(contacts, list):
        raise ConfigError("expected a list of [[contacts]] tables", file=source,
                          key="contacts")
    typed = []
    for number, contact in enumerate(contacts, start=1):
        key = f"contacts[{number}]"
        if not isinstance(contact, dict):
            raise ConfigError("expected a table with name, role, phone, email",
                              file=source, key=key)
        unknown = [k for k in contact if k not in CONTACT_KEYS]
        if unknown:
            raise ConfigError(f"unknown key {unknown[0]!r}; known: " + ", ".join(CONTACT_KEYS),
                              file=source, key=f"{key}.{unknown[0]}")
        for name in CONTACT_KEYS:
            if not isinstance(contact.get(name, ""), str):
                raise ConfigError("expected text in quotes", file=source, key=f"{key}.{name}")
        if not contact.get("name", "").strip():
            raise ConfigError("a contact needs a name", file=source, key=f"{key}.name")
        typed.append({k: contact.get(k, "").strip() for k in CONTACT_KEYS})
    return CoveringWords(texts["title"], texts["purpose"], texts["background"],
                         tuple(r.strip() for r in recommendations if r.strip()), tuple(typed))
