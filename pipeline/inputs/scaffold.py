"""``laa init``: a new partnership's data folder, and the register's reference in Markdown.

Both come from the register's own column definitions (:data:`register_files.REGISTER_FILES`) and
the returns' columns (:mod:`pipeline.inputs.ingest`), so the files written, the reader that
checks them and the documentation cannot drift apart.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.config import data_folder_slug, find_project_root
from pipeline.errors import ConfigError
from pipeline.inputs.register_files import REGISTER_FILES, RegisterFile
from pipeline.inputs.return_sheet import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

RETURN_EXAMPLE = {
    "partner": "Leicestershire Constabulary", "indicator_id": "7.19", "period": "2006-07 Q4",
    "geography": "county", "value": "3,897", "data_status": "final",
    "submitted_at": "2007-05-14T09:30:00", "lead_rag": "R",
    "commentary": "Vehicle crime rose after the spring", "actions": "Targeted patrols",
    "submitted_by": "A N Other", "confirmation": "checked: a new recording system",
}


def _csv_lines(*rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def header_text(spec: RegisterFile) -> str:
    """The file as ``laa init`` writes it: the CSV header row, or for ``partnership.toml``
    its keys commented out with their examples."""
    if spec.name.endswith(".toml"):
        lines = [f"# {spec.about}", "# Uncomment and fill in; a key left out takes its "
                 "default."]
        return "\n".join(lines + [f'# {c.name} = "{c.example}"' for c in spec.columns]) + "\n"
    return _csv_lines(spec.names)


def example_text(spec: RegisterFile) -> str:
    """The file with one example row: CSV header and row, or TOML keys."""
    if spec.name.endswith(".toml"):
        return "".join(f'{c.name} = "{c.example}"\n' for c in spec.columns)
    return _csv_lines(spec.names, [c.example for c in spec.columns])


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def describe_file(spec: RegisterFile) -> str:
    """One register file in Markdown: heading, what it holds, what its absence means, the
    table of its columns (column, required, type, allowed values, example, meaning) and
    an example."""
    need = "required" if spec.required else "optional"
    word = "key" if spec.name.endswith(".toml") else "column"
    lines = [f"### `register/{spec.name}` ({need})", "", spec.about]
    if spec.when_absent:
        lines[-1] += f" **If absent:** {spec.when_absent}."
    lines += ["", f"| {word} | required | type | allowed values | example | meaning |",
              "| --- | --- | --- | --- | --- | --- |"]
    for c in spec.columns:
        allowed = ", ".join(f"`{a}`" for a in c.allowed)
        meaning = c.meaning + (f"; blank or absent: `{c.default}`" if c.default else "")
        lines.append(f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.kind} | {allowed} "
                     f"| `{_cell(c.example)}` | {_cell(meaning)} |")
    fence = "toml" if spec.name.endswith(".toml") else "csv"
    lines += ["", f"```{fence}", example_text(spec).rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


def describe_register() -> str:
    """The reference of every register file, in Markdown (the README's "The register")."""
    return "\n".join(describe_file(spec) for spec in REGISTER_FILES)


def describe_returns() -> str:
    """The returns' columns in Markdown, with an example row."""
    lines = ["| column | required | example |", "| --- | --- | --- |"]
    lines += [f"| `{c}` | {'yes' if c in REQUIRED_COLUMNS else 'no'} | "
              f"`{RETURN_EXAMPLE[c]}` |" for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    columns = list(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    example = _csv_lines(columns, [RETURN_EXAMPLE[c] for c in columns])
    return "\n".join(lines + ["", "```csv", example.rstrip("\n"), "```"]) + "\n"


def compose_readme(folder: Path, name: str) -> str:
    """The README.md ``laa init`` writes into a new data folder: that folder's own
    commands, with placeholders for the period and meeting (never the demo's); ``name`` is
    the folder's name under ``data/clean/`` and ``reports/``
    (:func:`pipeline.config.data_folder_slug`)."""
    return f"""# {folder.name}: a partnership's data for the LAA pipeline

Written by `laa init`. This folder is what `--data-dir` names: `register/` describes the
agreement (indicators, targets, themes...), `returns/` holds the partners' quarterly returns.

## Getting started

1. Fill in `register/indicators.csv` and `register/targets.csv`, one row per indicator and
   one per indicator and year with a target. Everything else is optional: an optional file
   left with only its header row (or deleted) counts as absent.
2. Put each partner's return in `returns/` (CSV or XLSX, any file name). Never edit a file
   once received: a correction is a new file, and the later `submitted_at` wins.
3. Check, then run, giving the period of the returns and the Board meeting that takes
   them (the period must be inside the agreement: a year with targets or baselines;
   `--meeting` may be left out for a period whose row in `register/calendar.csv` names
   its meeting):

   ```sh
   laa validate --data-dir {folder} --period 'YYYY-YY QN' --meeting YYYY-MM-DD
   laa run --data-dir {folder} --period 'YYYY-YY QN' --meeting YYYY-MM-DD
   ```

   The derived data and reports go to `data/clean/{name}/` and `reports/{name}/` under
   the project (the run prints them; `--clean-dir` and `--reports-dir` move them).

## The register

A column the reader does not know is ignored with a warning; a required column missing
stops the run naming the file and the column.

{describe_register()}
## Returns (`returns/`)

One file per partner's submission, header row first; XLSX workbooks have one sheet
holding the returns. `value` may be written `45%`, `1,234`, `£1,250`; `n/a`, `-` or blank
mean not available.

{describe_returns()}"""


def write_scaffold(folder: Path) -> Path:
    """Write a new partnership's data folder and return its path.

    ``folder/register/`` gets every register file (CSV headers only; ``partnership.toml``
    its keys commented out), ``folder/returns/`` is empty and ``folder/README.md``
    describes the format with an example row for each file.

    Raises
    ------
    ConfigError
        If ``folder`` exists and is not an empty folder: nothing is written.
    """
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError("refusing to write a new data folder over one that is not empty",
                          folder=str(folder))
    register = folder / "register"
    register.mkdir(parents=True)
    (folder / "returns").mkdir()
    for spec in REGISTER_FILES:
        (register / spec.name).write_text(header_text(spec), encoding="utf-8")
    name = data_folder_slug(find_project_root(), folder)
    (folder / "README.md").write_text(compose_readme(folder, name), encoding="utf-8")
    return folder
