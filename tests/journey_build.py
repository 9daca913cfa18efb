"""An officer's quarters for a second partnership beside the demo: the steps of the
journey's tests (tests/test_journey.py).

One checkout (a copy of this one without its derived folders) holds the shipped demo,
already run (copied from the session's read-only ``laa1_run``, the README's first command),
and a new partnership, Rutland Together, set up with ``laa init``, its register filled in,
its first quarter's templates written, two filled, one CSV return received, validated and
run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from pipeline.config import find_project_root
from tests.conftest import hashes
from tests.in_process import laa_here

ROOT = find_project_root()
STAMP = "2007-09-01T09:00:00"  # the run's "now": after the first quarter's returns came in
STAMP_Q2 = "2007-12-01T09:00:00"
OTHER = "partnerships/rutland"  # relative to the project root, as an officer would type it
DOCUMENTS = ("appendix.html", "appendix.pdf", "summary.html", "summary.pdf")

REGISTER = {
    "partnership.toml": 'name = "Rutland Together"\n'
                        'agreement = "Local Area Agreement 2006-09"\n',
    "themes.csv": "theme,name,appendix_name,block,summary_order\n"
                  "health,Health,Healthier Communities,1,1\n"
                  "safer,Safer,Safer Communities,2,2\n",
    "districts.csv": "district\nNorth\nSouth\n",
    "indicators.csv":
        "indicator_id,title,theme,outcome_id,lead_org,lead_officer,polarity,unit,"
        "accumulation,baseline_value,baseline_period,reward,reward_grant_gbp,mandatory\n"
        "1.1,Adults taking part in sport,health,1.1,Rutland PCT,Ann Lee,higher,percent,"
        "snapshot,20,2005-06,yes,1000,no\n"
        "1.2,Smoking quitters,health,1.2,Rutland PCT,Ann Lee,higher,count,cumulative,500,"
        "2005-06,no,,no\n"
        "2.1,Domestic burglary,safer,2.1,Rutland Police,Bob Hart,lower,count,cumulative,"
        "1000,2005-06,yes,3000,yes\n"
        "2.2,Vehicle crime,safer,2.1,Rutland Police,Bob Hart,lower,count,cumulative,800,"
        "2005-06,no,,no\n",
    "targets.csv": "indicator_id,period,target_value,target_status,target_without_stretch\n"
                   + "".join(f"{i},{year},{t},agreed,{w}\n" for year, rows in {
                       "2006-07": (("1.1", 24, 22), ("1.2", 560, ""), ("2.1", 950, 980),
                                   ("2.2", 760, "")),
                       "2007-08": (("1.1", 26, 23), ("1.2", 600, ""), ("2.1", 920, 960),
                                   ("2.2", 740, "")),
                       "2008-09": (("1.1", 28, 24), ("1.2", 640, ""), ("2.1", 900, 950),
                                   ("2.2", 720, ""))}.items() for i, t, w in rows),
    "calendar.csv": "period,deadline,meeting\n"
                    "2007-08 Q1,2007-08-14,2007-09-10\n"
                    "2007-08 Q2,2007-11-14,2007-12-10\n",
    "improvement_options.csv":
        "indicator_id,option,contribution,contribution_basis,cost_gbp,status,owner\n"
        "2.1,Target hardening in North (illustrative),30,unit,20000,approved,Bob Hart\n"
        "1.1,Free swimming for over-60s (illustrative),1,unit,15000,proposed,Ann Lee\n",
}
NATIONAL = {
    "area.toml": 'area_code = "R1"\nsource = "ILLUSTRATIVE figures made up for a test."\n',
    "groups.csv": "group,area_code\nshires,R1\nshires,R2\nshires,R3\n",
    "neighbours.csv": "area_code,neighbour_code,rank\nR1,R2,1\nR1,R4,2\n",
    "values.csv": "area_code,area_name,area_type,region,indicator_id,period,value,numerator,"
                  "denominator\n" + "".join(
                      f"R{n},Area {n},county,East Midlands,1.1,{period},{pct},{num},{den}\n"
                      for period in ("2007-08 Q1", "2007-08 Q2")
                      for n, pct, num, den in ((1, 25.0, 2500, 10000), (2, 22.0, 2200, 10000),
                                               (3, 27.5, 2750, 10000), (4, 30.0, 3000, 10000),
                                               (5, 19.0, 1900, 10000))),
}


def copy_project(target: Path) -> Path:
    """This checkout without its environment, history and derived folders."""
    skip = {".venv", ".git", ".pytest_cache", "__pycache__", ".ruff_cache", ".hypothesis"}

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        derived = here in (ROOT / "data" / "clean", ROOT / "reports")
        return {n for n in names if n in skip or (derived and n != ".gitkeep")}

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)
    return target


class Officer:
    """Types ``laa`` commands in one checkout, as the README shows them: each the command's
    own entry point called in this process from the checkout's folder, pointed at it
    (:func:`tests.in_process.laa_here`: the journey is about what the commands do one after
    another; the README's commands are run as new processes by tests/test_readme_commands*.py)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {**os.environ, "LAA_PROJECT_ROOT": str(root)}
        self.log: list[str] = []

    def laa(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
        proc = laa_here(*args, env=self.env, cwd=self.root)
        self.log.append(f"$ laa {' '.join(args)} -> {proc.returncode}")
        assert proc.returncode == expect, (
            f"laa {' '.join(args)} gave {proc.returncode}, not {expect}\n"
            f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc


def published_folder(proc: subprocess.CompletedProcess) -> Path:
    """The folder a run says it published into ("reports in PATH")."""
    found = re.search(r"reports in (\S.*)$", proc.stdout.strip().splitlines()[-1])
    assert found, proc.stdout
    return Path(found.group(1).strip())


def _fill_template(path: Path, values: dict[str, float], officer: str, certified: dt.date,
                   returns: Path) -> Path:
    """Fill a partner's template as the partner would, and save it into ``returns``."""
    book = load_workbook(path)
    sheet = book["Return"]
    labels = {str(sheet.cell(row=r, column=1).value): r for r in range(1, 10)}
    sheet.cell(row=labels["Certified by"], column=2).value = officer
    sheet.cell(row=labels["Date certified"], column=2).value = dt.datetime.combine(
        certified, dt.time(9))
    header = next(r for r in range(1, 30)
                  if "Indicator ID" in [c.value for c in sheet[r]])
    at = {str(c.value): c.column for c in sheet[header] if c.value}
    for row in range(header + 1, sheet.max_row + 1):
        indicator = sheet.cell(row=row, column=at["Indicator ID"]).value
        if indicator not in values:
            continue
        sheet.cell(row=row, column=at["Value"]).value = values[indicator]
        sheet.cell(row=row, column=at["Data status"]).value = "final"
        sheet.cell(row=row, column=at["Commentary"]).value = f"{indicator}: as expected"
    target = returns / path.name
    book.save(target)
    return target


def _csv_return(returns: Path, name: str, period: str, rows: list[tuple]) -> None:
    lines = ["partner,indicator_id,period,geography,value,data_status,lead_rag,commentary,"
             "actions,submitted_by,submitted_at"]
    lines += [f"Rutland Police,{i},{period},{g},{v},final,{rag},{c},,Bob Hart,{at}"
              for i, g, v, rag, c, at in rows]
    (returns / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def documents_still_there(folder: Path, before: dict[str, str]) -> None:
    """Every document published before is still in the folder (a partial run adds)."""
    now = hashes(folder)
    lost = sorted(p for p in before if p.endswith((".html", ".pdf", ".xlsx"))
                  and p not in now)
    assert not lost, f"documents gone from {folder}: {lost}"


def quarter(officer: Officer, data: Path, period: str, values: dict[str, dict[str, float]],
             certified: dt.date, police_rows: list[tuple], stamp: str) -> Path:
    """One quarter: templates, two filled, one CSV return, validate; the templates' folder."""
    made = officer.laa("templates", "--data-dir", OTHER, "--period", period)
    folder = Path(made.stdout.strip().splitlines()[-1].split(" in ", 1)[1])
    templates = sorted(folder.glob("*.xlsx"))
    assert len(templates) == 2, [t.name for t in templates]  # one per lead partner
    assert not str(folder).startswith(str(officer.root / "reports" / "2007-09-03"))
    for template in templates:
        partner = "police" if "police" in template.name else "pct"
        _fill_template(template, values[partner], "Jo Bloggs" if partner == "pct" else
                       "Sam Reed", certified, data / "returns")
    _csv_return(data / "returns", f"districts-{period.replace(' ', '-')}.csv", period,
                police_rows)
    officer.laa("validate", "--data-dir", OTHER, "--period", period, "--generated-at", stamp)
    return folder


def assert_reused_from_validate(run: subprocess.CompletedProcess, meeting: Path) -> None:
    """The run after the quarter's ``laa validate`` (same data, period and stamp) made
    ingest, validation and benchmark no more: it took them from ``validation/``, said so,
    and its manifest names where each came from; the later stages it ran."""
    for stage in ("ingest", "validate", "benchmark"):
        assert f"{stage} unchanged: reused from laa validate (validation/manifest.json)" \
            in run.stdout, run.stdout
    assert "[4/6] assess done in" in run.stdout, run.stdout
    facts = json.loads((meeting / "manifest.json").read_text(encoding="utf-8"))["run"]
    made = {t["stage"]: t.get("reused_from", {}).get("manifest") for t in facts["stages"]}
    assert made == {"ingest": "validation/manifest.json", "validate": "validation/manifest.json",
                    "benchmark": "validation/manifest.json", "assess": None, "appendix": None,
                    "tables": None}


def seed_demo(root: Path, demo: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The demo as the README's first command leaves it (the session's run, copied into the
    checkout's data/clean and reports); the hashes of both folders."""
    shutil.copytree(demo["clean"], root / "data" / "clean", dirs_exist_ok=True)
    shutil.copytree(demo["reports"], root / "reports", dirs_exist_ok=True)
    return hashes(root / "data" / "clean"), hashes(root / "reports")


def set_up_partnership(officer: Officer) -> Path:
    """``laa init``: a README giving this partnership's own commands, never the demo's; the
    register and national figures filled in. The partnership's folder."""
    officer.laa("init", OTHER)
    data = officer.root / OTHER
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert OTHER in readme or str(data) in readme
    commands = [line for line in readme.splitlines()
                if re.match(r"\s*(\S*/)?laa (run|validate|templates|status) ", line)]
    assert commands and all(OTHER in c or str(data) in c for c in commands), commands
    assert not [c for c in commands if "2006-07 Q4" in c or "2007-09-03" in c], commands
    for name, text in REGISTER.items():
        (data / "register" / name).write_text(text, encoding="utf-8")
    (data / "national").mkdir()
    for name, text in NATIONAL.items():
        (data / "national" / name).write_text(text, encoding="utf-8")
    return data


def first_quarter(officer: Officer, data: Path) -> Path:
    """Quarter 1: templates, two filled, a CSV of district figures, validate, run; the
    meeting's folder, checked to hold the board documents and not the demo's."""
    quarter(officer, data, "2007-08 Q1",
             {"pct": {"1.1": 24.5, "1.2": 140}, "police": {"2.1": 260, "2.2": 170}},
             dt.date(2007, 8, 10),
             [("2.1", "North", 150, "", "", "2007-08-11T10:00:00"),
              ("2.1", "South", 110, "", "", "2007-08-11T10:00:00")], STAMP)
    first = officer.laa("run", "--data-dir", OTHER, "--period", "2007-08 Q1",
                        "--generated-at", STAMP)
    meeting = published_folder(first)
    assert meeting.name == "2007-09-10", meeting  # the meeting from its calendar
    assert_reused_from_validate(first, meeting)
    assert not meeting.is_relative_to(officer.root / "reports" / "2007-09-03")
    assert set(DOCUMENTS) <= set(hashes(meeting)), sorted(hashes(meeting))
    return meeting


def demo_left_alone(root: Path, clean_before: dict[str, str],
                    reports_before: dict[str, str]) -> None:
    """The demo's derived data and reports exactly as before, and the demo still traces."""
    demo_clean, demo_reports = root / "data" / "clean", root / "reports"
    clean_after, reports_after = hashes(demo_clean), hashes(demo_reports)
    assert {p: clean_after.get(p) for p in clean_before} == clean_before
    assert {p: reports_after.get(p) for p in reports_before} == reports_before
    assert sorted(p for p in reports_after if p.startswith("2007-09-03/")) == sorted(
        p for p in reports_before if p.startswith("2007-09-03/"))
    assert hashes(demo_reports / "2007-09-03")  # still published
    traced = Officer(root).laa("trace", "7.20")
    assert "no return in force" not in traced.stdout
    assert not (root / "data" / "raw" / "register" / "assessment.parquet").exists()
