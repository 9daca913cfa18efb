"""Normalising run outputs so that the same inputs and parameters give the same bytes.

Executed notebooks lose papermill's and nbclient's timestamps and durations, get a fixed id
for papermill's injected-parameters cell, name the published folder instead of the
staging one and give papermill's input and output paths relative to the project root;
workbooks (XLSX) get fixed zip dates and the run's generated-at stamp as their created
and modified dates. Everything else a run writes is already deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.config import folder_parameter
from pipeline.inputs.cells import fix_zip_dates, zip_dated

INJECTED_TAG = "injected-parameters"
TIMING_KEYS = ("start_time", "end_time", "duration")
PATH_KEYS = ("input_path", "output_path")  # papermill's record of the notebook's files


def normalise_notebook_json(notebook: dict, replacements: dict[str, str],
                            root: Path | None = None) -> dict:
    """A copy of an executed notebook (as JSON) without run-time noise (pure).

    Parameters
    ----------
    notebook
        The notebook as parsed JSON (nbformat 4).
    replacements
        Text to replace anywhere in the notebook, e.g. the staging folder by the published
        one; longer keys are replaced first.
    root
        The project root: papermill's input and output paths (after the replacements) are
        given relative to it when they lie inside it (see
        :func:`pipeline.config.folder_parameter`), so the notebook does not name the
        folder the checkout is in.
    """
    text = json.dumps(notebook, sort_keys=True, ensure_ascii=False)
    return _without_timings(json.loads(_replaced(text, replacements)), {}, root)


def _replaced(text: str, replacements: dict[str, str]) -> str:
    """``text`` (a notebook as JSON) with each of ``replacements`` replaced inside its
    strings (as JSON escapes them, non-ASCII letters kept, as the notebook is written),
    longer keys first."""
    for old in sorted(replacements, key=len, reverse=True):
        text = text.replace(json.dumps(old, ensure_ascii=False)[1:-1],
                            json.dumps(replacements[old], ensure_ascii=False)[1:-1])
    return text


def _without_timings(clean: dict, replacements: dict[str, str], root: Path | None) -> dict:
    """``clean`` (a parsed notebook, changed in place) without papermill's and nbclient's
    timings, its injected-parameters cell with a fixed id, and papermill's paths (once
    ``replacements`` are made in them) relative to ``root`` when inside it."""
    papermill = clean.get("metadata", {}).get("papermill")
    if isinstance(papermill, dict):
        for key in TIMING_KEYS:
            papermill.pop(key, None)
        for key in PATH_KEYS:
            if root is not None and isinstance(papermill.get(key), str):
                path = json.loads(_replaced(json.dumps(papermill[key], ensure_ascii=False),
                                           replacements))
                papermill[key] = folder_parameter(root, Path(path))
    for cell in clean.get("cells", []):
        metadata = cell.get("metadata", {})
        metadata.pop("execution", None)
        if isinstance(metadata.get("papermill"), dict):
            for key in TIMING_KEYS:
                metadata["papermill"].pop(key, None)
        if INJECTED_TAG in metadata.get("tags", []):
            cell["id"] = INJECTED_TAG
    return clean


def normalise_notebook(path: Path, replacements: dict[str, str],
                       root: Path | None = None) -> Path:
    """Rewrite an executed notebook in place as :func:`normalise_notebook_json` gives it,
    in one pass: parsed once, its timings dropped (and papermill's paths given from
    ``root``), written out, the text replaced in what is written (the same bytes: a
    replacement changes only text inside JSON strings)."""
    notebook = _without_timings(json.loads(path.read_text(encoding="utf-8")), replacements,
                                root)
    text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False)
    path.write_text(_replaced(text, replacements) + "\n", encoding="utf-8")
    return path


def normalise_xlsx(path: Path, generated_at: str) -> Path:
    """Rewrite a workbook with fixed zip dates and created/modified set to ``generated_at``
    (see :func:`pipeline.inputs.cells.fix_zip_dates`); only the dates change. One dated so
    already (the stage wrote it with :func:`pipeline.inputs.cells.save_workbook` and the
    same stamp) is left as it is: rewriting it would give the same bytes."""
    data = path.read_bytes()
    if zip_dated(data, generated_at):
        return path
    temporary = path.with_name(path.name + ".normalising")
    temporary.write_bytes(fix_zip_dates(data, generated_at))
    temporary.replace(path)
    return path


def normalise_tree(folder: Path, replacements: dict[str, str], generated_at: str,
                   root: Path | None = None) -> list[Path]:
    """Normalise every executed notebook and workbook under ``folder``; return them."""
    done = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".ipynb" and path.is_file():
            done.append(normalise_notebook(path, replacements, root))
        elif path.suffix == ".xlsx" and path.is_file():
            done.append(normalise_xlsx(path, generated_at))
    return done
