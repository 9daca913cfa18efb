"""The engines that evaluate the data-quality suites, by the name rules.toml gives them.

``[quality] validation_engine`` (:class:`pipeline.rules_schema.Rules`) chooses one:
``columnar`` (:mod:`pipeline.quality.columnar`, the default: starts at once) or
``great_expectations`` (:mod:`pipeline.quality.gx`, the reference: Great Expectations is
imported only when it is chosen). Both take a list of :class:`pipeline.quality.gx.Dataset`
and return the same results; tests/test_columnar_engine.py checks it on every suite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import pandas as pd

from pipeline.errors import ConfigError
from pipeline.quality.columnar import ColumnarSession
from pipeline.quality.gx import Dataset, ValidationSession


class Session(Protocol):
    """What an engine gives: :meth:`run` validates datasets, one row per expectation."""

    def run(self, datasets: list[Dataset]) -> pd.DataFrame:
        """Results as :data:`pipeline.quality.gx.RESULT_COLUMNS`."""


ENGINES: dict[str, Callable[[], Session]] = {
    "columnar": ColumnarSession,
    "great_expectations": ValidationSession,
}


def known_engine(name: str) -> str:
    """``name``, if it is an engine of :data:`ENGINES`.

    Raises
    ------
    ConfigError
        For a name not in :data:`ENGINES`, naming the known ones.
    """
    if name not in ENGINES:
        raise ConfigError(f"unknown validation engine {name!r}; known: {', '.join(ENGINES)}")
    return name


def open_session(name: str) -> Session:
    """A session of engine ``name`` (refused as :func:`known_engine` says)."""
    return ENGINES[known_engine(name)]()


def warm_up() -> None:
    """Import Great Expectations ahead of the validate stage, only if the rules choose it.

    Run in the validate stage's kernel while it waits (pipeline/run/execute.py): reads the
    package's rules (pipeline/rules.toml; a data folder's own rules.toml is not known there:
    if it chooses Great Expectations, the stage imports it when it needs it).
    """
    from pipeline.quality.gx import import_gx
    from pipeline.rules import load_rules

    if load_rules().validation_engine == "great_expectations":
        import_gx()
