"""The suites evaluated column by column give what Great Expectations gives.

The run's engine (``[quality] validation_engine = "columnar"``) must be GX's equal on every
suite: on the frames the quality stage builds from both demos, and on hostile frames (mixed
types in a column, every kind of missing value, empty frames, numbers as text, repeated
values). GX, the reference, runs beside it here; where GX cannot run an expectation, both
refuse it (:class:`ConfigError`).
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.assess.assessment import assess_indicators
from pipeline.config import load_settings
from pipeline.errors import ConfigError
from pipeline.inputs.ingest import ingest_returns
from pipeline.inputs.register import load_register
from pipeline.quality import columnar, engines
from pipeline.quality.gx import Dataset, ValidationSession
from pipeline.quality.national import run_national_suite
from pipeline.quality.quarantine import SUITES, check_returns, load_suites
from pipeline.report.quality_pages import ENGINE_NOTE, REPORT, write_validation_report
from pipeline.rules import load_rules
from pipeline.rules_schema import VALIDATION_ENGINES
from tests.conftest import LAA1_STAMP, LAA2_STAMP
from tests.quality_build import MEETING, PERIOD, build_hostile_quality

ROOT = Path(__file__).resolve().parents[1]
GX = "great_expectations"
DEMOS = {"LAA1": ("2006-07 Q4", "2007-09-03", None, LAA1_STAMP),
         "LAA2": ("2008-09 Q3", "2009-03-09", str(ROOT / "data" / "raw" / "laa2"), LAA2_STAMP)}
CHECKED = ("clean", "quarantine", "results", "findings", "assessed")


@pytest.fixture(scope="module")
def gx_session() -> ValidationSession:
    return ValidationSession()


def _both(gx_session, frame: pd.DataFrame, expectations: list[tuple[str, dict]],
          parameters: dict | None = None) -> tuple[object, object]:
    """Each engine's results on one suite, or the ConfigError it raised (its type name)."""
    suite = {"name": "s", "expectations": [{"type": t, "kwargs": k} for t, k in expectations]}
    out = []
    for session in (gx_session, columnar.ColumnarSession()):
        try:
            out.append(session.run([Dataset(frame, suite, parameters or {})]))
        except ConfigError:
            out.append("ConfigError")
    return out[0], out[1]


def _equal(gx, fast) -> None:
    if isinstance(gx, str) or isinstance(fast, str):
        assert (gx, fast) == ("ConfigError", "ConfigError")
    else:
        pd.testing.assert_frame_equal(gx, fast)


MIXED = pd.DataFrame({"a": pd.Series(["x", 1, "x", None, np.nan, pd.NA, 1, "1", True, 1.0],
                                     dtype=object)})
COMPOUND = pd.DataFrame({"i": ["1", "1", None, None, "2", "2", None],
                         "p": ["q", "q", None, None, None, None, "x"]})
EMPTY = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)})
UNIQUE = ("expect_column_values_to_be_unique", {"column": "a"})
IN_SET = "expect_column_values_to_be_in_set"
BETWEEN = "expect_column_values_to_be_between"
# (frame, expectations, parameters, hand-computed failed rows of the first expectation, or
# "refused" when both engines must refuse it)
HOSTILE = {
    # True == 1 == 1.0 in Python and for isin; "1" is text; missing values never fail
    "unique, mixed types": (MIXED, [UNIQUE], None, [0, 1, 2, 6, 8, 9]),
    "in set, mixed types": (MIXED, [(IN_SET, {"column": "a", "value_set": [1, "x"]})], None,
                            [7]),
    "in set True, mixed": (MIXED, [(IN_SET, {"column": "a", "value_set": [True]})], None,
                           [0, 2, 7]),
    "not in set text 1": (MIXED, [("expect_column_values_to_not_be_in_set",
                                   {"column": "a", "value_set": ["1"]})], None, [7]),
    "regex on numbers": (MIXED, [("expect_column_values_to_match_regex",
                                  {"column": "a", "regex": "^1"})], None, [0, 2, 8]),
    "regex on floats": (pd.DataFrame({"a": [1.5, 20.0, np.nan]}),
                        [("expect_column_values_to_match_regex",
                          {"column": "a", "regex": r"^\d\.\d$"})], None, [1]),
    "not null, every missing kind": (MIXED, [("expect_column_values_to_not_be_null",
                                              {"column": "a"})], None, [3, 4, 5]),
    "between, text among numbers": (MIXED, [(BETWEEN, {"column": "a", "min_value": 0})],
                                    None, "refused"),
    "between, numbers as text": (pd.DataFrame({"a": ["1", "5"]}),
                                 [(BETWEEN, {"column": "a", "min_value": 0})], None,
                                 "refused"),
    "between, objects": (pd.DataFrame({"a": pd.Series([1, 2.5, None, True], dtype=object)}),
                         [(BETWEEN, {"column": "a", "min_value": 1, "max_value": 2})], None,
                         [1]),
    "between, strict, inf": (pd.DataFrame({"a": [1.0, np.nan, 5.0, np.inf]}),
                             [(BETWEEN, {"column": "a", "min_value": 1, "strict_min": True,
                                         "max_value": 5})], None, [0, 3]),
    "between, nullable ints": (pd.DataFrame({"a": pd.array([1, None, 5], dtype="Int64")}),
                               [(BETWEEN, {"column": "a", "max_value": 4})], None, [2]),
    "between, no bounds": (pd.DataFrame({"a": [1.0]}), [(BETWEEN, {"column": "a"})], None,
                           "refused"),
    "between, parameters": (pd.DataFrame({"a": [94.0, 95.0, 105.5]}),
                            [(BETWEEN, {"column": "a", "min_value": {"$PARAMETER": "lo"},
                                        "max_value": {"$PARAMETER": "hi"}})],
                            {"lo": 95.0, "hi": 105.0}, [0, 2]),
    # all-missing rows are left out (GX's default); a repeated combination fails every time
    "compound": (COMPOUND, [("expect_compound_columns_to_be_unique",
                             {"column_list": ["i", "p"]})], None, [0, 1, 4, 5]),
    "compound, never": (COMPOUND, [("expect_compound_columns_to_be_unique",
                                    {"column_list": ["i", "p"], "ignore_row_if": "never"})],
                        None, [0, 1, 2, 3, 4, 5]),
    "compound, any missing": (COMPOUND, [("expect_compound_columns_to_be_unique",
                                          {"column_list": ["i", "p"],
                                           "ignore_row_if": "any_value_is_missing"})],
                              None, [0, 1]),
    "empty frame": (EMPTY, [UNIQUE, (IN_SET, {"column": "a", "value_set": [1]}),
                            ("expect_column_values_to_not_be_null", {"column": "a"}),
                            (BETWEEN, {"column": "b", "min_value": 0}),
                            ("expect_compound_columns_to_be_unique",
                             {"column_list": ["a", "b"]}),
                            ("expect_table_columns_to_match_set", {"column_set": ["a", "b"]})],
                    None, []),
    "columns, row key counted": (EMPTY, [("expect_table_columns_to_match_set",
                                          {"column_set": ["a", "b", "row_key"]})], None, []),
    "in set, parameter": (MIXED, [(IN_SET, {"column": "a",
                                            "value_set": {"$PARAMETER": "ids"}})],
                          {"ids": ["x"]}, [1, 6, 7, 8, 9]),
    "parameter not given": (MIXED, [(IN_SET, {"column": "a",
                                              "value_set": {"$PARAMETER": "ids"}})], {},
                            "refused"),
    "column missing": (MIXED, [(IN_SET, {"column": "zz", "value_set": [1]})], None,
                       "refused"),
    "all missing": (pd.DataFrame({"a": [None, None], "b": [np.nan, np.nan]}),
                    [UNIQUE, (IN_SET, {"column": "b", "value_set": [1]})], None, []),
    "booleans": (pd.DataFrame({"a": [True, False, None]}),
                 [(IN_SET, {"column": "a", "value_set": [False]}), UNIQUE], None, [0]),
    "pandas strings": (pd.DataFrame({"a": pd.Series(["x", pd.NA, "x", ""], dtype="string")}),
                       [UNIQUE, ("expect_column_values_to_not_be_in_set",
                                 {"column": "a", "value_set": [""]})], None, [0, 2]),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_on_hostile_frames_both_engines_give_the_same_results(gx_session, case):
    frame, expectations, parameters, failed = HOSTILE[case]
    gx, fast = _both(gx_session, frame, expectations, parameters)
    _equal(gx, fast)
    if failed == "refused":
        assert fast == "ConfigError"
    else:
        assert fast.loc[0, "failed_row_keys"] == failed


def test_what_the_columnar_engine_does_not_know_is_refused_never_skipped():
    frame = pd.DataFrame({"a": [1, 2, 2]})
    for kind, kwargs in (("expect_column_mean_to_be_between", {"column": "a"}),
                         (IN_SET, {"column": "a", "value_set": [1], "mostly": 0.5}),
                         (UNIQUE[0], {"column": "a", "row_condition": "a>1"}),
                         ("expect_compound_columns_to_be_unique",
                          {"column_list": ["a"], "ignore_row_if": "sometimes"})):
        suite = {"name": "s", "expectations": [{"type": kind, "kwargs": kwargs}]}
        with pytest.raises(ConfigError, match="cannot be evaluated column by column"):
            columnar.evaluate_suite(frame, suite)


def test_every_expectation_of_every_suite_is_one_the_columnar_engine_knows():
    for path in sorted((ROOT / "expectations").glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            kwargs = {k: v for k, v in item["kwargs"].items()}
            assert item["type"] in columnar.KNOWN_KWARGS, path.name
            assert set(kwargs) <= columnar.KNOWN_KWARGS[item["type"]], (path.name, item)


@pytest.fixture(scope="module", params=list(DEMOS))
def demo(request) -> dict:
    """A demo's inputs to the quality stage, and the datasets it validates (all ten)."""
    period, meeting, data, stamp = DEMOS[request.param]
    settings = load_settings(period, meeting, data, generated_at=stamp)
    read = ingest_returns(settings.returns_dir)
    seen: list[Dataset] = []

    class Recording(columnar.ColumnarSession):
        def run(self, datasets: list[Dataset]) -> pd.DataFrame:
            seen.extend(datasets)
            return super().run(datasets)

    inputs = (read.rows, read.file_problems, load_register(settings.register_dir),
              load_suites(settings.expectations_dir), settings.period)
    saved = engines.ENGINES["columnar"]
    engines.ENGINES["columnar"] = Recording
    try:
        checked = check_returns(*inputs, settings.rules, run_time=stamp,
                                assess=assess_indicators)
    finally:
        engines.ENGINES["columnar"] = saved
    return {"inputs": inputs, "settings": settings, "datasets": seen, "checked": checked}


def test_on_the_demos_frames_gx_gives_what_the_columnar_engine_gives(gx_session, demo):
    assert [d.suite["name"] for d in demo["datasets"]] == list(SUITES)
    assert len(demo["datasets"][2].frame) > 100   # the returns
    for dataset in demo["datasets"]:
        pd.testing.assert_frame_equal(gx_session.run([dataset]),
                                      columnar.ColumnarSession().run([dataset]))


def test_check_returns_gives_the_same_with_either_engine(demo):
    settings = demo["settings"]
    checked = {name: check_returns(*demo["inputs"],
                                   settings.rules.model_copy(update={"validation_engine": name}),
                                   run_time=settings.generated_at, assess=assess_indicators)
               for name in (GX, "columnar")}
    gx, fast = checked[GX], checked["columnar"]
    assert (gx.engine, fast.engine) == (GX, "columnar")
    for part in CHECKED:
        pd.testing.assert_frame_equal(getattr(gx, part), getattr(fast, part))
    assert len(fast.findings) > 0 and (~fast.results["success"]).any()


def test_the_engines_are_one_registry_named_in_the_rules(tmp_path):
    assert tuple(engines.ENGINES) == VALIDATION_ENGINES == tuple(ENGINE_NOTE)
    assert load_rules().validation_engine == "columnar"
    override = tmp_path / "register" / "rules.toml"
    override.parent.mkdir()
    override.write_text('[quality]\nvalidation_engine = "gx"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match='validation_engine = "gx": should be one of '
                                          '"columnar", "great_expectations"'):
        load_rules(override)
    with pytest.raises(ConfigError, match="unknown validation engine 'gx'; known: columnar, "
                                          "great_expectations"):
        engines.open_session("gx")
    with pytest.raises(ConfigError, match="unknown validation engine 'gx'"):
        run_national_suite(pd.DataFrame({"a": [1]}), {"expectations": []}, {}, engine="gx")
    override.write_text(f'[quality]\nvalidation_engine = "{GX}"\n', encoding="utf-8")
    assert load_rules(override).validation_engine == GX


def test_the_columnar_run_and_its_warm_up_never_import_great_expectations():
    code = ("import sys\n"
            "from pipeline.quality import engines\n"
            "engines.warm_up()\n"
            "from tests.quality_build import build_hostile_quality\n"
            "import tempfile, pathlib\n"
            "build_hostile_quality(pathlib.Path(tempfile.mkdtemp()))\n"
            "print('great_expectations' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


def test_the_data_quality_report_says_which_engine_evaluated_the_suites(tmp_path):
    built = build_hostile_quality(tmp_path / "columnar")
    page = " ".join(html.unescape((built["folder"] / REPORT).read_text(encoding="utf-8"))
                    .split())
    assert "Every check of the data-quality rules (Great Expectations suites)" in page
    assert ("They were evaluated column by column by this reporting system's own reader "
            "of those rules, which its tests show gives the same results as Great "
            "Expectations itself.") in page
    folder = tmp_path / "gx"
    folder.mkdir()
    write_validation_report(folder, replace(built["validation"], engine=GX), MEETING, PERIOD,
                            {})
    page = " ".join(html.unescape((folder / REPORT).read_text(encoding="utf-8")).split())
    assert "They were evaluated by Great Expectations itself." in page
    assert "column by column" not in page


@pytest.mark.parametrize("engine", ["columnar", GX])
def test_the_validate_kernels_warm_up_imports_great_expectations_only_if_chosen(engine):
    """The code the validate stage's kernel runs ahead (its notebook's imports and the
    extra warm-up) imports GX when the rules choose it, and only then."""
    script = "\n".join([
        "import sys",
        "from pathlib import Path",
        "import pipeline.rules",
        "from pipeline.rules_schema import Rules",
        f"pipeline.rules.load_rules = lambda *a: Rules(validation_engine={engine!r})",
        "from pipeline.run.warm import WARM_EXTRA, warm_code",
        f"exec(warm_code(Path({str(ROOT / 'notebooks' / '02_validate.ipynb')!r}), "
        "WARM_EXTRA['validate']))",
        "print('great_expectations' in sys.modules)"])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == str(engine == GX)
