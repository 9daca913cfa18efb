"""The benchmark stage says what the national folder lacks (issue 20 items 6, 7a): each
groups.csv code not in the table and the partnership's own area missing, in
benchmark_groups.json, and the appendix prints why there is no comparison."""

from __future__ import annotations

import json
import shutil

import papermill

from pipeline.config import find_project_root
from pipeline.quality.national import GROUP_AREA_CHECK, OWN_AREA_CHECK
from pipeline.report.benchmarking import render_no_comparison

ROOT = find_project_root()
PERIOD, MEETING = "2006-07 Q4", "2007-09-03"


def test_the_sentence_names_the_area_and_file_escaped():
    meta = {"advisories": [
        {"check": GROUP_AREA_CHECK, "reason": "groups.csv row 3: 'E99' expected ..."},
        {"check": OWN_AREA_CHECK, "reason": "area.toml, area_code: '<b>E1</b>' expected an "
                                            "area of the national table (values.csv)"}]}
    html = render_no_comparison(meta)
    assert html == ("<p>No comparison with other areas: area.toml, area_code: "
                    "&#39;&lt;b&gt;E1&lt;/b&gt;&#39; expected an area of the national table "
                    "(values.csv).</p>")
    assert render_no_comparison({"advisories": meta["advisories"][:1]}) == ""
    assert render_no_comparison({}) == ""


def test_the_benchmark_stage_records_each_advisory(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "raw", data)
    national = data / "national"
    (national / "area.toml").write_text('area_code = "E99999999"\n', encoding="utf-8")
    with (national / "groups.csv").open("a", encoding="utf-8") as handle:
        handle.write("midlands_counties,E88888888\n")
    lines = (national / "groups.csv").read_text(encoding="utf-8").splitlines()
    parameters = {"period": PERIOD, "meeting": MEETING, "data_dir": str(data),
                  "clean_dir": str(tmp_path / "clean"), "reports_dir": str(tmp_path / "r"),
                  "generated_at": "2007-06-30T12:00:00"}
    for notebook in ("01_ingest.ipynb", "02_benchmark.ipynb"):
        papermill.execute_notebook(
            str(ROOT / "notebooks" / notebook), str(tmp_path / notebook),
            parameters=parameters, kernel_name="python3", progress_bar=False,
            log_output=False, execution_timeout=600, cwd=str(ROOT))
    meta = json.loads(next((tmp_path / "clean").rglob("benchmark_groups.json"))
                      .read_text(encoding="utf-8"))
    found = {(a["check"], a["source_file"], a["source_row"], a["found"])
             for a in meta["advisories"]}
    assert found == {(GROUP_AREA_CHECK, "groups.csv", len(lines), "E88888888"),
                     (OWN_AREA_CHECK, "area.toml", 0, "E99999999")}
    sentence = render_no_comparison(meta)
    assert "No comparison with other areas: area.toml, area_code: &#39;E99999999&#39;" in \
        sentence and "values.csv" in sentence


def test_the_group_codes_not_in_the_table_are_listed_escaped():
    from pipeline.report.benchmarking import render_group_advisories

    meta = {"advisories": [
        {"check": GROUP_AREA_CHECK, "reason": "groups.csv row 3, column area_code: '<E99>'"},
        {"check": OWN_AREA_CHECK, "reason": "area.toml"}]}
    html = render_group_advisories(meta)
    assert html.startswith("<p>Comparator groups: 1 area code of groups.csv not in the "
                           "national table; each group is compared without them")
    assert "<li>groups.csv row 3, column area_code: &#39;&lt;E99&gt;&#39;</li>" in html
    assert render_group_advisories({"advisories": []}) == ""
