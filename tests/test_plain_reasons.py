"""Reasons in plain words where a library's exception once gave its own text (issue 20)."""

from __future__ import annotations

from pipeline.inputs import finance
from pipeline.inputs.national import read_national

LIBRARY_WORDS = ("Arrow", "Invalid", "parquet magic", "Errno", "Input/output error")


def test_a_national_file_that_cannot_be_read_says_so_in_plain_words(tmp_path):
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / "values.parquet").write_bytes(b"not a parquet file at all")
    problems = read_national(tmp_path).file_problems
    reason = problems.set_index("source_file").loc["values.parquet", "reason"]
    assert reason == ("the file cannot be read as a table: it may be damaged, or not a CSV or "
                      "parquet file; download or export it again")
    assert not any(word in reason for word in LIBRARY_WORDS)


def test_a_finance_return_the_disk_cannot_read_says_so_in_plain_words(tmp_path, monkeypatch):
    (tmp_path / "finance").mkdir()
    path = tmp_path / "finance" / "2006-07_pooled_fund.csv"
    path.write_text("theme,budget\n", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(finance, "read_sheets", fail)
    message = finance.read_finance_returns(tmp_path, ()).problems["message"].iloc[0]
    assert message.startswith("the file cannot be read: the computer running the pipeline "
                              "could not read it from its disk")
    assert not any(word in message for word in LIBRARY_WORDS)
