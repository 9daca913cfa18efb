"""``laa audit``: the auditor's spot-check pack of a published meeting.

The sample and what the pack says of each figure are :mod:`pipeline.report.spot_check`'s;
the pages and the workbook :mod:`pipeline.report.audit_pack`'s. This module checks the
published run (as ``laa report`` does: :func:`pipeline.run.covering_run.published_settings`),
re-reads each sampled return row from the raw file as ``laa trace`` does
(:func:`pipeline.run.trace.raw_rows`: the file's hash now, each file read once), and writes
``<reports>/<meeting>/audit/spot-check.html``, ``.pdf`` and ``.xlsx`` (each whole) under the
run locks, so no run changes the derived data meanwhile.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import ConfigError

if TYPE_CHECKING:  # imported where used: a refused draw reads no data (no pandas)
    from pipeline.config import Settings

AUDIT_FOLDER = "audit"
PACK_NAME = "spot-check"
SAMPLE_SIZE = 25           # figures in all, unless the red and amber reward targets are more
SEED_MAX = 2**63 - 1


def check_draw(size: int | None, seed: int | None) -> tuple[int, int | None]:
    """The sample size (default :data:`SAMPLE_SIZE`) and seed, refused when not usable.

    Raises
    ------
    ConfigError
        If the size is below 1 or the seed is negative or too large (exit 2).
    """
    size = SAMPLE_SIZE if size is None else size
    if size < 1:
        raise ConfigError(f"--sample {size}: expected the number of figures to check, "
                          "1 or more")
    if seed is not None and not 0 <= seed <= SEED_MAX:
        raise ConfigError(f"--seed {seed}: expected a whole number from 0 to {SEED_MAX}")
    return size, seed


def redraw_command(settings: Settings, size: int, seed: int) -> str:
    """The command that draws the same sample from the same run (the data folder named
    when it is not the demo's, relative to the project root when under it)."""
    from pipeline.config import find_project_root, is_demo_data

    parts = ["laa", "audit"]
    root = find_project_root()
    data = settings.data_dir.resolve()
    if not is_demo_data(root, data):
        parts += ["--data-dir", str(data.relative_to(root) if data.is_relative_to(root)
                                    else data)]
    parts += ["--period", settings.period, "--meeting", settings.meeting,
              "--sample", str(size), "--seed", str(seed)]
    return shlex.join(parts)


def write_together(writers: dict[Path, Callable[[Path], object]]) -> list[Path]:
    """Write each path through its ``writer(temporary)`` beside it, and only when every one
    is written put them all in place (a failed PDF leaves the previous pack whole)."""
    temporaries: dict[Path, Path] = {}
    try:
        for path, write in writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                            suffix=path.suffix)
            os.close(handle)
            temporaries[path] = Path(name)
            write(temporaries[path])
            os.chmod(temporaries[path], 0o644)  # as any other output, not owner-only
        for path, temporary in temporaries.items():
            os.replace(temporary, path)
    finally:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
    return list(writers)


def write_audit_pack(settings: Settings, size: int | None = None,
                     seed: int | None = None) -> list[Path]:
    """Draw the sample and write the spot-check pack (HTML, PDF, XLSX) into the meeting's
    ``audit`` folder.

    Raises
    ------
    ConfigError
        A size or seed not usable, no run published for the meeting, or one for another
        period, or its derived data changed since (exit 2, nothing written).
    RunLocked
        When a run of the meeting, or one using the clean folder, is under way (exit 7).
    """
    from pipeline.run.covering_run import published_settings
    from pipeline.run.locking import run_lock

    size, given = check_draw(size, seed)
    with run_lock(settings.reports_dir, settings.clean_dir, settings.meeting):
        return _write_pack(published_settings(settings), size, given)


def _write_pack(run: Settings, size: int, given: int | None) -> list[Path]:
    """The pack of the published ``run`` (see :func:`write_audit_pack`), each file whole."""
    # what draws and writes the pack (pandas, openpyxl, Typst): a refusal above needs none
    from pipeline import store
    from pipeline.report.audit_pack import PackFacts, findings_workbook, render_spot_check
    from pipeline.report.frames import load_appendix
    from pipeline.report.lineage import lineage_table
    from pipeline.report.pdf import write_pdf
    from pipeline.report.spot_check import (
        default_seed,
        describe_method,
        draw_sample,
        spot_check_items,
    )
    from pipeline.run.manifest import MANIFEST_NAME, read_manifest, sha256_file
    from pipeline.run.trace import raw_rows

    seed = default_seed(run.period, run.meeting) if given is None else given
    app = load_appendix(run)
    manifest_path = run.report_dir / MANIFEST_NAME
    inputs = {str(i["path"]): str(i["sha256"]) for i in read_manifest(manifest_path)["inputs"]}
    returns = store.read_frame(run, "returns")
    sample = draw_sample(app.assessed, list(app.themes["theme"]), size, seed)
    picked = app.assessed[app.assessed["indicator_id"].isin(sample["indicator_id"])]
    headers = returns.drop_duplicates("record_id").set_index("record_id")["source_header"]
    current = raw_rows(run.returns_dir, lineage_table(picked, returns).to_dict("records"),
                       headers)
    items = spot_check_items(sample, app.assessed, returns, store.read_frame(run, "findings"),
                             store.read_frame(run, "validation_results"), inputs, current)
    facts = PackFacts(size=size, seed=seed, seed_given=given is not None,
                      method=describe_method(size, seed),
                      command=redraw_command(run, size, seed),
                      manifest=f"{run.meeting}/{MANIFEST_NAME}",
                      manifest_sha256=sha256_file(manifest_path))
    page = render_spot_check(app, items, facts)
    book = findings_workbook(app, items, facts)
    base = run.report_dir / AUDIT_FOLDER / PACK_NAME
    return write_together({
        base.with_suffix(".html"): lambda p: p.write_text(page, encoding="utf-8"),
        base.with_suffix(".pdf"): lambda p: write_pdf(page, p),
        base.with_suffix(".xlsx"): lambda p: p.write_bytes(book),
    })
