"""Executing stage notebooks: papermill (its only user) in warm kernels started up front.

papermill is asked not to save the notebook after every cell (it would encode the whole
notebook, outputs included, about 200 times a run): the executed notebook is written once,
at the end or when a cell fails.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from pathlib import Path

from pipeline import errors
from pipeline.config import Settings

KERNEL = "python3"
CELL_TIMEOUT_S = 600
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]
# Each stage's kernel silently runs its notebook's own import lines (read from the notebook,
# so they follow its changes) while earlier stages run: the notebook's imports then cost
# nothing. They run inside a function, so no name is left behind, and silent execution
# leaves no trace in the executed notebook. Extra warm-ups for what a module imports lazily
# (Great Expectations) and for the templates compiled on first use (the appendix's kernel
# has time for them while the assess stage runs; validation's has none: it is the one the
# run waits for):
_WARM_GX = "import pipeline.quality.gx as v\nif hasattr(v, '_gx'):\n    v._gx()"
_WARM_DOCUMENTS = "import pipeline.report.rendering as r\nif hasattr(r, 'warm_up'):\n" \
                  "    r.warm_up()"
WARM_EXTRA = {"validate": _WARM_GX, "appendix": _WARM_DOCUMENTS}


APPENDIX_ONLY = ("formats", "theme", "district", "scenario", "compare_with")
TABLES_ONLY = ("theme", "district", "compare_with")  # the tables' share of them


def notebook_parameters(settings: Settings, stage: str | None = None) -> dict[str, str]:
    """The values injected into a stage notebook's ``parameters`` cell.

    The appendix's own options (formats, theme filter, district, scenario, comparator
    group) go to the appendix and its tables only (and to ``stage=None``, the run's full
    parameter set), so that changing them reuses ingest, validation and assessment.
    """
    given = {
        "period": settings.period,
        "meeting": settings.meeting,
        "previous_period": settings.previous_period,
        "data_dir": str(settings.data_dir),
        "clean_dir": str(settings.clean_dir),
        "reports_dir": str(settings.reports_dir),
        "generated_at": settings.generated_at,
    }
    options = {None: APPENDIX_ONLY, "appendix": APPENDIX_ONLY, "tables": TABLES_ONLY}
    given.update({name: getattr(settings, name) for name in options.get(stage, ())})
    return given


def _error_from(exc: Exception, stage: str, executed: Path) -> errors.LaaError:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    kind = getattr(errors, ename, None)
    if isinstance(kind, type) and issubclass(kind, errors.LaaError):
        error = kind(f"{evalue}", stage=stage)
    else:
        error = errors.StageFailed(f"{ename}: {evalue}", stage=stage,
                                   notebook=str(executed))
    return error


def warm_code(notebook: Path, extra: str = "") -> str:
    """The code a stage's kernel runs before its turn: the notebook's imports, in a function.

    Import statements are read from the notebook's code cells (top level only); cells that
    do not parse are skipped. Returns code that defines, calls and deletes the function.
    """
    import ast
    import json

    lines = ["import pandas"]
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        cells = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body
                  if isinstance(node, ast.Import | ast.ImportFrom)
                  and not any(alias.name == "*" for alias in node.names)
                  and getattr(node, "module", "") != "__future__"]
    lines += extra.splitlines()
    body = "\n".join("    " + line for line in lines)
    return f"def _laa_warm():\n{body}\n\n_laa_warm()\ndel _laa_warm\n"


@functools.cache
def ready_client_class():
    """The kernel client class for the pool's kernels (see :class:`ReadyClient` below);
    jupyter_client is imported only when a run starts kernels."""
    import time
    from queue import Empty

    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_core.utils import ensure_async, run_sync

    class ReadyClient(BlockingKernelClient):
        """A kernel client whose wait for a started kernel costs round trips, not 0.2 s.

        papermill asks the client once per notebook to wait for the kernel to be ready;
        jupyter_client's wait ends by reading IOPub until it has been silent for 0.2 s,
        which each stage paid. This one sends kernel_info requests until one is answered
        on the shell channel and its ``idle`` status comes on IOPub (so IOPub is
        connected, which is what that wait makes sure of), and reads IOPub only up to
        that status: none of its messages is left for the notebook's first cell.
        """

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            request = self.kernel_info()
            while True:
                try:
                    reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
                except Empty:  # no answer in a second: ask again (as jupyter_client does)
                    reply, request = None, self.kernel_info()
                if reply is not None and reply["parent_header"].get("msg_id") == request:
                    if await self._idle_after(request):
                        self._handle_kernel_info_reply(reply)
                        return
                    request = self.kernel_info()  # IOPub not subscribed yet: ask again
                # (a reply to an earlier request is passed over: read on to the latest's)
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

        async def _idle_after(self, request: str) -> bool:
            """Read IOPub up to the ``idle`` status of ``request``; False when IOPub stays
            silent (not subscribed yet: what was published before is lost)."""
            while True:
                try:
                    message = await ensure_async(self.iopub_channel.get_msg(timeout=0.05))
                except Empty:
                    return False
                if (message["msg_type"] == "status"
                        and message["content"].get("execution_state") == "idle"
                        and message["parent_header"].get("msg_id") == request):
                    return True

        wait_for_ready = run_sync(_async_wait_for_ready)

    return ReadyClient


POOL_SIZE = 2  # kernels: stages take them in turn, so one warms up while the other runs
RESET_CODE = ("get_ipython().reset(new_session=False)\n"   # no history session: no output
              "get_ipython().execution_count = 1\n")


class KernelPool:
    """Warm kernels for the stages of a run: :data:`POOL_SIZE` of them.

    ``owners`` says which kernel runs each stage (by default they take turns; the run's
    :func:`pipeline.run.orchestrate.assign_kernels` lets two stages of a step run at once):
    fewer kernels than stages save their start-up. Each kernel is started up front
    and silently imports what its next stage's notebook imports (see :func:`warm_code`), so
    start-up and imports overlap the stage running on the other kernel. When a stage is
    done with a kernel that has another stage to run, the kernel's namespace is reset at
    once (IPython's ``reset``, execution counts from 1, as a fresh kernel would give them)
    and it warms up for that stage. A kernel is shut down after the last stage using it (in
    the background: :meth:`stop` waits until every kernel is gone).
    """

    def __init__(self, settings: Settings, stages: tuple[tuple[str, str], ...],
                 owners: dict[str, int] | None = None) -> None:
        from jupyter_client.manager import KernelManager

        os.environ.setdefault("LAA_PROJECT_ROOT", str(settings.project_root))
        self.stages = tuple(stages)
        self._notebooks = {name: settings.notebooks_dir / notebook for name, notebook in stages}
        self._owner = owners or {stage: index % POOL_SIZE
                                 for index, (stage, _) in enumerate(stages)}
        self._left = {k: [s for s, _ in stages if self._owner[s] == k]
                      for k in set(self._owner.values())}
        self._managers: dict[int, object] = {}
        self._clients: dict[int, object] = {}
        self._sent: dict[int, list[str]] = {}
        self._stopping: list[threading.Thread] = []
        self._lock = threading.RLock()  # two stages' threads take and release at once
        self._stopped = False
        try:
            for k, names in sorted(self._left.items()):
                manager = KernelManager(kernel_name=KERNEL)
                manager.client_factory = ready_client_class()
                manager.start_kernel(extra_arguments=KERNEL_ARGS,
                                     cwd=str(settings.project_root))
                self._managers[k] = manager
                self._send(k, self._warm(names[0]))
        except BaseException:  # interrupted or failed while starting: stop what did start
            self.stop()
            raise

    def _warm(self, stage: str) -> str:
        return warm_code(self._notebooks[stage], WARM_EXTRA.get(stage, ""))

    def _send(self, k: int, code: str) -> None:
        """Run ``code`` silently on kernel ``k`` without waiting (see :meth:`take`)."""
        client = self._clients.get(k)
        if client is None:
            client = self._clients[k] = self._managers[k].client()
            client.start_channels(shell=True, iopub=False, stdin=False, hb=False)
        self._sent.setdefault(k, []).append(
            client.execute(code, silent=True, store_history=False))

    def take(self, stage: str):
        """The kernel for ``stage`` (None if the pool has none for it), warmed up for it.

        The pool's own requests (reset, warm-up) are waited for here, their replies read,
        so none is lost when the pool lets go of the kernel for the stage's own client.
        """
        with self._lock:
            if self._stopped:  # never a fresh kernel behind a stopping run's back
                raise errors.StageFailed("the run is stopping", stage=stage)
            k = self._owner.get(stage)
            manager = self._managers.get(k)
            if manager is None:
                return None
            client, sent = self._clients.pop(k, None), self._sent.pop(k, [])
        if client is not None:
            replies = {client.get_shell_msg(timeout=CELL_TIMEOUT_S)["parent_header"]
                       .get("msg_id") for _ in sent}
            client.stop_channels()
            if replies != set(sent):
                raise errors.StageFailed("the stage's kernel did not answer its warm-up",
                                         stage=stage)
        return manager

    def release(self, stage: str) -> None:
        """``stage`` is done with its kernel (ran, failed or was reused): reset the kernel
        and warm it up for its next stage, or shut it down if no later stage needs it.
        Once the pool is stopping, it does nothing."""
        with self._lock:
            k = self._owner.get(stage)
            if self._stopped or k is None or stage not in self._left.get(k, []):
                return
            self._left[k].remove(stage)
            manager = self._managers.get(k)
            if manager is None:
                return
            if self._left[k]:
                if k not in self._sent:   # it ran a stage: reset (a reused stage ran none)
                    self._send(k, RESET_CODE)
                self._send(k, self._warm(self._left[k][0]))
                return
            client = self._clients.pop(k, None)
            self._managers.pop(k)
            if client is not None:
                client.stop_channels()
            if manager.has_kernel:  # killed and reaped in the background (0.1 s): stop()
                stopping = threading.Thread(target=_shut_down, args=(manager,),  # waits
                                            name=f"laa-kernel-{k}-stop", daemon=True)
                self._stopping.append(stopping)
                stopping.start()

    def stop(self) -> None:
        """Shut every kernel down, whatever state it is in, and wait until each is gone.

        Safe while a stage's thread still uses the pool (a run stopped by a signal): the
        pool is marked stopping first, so that thread can neither take nor warm a kernel.
        """
        with self._lock:
            self._stopped = True
            clients, managers = list(self._clients.values()), list(self._managers.values())
            self._clients.clear()
            self._managers.clear()
            stopping, self._stopping = self._stopping, []
        for client in clients:
            client.stop_channels()
        # each in a thread of its own: never in this thread's event loop, which a signal may
        # have left with papermill's pending reads (shutting down there would wait on them)
        killers = [threading.Thread(target=_shut_down, args=(manager,), daemon=True,
                                    name="laa-kernel-stop") for manager in managers]
        for thread in killers:
            thread.start()
        for thread in stopping + killers:
            thread.join()


def _shut_down(manager) -> None:
    """Kill a kernel and reap it, in a thread of its own; if jupyter_client fails at that (a
    kernel another thread was talking to), kill its process directly: no kernel outlives
    the run. The event loop jupyter_client made for this thread is closed here, not left
    for the interpreter's exit to close noisily."""
    from jupyter_core.utils import ensure_event_loop

    try:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    except Exception:  # the kernel is going anyway: make sure of it, keep the run's error
        process = getattr(getattr(manager, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
    finally:
        ensure_event_loop().close()


def execute_stage(settings: Settings, stage: str, notebook: str, kernel=None) -> Path:
    """Execute one stage notebook into ``<report>/notebooks/``; raise a LaaError on failure.

    ``kernel`` is a started kernel manager (see :class:`KernelPool`); without one,
    papermill starts a fresh kernel.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = settings.notebooks_dir / notebook
    executed = settings.report_dir / "notebooks" / notebook
    executed.parent.mkdir(parents=True, exist_ok=True)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    os.environ.setdefault("LAA_PROJECT_ROOT", str(settings.project_root))
    extra = {"km": kernel} if kernel is not None else {"extra_arguments": KERNEL_ARGS}
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=notebook_parameters(settings, stage),
            kernel_name=KERNEL, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT_S, cwd=str(settings.project_root), **extra)
    except PapermillExecutionError as exc:
        raise _error_from(exc, stage, executed) from None
    return executed
