"""Atomic publishing and run locks: a failed, killed or concurrent run never spoils a meeting."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import find_project_root
from pipeline.errors import RunLocked
from pipeline.run import publish as publishing
from pipeline.run.locking import run_lock
from pipeline.run.manifest import is_volatile, mismatched_outputs, read_manifest
from tests.conftest import hashes, laa, project_env
from tests.in_process import laa_here
from tests.zygote import without_zygote

ROOT = find_project_root()
MEETING = "2007-09-03"
STAMP = "2007-06-30T12:00:00"


def _folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("exchange", [True, False])
def test_publish_swaps_the_new_folder_in_and_removes_the_old(tmp_path, monkeypatch, exchange):
    if not exchange:  # systems without renameat2(RENAME_EXCHANGE): two renames
        monkeypatch.setattr(publishing.portable, "NATIVE_EXCHANGE", False)
    published = _folder(tmp_path / "reports" / MEETING, {"appendix.html": "old", "x": "old"})
    root = publishing.prepare_staging(tmp_path / "reports" / ".staging", published)
    built = _folder(root / MEETING, {"appendix.html": "new"})
    publishing.publish(built, published)
    assert hashes(published) == {"appendix.html": hashlib.sha256(b"new").hexdigest()}
    assert not built.exists() and not (root / publishing.PREVIOUS).exists()


def test_first_publish_moves_the_folder_into_place(tmp_path):
    built = _folder(tmp_path / "staging" / MEETING, {"a": "1"})
    publishing.publish(built, tmp_path / "reports" / MEETING)
    assert (tmp_path / "reports" / MEETING / "a").read_text() == "1"


def test_recover_puts_back_a_folder_left_between_two_renames(tmp_path):
    root = tmp_path / ".staging"
    _folder(root / publishing.PREVIOUS, {"appendix.html": "published"})
    _folder(root / MEETING, {"appendix.html": "half built"})
    published = tmp_path / MEETING
    publishing.recover(root, published)
    assert (published / "appendix.html").read_text() == "published" and not root.exists()


def test_signals_are_held_back_during_the_swap_and_delivered_after():
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda *_: seen.append("term"))
    try:
        with publishing.signals_deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            assert seen == []
        assert seen == ["term"]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_second_run_of_the_same_meeting_is_refused_naming_the_holder(tmp_path):
    reports, clean = tmp_path / "reports", tmp_path / "clean"
    with run_lock(reports, clean, MEETING):
        with pytest.raises(RunLocked, match=rf"another laa run is using the meeting {MEETING} "
                                            rf"\(pid {os.getpid()}, started "):
            with run_lock(reports, clean, MEETING):
                pass
        with pytest.raises(RunLocked, match="clean folder"):  # another meeting, same data
            with run_lock(reports, clean, "2007-11-26"):
                pass
    with run_lock(reports, clean, MEETING):  # released when the first run ends
        pass


# End-to-end: real runs of the demo, real signals.

def _start(demo: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd="/",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            bufsize=1, env=demo["env"])


def _read_until(proc: subprocess.Popen, text: str) -> list[str]:
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"run ended before printing {text!r}: {''.join(lines)}")


def _stable(hashes: dict[str, str]) -> dict[str, str]:
    """Leave out the manifest (its run-time facts) and the outputs known not to be
    byte-reproducible (none at present)."""
    return {p: h for p, h in hashes.items()
            if p != "manifest.json" and not is_volatile("report", p)}


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _all_gone(pids: list[int]) -> bool:
    for _ in range(300):  # kernels notice their parent is gone within about a second
        alive = [p for p in pids if Path(f"/proc/{p}").exists()
                 and "zombie" not in Path(f"/proc/{p}/status").read_text().lower()]
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def demo(tmp_path_factory, laa1_project):
    """The demo published: a copy of the project the session ran it in (conftest), its
    folders given as the options name them; a run of the copy reuses every stage."""
    out = tmp_path_factory.mktemp("publish")
    project, env = project_env(laa1_project, out / "project")
    clean, reports = project / "data" / "clean", project / "reports"
    args = ["--clean-dir", str(clean), "--reports-dir", str(reports), "--generated-at", STAMP]
    return {"args": args, "reports": reports, "report": reports / MEETING, "out": out,
            "clean": clean, "env": env}


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("moment", ["[2/6] validate ...", "[4/6] assess ..."])
def test_a_run_killed_mid_way_leaves_the_published_appendix_untouched(demo, sig, moment):
    """Killed while two stages run at once (each in a thread) or while one runs in the
    main thread: nothing published changes, no kernel outlives the run (nor its fork server,
    started as an officer's run starts it: one of the run's children)."""
    before = hashes(demo["report"])
    proc = _start({**demo, "env": without_zygote(demo["env"])}, "run", *demo["args"], "--force")
    _read_until(proc, moment)
    if "assess" in moment:
        time.sleep(0.3)  # into the stage's cells: papermill's loop, in the main thread
    kernels = _children(proc.pid)
    assert kernels, "the run should have kernels running"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert hashes(demo["report"]) == before
    assert _all_gone(kernels), "kernels outlived the run"
    if sig == signal.SIGTERM:
        assert proc.returncode == 143
        assert err.strip().splitlines()[-1] == "laa run stopped (SIGTERM); nothing published"
        assert not (demo["reports"] / f".staging-{MEETING}").exists()
    else:
        assert proc.returncode == -signal.SIGKILL
    # clears what the killed one left (in this process: tests.in_process)
    again = laa_here("run", *demo["args"], env=demo["env"])
    assert again.returncode == 0, again.stderr
    assert not (demo["reports"] / f".staging-{MEETING}").exists()
    assert _stable(hashes(demo["report"])) == _stable(before)


@pytest.mark.slow
def test_a_failing_run_leaves_the_published_appendix_untouched(demo):
    before = hashes(demo["report"])
    data = demo["out"] / "broken"
    shutil.copytree(ROOT / "data" / "raw", data)
    themes = data / "register" / "indicators.csv"
    themes.write_text(themes.read_text().replace(",safer,", ",nowhere,", 1))
    proc = laa_here("run", *demo["args"], "--data-dir", str(data), "--period", "2006-07 Q4",
                    "--meeting", MEETING, env=demo["env"])
    assert proc.returncode == 3, proc.stderr
    assert "unknown theme 'nowhere'" in proc.stderr.strip().splitlines()[-1]
    assert hashes(demo["report"]) == before


@pytest.mark.slow
def test_concurrent_runs_of_a_meeting_refuse_or_wait_and_never_mix(demo):
    first = _start(demo, "run", *demo["args"], "--force")
    _read_until(first, "[1/6] ingest ...")
    refused = laa("run", *demo["args"], env=demo["env"])
    assert refused.returncode == 7
    assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
    assert (f"another laa run is using the meeting {MEETING} (pid {first.pid}, started"
            in refused.stderr)
    waiting = _start(demo, "run", *demo["args"], "--wait")
    assert first.wait(timeout=600) == 0, first.stderr.read()
    out, err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0, err
    assert "waiting for the meeting" in out and "up to date" in out
    manifest = read_manifest(demo["report"] / "manifest.json")
    roots = {"report": demo["report"], "clean": demo["clean"]}
    assert mismatched_outputs(manifest["outputs"], roots) == []
