"""Shared fixtures: a tiny in-memory register and return rows; the two demos run once per
test session (whichever pytest-xdist worker asks first builds, the others wait and read).

Each worker starts a fork-server zygote first (:func:`fork_zygote`,
pipeline/run/fork_zygote.py) and exports ``LAA_FORK_ZYGOTE``: every run the tests start, in a
``laa`` subprocess or in this process, has its fork server forked from it instead of a fresh
process importing the same modules again (about 1.3 CPU-s a run), and :func:`laa` forks
``laa`` itself from it (about 0.4 CPU-s less a command). The tests whose subject is the fork
server or how a run starts, and the README's and docs' commands (run as an officer runs
them), drop the variable (:func:`no_zygote`): their ``laa`` is a fresh process.
"""

from __future__ import annotations

import compileall
import hashlib
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from filelock import FileLock

from pipeline.config import Settings, find_project_root, load_settings
from pipeline.inputs.register import Register
from pipeline.inputs.register_parsers import parse_indicators, parse_targets, parse_themes
from pipeline.rules_schema import Rules
from pipeline.run.kernel_forks import ZYGOTE_VARIABLE
from tests.zygote import session_zygote, without_zygote, zygote_cpu, zygote_laa


def stage_notebooks(tmp_path: Path, monkeypatch: Any, *sources: list[str]) -> Settings:
    """Settings whose notebooks folder (in ``tmp_path``, reports beside it) holds one stage
    notebook per list of cell sources: ``0.ipynb``, ``1.ipynb``... ``LAA_PROJECT_ROOT`` is
    set to the checkout's (execute_stage sets it to this folder when it is unset, and
    monkeypatch undoes it: else every later run in the session would look there)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for number, cells in enumerate(sources):
        notebook = new_notebook(cells=[new_code_cell(cell) for cell in cells])
        notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                           "display_name": "Python 3"}
        nbformat.write(notebook, folder / f"{number}.ipynb")
    monkeypatch.setenv("LAA_PROJECT_ROOT", str(find_project_root()))
    return replace(load_settings(reports_dir=tmp_path / "reports"), project_root=tmp_path)


def make_register(indicators: list[dict], targets: list[dict]) -> Register:
    """A Register from plain dicts (text values, as the CSVs hold them)."""
    themes = parse_themes(pd.DataFrame({
        "theme": ["safer", "health"], "name": ["Safer", "Health"],
        "appendix_name": ["Safer Communities", "Healthier Communities"],
        "block": ["7", "4"], "summary_order": ["2", "1"]}))
    defaults = {"title": "An indicator", "outcome_id": "7.1", "lead_org": "Police",
                "lead_officer": "A N Other", "unit": "count", "baseline_value": "",
                "baseline_period": "", "reward": "no", "reward_grant_gbp": "",
                "mandatory": "no", "accumulation": "snapshot"}
    ind = parse_indicators(pd.DataFrame([{**defaults, **i} for i in indicators]).astype(str),
                           themes)
    columns = ["indicator_id", "period", "target_value", "target_status"]
    tgt = parse_targets(pd.DataFrame([{"target_status": "agreed", **t} for t in targets],
                                     columns=columns).astype(str), ind)
    return Register(themes, ind, tgt, ("Blaby", "Melton"), pd.DataFrame())


def make_rows(rows: list[dict]) -> pd.DataFrame:
    """Clean return rows as the quality stage leaves them (in force, county)."""
    defaults = {"geography": "county", "data_status": "final", "lead_rag": "", "commentary": "",
                "actions": "", "partner": "Police", "submitted_by": "x", "value_text": "",
                "source_file": "f.csv", "source_row": 2, "in_force": True,
                "submitted_at": pd.Timestamp("2007-05-01")}
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    frame["record_id"] = [f"f.csv||{i + 2}" for i in range(len(frame))]
    frame["value"] = frame["value"].astype("float64")
    return frame


@pytest.fixture
def rules() -> Rules:
    return Rules()


ROOT = find_project_root()
LAA1_STAMP, LAA2_STAMP = "2007-06-30T12:00:00", "2009-03-02T12:00:00"
LAA1_DISTRICT = ["--district", "Melton"]   # the README's first demo (period 2006-07 Q4)


def laa2_args(project: Path) -> list[str]:
    """The LAA2 demo's options (the README's second command) for the project at ``project``."""
    return ["--data-dir", str(project / "data" / "raw" / "laa2"), "--period", "2008-09 Q3",
            "--meeting", "2009-03-09"]


@pytest.fixture(scope="session", autouse=True)
def fork_zygote() -> Any:
    """This worker's fork-server zygote, started before any session fixture runs a demo,
    its socket exported in ``LAA_FORK_ZYGOTE`` (:func:`tests.zygote.session_zygote`)."""
    yield from session_zygote()


@pytest.fixture
def no_zygote(monkeypatch) -> None:
    """This test's runs start their fork servers as an officer's do (``LAA_FORK_ZYGOTE``
    dropped): for the tests of the fork server, of how a run starts, and of the README's
    and docs' commands."""
    monkeypatch.delenv(ZYGOTE_VARIABLE, raising=False)


def laa(*args: str, timeout: int = 900, real: bool = False, cwd: str | Path = "/",
        env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess:
    """``laa ARGS`` as ``subprocess.run`` runs ``python -m pipeline.cli ARGS`` (from ``/``
    unless ``cwd`` is given), output captured: forked by this worker's zygote where it can
    stand in for that process (:func:`tests.zygote.zygote_laa`: the same, but for the
    imports), else, or with ``real`` (a test whose subject is the process itself), that
    subprocess."""
    argv = [sys.executable, "-m", "pipeline.cli", *args]
    if not real and set(kwargs) <= {"input"}:
        forked = zygote_laa(argv, list(args), timeout, str(cwd), env, **kwargs)
        if forked is not None:
            return forked
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=env, **kwargs)


def folders(out: Path) -> list[str]:
    """``--clean-dir`` and ``--reports-dir`` under ``out``."""
    return ["--clean-dir", str(out / "clean"), "--reports-dir", str(out / "reports")]


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by its path relative to it."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this session sees (the pytest-xdist docs' recipe): the
    parent of a worker's base temporary folder, or the base folder itself without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(folder: Path, build: Callable[[Path], Any]) -> Any:
    """``build(folder)`` once per test session whichever worker asks first; the others wait
    on a file lock and get the same (pickled) result, or the same failure."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    done = folder.with_name(folder.name + ".built")
    failed = folder.with_name(folder.name + ".failed")
    with FileLock(str(folder) + ".lock"):
        if done.exists():
            return pickle.loads(done.read_bytes())
        if failed.exists():
            raise AssertionError(f"building {folder.name} failed in another worker:\n"
                                 + failed.read_text(encoding="utf-8"))
        folder.mkdir()
        try:
            result = build(folder)
        except BaseException as error:
            failed.write_text(f"{type(error).__name__}: {error}", encoding="utf-8")
            raise
        done.write_bytes(pickle.dumps(result))
        return result


def _run_demo(out: Path, laa2: bool, plain: dict[str, Any] | None = None) -> dict[str, Any]:
    """A demo run with the README's command, in a copy of the project (tests/documented.py)
    with its default folders, as a checkout has them: a test that copies the project
    (:func:`project_env`) and runs it with an option reuses the stages the option does not
    touch (a copy of the folders outside a project would recompute all six: their keys
    name the folders). LAA1 with the Melton pack, then ``laa report`` (its covering report;
    LAA2 has no words for one), in a copy of ``plain`` (``laa1_project``: the demo run
    plainly), as an officer adds the pack to the published run: the four stages before the
    appendix are reused (their keys are the same), the appendix and tables made anew."""
    from tests.documented import project_copy

    raw_before = hashes(ROOT / "data" / "raw")
    project = project_copy(out / "project") if plain is None else \
        project_env(plain, out / "project")[0]
    env = {**os.environ, "LAA_PROJECT_ROOT": str(project)}
    args, stamp = (laa2_args(project), LAA2_STAMP) if laa2 else ([], LAA1_STAMP)
    run_args = args if laa2 else [*args, *LAA1_DISTRICT]
    run = laa("run", *run_args, "--generated-at", stamp, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    report = run if laa2 else laa("report", *args, env=env)
    assert report.returncode == 0, report.stderr[-3000:]
    clean, reports = project / "data" / "clean", project / "reports"
    if laa2:
        clean, reports = clean / "laa2", reports / "laa2"
    return {"project": project, "env": env, "clean": clean, "reports": reports,
            "report": reports / ("2009-03-09" if laa2 else "2007-09-03"), "args": args,
            "run_args": run_args, "stamp": stamp, "stdout": run.stdout,
            "report_stdout": "" if laa2 else report.stdout, "raw": project / "data" / "raw",
            "raw_before": raw_before}


@pytest.fixture(scope="session")
def laa1_run(tmp_path_factory, laa1_project) -> dict[str, Any]:
    """The LAA1 demo as the README runs it (with the Melton pack), then ``laa report``, in
    a copy of ``laa1_project``'s project (``project``; ``env`` points ``laa`` at it): the
    same bytes as the README's command in a fresh checkout (the stages reused have the same
    keys; tests/test_moved_checkout.py). Built once per session, READ ONLY (a test that
    changes it copies it first, :func:`project_env`)."""
    return build_once(shared_root(tmp_path_factory) / "laa1-run",
                      lambda out: _run_demo(out, laa2=False, plain=laa1_project))


@pytest.fixture(scope="session")
def laa2_run(tmp_path_factory) -> dict[str, Any]:
    """The LAA2 demo as the README runs it, in a copy of the project (as ``laa1_run``):
    built once per session, READ ONLY (a test that changes it copies it first)."""
    return build_once(shared_root(tmp_path_factory) / "laa2-run",
                      lambda out: _run_demo(out, laa2=True))


@pytest.fixture(scope="session")
def appendix_demo(tmp_path_factory) -> dict[str, Any]:
    """The demo run (with the Melton pack) on a copy of its data with hostile text
    (:func:`tests.appendix_build.build_demo`): once per session, READ ONLY."""
    from tests.appendix_build import build_demo

    return build_once(shared_root(tmp_path_factory) / "appendix-demo", build_demo)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser), one per worker."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), "Debian's chromium is needed: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_configure(config: pytest.Config) -> None:
    """The test modules' assertion-rewritten bytecode kept in ``tests/__pycache__`` (which
    git ignores), and that of the plugins pytest rewrites (hypothesis): with
    ``PYTHONDONTWRITEBYTECODE`` set each worker of every session would rewrite and compile
    all of them again while collecting (about 4 CPU-s a worker). pytest reads a kept copy
    whatever the variable says; only writing it needs the flag cleared."""
    sys.dont_write_bytecode = False


def pytest_sessionstart(session: pytest.Session) -> None:
    """The package's bytecode compiled once, by the controller, into its ``__pycache__``
    folders (which git ignores), as an installed package has it: with
    ``PYTHONDONTWRITEBYTECODE`` set (as on some CI machines) every ``laa`` the tests start,
    and its fork server, would otherwise compile the package from source each time
    (bench/bench_run.py does the same before it times a run)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        compileall.compile_dir(ROOT / "pipeline", quiet=1)


# The longest files (each a serial chain of runs: the officer's journey, its quarters and
# its options, and the README's and docs' commands, split by what each needs) start first,
# then the other end-to-end files, then the quick ones: pytest-xdist's ``--dist loadfile``
# hands files out in this order (``--no-loadscope-reorder`` in pyproject.toml's addopts:
# by default it would reorder them by how many tests each holds, the chains last), so the
# quick files fill in at the end and both workers finish together.
LONGEST_FIRST = ("test_journey.py", "test_readme_commands.py",
                 "test_readme_commands_others.py", "test_readme_commands_variants.py")
# Files not marked slow (no run of the pipeline) that still take 10-20 s, starting processes
# or kernels one after another: handed out after the slow files, before the quick ones, so
# that no worker is left with one of them while the other has finished (a suite measured 18 s
# apart when test_zygote_laa.py, alphabetically last, came at the end).
LONG_UNMARKED = ("test_zygote_laa.py", "test_columnar_engine.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> int:
        if item.path.name in LONGEST_FIRST:
            return LONGEST_FIRST.index(item.path.name)
        if item.path in slow_files:
            return len(LONGEST_FIRST)
        return len(LONGEST_FIRST) + 1 + (item.path.name not in LONG_UNMARKED)

    items.sort(key=rank)   # stable: each file's tests keep their order


def read_once_per_file(folder: Path, read: Callable[[Path], Any]) -> Callable[[Path], Any]:
    """``read(path)`` once per test session for each file's content (by its sha256),
    whichever worker asks first (:func:`build_once`, under ``folder``); each worker
    unpickles each answer once."""
    kept: dict[str, Any] = {}

    def once(path: Path) -> Any:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
        if digest not in kept:
            kept[digest] = build_once(folder / digest, lambda _folder: read(path))
        return kept[digest]

    return once


@pytest.fixture(scope="session")
def pdf_facts(tmp_path_factory) -> Callable[[Path], Any]:
    """What the layout checks read of a PDF (:func:`tests.pdf_checks.read_pdf`: pdfplumber,
    about a second a page), read once per session whichever worker asks first."""
    from tests.pdf_checks import read_pdf

    return read_once_per_file(shared_root(tmp_path_factory) / "pdf-facts", read_pdf)


def _page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.fixture(scope="session")
def pdf_text(tmp_path_factory) -> Callable[[Path], list[str]]:
    """Each page's text as pypdf extracts it (about 4 s for the LAA1 appendix; several
    files read the same PDFs of the shared runs), extracted once per session whichever
    worker asks first."""
    return read_once_per_file(shared_root(tmp_path_factory) / "pdf-text", _page_texts)


@pytest.fixture(scope="session")
def printed(laa1_run, laa2_run) -> dict[str, list[Path]]:
    """Both demos run with the README's commands (once per session, above), and the PDFs
    each wrote, globbed (tests/test_pdf_pages.py, tests/test_pdf_tags.py)."""
    return {name: sorted(run["report"].rglob("*.pdf"))
            for name, run in (("laa1", laa1_run), ("laa2", laa2_run))}


def _run_in_project(folder: Path) -> dict[str, Any]:
    from tests.documented import project_copy

    project = project_copy(folder / "project")
    env = {**os.environ, "LAA_PROJECT_ROOT": str(project)}
    before = zygote_cpu()
    run = laa("run", "--generated-at", LAA1_STAMP, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    return {"project": project, "stdout": run.stdout, "zygote_cpu": zygote_cpu() - before}


@pytest.fixture(scope="session")
def laa1_project(tmp_path_factory) -> dict[str, Any]:
    """The LAA1 demo run plainly (``laa run --generated-at``: no district pack, no covering
    report) in a copy of the project (tests/documented.py), its folders the defaults, named
    from the project's root: once per session, READ ONLY. A test that runs on it copies the
    project (:func:`project_env`): the copy is a moved checkout, whose runs reuse every stage
    the first made (tests/test_moved_checkout.py)."""
    return build_once(shared_root(tmp_path_factory) / "laa1-project", _run_in_project)


def project_env(built: dict[str, Any], target: Path) -> tuple[Path, dict[str, str]]:
    """The project of a session's run (``laa1_project``, ``laa1_run``, ``laa2_run``) copied
    to ``target``, and the environment that points ``laa`` at the copy
    (``LAA_PROJECT_ROOT``)."""
    import shutil

    project = shutil.copytree(built["project"], target)
    return project, {**os.environ, "LAA_PROJECT_ROOT": str(project)}


def _moved_and_forced(folder: Path, laa1_project: dict[str, Any]) -> dict[str, Any]:
    first = laa1_project["project"]
    project, env = project_env(laa1_project, folder / "somewhere-else" / "the-checkout")
    again = laa("run", "--generated-at", LAA1_STAMP, env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    published = {name: hashes(project / name) for name in ("reports", "data/clean")}
    manifest = (project / "reports" / "2007-09-03" / "manifest.json").read_bytes()
    before = zygote_cpu()
    forced = laa("run", "--generated-at", LAA1_STAMP, "--force", env=without_zygote(env))
    assert forced.returncode == 0, forced.stderr[-3000:]
    return {"project": project, "first": first, "again_stdout": again.stdout,
            "again_hashes": published, "again_manifest": manifest,
            "forced_stdout": forced.stdout, "forced_zygote_cpu": zygote_cpu() - before}


@pytest.fixture(scope="session")
def laa1_moved(tmp_path_factory, laa1_project) -> dict[str, Any]:
    """``laa1_project`` copied elsewhere (a moved checkout), run there as it was (``laa run
    --generated-at``: ``again_stdout``; ``again_hashes``, the sha256 of each file under
    reports/ and data/clean after it, and ``again_manifest``), then forced
    (``forced_stdout``; the folders are left as it made them) without the fork-server
    zygote (``laa1_project``'s run had it: tests/test_fork_zygote.py compares their bytes):
    once per session, READ ONLY (tests/test_moved_checkout.py, tests/test_reproducible.py)."""
    return build_once(shared_root(tmp_path_factory) / "laa1-moved",
                      lambda out: _moved_and_forced(out, laa1_project))


def _audit_copy(folder: Path, run: dict[str, Any]) -> dict[str, Any]:
    import shutil

    for name in ("clean", "reports"):
        shutil.copytree(run[name], folder / name)
    audit = laa("audit", *folders(folder))
    assert audit.returncode == 0, audit.stderr[-3000:]
    return {"out": folder, "clean": folder / "clean", "reports": folder / "reports",
            "audit": folder / "reports" / run["report"].name / "audit", "stdout": audit.stdout}


@pytest.fixture(scope="session")
def laa1_audit(tmp_path_factory, laa1_run) -> dict[str, Any]:
    """``laa1_run``'s folders copied (``laa audit`` writes beside the run), then ``laa audit``
    with its default seed: once per session, READ ONLY (tests/test_audit_pack.py,
    tests/test_audit_roundtrip.py)."""
    return build_once(shared_root(tmp_path_factory) / "laa1-audit",
                      lambda out: _audit_copy(out, laa1_run))
