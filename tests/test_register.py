"""Unit tests of the indicator register: typing, the clear errors for bad keys and values,
optional files and their defaults, column checks, the agreement's years, and the docs'
register reference against the column definitions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.errors import ConfigError, RegisterError, UnknownKeyError
from pipeline.inputs.register import check_period, load_register, read_directory, read_partnership
from pipeline.inputs.register_files import REGISTER_FILES
from pipeline.inputs.scaffold import example_text, write_scaffold
from tests.conftest import make_register

IND = {"indicator_id": "7.20", "theme": "safer", "polarity": "lower"}


def test_lookups_and_natural_order():
    reg = make_register([IND, {**IND, "indicator_id": "7.3"}, {**IND, "indicator_id": "7.100"}],
                        [{"indicator_id": "7.20", "period": "2006-07", "target_value": "2,470"}])
    assert reg.indicators["indicator_id"].tolist() == ["7.3", "7.20", "7.100"]
    assert reg.targets["target_value"].iloc[0] == 2470
    assert reg.indicator("7.20")["polarity"] == "lower"
    assert reg.theme("Safer")["theme"] == "safer"
    assert reg.district("melton") == "Melton"


@pytest.mark.parametrize(("lookup", "message"), [
    (lambda r: r.indicator("9.9"), "unknown indicator '9.9'"),
    (lambda r: r.theme("Greener"), "unknown theme 'Greener'"),
    (lambda r: r.district("Leicester"), "unknown district 'Leicester'"),
])
def test_unknown_keys(lookup, message):
    reg = make_register([IND], [])
    with pytest.raises(UnknownKeyError, match=message):
        lookup(reg)


def test_unknown_theme_names_row_and_column():
    with pytest.raises(RegisterError, match=r"unknown theme 'greener'.*row 2, column theme"):
        make_register([{**IND, "theme": "greener"}], [])


def test_duplicate_id():
    with pytest.raises(RegisterError, match=r"duplicate indicator id '7.20'.*row 3"):
        make_register([IND, IND], [])


def test_target_for_unknown_indicator():
    with pytest.raises(RegisterError, match="target for unknown indicator '1.1'"):
        make_register([IND], [{"indicator_id": "1.1", "period": "2006-07", "target_value": "1"}])


def test_bad_polarity_and_number():
    with pytest.raises(RegisterError, match="polarity 'up' is not one of higher, lower"):
        make_register([{**IND, "polarity": "up"}], [])
    with pytest.raises(RegisterError, match="baseline_value 'lots' is not a number"):
        make_register([{**IND, "baseline_value": "lots"}], [])


def test_reward_without_grant():
    with pytest.raises(RegisterError, match="reward target has no reward_grant_gbp"):
        make_register([{**IND, "reward": "yes"}], [])


# --- a partnership's own register: optional files, column checks, the agreement's years ---

DOCS = Path(__file__).resolve().parents[1] / "docs"
REGISTER_PAGE = DOCS / "reference" / "register.md"


def _write(folder: Path, files: dict[str, str]) -> Path:
    register = folder / "register"
    register.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (register / name).write_text(text, encoding="utf-8")
    return register


MINIMAL = {
    "indicators.csv": "indicator_id,title,theme,polarity,unit\n"
                      "1,Burglaries,Safer Communities,lower,count\n"
                      "2,Adults who smoke,Healthier Communities,lower,percent\n"
                      "3,Car crime,safer  Communities,Lower,COUNT\n",
    "targets.csv": "indicator_id,period,target_value\n1,2008-09,900\n2,2008-09,20\n",
}


def test_only_indicators_and_targets_the_themes_come_from_the_indicators(tmp_path):
    reg = load_register(_write(tmp_path, MINIMAL))
    assert reg.themes[["theme", "name", "appendix_name", "block", "summary_order"]
                      ].values.tolist() == [
        ["safer-communities", "Safer Communities", "Safer Communities", 1, 1],
        ["healthier-communities", "Healthier Communities", "Healthier Communities", 2, 2]]
    assert reg.indicators["theme"].tolist() == ["safer-communities", "healthier-communities",
                                                "safer-communities"]
    first = reg.indicator("1")
    assert (first["lead_org"], first["outcome_id"], first["accumulation"], first["reward"],
            first["mandatory"], first["profile"], first["baseline_period"]) == (
        "", "", "snapshot", False, False, "", "")
    assert reg.indicator("3")[["polarity", "unit"]].tolist() == ["lower", "count"]
    assert reg.targets["target_status"].tolist() == ["agreed", "agreed"]
    assert reg.targets["target_without_stretch"].isna().all()
    assert reg.districts == () and reg.calendar.empty and reg.warnings == ()
    assert read_directory(tmp_path / "register") is None
    assert read_partnership(tmp_path / "register") == {"name": "Local Strategic Partnership",
                                         "agreement": "Local Area Agreement"}


def test_no_districts_says_so_when_one_is_asked_for(tmp_path):
    reg = load_register(_write(tmp_path, MINIMAL))
    with pytest.raises(UnknownKeyError, match=r"unknown district 'Melton'; known: none "
                                              r"\(districts.csv lists none\)"):
        reg.district("Melton")


def test_header_only_optional_files_count_as_absent(tmp_path):
    folder = write_scaffold(tmp_path / "new")
    _write(folder, MINIMAL)
    reg = load_register(folder / "register")
    assert reg.themes["name"].tolist() == ["Safer Communities", "Healthier Communities"]
    assert reg.districts == () and reg.calendar.empty and reg.warnings == ()
    assert read_directory(folder / "register") is None
    assert read_partnership(folder / "register")["name"] == "Local Strategic Partnership"


def test_with_themes_csv_indicators_name_a_theme_by_key_or_name(tmp_path):
    register = _write(tmp_path, {
        "themes.csv": "theme,name,appendix_name,block,summary_order\n"
                      "safer,Safer,Safer Communities,7,2\nhealth,Health,,,\n",
        "indicators.csv": "indicator_id,title,theme,polarity,unit\n1,A,safer,lower,count\n"
                          "2,B,Health,lower,count\n3,C,safer communities,lower,count\n",
        "targets.csv": "indicator_id,period,target_value\n1,2006-07,1\n"})
    reg = load_register(register)
    assert reg.indicators["theme"].tolist() == ["safer", "health", "safer"]
    # blank appendix_name is the name; blank block and summary_order the row's position
    assert reg.theme("health")[["appendix_name", "block", "summary_order"]].tolist() == [
        "Health", 2, 2]


def test_every_file_example_row_makes_a_valid_register(tmp_path):
    register = _write(tmp_path, {spec.name: example_text(spec) for spec in REGISTER_FILES})
    reg = load_register(register)
    assert reg.indicator("7.19")["theme"] == "safer" and reg.districts == ("Melton",)
    assert reg.calendar.values.tolist() == [["2006-07 Q2", "2006-11-14", "2006-12-04"]]
    assert reg.warnings == ()
    assert read_directory(register)["outcome_id"].tolist() == ["7.4"]
    assert read_partnership(register)["name"] == "Leicestershire Together"


def test_unknown_columns_and_keys_are_warnings_naming_file_and_column(tmp_path):
    register = _write(tmp_path, {
        **MINIMAL,
        "indicators.csv": "indicator_id,title,theme,polarity,unit,lead_organisation,notes\n"
                          "1,A,Safer,lower,count,Police,x\n",
        "targets.csv": "indicator_id,period,target_value,comment\n1,2008-09,900,ok\n",
        "partnership.toml": 'name = "Ours"\nchair = "Someone"\n'})
    reg = load_register(register)
    assert reg.warnings == (
        "unknown column 'lead_organisation' ignored (did you mean lead_org?) "
        "(file indicators.csv, column lead_organisation)",
        "unknown column 'notes' ignored (file indicators.csv, column notes)",
        "unknown column 'comment' ignored (file targets.csv, column comment)",
        "unknown key 'chair' ignored (file partnership.toml, key chair)")
    assert "notes" not in reg.indicators and "comment" not in reg.targets
    assert read_partnership(register) == {"name": "Ours", "agreement": "Local Area Agreement"}


def test_a_trailing_comma_is_silent_but_a_value_without_a_header_is_a_warning(tmp_path):
    quiet = {**MINIMAL, "targets.csv": "indicator_id,period,target_value,\n1,2008-09,900,\n"}
    assert load_register(_write(tmp_path / "a", quiet)).warnings == ()
    noisy = {**MINIMAL, "targets.csv": "indicator_id,period,target_value,\n1,2008-09,900,9\n"}
    assert load_register(_write(tmp_path / "b", noisy)).warnings == (
        "a column with no header ignored (file targets.csv, column 4)",)


@pytest.mark.parametrize(("spec", "column"), [
    (spec, column.name) for spec in REGISTER_FILES if spec.name.endswith(".csv")
    for column in spec.columns if column.required])
def test_a_missing_required_column_names_file_and_column(tmp_path, spec, column):
    files = {s.name: example_text(s) for s in REGISTER_FILES}
    header, row = files[spec.name].splitlines()
    keep = [i for i, name in enumerate(header.split(",")) if name != column]
    files[spec.name] = "\n".join(",".join(line.split(",")[i] for i in keep)
                                 for line in (header, row)) + "\n"
    register = _write(tmp_path, files)
    with pytest.raises(RegisterError) as caught:
        load_register(register) if spec.name != "directory.csv" else read_directory(register)
    assert str(caught.value) == f"required column missing (file {spec.name}, column {column})"


@pytest.mark.parametrize("name", ["indicators.csv", "targets.csv"])
def test_a_missing_required_file_is_named(tmp_path, name):
    register = _write(tmp_path, {k: v for k, v in MINIMAL.items() if k != name})
    with pytest.raises(RegisterError, match=f"register file is missing .*{name}"):
        load_register(register)


@pytest.mark.parametrize(("files", "message"), [
    ({"indicators.csv": "indicator_id,title,theme,polarity,unit\n"},
     "no indicators: the file has no rows (file indicators.csv)"),
    ({"indicators.csv": "indicator_id,title,theme,polarity,unit\n1,A,,lower,count\n"},
     "theme is blank (file indicators.csv, row 2, column theme)"),
    ({"indicators.csv": "indicator_id,title,theme,polarity,unit,baseline_period\n"
                        "1,A,Safer,lower,count,last year\n"},
     "baseline_period 'last year' is not a financial year or quarter (file indicators.csv, "
     "row 2, column baseline_period)"),
    ({"calendar.csv": "period,deadline\n2008-09 q1,2008-08-14\n2008-09 Q2,14 Nov\n"},
     "deadline '14 Nov' is not a date (YYYY-MM-DD) (file calendar.csv, row 3, column "
     "deadline)"),
    ({"districts.csv": "district\nMelton\nmelton\n"},
     "duplicate district 'melton' (file districts.csv, row 3, column district)"),
    ({"themes.csv": "theme,name,block\nsafer,Safer,seven\n"},
     "block 'seven' is not a number (file themes.csv, row 2, column block)"),
    ({"partnership.toml": "name = \n"}, "not valid TOML"),
])
def test_bad_values_keep_their_clear_errors(tmp_path, files, message):
    with pytest.raises(RegisterError) as caught:
        load_register(_write(tmp_path, {**MINIMAL, **files}))
    assert str(caught.value).startswith(message)


def test_calendar_periods_read_in_their_canonical_spelling(tmp_path):
    reg = load_register(_write(tmp_path, {**MINIMAL, "calendar.csv":
                                          "period,deadline\n2008-09 q1,2008-08-14\n"}))
    assert reg.calendar.values.tolist() == [["2008-09 Q1", "2008-08-14", ""]]


def test_a_period_outside_the_agreement_is_refused(tmp_path):
    files = {**MINIMAL, "indicators.csv": MINIMAL["indicators.csv"].replace(
        "indicator_id,title,theme,polarity,unit\n1,Burglaries,Safer Communities,lower,count",
        "indicator_id,title,theme,polarity,unit,baseline_value,baseline_period\n"
        "1,Burglaries,Safer Communities,lower,count,1000,2006-07").replace(
        ",count\n", ",count,,\n").replace(",percent\n", ",percent,,\n")}
    reg = load_register(_write(tmp_path, files))
    for inside in ("2008-09 Q1", "2008-09", "2006-07 Q4"):   # a target's, a baseline's year
        check_period(reg, inside)
    with pytest.raises(ConfigError) as caught:
        check_period(reg, "2099-00 Q1")
    assert str(caught.value) == ("period 2099-00 Q1 is outside the agreement: targets and "
                                 "baselines cover 2006-07 to 2008-09")
    assert caught.value.exit_code == 2
    with pytest.raises(ConfigError, match="2007-08 is outside the agreement"):
        check_period(reg, "2007-08")   # between the baseline and the targets


def test_no_targets_at_all_says_so(tmp_path):
    reg = load_register(_write(tmp_path, {**MINIMAL, "targets.csv": "indicator_id,period,"
                                                                    "target_value\n"}))
    with pytest.raises(ConfigError, match="the register has no targets or baselines"):
        check_period(reg, "2008-09 Q1")


# --- the docs' register reference agrees with the code's column definitions ---

def _readme_register() -> dict[str, tuple[bool, list[tuple]]]:
    text = REGISTER_PAGE.read_text(encoding="utf-8")
    section = text.split("# The register\n", 1)[1]
    found = {}
    for match in re.finditer(r"^### `register/([^`]+)` \((required|optional)\)\n(.*?)(?=^### |\Z)",
                             section, re.M | re.S):
        rows = []
        for line in match.group(3).splitlines():
            if line.startswith("| `"):
                cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
                rows.append((cells[0].strip("`"), cells[1], cells[2],
                             tuple(re.findall(r"`([^`]+)`", cells[3]))))
        found[match.group(1)] = (match.group(2) == "required", rows)
    return found


def test_docs_register_reference_matches_the_column_definitions():
    expected = {spec.name: (spec.required, [(c.name, "yes" if c.required else "no", c.kind,
                                             c.allowed) for c in spec.columns])
                for spec in REGISTER_FILES}
    assert _readme_register() == expected


def test_the_guides_link_to_the_register_reference():
    officer = (DOCS / "officer.md").read_text(encoding="utf-8")
    assert "see the demo for the layout" not in officer
    assert "[The register](reference/register.md)" in officer
    assert REGISTER_PAGE.read_text(encoding="utf-8").startswith("# The register\n")


def test_column_definitions_are_consistent():
    for spec in REGISTER_FILES:
        assert len(set(spec.names)) == len(spec.names), spec.name
        for column in spec.columns:
            assert (column.kind == "choice") == bool(column.allowed), column.name
            assert not column.default or not column.allowed or column.default in column.allowed
            assert not (column.required and column.default), column.name


@pytest.mark.parametrize("name", ["County", " county ", "COUNTY", "ｃｏｕｎｔｙ"])
def test_a_district_named_as_the_county_figure_is_refused(tmp_path, name):
    """Returns write "county" for the county figure: a district of that name would be
    every county row, and the district pack would report it as a district (issue 20)."""
    files = {**MINIMAL, "districts.csv": f"district\nMelton\n{name}\nBlaby\n"}
    with pytest.raises(RegisterError) as caught:
        load_register(_write(tmp_path, files))
    assert caught.value.exit_code == 3
    assert caught.value.context == {"file": "districts.csv", "row": 3, "column": "district"}
    assert "reserved for the county figure" in caught.value.message


def test_a_register_read_again_unchanged_is_a_copy_of_the_last_read_and_a_change_is_read(
        tmp_path, monkeypatch):
    """Every stage reads the register (a stage's kernel is forked from a server that read
    it already): unchanged, it is not read again, each caller gets its own copy; a file
    changed, even to as many bytes with its modification time put back, is read again."""
    import os

    from pipeline.inputs import register as module

    folder = _write(tmp_path, MINIMAL)
    reads: list[Path] = []

    def counted(register_dir):
        reads.append(register_dir)
        return real(register_dir)

    real = module.read_register
    monkeypatch.setattr(module, "read_register", counted)
    first = load_register(folder)
    first.indicators.loc[0, "title"] = "changed by a caller"
    second = load_register(folder)
    assert len(reads) == 1
    assert second.indicators["title"].tolist() == ["Burglaries", "Adults who smoke",
                                                   "Car crime"]
    assert second.targets["target_value"].tolist() == [900, 20]
    targets = folder / "targets.csv"
    kept = targets.stat()
    targets.write_text(MINIMAL["targets.csv"].replace(",900", ",901"), encoding="utf-8")
    os.utime(targets, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert targets.stat().st_size == kept.st_size
    assert load_register(folder).targets["target_value"].tolist() == [901, 20]
    assert len(reads) == 2


def test_a_broken_register_is_refused_each_time_it_is_read(tmp_path):
    folder = _write(tmp_path, {**MINIMAL, "districts.csv": "district\nMelton\nmelton\n"})
    for _ in range(2):
        with pytest.raises(RegisterError, match="duplicate district 'melton'"):
            load_register(folder)
