"""``laa`` forked by the session's zygote (pipeline/run/zygote_laa.py, tests/zygote.py's
``zygote_laa``, used by tests/conftest.py's ``laa()``): the same process ``python -m
pipeline.cli`` would be, the same answers as the subprocess, its timeout, its fallbacks, and
nothing left behind. The tests that need the zygote to stand in give ``laa`` the
environment it was started with (:func:`tests.zygote.zygote_env`), not this worker's, which
other tests may have changed since."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.run.fork_zygote import RUN_TIME_VARIABLES
from pipeline.run.kernel_forks import ZYGOTE_VARIABLE
from pipeline.run.zygote_client import request_laa
from tests.conftest import ROOT, laa
from tests.test_kernel_forks import _alive
from tests.zygote import zygote_env, zygote_laa

# A ``pipeline.cli`` of a root of its own (imported from the folder ``laa`` runs in, as
# ``python -m`` imports it): says what its process is, then does what its arguments ask
_FACTS = r'''
import atexit, json, os, signal, sys, threading, time
what, *rest = sys.argv[1:]
atexit.register(lambda: print("at exit, stdout", flush=False))
atexit.register(lambda: sys.stderr.write("at exit, stderr\n"))
talker = threading.Thread(target=lambda: (time.sleep(0.2), print("from a thread")))
talker.start()

def stream(s):
    raw = getattr(s.buffer, "raw", s.buffer)   # unbuffered (PYTHONUNBUFFERED): no buffer
    return {"type": type(s).__name__, "encoding": s.encoding, "errors": s.errors,
            "line_buffering": s.line_buffering, "write_through": s.write_through,
            "mode": s.mode, "name": s.name, "buffer": type(s.buffer).__name__,
            "raw": type(raw).__name__, "closefd": raw.closefd,
            "newlines": s.newlines, "fileno": s.fileno(), "isatty": s.isatty()}

if what == "facts":
    fds = {fd: os.readlink(f"/proc/self/fd/{fd}").split(":")[0] for fd in (0, 1, 2)}
    facts = {
        "cwd": os.getcwd(), "path": sys.path, "argv": sys.argv, "orig_argv": sys.orig_argv,
        "env": dict(os.environ), "main": sys.modules["__main__"].__file__,
        "name": __name__, "spec": __spec__.name, "package": __package__,
        "pipeline": sorted((name, getattr(module, "__file__", None))
                           for name, module in sys.modules.items()
                           if name == "pipeline" or name.startswith("pipeline.")),
        "streams": [stream(s) for s in (sys.stdin, sys.stdout, sys.stderr)],
        "same": [sys.stdin is sys.__stdin__, sys.stdout is sys.__stdout__,
                 sys.stderr is sys.__stderr__],
        "fds": fds, "stdin": sys.stdin.read(),
        "signals": {int(s): str(signal.getsignal(s)) for s in signal.valid_signals()
                    if s not in (signal.SIGKILL, signal.SIGSTOP) and s < signal.SIGRTMIN},
        "mask": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
        "threads": threading.active_count(), "flags": list(sys.flags),
        "executable": sys.executable, "umask": os.umask(0o22)}
    json.dump(facts, open(rest[0], "w"))
elif what == "talk":   # much on both, interleaved (a pipe holds 64 KiB)
    for line in range(int(rest[0])):
        print(f"out {line} é", "x" * 100)
        print(f"err {line}", "y" * 100, file=sys.stderr)
    print("\r\n".join(["crlf", "cr\rlf"]))
elif what == "sleep":
    print(os.getpid(), flush=True)
    time.sleep(float(rest[0]))
elif what == "pool":   # an executor never shut down: Python's exit stops its workers
    import concurrent.futures
    pool = threading.current_thread().pool = concurrent.futures.ThreadPoolExecutor(2)  # kept
    pool.submit(lambda: (talker.join(), time.sleep(0.1), print("pool")))   # in that order
elif what == "raise":
    raise RuntimeError("a bug")
elif what == "message":
    sys.exit("a message, status 1")
elif what == "interrupt":   # Python dies of SIGINT after an uncaught KeyboardInterrupt
    raise KeyboardInterrupt
elif what == "unflushable":   # standard output cannot be flushed at exit: status 120
    sys.stdout = open(1, "w", closefd=False)   # buffered, whatever PYTHONUNBUFFERED says
    print("never written")
    os.dup2(os.open("/dev/full", os.O_WRONLY), 1)
elif what == "parent":
    print(os.getppid())
sys.exit(int(rest[-1]) if what == "exit" else 0)
'''


@pytest.fixture(scope="module")
def own_root(tmp_path_factory) -> Path:
    """A root holding a ``pipeline`` package of its own (:data:`_FACTS`)."""
    root = tmp_path_factory.mktemp("own-root")
    (root / "pipeline" / "cli").mkdir(parents=True)
    (root / "pipeline" / "__init__.py").write_text("")
    (root / "pipeline" / "cli" / "__init__.py").write_text("")
    (root / "pipeline" / "cli" / "__main__.py").write_text(_FACTS)
    return root


def _both(*args: str, cwd: Path | str = "/", env: dict[str, str] | None = None,
          input: str | None = None) -> tuple[subprocess.CompletedProcess, ...]:
    """``laa ARGS`` forked by the zygote (which must stand in), then as the subprocess
    (``env`` the zygote's own unless given)."""
    argv = [sys.executable, "-m", "pipeline.cli", *args]
    env = zygote_env() if env is None else env
    forked = zygote_laa(argv, list(args), 300, str(cwd), env, input=input)
    assert forked is not None, "the zygote did not stand in for the subprocess"
    real = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=env, input=input,
                          stdin=subprocess.DEVNULL if input is None else None)
    return forked, real


def _parent(own_root: Path, env: dict[str, str], real: bool = False) -> int:
    """The parent of a ``laa()`` started with ``env``: the zygote when it forked it."""
    return int(laa("parent", cwd=own_root, env=env, real=real).stdout.split()[0])


def _zygote_children(fork_zygote) -> str:
    return Path(f"/proc/{fork_zygote.pid}/task/{fork_zygote.pid}/children").read_text()


def test_laa_forked_is_the_process_python_m_makes(fork_zygote, own_root, tmp_path):
    """Folder, sys.path, arguments, environment, the package imported afresh from the
    folder it runs in, standard streams (types, encoding, errors, buffering, descriptors),
    standard input, signal handlers and mask, threads, flags: as the subprocess has them;
    its threads joined and its own exit handlers run (not the zygote's) as it exits."""
    said, runs = {}, {}
    for how in ("forked", "real"):
        path = tmp_path / f"{how}.json"
        argv = [sys.executable, "-m", "pipeline.cli", "facts", str(path)]
        runs[how] = zygote_laa(argv, argv[3:], 300, str(own_root), zygote_env(),
                               input="to read\n") if how == "forked" else \
            subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=own_root,
                           env=zygote_env(), input="to read\n")
        assert runs[how] is not None, "the zygote did not stand in for the subprocess"
        assert path.exists(), (runs[how].returncode, runs[how].stderr[-3000:])
        said[how] = json.loads(path.read_text())
        assert runs[how].args == argv
    assert [(run.returncode, run.stdout, run.stderr) for run in runs.values()] == \
        [(0, "from a thread\nat exit, stdout\n", "at exit, stderr\n")] * 2
    forked, real = said["forked"], said["real"]
    assert forked["argv"] == [str(own_root / "pipeline" / "cli" / "__main__.py"), "facts",
                              str(tmp_path / "forked.json")]
    real["argv"][-1] = real["orig_argv"][-1] = forked["argv"][-1]
    for env in (forked["env"], real["env"]):   # the terminal's size, as GNU readline put
        for name in RUN_TIME_VARIABLES:        # it in this process's C environment (which
            env.pop(name, None)                # the subprocess inherits): ignored by both
    assert forked == real
    assert forked["cwd"] == forked["path"][0] == str(own_root)
    assert forked["pipeline"] == [["pipeline", str(own_root / "pipeline" / "__init__.py")],
                                  ["pipeline.cli", str(own_root / "pipeline/cli/__init__.py")]]
    assert forked["stdin"] == "to read\n" and forked["fds"]["1"] == "pipe"
    # the zygote's clean-up (its socket unlinked, its children stopped) never ran in it
    assert Path(zygote_env()[ZYGOTE_VARIABLE]).is_socket() and fork_zygote.poll() is None


@pytest.mark.parametrize("args", [
    ("--help",),                                     # a success
    ("run", "--period", "nonsense"),                 # a refusal: exit 2
    ("trace", "7.20", "--period", "2031-32 Q1"),     # a failure: a message, no traceback
    ("frobnicate",),                                 # argparse's refusal
])
def test_the_commands_say_what_the_subprocess_says(fork_zygote, args):
    forked, real = _both(*args, env={**zygote_env(), "LAA_PROJECT_ROOT": str(ROOT)})
    assert (forked.args, forked.returncode, forked.stdout, forked.stderr) == \
        (real.args, real.returncode, real.stdout, real.stderr)
    assert "Traceback" not in forked.stderr and forked.stdout + forked.stderr


@pytest.mark.parametrize("args", [("talk", "3000"), ("raise",), ("message",), ("exit", "7"),
                                  ("exit", "300"), ("pool",), ("interrupt",), ("unflushable",)])
def test_much_output_a_bug_and_any_status_as_the_subprocess(fork_zygote, own_root, args):
    """Both pipes filled at once (about 650 KB: no deadlock), newlines translated; an
    uncaught exception's traceback, ``sys.exit("...")``, statuses past 255, an executor
    left running (its work done before the exit), an uncaught KeyboardInterrupt (death by
    SIGINT) and standard output that cannot be flushed at exit (status 120), as Python
    gives them."""
    forked, real = _both(*args, cwd=own_root)
    expected = {"raise": 1, "message": 1, "interrupt": -2, "unflushable": 120}
    assert forked.returncode == real.returncode == (
        int(args[1]) & 0xFF if args[0] == "exit" else expected.get(args[0], 0))
    assert ("pool" in forked.stdout) == (args[0] == "pool")
    assert forked.stdout == real.stdout and len(forked.stdout) > (300_000 if
                                                                   args[0] == "talk" else -1)
    assert forked.stderr.replace(str(ROOT / "pipeline" / "run"), "") \
        .split("\n")[-3:] == real.stderr.split("\n")[-3:]


def test_the_timeout_kills_laa_and_raises_as_subprocess_run_does(fork_zygote, own_root):
    argv = [sys.executable, "-m", "pipeline.cli", "sleep", "60"]
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as raised:
        zygote_laa(argv, argv[3:], 2, str(own_root), zygote_env())
    assert time.monotonic() - started < 20
    assert raised.value.cmd == argv and raised.value.timeout == 2
    pid = int(raised.value.output.split()[0])
    assert raised.value.stderr is None and not _alive(pid)
    assert str(pid) not in _zygote_children(fork_zygote).split()


def test_laa_falls_back_to_the_subprocess_where_the_zygote_cannot_stand_in(fork_zygote,
                                                                            own_root):
    """Another environment (the zygote refuses), no ``LAA_FORK_ZYGOTE`` (as an officer's
    ``laa`` is started), or ``real``: ``laa()`` runs the subprocess, whose parent is this
    process, and it says what the subprocess says; with the zygote's own environment the
    same ``laa`` is the zygote's child."""
    argv = [sys.executable, "-m", "pipeline.cli", "--help"]
    changed = {**zygote_env(), "ZYGOTE_TEST_VARIABLE": "1"}
    assert zygote_laa(argv, ["--help"], 60, "/", changed) is None
    without = {k: v for k, v in zygote_env().items() if k != ZYGOTE_VARIABLE}
    assert zygote_laa(argv, ["--help"], 60, "/", without) is None
    for env, real in ((changed, False), (without, False), (zygote_env(), True)):
        proc = laa("facts", "/dev/null", cwd=own_root, env=env, real=real)
        assert proc.returncode == 0 and proc.stderr == "at exit, stderr\n"
        assert _parent(own_root, env, real) == os.getpid()
        for args in (("exit", "7"), ("raise",)):
            fallen, subprocess_ = (laa(*args, cwd=own_root, env=env, real=flag)
                                   for flag in (real, True))
            assert (fallen.returncode, fallen.stdout, fallen.stderr) == \
                (subprocess_.returncode, subprocess_.stdout, subprocess_.stderr)
    assert _parent(own_root, zygote_env()) == fork_zygote.pid


def test_the_zygote_and_its_socket_outlive_every_child_and_reap_them(fork_zygote, own_root):
    """After children that succeed, fail, raise and are killed, the zygote still listens
    on its socket, serves the next, and has no child left."""
    env = zygote_env()
    address = Path(env[ZYGOTE_VARIABLE])
    for args in (("exit", "0"), ("exit", "3"), ("raise",), ("message",), ("interrupt",)):
        assert laa(*args, cwd=own_root, env=env).returncode in (0, 1, 3, -2)
    with pytest.raises(subprocess.TimeoutExpired):
        laa("sleep", "60", cwd=own_root, timeout=1, env=env)
    assert address.is_socket() and fork_zygote.poll() is None
    assert laa("exit", "5", cwd=own_root, env=env).returncode == 5
    assert _parent(own_root, env) == fork_zygote.pid
    deadline = time.monotonic() + 10
    while _zygote_children(fork_zygote) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _zygote_children(fork_zygote) == ""


def test_without_input_laa_reads_an_empty_standard_input(fork_zygote, own_root, tmp_path):
    """Standard input ``/dev/null`` (never the test worker's own, which pytest-xdist's
    workers talk on): read, it is empty at once."""
    path = tmp_path / "facts.json"
    argv = [sys.executable, "-m", "pipeline.cli", "facts", str(path)]
    forked = zygote_laa(argv, argv[3:], 60, str(own_root), zygote_env())
    assert forked is not None and forked.returncode == 0, forked
    facts = json.loads(path.read_text())
    assert facts["fds"]["0"] == os.devnull and facts["stdin"] == ""


def test_a_laa_leaving_the_zygote_stops_none_of_its_siblings(fork_zygote, own_root):
    """The zygote's clean-up on its way out (stopping the children it forked, unlinking its
    socket) never runs in a ``laa`` it forked, which leaves by the same way: one still
    running outlives another's exit, and the socket is still there."""
    env = zygote_env()
    null = os.open(os.devnull, os.O_RDWR)
    try:
        sleeper, why = request_laa(env[ZYGOTE_VARIABLE], ["sleep", "60"], str(own_root), env,
                                   (null, null, null))
    finally:
        os.close(null)
    assert sleeper is not None, why
    try:
        for args in (("exit", "0"), ("raise",)):
            assert laa(*args, cwd=own_root, env=env).returncode in (0, 1)
        assert sleeper.poll() is None and _alive(sleeper.pid)
        assert Path(env[ZYGOTE_VARIABLE]).is_socket()
    finally:
        sleeper.kill()
        assert sleeper.wait(30) == -9


def _private_stdlib_uses(path: Path) -> list[str]:
    """``line: module._name`` for each private name of a standard-library module that
    ``path`` reads (``atexit._clear``, ``from threading import _shutdown``); ``os._exit``,
    public, apart."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {alias.asname or alias.name: alias.name for node in ast.walk(tree)
               if isinstance(node, ast.Import) for alias in node.names
               if alias.name.split(".")[0] in sys.stdlib_module_names}
    found = [f"{node.lineno}: {modules[node.value.id]}.{node.attr}" for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
             and node.value.id in modules and node.attr.startswith("_")
             and not node.attr.startswith("__")]
    found += [f"{node.lineno}: {node.module}.{alias.name}" for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module
              and node.module.split(".")[0] in sys.stdlib_module_names
              for alias in node.names if alias.name.startswith("_")
              and not alias.name.startswith("__") and (node.module, alias.name) != ("os", "_exit")]
    return found


def test_the_zygote_and_its_laa_use_no_private_name_of_python(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("import atexit\nimport threading as t\nfrom os import _exit\n"
                       "from sys import _getframe\natexit._clear()\nt._shutdown()\n")
    assert _private_stdlib_uses(planted) == ["5: atexit._clear", "6: threading._shutdown",
                                             "4: sys._getframe"]
    run = ROOT / "pipeline" / "run"
    for name in ("fork_zygote.py", "zygote_client.py", "zygote_laa.py", "fork_server.py"):
        assert _private_stdlib_uses(run / name) == [], name
