"""``laa init``: a new partnership's data folder, written from the register's own column
definitions, that runs end to end once its indicators, targets and one return are in."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.errors import ConfigError, RegisterError
from pipeline.inputs.register import load_register
from pipeline.inputs.register_files import REGISTER_FILES
from pipeline.inputs.return_sheet import RETURN_COLUMNS
from pipeline.inputs.scaffold import RETURN_EXAMPLE, write_scaffold


def test_init_writes_every_register_file_with_its_header(tmp_path):
    folder = write_scaffold(tmp_path / "ours")
    register = folder / "register"
    assert sorted(p.name for p in register.iterdir()) == sorted(s.name for s in REGISTER_FILES)
    for spec in REGISTER_FILES:
        text = (register / spec.name).read_text(encoding="utf-8")
        if spec.name.endswith(".csv"):
            assert text.splitlines() == [",".join(spec.names)]
        else:   # partnership.toml: every key, commented out, so the defaults hold
            assert [line for line in text.splitlines() if re.match(r"# \w+ = ", line)] == [
                f'# {c.name} = "{c.example}"' for c in spec.columns]
    assert (folder / "returns").is_dir() and not any((folder / "returns").iterdir())


def test_init_readme_gives_every_file_its_columns_and_an_example_row(tmp_path):
    folder = write_scaffold(tmp_path / "ours")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for spec in REGISTER_FILES:
        need = "required" if spec.required else "optional"
        section = readme.split(f"### `register/{spec.name}` ({need})", 1)[1].split("###")[0]
        for column in spec.columns:
            assert f"| `{column.name}` |" in section
        if spec.name.endswith(".csv"):
            block = re.search(r"```csv\n(.*?)```", section, re.S).group(1)
            header, row = csv.reader(block.splitlines())
            assert header == spec.names and row == [c.example for c in spec.columns]
    returns = readme.split("## Returns", 1)[1]
    assert all(f"| `{c}` |" in returns for c in RETURN_COLUMNS)
    assert set(RETURN_EXAMPLE) == set(RETURN_COLUMNS)


def test_a_freshly_initialised_register_says_what_to_fill_in(tmp_path):
    folder = write_scaffold(tmp_path / "ours")
    with pytest.raises(RegisterError, match=r"no indicators: the file has no rows \(file "
                                            r"indicators.csv\)"):
        load_register(folder / "register")


def test_init_into_an_empty_existing_folder_is_fine(tmp_path):
    assert write_scaffold(tmp_path) == tmp_path.resolve()
    assert (tmp_path / "register" / "indicators.csv").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match="not empty"):
        write_scaffold(tmp_path)
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["laa init failed: refusing to write a new data folder over one that is not "
                   f"empty (folder {tmp_path.resolve()})"]
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_init_from_the_command_line(tmp_path, capsys):
    assert main(["init", str(tmp_path / "ours")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"laa init: wrote {tmp_path / 'ours'}")
    assert (tmp_path / "ours" / "README.md").is_file()


INDICATORS = """indicator_id,title,theme,polarity,unit
1,Domestic burglaries,Safer Communities,lower,count
2,Adults who smoke,Healthier Communities,lower,percent
3,Vehicle crimes,Safer Communities,lower,count
"""
TARGETS = """indicator_id,period,target_value
1,2008-09,900
2,2008-09,20
3,2008-09,700
"""
RETURN = """partner,indicator_id,period,geography,value,data_status,submitted_at
Police,1,2008-09 Q2,county,420,final,2008-10-20T10:00:00
PCT,2,2008-09 Q2,county,22.5%,final,2008-10-21T10:00:00
Police,3,2008-09 Q2,county,"1,012",final,2008-10-20T10:00:00
"""


@pytest.mark.slow
def test_a_new_partnership_runs_end_to_end(tmp_path):
    data = tmp_path / "ours"
    assert main(["init", str(data)]) == 0
    (data / "register" / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    (data / "register" / "targets.csv").write_text(TARGETS, encoding="utf-8")
    (data / "register" / "themes.csv").unlink()     # theme names only, no themes.csv
    (data / "returns" / "2008-09_Q2_all.csv").write_text(RETURN, encoding="utf-8")
    clean, reports = tmp_path / "clean", tmp_path / "reports"
    assert main(["run", "--data-dir", str(data), "--clean-dir", str(clean), "--reports-dir",
                 str(reports), "--period", "2008-09 Q2", "--meeting", "2008-11-20",
                 "--formats", "html", "--generated-at", "2008-11-01T09:00:00"]) == 0
    html = (reports / "2008-11-20" / "appendix.html").read_text(encoding="utf-8")
    assert "Local Strategic Partnership" in html and "Local Area Agreement" in html
    assert "Block 1: Safer Communities" in html and "Block 2: Healthier Communities" in html
    # no districts, so no district data: the section is left out, not printed empty
    assert "District coverage" not in html
    assessed = pd.read_parquet(clean / "assessment.parquet").set_index("indicator_id")
    assert assessed.loc[["1", "2", "3"], "value"].tolist() == [420.0, 22.5, 1012.0]
    assert assessed.loc[["1", "2", "3"], "theme_name"].tolist() == [
        "Safer Communities", "Healthier Communities", "Safer Communities"]
    for figure in ("420", "900", "22.5%", "20%", "1,012", "700"):   # values and targets
        assert f"<td class=\"num\">{figure}</td>" in html, figure
    summary = pd.read_parquet(clean / "risk_summary.parquet")
    assert summary.index.tolist() == ["Safer Communities", "Healthier Communities", "Totals"]
    assert summary.loc["Totals"].sum() == 3
    scorecard = pd.read_csv(reports / "2008-11-20" / "data-quality" / "scorecard.csv")
    assert scorecard["partner"].tolist() == ["PCT", "Police"]    # no blank lead partner row
