"""Issue 24, item 1: the auditor's spot-check sample and what the pack says of each figure.

Fast tests on small frames: the sample is the same for the same seed and differs for
another, holds every red or amber reward target, is stratified by theme as the pack
describes (redrawn here from the words of :func:`describe_method`), and each figure's
findings, hashes and certification are those of its own rows. The end-to-end tests on
both demos are in tests/test_audit_pack.py.
"""

from __future__ import annotations

import hashlib
import io
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline.errors import ConfigError
from pipeline.inputs.audit_findings import FINDINGS
from pipeline.report.audit_pack import (
    FINDINGS_COLUMNS,
    FINDINGS_SHEET,
    PackFacts,
    findings_workbook,
)
from pipeline.report.spot_check import (
    NOT_RECORDED,
    apportion,
    certification,
    default_seed,
    describe_method,
    draw_sample,
    related_findings,
    source_entry,
)
from pipeline.run.audit import check_draw

THEMES = ["safer", "health", "economy"]
NAMES = {"safer": "Safer", "health": "Health", "economy": "Economy"}


def _assessed(per_theme: dict[str, int], must: dict[str, str] | None = None) -> pd.DataFrame:
    """Indicators ``<theme>.<n>``; ``must`` rates some as reward targets (id -> R/A/G)."""
    must = must or {}
    rows = []
    for theme, count in per_theme.items():
        for n in range(1, count + 1):
            ident = f"{theme}.{n}"
            rows.append({"indicator_id": ident, "theme": theme, "theme_name": NAMES[theme],
                         "reward": ident in must, "final_rag": must.get(ident, "G"),
                         "record_id": f"f.csv||{len(rows) + 2}"})
    return pd.DataFrame(rows)


# --- the draw ---

def test_apportion_by_largest_remainder():
    # 4 of 16: exact 2.5, 1.25, 0.25 -> 2, 1, 0 and the one left to the largest remainder
    assert apportion([10, 5, 1], 4) == [3, 1, 0]
    assert apportion([3, 3], 3) == [2, 1]          # a tie goes to the earlier theme
    assert apportion([2, 1], 10) == [2, 1]         # never more than a theme holds
    assert apportion([2, 1], 0) == [0, 0] and apportion([], 3) == []


def test_default_seed_is_the_period_and_meeting_hashed():
    expected = int(hashlib.sha256(b"2006-07 Q4 2007-09-03").hexdigest()[:8], 16)
    assert default_seed("2006-07 Q4", "2007-09-03") == expected
    assert default_seed("2006-07 Q4", "2007-09-04") != expected


def test_same_seed_same_sample_another_seed_another():
    assessed = _assessed({"safer": 30, "health": 20, "economy": 10})
    first = draw_sample(assessed, THEMES, 12, seed=7)
    assert first.equals(draw_sample(assessed, THEMES, 12, seed=7))
    other = draw_sample(assessed, THEMES, 12, seed=8)
    assert list(first["indicator_id"]) != list(other["indicator_id"])


def test_every_red_or_amber_reward_target_is_taken_first():
    must = {"safer.3": "R", "health.2": "A", "economy.1": "G", "safer.9": "A"}
    assessed = _assessed({"safer": 10, "health": 5, "economy": 5}, must)
    sample = draw_sample(assessed, THEMES, 6, seed=1)
    assert list(sample["indicator_id"][:3]) == ["safer.3", "safer.9", "health.2"]
    assert list(sample["reason"][:3]) == ["red reward target", "amber reward target",
                                          "amber reward target"]
    assert len(sample) == 6 and sample["indicator_id"].is_unique
    assert "economy.1" not in list(sample["indicator_id"][:3])  # green: only if drawn
    # more red and amber reward targets than the size asked for: all of them, no more
    small = draw_sample(assessed, THEMES, 2, seed=1)
    assert list(small["indicator_id"]) == ["safer.3", "safer.9", "health.2"]


def test_stratified_as_the_pack_says():
    """Redraw by the method's words: one PCG64 number per figure, theme by theme; in each
    theme the smallest numbers; the draws shared by theme in proportion (10:5:5 of 4)."""
    assessed = _assessed({"safer": 10, "health": 5, "economy": 5})
    sample = draw_sample(assessed, THEMES, 4, seed=2024)
    rng = np.random.Generator(np.random.PCG64(2024))
    numbers = {t: rng.random(n) for t, n in (("safer", 10), ("health", 5), ("economy", 5))}
    expected = []
    for theme, quota in (("safer", 2), ("health", 1), ("economy", 1)):
        smallest = sorted(np.argsort(numbers[theme])[:quota])
        expected += [f"{theme}.{i + 1}" for i in smallest]
    assert list(sample["indicator_id"]) == expected
    assert set(sample["reason"]) == {"drawn at random"}
    assert "PCG64(2024)" in describe_method(4, 2024)


def test_a_figure_without_a_return_is_not_drawn():
    assessed = _assessed({"safer": 3})
    assessed.loc[assessed["indicator_id"] != "safer.2", "record_id"] = ""
    assert list(draw_sample(assessed, THEMES, 3, seed=5)["indicator_id"]) == ["safer.2"]


@pytest.mark.parametrize(("size", "seed", "message"), [
    (0, None, "--sample 0"), (-3, 1, "--sample -3"), (5, -1, "--seed -1"),
    (5, 2**64, "--seed 18446744073709551616")])
def test_unusable_size_or_seed_is_refused(size, seed, message):
    with pytest.raises(ConfigError, match=message) as caught:
        check_draw(size, seed)
    assert caught.value.exit_code == 2


def test_defaults():
    assert check_draw(None, None) == (25, None) and check_draw(3, 0) == (3, 0)


# --- what the pack says of a figure ---

def _lineage() -> pd.DataFrame:
    return pd.DataFrame({"source_file": ["q4.csv", "q4_old.xlsx"], "source_row": [5, 9]})


def test_findings_of_a_figure_are_those_of_its_rows_files_and_id():
    findings = pd.DataFrame({
        "source_file": ["q4.csv", "q4.csv", "q4_old.xlsx", "q4.csv", "(no return)",
                        "register/indicators.csv", "district.csv", "refused.csv"],
        "source_row": [5, 0, 9, 6, 0, 12, 5, 3],
        "indicator_id": ["7.20", "", "7.20", "7.21", "7.20", "7.20", "7.20", "7.20"],
        "check_id": ["on-row", "on-file", "superseded-row", "other-row", "missing",
                     "register", "district-row", "quarantined"]})
    returned = {"q4.csv", "q4_old.xlsx", "district.csv"}  # refused.csv: quarantined whole
    got = related_findings(findings, "7.20", _lineage(), returned)
    assert list(got["check_id"]) == ["on-row", "on-file", "superseded-row", "missing",
                                     "register", "quarantined"]


def _row(**given) -> dict:
    return {"role": "in force", "value_text": "3,202", "period": "2006-07 Q4",
            "partner": "Police", "source_file": "q4.csv", "source_sheet": "",
            "source_row": 5, "source_sha256": "a" * 64, "submitted_by": "A N Other",
            "submitted_at": pd.Timestamp("2007-05-14 15:36:08"), **given}


@pytest.mark.parametrize(("manifest", "now", "status", "ok"), [
    ({"returns/q4.csv": "a" * 64}, "a" * 64, "matches the run's manifest; the file is "
     "unchanged", True),
    ({"returns/q4.csv": "a" * 64}, "b" * 64, "the file has CHANGED since", True),
    ({"returns/q4.csv": "a" * 64}, "", "no longer in the data folder", True),
    ({"returns/q4.csv": "c" * 64}, "a" * 64, "differs from the run's manifest", False),
    ({}, "a" * 64, "not in the run's manifest", False),
])
def test_a_source_row_says_where_it_is_and_whether_its_hash_matches(manifest, now, status,
                                                                   ok):
    entry = source_entry(_row(), "indicator_id,period,value", manifest, (now, {}))
    assert status in entry["status"] and entry["hash_ok"] is ok
    assert (entry["file"], entry["row"], entry["cell"]) == ("returns/q4.csv", 5, "C5")
    assert entry["submitted_at"] == "14 May 2007 at 15:36:08"


def test_a_long_cell_of_the_row_as_reread_is_cut():
    entry = source_entry(_row(), "", {}, ("", {"commentary": "word " * 40}))
    assert len(entry["cells"]) < 80 and entry["cells"].startswith("commentary=word word")


def test_certification_as_recorded_or_not():
    assert certification({}) == NOT_RECORDED
    assert certification({"certified_by": "J Smith", "certified_on": "2007-05-14",
                          "certified_by_cell": "Return!B6", "certified_on_cell": "Return!B7"}
                         ) == "J Smith, 14 May 2007 (cells Return!B6, Return!B7)"
    assert certification({"certified_by": "J Smith"}) == "J Smith, date not recorded"


# --- the workbook the auditor fills in ---

def _item(title: str = "Domestic Burglary") -> dict:
    source = source_entry(_row(), "", {"returns/q4.csv": "a" * 64}, ("a" * 64, {}))
    return {"indicator_id": "7.20", "title": title, "theme_name": "Safer", "value": "3,202",
            "target": "2,470", "final": "Red", "why": "red reward target",
            "sources": [source], "hashes_ok": True, "passed": ["row-readable"],
            "advisories": [{"check_id": "return-certified", "grade": "ADVISORY",
                            "where": "q4.csv", "reason": "=no name"}]}


def _book(items: list[dict]) -> openpyxl.Workbook:
    app = SimpleNamespace(settings=SimpleNamespace(period="2006-07 Q4", meeting="2007-09-03",
                                                   generated_at="2007-06-30T12:00:00"),
                          partnership={"name": "Leicestershire Together"})
    facts = PackFacts(25, 1, False, "method", "laa audit", "2007-09-03/manifest.json", "f" * 64)
    return openpyxl.load_workbook(io.BytesIO(findings_workbook(app, items, facts)))


def test_the_findings_sheet_keeps_the_contract():
    book = _book([_item()])
    sheet = book[FINDINGS_SHEET]
    header = [c.value for c in sheet[1]]
    assert tuple(header[:6]) == FINDINGS_COLUMNS == ("indicator", "period", "finding", "note",
                                                     "auditor", "date")
    assert [c.value for c in sheet[2]][:6] == ["7.20", "2006-07 Q4", None, None, None, None]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert [(v.formula1, str(v.sqref)) for v in lists] == [
        ('"' + ",".join(FINDINGS) + '"', "C2")]
    assert FINDINGS == ("accepted", "qualified", "reserved", "not checked")
    assert sheet.protection.sheet
    assert [sheet.cell(row=2, column=c).protection.locked for c in range(1, 8)] == [
        True, True, False, False, False, False, True]


def test_partner_text_is_never_a_formula():
    book = _book([_item("=HYPERLINK(\"http://x\",\"y\")")])
    cell = book[FINDINGS_SHEET]["G2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\",\"y\")"
    assert cell.quotePrefix
    reasons = [c.value for c in book["Checks"]["F"]]
    assert "=no name" in reasons and book["Checks"].cell(
        row=reasons.index("=no name") + 1, column=6).data_type == "s"


# --- the page: partner text is text; the pack is written whole or not at all ---

def _app() -> SimpleNamespace:
    return SimpleNamespace(settings=SimpleNamespace(period="2006-07 Q4", meeting="2007-09-03",
                                                    generated_at="2007-06-30T12:00:00"),
                           partnership={"name": "Leicestershire Together",
                                        "agreement": "Local Area Agreement 2006-09"},
                           data_as_of="2007-05-14 17:05")


def _page_item() -> dict:
    return {**_item("<b>Burglary</b>"), "number": 1, "anchor": "figure-7-20",
            "theme_name": "Safer", "lead_org": "Police", "value_period": "",
            "target_period": "2006-07", "off": "29.6% off", "computed": "Red",
            "computed_code": "R", "final_code": "R", "lead_rag": "Red", "rag_reason": "",
            "certified": NOT_RECORDED, "actions": "",
            "commentary": "<script>alert('x')</script> & more"}


def test_partner_text_is_escaped_in_the_page():
    from pipeline.report.audit_pack import render_spot_check

    facts = PackFacts(25, 9, True, "the method", "laa audit --seed 9", "m.json", "f" * 64)
    page = render_spot_check(_app(), [_page_item()], facts)
    assert "<script>" not in page and "&lt;script&gt;alert" in page
    assert "&lt;b&gt;Burglary&lt;/b&gt;" in page and '<html lang="en-GB">' in page
    assert "(given by the auditor)" in page and "<code>9</code>" in page


def test_the_pack_is_put_in_place_whole_or_not_at_all(tmp_path):
    from pipeline.run.audit import write_together

    old = {name: tmp_path / name for name in ("a.html", "a.pdf")}
    for path in old.values():
        path.write_text("previous", encoding="utf-8")

    def fail(path):
        raise RuntimeError("typst failed")

    with pytest.raises(RuntimeError):
        write_together({old["a.html"]: lambda p: p.write_text("new", encoding="utf-8"),
                        old["a.pdf"]: fail})
    assert {p.read_text(encoding="utf-8") for p in old.values()} == {"previous"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "a.pdf"]
    write_together({old["a.html"]: lambda p: p.write_text("new", encoding="utf-8")})
    assert old["a.html"].read_text(encoding="utf-8") == "new"
    assert oct(old["a.html"].stat().st_mode & 0o777) == "0o644"
