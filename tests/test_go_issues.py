"""Issues raised by Government Office (issue 21.8): the register's go_issues.csv, checked
like the other register files, counted and listed in the appendix."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline.config import find_project_root
from pipeline.errors import RegisterError
from pipeline.inputs.go_issues import count_go_issues, describe_go_issues, parse_go_issues
from pipeline.inputs.register import load_register, read_go_issues
from pipeline.inputs.register_files import GO_ISSUES
from pipeline.report.government_office import render_go_issues

ROOT = find_project_root()
KNOWN = {"7.1", "7.4", "2.1"}


def _issues(*rows: dict[str, str]) -> pd.DataFrame:
    base = {"indicator_id": "7.4", "raised": "Six-month review 2006-07",
            "issue": "Seizures of Class A drugs", "status": "remaining", "note": ""}
    return pd.DataFrame([{**base, **r} for r in rows], columns=GO_ISSUES.names)


def test_the_demo_register_holds_seed_002_section_3_1():
    # Seed 002, 3.1: eleven indicators raised at the six-month review, resolved in eight
    # cases, a residual risk remaining with three: crime reduction (7.1), seizures of
    # Class A drugs (7.4) and recycling (2.1).
    reg = load_register(ROOT / "data" / "raw" / "register")
    issues = read_go_issues(ROOT / "data" / "raw" / "register", reg.indicators)
    assert count_go_issues(issues) == {"raised": 11, "resolved": 8, "remaining": 3}
    remaining = issues[issues["status"] == "remaining"]
    assert remaining["indicator_id"].tolist() == ["7.1", "7.4", "2.1"]
    assert remaining["issue"].tolist()[1] == "Increase the number of seizures for Class A drugs"
    assert describe_go_issues(count_go_issues(issues)) == (
        "11 issues raised, 8 resolved, 3 remaining.")


def test_no_file_no_section(tmp_path):
    shutil.copytree(ROOT / "data" / "raw" / "register", tmp_path / "register")
    (tmp_path / "register" / "go_issues.csv").unlink()
    reg = load_register(tmp_path / "register")
    assert read_go_issues(tmp_path / "register", reg.indicators) is None


@pytest.mark.parametrize(("row", "message"), [
    ({"status": "closed"}, r"status 'closed' is not one of resolved, remaining \(file "
                           r"go_issues.csv, row 2, column status\)"),
    ({"indicator_id": "9.99"}, r"indicator '9.99' is not in indicators.csv \(file "
                               r"go_issues.csv, row 2, column indicator_id\)"),
    ({"issue": ""}, r"issue is blank \(file go_issues.csv, row 2, column issue\)"),
    ({"raised": " "}, r"raised is blank \(file go_issues.csv, row 2, column raised\)"),
])
def test_a_bad_row_is_refused_naming_file_row_and_column(row, message):
    with pytest.raises(RegisterError, match=message):
        parse_go_issues(_issues(row), KNOWN)


def test_one_indicator_twice_at_one_review_is_refused_but_two_unnamed_are_not():
    with pytest.raises(RegisterError, match=r"raised twice .* row 3, column indicator_id"):
        parse_go_issues(_issues({}, {"status": "resolved"}), KNOWN)
    two = parse_go_issues(_issues({"indicator_id": ""}, {"indicator_id": ""}), KNOWN)
    assert two["source_row"].tolist() == [2, 3]


def test_load_register_checks_the_file(tmp_path):
    shutil.copytree(ROOT / "data" / "raw" / "register", tmp_path / "register")
    (tmp_path / "register" / "go_issues.csv").write_text(
        "indicator_id,raised,issue,status,note\n7.1,Six-month review,Crime,Open,\n",
        encoding="utf-8")
    with pytest.raises(RegisterError, match="status 'Open' is not one of"):
        load_register(tmp_path / "register")


def test_status_in_any_case_and_counts():
    issues = parse_go_issues(_issues({"status": " Resolved "}, {"indicator_id": "7.1"},
                                     {"indicator_id": "", "status": "RESOLVED"}), KNOWN)
    assert issues["status"].tolist() == ["resolved", "remaining", "resolved"]
    assert count_go_issues(issues) == {"raised": 3, "resolved": 2, "remaining": 1}
    one = parse_go_issues(_issues({}), KNOWN)
    assert describe_go_issues(count_go_issues(one)) == "1 issue raised, 0 resolved, 1 remaining."


def test_the_section_lists_remaining_first_and_escapes_partner_text():
    issues = parse_go_issues(_issues(
        {"indicator_id": "7.1", "status": "resolved", "issue": "Crime <b>up</b>"},
        {"indicator_id": "", "note": "=SUM(A1)"},
        {"indicator_id": "2.1", "issue": "Recycling & landfill"}), KNOWN)
    html = render_go_issues(issues, {"7.1": "BCS Comparator Crime", "2.1": "Recycling"})
    assert "3 issues raised, 1 resolved, 2 remaining." in html
    assert html.index("Not named") < html.index("2.1</span> Recycling") < html.index("7.1<")
    assert "Crime &lt;b&gt;up&lt;/b&gt;" in html and "Recycling &amp; landfill" in html
    assert "<b>" not in html


@pytest.mark.slow
def test_the_demo_appendix_lists_them_in_html_and_pdf(appendix_demo, pdf_text):

    demo = appendix_demo
    html = (demo["report"] / "appendix.html").read_text(encoding="utf-8")
    section = html[html.index("Issues raised by Government Office"):
                   html.index("Red reward target risks")]
    assert "11 issues raised, 8 resolved, 3 remaining." in section
    assert section.count("<td>Remaining</td>") == 3 and section.count("<td>Resolved</td>") == 8
    assert section.index("7.1</span>") < section.index("7.4</span>") < section.index(
        "2.1</span>") < section.index("Not named")
    text = "\n".join(pdf_text(demo["report"] / "appendix.pdf"))
    assert "Issues raised by Government Office" in text
    assert "11 issues raised, 8 resolved, 3 remaining." in text
    import csv
    found = sorted((demo["report"] / "tables").glob("*-go-issues.csv"))
    with found[0].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Status"] for r in rows].count("remaining") == 3 and len(rows) == 11
