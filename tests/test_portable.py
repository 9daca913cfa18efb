"""The portable fallbacks of pipeline.run.portable, forced on Linux: locks by filelock,
publishing by two renames that keep the previous folder, no SIGHUP where there is none."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.config import find_project_root
from pipeline.errors import RunLocked
from pipeline.run import portable
from pipeline.run import publish as publishing
from pipeline.run.locking import run_lock

ROOT = find_project_root()
MEETING = "2007-09-03"


@pytest.fixture
def fallback(monkeypatch):
    """The fallbacks only: any native call would fail (fcntl gone, no exchange)."""
    monkeypatch.setattr(portable, "NATIVE_LOCKS", False)
    monkeypatch.setattr(portable, "NATIVE_EXCHANGE", False)
    monkeypatch.setattr(portable, "fcntl", None)


def test_the_fallback_lock_refuses_a_second_run_naming_the_holder(tmp_path, fallback):
    reports, clean = tmp_path / "reports", tmp_path / "clean"
    with run_lock(reports, clean, MEETING):
        assert (reports / f".laa-{MEETING}.lock{portable.FALLBACK_SUFFIX}").exists()
        with pytest.raises(RunLocked, match=rf"another laa run is using the meeting {MEETING} "
                                            rf"\(pid {os.getpid()}, started "):
            with run_lock(reports, clean, MEETING):
                pass
        with pytest.raises(RunLocked, match="clean folder"):
            with run_lock(reports, clean, "2007-11-26"):
                pass
    with run_lock(reports, clean, MEETING):  # released when the first run ends
        pass


def test_the_fallback_lock_waits_for_the_holder_when_asked(tmp_path, fallback):
    reports, clean = tmp_path / "reports", tmp_path / "clean"
    told: list[str] = []
    order: list[str] = []
    held = threading.Event()

    def first() -> None:
        with run_lock(reports, clean, MEETING):
            held.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(10)
    with run_lock(reports, clean, MEETING, wait=True, notify=told.append):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]
    assert len(told) == 1 and told[0].startswith(f"waiting for the meeting {MEETING} (pid ")


def test_a_fallback_lock_held_by_another_process_is_freed_when_it_ends(tmp_path, fallback):
    lock = tmp_path / ".laa-x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pathlib; from pipeline.run import portable; "
         "portable.NATIVE_LOCKS = False; "
         f"held = portable.lock_file(pathlib.Path({str(lock)!r}), wait=False); "
         "print('held' if held else 'refused', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert portable.lock_file(lock, wait=False) is None
    finally:
        holder.kill()
        holder.wait(30)
    again = portable.lock_file(lock, wait=False)
    assert again is not None
    again.release()


def test_publishing_without_the_exchange_keeps_the_previous_folder_until_the_new_is_in(
        tmp_path, fallback, monkeypatch):
    published = tmp_path / "reports" / MEETING
    (published).mkdir(parents=True)
    (published / "appendix.html").write_text("old")
    root = publishing.prepare_staging(tmp_path / "reports" / ".staging", published)
    built = root / MEETING
    built.mkdir()
    (built / "appendix.html").write_text("new")
    renames: list[tuple[str, str]] = []
    real_rename = os.rename

    def second_rename_fails(source, target):
        renames.append((Path(source).name, Path(target).name))
        if len(renames) == 2:
            raise KeyboardInterrupt  # killed between the two renames
        real_rename(source, target)

    monkeypatch.setattr(publishing.os, "rename", second_rename_fails)
    with pytest.raises(KeyboardInterrupt):
        publishing.publish(built, published)
    monkeypatch.setattr(publishing.os, "rename", real_rename)
    assert renames == [(MEETING, publishing.PREVIOUS), (MEETING, MEETING)]
    assert (root / publishing.PREVIOUS / "appendix.html").read_text() == "old"
    publishing.recover(root, published)  # the next run puts the previous folder back
    assert (published / "appendix.html").read_text() == "old" and not root.exists()


def test_the_exchange_is_not_tried_where_it_is_unavailable(tmp_path, monkeypatch):
    monkeypatch.setattr(portable, "NATIVE_EXCHANGE", False)
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    assert portable.exchange_paths(tmp_path / "a", tmp_path / "b") is False
    assert (tmp_path / "a").read_text() == "a"
    monkeypatch.setattr(portable, "NATIVE_EXCHANGE", True)
    assert portable.exchange_paths(tmp_path / "a", tmp_path / "b") is True  # Linux: swapped
    assert (tmp_path / "a").read_text() == "b"


def test_the_run_modules_import_and_lock_on_a_system_without_fcntl_or_sighup(tmp_path):
    """As on Windows: no fcntl module, no SIGHUP."""
    code = (
        "import signal, sys, pathlib\n"
        "sys.modules['fcntl'] = None\n"
        "del signal.SIGHUP\n"
        "from pipeline.run import portable, publish, locking\n"
        "assert not portable.NATIVE_LOCKS\n"
        "assert publish.DEFERRED_SIGNALS == {signal.SIGINT, signal.SIGTERM}\n"
        f"reports = pathlib.Path({str(tmp_path)!r})\n"
        "with locking.run_lock(reports, reports / 'clean', 'm'):\n"
        "    assert (reports / '.laa-m.lock.filelock').exists()\n"
        "with publish.signals_deferred():\n"
        "    pass\n"
        "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
