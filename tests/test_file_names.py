"""File names as the file system gives them: any bytes, shown escaped, never a crash.

On Linux a name may hold bytes that are not UTF-8 (b"caf\\xe9.csv"); Python gives it as a
str with a lone surrogate ("caf\\udce9.csv"), which JSON, parquet and HTML writers refuse.
Every name recorded or shown is written with such bytes escaped ("caf\\\\xe9.csv").
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import find_project_root
from pipeline.inputs.filenames import shown_name
from pipeline.inputs.ingest import ingest_returns
from pipeline.run.manifest import digest_of, hash_tree
from tests.conftest import laa

ROOT = find_project_root()
RAW_NAME = b"2006-07_Q4_caf\xe9_waste.csv"
SHOWN = "2006-07_Q4_caf\\xe9_waste.csv"
ORIGINAL = "2006-07_Q4_leicestershire_waste_partnership.csv"

def test_a_name_with_a_byte_that_is_not_utf8_is_escaped():
    name = os.fsdecode(RAW_NAME)
    assert "\udce9" in name
    assert shown_name(name) == SHOWN
    assert shown_name("café.csv") == "café.csv"             # UTF-8 names are as they are
    assert shown_name("a\ud800b.csv") == "a\\ud800b.csv"     # a surrogate of other origin
    json.dumps(shown_name(name)).encode("utf-8")


def _returns_with_bad_name(folder: Path) -> Path:
    returns = folder / "returns"
    returns.mkdir()
    shutil.copy2(ROOT / "data" / "raw" / "returns" / ORIGINAL,
                 os.fsdecode(os.fsencode(returns) + b"/" + RAW_NAME))
    return returns


def test_ingest_reads_the_file_and_records_its_name_escaped(tmp_path):
    got = ingest_returns(_returns_with_bad_name(tmp_path))
    assert set(got.rows["source_file"]) == {SHOWN}
    expected = len(pd.read_csv(ROOT / "data" / "raw" / "returns" / ORIGINAL))
    assert len(got.rows) == expected
    got.rows.to_parquet(tmp_path / "rows.parquet")   # a lone surrogate would fail here


def test_the_fingerprint_records_the_name_escaped(tmp_path):
    _returns_with_bad_name(tmp_path)
    tree = hash_tree(tmp_path)
    assert [e["path"] for e in tree] == [f"returns/{SHOWN}"]
    digest_of(tree)


@pytest.mark.slow
def test_a_demo_with_such_a_name_runs_end_to_end_and_counts_its_rows(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "raw", data,
                    ignore=shutil.ignore_patterns("laa2", "README.md"))
    original = data / "returns" / ORIGINAL
    os.rename(os.fsencode(original), os.fsencode(data / "returns") + b"/" + RAW_NAME)
    proc = laa("run", "--data-dir", str(data), "--clean-dir", str(tmp_path / "clean"),
               "--reports-dir", str(tmp_path / "reports"), "--generated-at",
               "2007-06-30T12:00:00", "--formats", "html", "--period", "2006-07 Q4",
               "--meeting", "2007-09-03", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = pd.read_parquet(tmp_path / "clean" / "returns.parquet")
    expected = len(pd.read_csv(ROOT / "data" / "raw" / "returns" / ORIGINAL))
    assert (rows["source_file"] == SHOWN).sum() == expected
    manifest = json.loads((tmp_path / "reports" / "2007-09-03" / "manifest.json")
                          .read_text(encoding="utf-8"))
    assert f"returns/{SHOWN}" in {e["path"] for e in manifest["inputs"]}
    sources = (tmp_path / "reports" / "2007-09-03").rglob("*.html")
    assert any(SHOWN in p.read_text(encoding="utf-8") for p in sources)


def test_trace_finds_the_file_again_by_its_escaped_name(tmp_path):
    from pipeline.run.trace import raw_row

    returns = _returns_with_bad_name(tmp_path)
    digest, cells = raw_row(returns, SHOWN, "", 2, "partner,indicator_id")
    assert digest and cells["partner"] == "Leicestershire Waste Partnership"


def _copy_named(source: Path, folder: Path, raw_name: bytes) -> None:
    folder.mkdir(parents=True)
    shutil.copy2(source, os.fsdecode(os.fsencode(folder) + b"/" + raw_name))


def test_national_and_finance_files_record_such_a_name_escaped(tmp_path):
    """The national table and the finance returns are named as the returns are."""
    from pipeline.inputs.finance import read_finance_returns
    from pipeline.inputs.national import read_national
    from pipeline.inputs.register import load_register

    _copy_named(ROOT / "data" / "raw" / "national" / "values.csv", tmp_path / "national",
                b"values_caf\xe9.csv")
    national = read_national(tmp_path)
    assert set(national.rows["source_file"]) == {"values_caf\\xe9.csv"}
    national.rows.to_parquet(tmp_path / "national.parquet")
    _copy_named(ROOT / "data" / "raw" / "finance" / "2006-07_pooled_fund.csv",
                tmp_path / "finance", b"2006-07_pooled_fund_caf\xe9.csv")
    themes = load_register(ROOT / "data" / "raw" / "register").themes
    finance = read_finance_returns(tmp_path, themes)
    shown = set(finance.lines["source_file"]) | set(finance.problems["source_file"])
    assert shown == {"2006-07_pooled_fund_caf\\xe9.csv"}
    finance.lines.to_parquet(tmp_path / "finance.parquet")
