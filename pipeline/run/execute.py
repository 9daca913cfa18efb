"""Executing stage notebooks: papermill (its only user), each in a fresh kernel started ahead.

papermill is asked not to save the notebook after every cell (it would encode the whole
notebook, outputs included, about 200 times a run): the executed notebook is written once,
at the end or when a cell fails.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from pipeline import errors
from pipeline.config import Settings, folder_parameter
from pipeline.run import kernel_forks
from pipeline.run.warm import WARM_EXTRA, kernels_due, warm_code, warm_register

KERNEL = "python3"
CELL_TIMEOUT_S = 600
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]
APPENDIX_ONLY = ("formats", "theme", "district", "scenario", "compare_with")
TABLES_ONLY = ("theme", "district", "compare_with")  # the tables' share of them
# The stages that read the generated-at stamp: the data-quality pages (and the check that
# no return was sent after the run), the documents and the workbooks. The others are not
# given it, so a new stamp leaves their keys, and their outputs, as they were.
STAMPED = ("validate", "appendix", "tables")


def notebook_parameters(settings: Settings, stage: str | None = None) -> dict[str, str]:
    """The values injected into a stage notebook's ``parameters`` cell.

    The appendix's own options (formats, theme filter, district, scenario, comparator
    group) go to the appendix and its tables only, and the generated-at stamp to the
    stages of :data:`STAMPED` only (``stage=None`` gives the run's full parameter set), so
    that changing them reuses the stages they do not touch. The folders are named
    relative to the project root when they lie inside it (see
    :func:`pipeline.config.folder_parameter`; the notebooks resolve them against it), so
    the parameters, the stage keys and the executed notebooks do not depend on where the
    checkout is.
    """
    given = {
        "period": settings.period,
        "meeting": settings.meeting,
        "previous_period": settings.previous_period,
        **{name: folder_parameter(settings.project_root, getattr(settings, name))
           for name in ("data_dir", "clean_dir", "reports_dir")},
    }
    if stage is None or stage in STAMPED:
        given["generated_at"] = settings.generated_at
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


# Modules papermill tries to import at its own import, for file handlers a run never uses
# (``hdfs://`` paths): ``pyarrow.fs`` loads pyarrow and numpy, about 0.2 CPU-s of the
# command's own second. See :func:`import_papermill`.
UNUSED_BY_PAPERMILL = ("pyarrow.fs",)
_IMPORTING = threading.Lock()


def import_papermill():
    """papermill, imported without the optional modules of :data:`UNUSED_BY_PAPERMILL`.

    papermill's ``iorw`` imports each optional file handler in a ``try``, and records a
    missing one as such. While papermill is first imported, those modules are marked as
    absent (a ``None`` in ``sys.modules``, which Python's import system documents as making
    their import fail), then unmarked: papermill works as before for local paths, and the
    modules can still be imported afterwards (pandas' parquet reader imports ``pyarrow.fs``
    when it needs it). One already imported is left as it is.

    The mark holds for the whole process while papermill imports: another thread importing
    ``pyarrow.fs`` (or reading parquet) in that moment would fail. Call it only where no
    other thread may: in ``laa``, papermill is readied while the main thread waits for the
    stage's kernel, and neither ``laa``'s threads nor its checks import pyarrow.
    """
    with _IMPORTING:
        if "papermill" not in sys.modules:
            absent = [name for name in UNUSED_BY_PAPERMILL if name not in sys.modules]
            for name in absent:
                sys.modules[name] = None
            try:
                import papermill  # noqa: F401
            finally:
                for name in absent:
                    if name in sys.modules and sys.modules[name] is None:
                        del sys.modules[name]
    import papermill

    return papermill


class StageKernels:
    """A fresh kernel for each stage of a run, started ahead of its turn.

    Every stage runs in a kernel of its own, started for it (never one another stage ran
    in: nothing a stage imports or caches can reach the next). Kernels are started and
    warming up before their stages take them (:func:`pipeline.run.warm.kernels_due`: a
    step ahead where they are forked), each time a stage takes its kernel or is reused,
    so a kernel's start-up and its notebook's imports (:func:`warm_code`, run
    silently through a client of jupyter_client's public API) overlap the stages running.
    A stage's kernel is handed to papermill as ``km`` (nbclient's ``NotebookClient.km``)
    and shut down when the stage is done (in the background: :meth:`stop` waits until
    every kernel is gone).
    """

    def __init__(self, settings: Settings, stages: tuple[tuple[str, str], ...],
                 progress: Callable[[str], None] | None = None,
                 check: dict | None = None,
                 steps: list[tuple[str, ...]] | None = None) -> None:
        os.environ.setdefault("LAA_PROJECT_ROOT", str(settings.project_root))
        self.stages = tuple(stages)
        # the stages' names in steps (pipeline.run.plan.steps_of); None: a stage a step
        self._steps = steps if steps is not None else [(name,) for name, _ in stages]
        self._root = str(settings.project_root)
        self._notebooks = {name: settings.notebooks_dir / notebook for name, notebook in stages}
        register = warm_register(Path(settings.register_dir).absolute())
        extra = {name: f"{WARM_EXTRA.get(name, '')}\n{register}" for name, _ in stages}
        self._waiting = [name for name, _ in stages]   # not yet taken nor released
        self._managers: dict[str, object] = {}
        self._clients: dict[str, object] = {}
        self._sent: dict[str, str] = {}
        self._stopping: list[threading.Thread] = []
        self._sockets: Path | None = None   # the plain kernels' socket files (made on use)
        self._lock = threading.RLock()  # two stages' threads take and release at once
        self._stopped = False
        self._readied = False  # papermill readied (see _ready_papermill)
        self._progress = progress
        # each stage's warm-up, read from its notebook once: sent to the fork server, and
        # to the stage's kernel when it starts
        self._warm = {name: warm_code(self._notebooks[name], extra[name])
                      for name in self._waiting}
        self._forks, self._plain_why = kernel_forks.start(
            self._root, list(self._warm.items()), check)
        try:
            with self._lock:
                self._start_ahead()
        except BaseException:  # interrupted or failed while starting: stop what did start
            self.stop()
            raise

    def _forking(self) -> bool:
        """True while the run's fork server forks its kernels (False: plain kernels)."""
        return self._forks is not None and self._forks.usable()

    def _start_ahead(self) -> None:
        """Start the kernels that are due now (:func:`pipeline.run.warm.kernels_due`)."""
        for stage in kernels_due(self._steps, self._waiting, self._managers, self._forking()):
            self._start(stage)

    def _start(self, stage: str) -> None:
        """Start a fresh kernel for ``stage`` and send it its warm-up (not waited for)."""
        from pipeline.run.kernel_client import (
            StageKernelManager,
            close_event_loop,
            over_sockets_in,
        )

        if self._forking():
            manager, env = self._forks.manager(stage)
        else:
            self._say_plain()
            if self._sockets is None:
                self._sockets = Path(tempfile.mkdtemp(prefix="laa-sockets-"))
            manager = StageKernelManager(kernel_name=KERNEL, **over_sockets_in(self._sockets))
            # single-threaded BLAS and Arrow allocator, as the forked kernels have them: the
            # same arithmetic whichever way, and on a machine of any number of cores
            env = {**os.environ, **kernel_forks.SERVER_ENV}
        try:
            manager.start_kernel(extra_arguments=KERNEL_ARGS, cwd=self._root, env=env)
        finally:  # its event loop is not left open in this thread (the run's main one)
            close_event_loop()
        self._managers[stage] = manager
        client = self._clients[stage] = manager.client()
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False)
        self._sent[stage] = client.execute(self._warm[stage], silent=True,
                                           store_history=False)

    def _say_plain(self) -> None:
        """Say once, in the run's log, that its kernels are plain ones (and why)."""
        why = self._plain_why or (self._forks.refused if self._forks else "")
        if why and self._progress is not None:
            self._progress(f"stage kernels: plain python3 kernels, not forked ({why})")
        self._plain_why, self._progress = "", None

    def check_answer(self) -> bytes | None:
        """The answer of the run's checks given at the start (made by the fork server:
        :meth:`pipeline.run.kernel_forks.ForkServer.check_answer`); None where none came
        (the run makes them itself). papermill is readied meanwhile
        (:meth:`_ready_papermill`: the first stage would wait for it otherwise)."""
        if self.stages:
            self._ready_papermill(self.stages[0][0])
        return self._forks.check_answer() if self._forks is not None else None

    def _ready_papermill(self, stage: str) -> None:
        """Import papermill and have nbformat compile ``stage``'s notebook's validator (by
        reading it), once, while this process waits for a kernel: not at the first stage's
        start, where papermill's own reading would, before it sends the kernel anything."""
        if self._readied:
            return
        self._readied = True
        import_papermill()  # the stage needs it
        import nbformat

        try:
            nbformat.read(self._notebooks[stage], as_version=4)
        except Exception:  # noqa: BLE001, S110 - papermill's own reading of it says what
            pass

    @property
    def forks(self) -> kernel_forks.ForkServer | None:
        """The run's fork server (None where its kernels are plain ones)."""
        return self._forks

    def take(self, stage: str):
        """The started kernel manager for ``stage``, warmed up for it (None if it has none).

        The warm-up's reply is read here, and its client closed, so the stage's own client
        (nbclient's) finds nothing of it.
        """
        from pipeline.run.kernel_client import warmed_up

        with self._lock:
            if self._stopped:  # never a fresh kernel behind a stopping run's back
                raise errors.StageFailed("the run is stopping", stage=stage)
            if stage not in self._waiting:
                return None
            if stage not in self._managers:  # taken before its turn came
                self._start(stage)
            self._waiting.remove(stage)
            manager = self._managers.get(stage)
            client, sent = self._clients.pop(stage, None), self._sent.pop(stage, None)
            self._start_ahead()  # and the next stage's, while this one runs
        self._ready_papermill(stage)  # while the kernel warms up, not once the stage starts
        if client is not None and not warmed_up(manager, client, sent, CELL_TIMEOUT_S):
            # it died starting (a port taken meanwhile, on a busy machine): a fresh one
            _shut_down_later(self, stage, manager)
            with self._lock:
                if self._stopped:
                    raise errors.StageFailed("the run is stopping", stage=stage)
                self._start(stage)
                manager = self._managers[stage]
                client, sent = self._clients.pop(stage), self._sent.pop(stage)
            if not warmed_up(manager, client, sent, CELL_TIMEOUT_S):
                raise errors.StageFailed("the stage's kernel did not answer its warm-up",
                                         stage=stage)
        return manager

    def release(self, stage: str) -> None:
        """``stage`` is done with its kernel (ran, failed or was reused): shut the kernel
        down in the background, and start the next stage's; after the last stage, the fork
        server is stopped in the background too (it has nothing left to fork), while the run
        normalises and records what the stages wrote. Once stopping, does nothing."""
        with self._lock:
            if self._stopped:
                return
            if stage in self._waiting:  # reused: its kernel was never taken
                self._waiting.remove(stage)
            client = self._clients.pop(stage, None)
            self._sent.pop(stage, None)
            manager = self._managers.pop(stage, None)
            self._start_ahead()
            last = not self._waiting and not self._managers
        if client is not None:
            client.stop_channels()
        if manager is not None:
            _shut_down_later(self, stage, manager)
        if last and self._forks is not None:
            stopping = threading.Thread(target=self._forks.stop, name="laa-forks-stop",
                                        daemon=True)
            with self._lock:
                self._stopping.append(stopping)
            stopping.start()

    def stop(self) -> None:
        """Shut every kernel down, whatever state it is in, and wait until each is gone.

        Safe while a stage's thread still uses the kernels (a run stopped by a signal):
        marked stopping first, so that thread can neither take nor start a kernel.
        """
        from pipeline.run.kernel_client import shut_down

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
        killers = [threading.Thread(target=shut_down, args=(manager,), daemon=True,
                                    name="laa-kernel-stop") for manager in managers]
        for thread in killers:
            thread.start()
        for thread in stopping + killers:
            thread.join()
        if self._forks is not None:
            self._forks.stop()
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)


def _shut_down_later(kernels: StageKernels, stage: str, manager) -> None:
    """Kill and reap ``stage``'s kernel in the background (:meth:`StageKernels.stop`
    waits for it)."""
    from pipeline.run.kernel_client import shut_down

    if not manager.has_kernel:
        return
    stopping = threading.Thread(target=shut_down, args=(manager,),
                                name=f"laa-kernel-{stage}-stop", daemon=True)
    with kernels._lock:
        kernels._stopping.append(stopping)
    stopping.start()


def _below_error(record: logging.LogRecord) -> bool:
    """papermill's log (nbclient's, through it) keeps its warnings; each error it logs (a
    dead kernel, a cell's time limit) is raised too, and the run says it in one line."""
    return record.levelno < logging.ERROR


def execute_stage(settings: Settings, stage: str, notebook: str, kernel=None) -> Path:
    """Execute one stage notebook into ``<report>/notebooks/``; raise a LaaError on failure.

    ``kernel`` is a started kernel manager (see :class:`StageKernels`), handed to papermill
    as ``km`` (nbclient's ``NotebookClient`` runs the notebook in it); without one,
    papermill starts a fresh kernel. Whatever happens, the clients made of ``kernel`` (a
    :class:`~pipeline.run.kernel_client.StageKernelManager`) and this thread's event loop
    are closed after it: nothing of the stage is left open in a long-lived process.
    """
    papermill = import_papermill()
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from pipeline.run.kernel_client import close_event_loop, how_it_ended

    source = settings.notebooks_dir / notebook
    executed = settings.report_dir / "notebooks" / notebook
    executed.parent.mkdir(parents=True, exist_ok=True)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("papermill").addFilter(_below_error)   # once: the same function
    os.environ.setdefault("LAA_PROJECT_ROOT", str(settings.project_root))
    extra = {"km": kernel} if kernel is not None else {"extra_arguments": KERNEL_ARGS}
    if kernel is not None:  # nbclient's client of it must be asynchronous: a blocking one
        # waits on the kernel's output inside nbclient's event loop, and the cell time
        # limit (execution_timeout) never fires; ours is readied without a fixed 0.2 s wait
        kernel.client_class = "pipeline.run.kernel_client.ReadyKernelClient"
    closing = kernel.clients_closed() if hasattr(kernel, "clients_closed") \
        else contextlib.nullcontext()
    try:
        with closing:  # nbclient leaves open the client it makes of a kernel it is handed
            papermill.execute_notebook(
                str(source), str(executed), parameters=notebook_parameters(settings, stage),
                kernel_name=KERNEL, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=CELL_TIMEOUT_S, cwd=str(settings.project_root), **extra)
    except PapermillExecutionError as exc:
        raise _error_from(exc, stage, executed) from None
    except CellTimeoutError:
        raise errors.StageFailed(f"a cell ran longer than {CELL_TIMEOUT_S} s", stage=stage,
                                 notebook=str(executed)) from None
    except OSError as exc:  # papermill reading the notebook or writing the executed one
        # (a disk full: what the stage's own cells met is lost with the notebook)
        raise errors.StageFailed(
            f"{exc.strerror or exc} ({exc.filename or executed}); nothing was published",
            stage=stage) from None
    except DeadKernelError:  # killed from outside the run (out of memory, a signal)
        ended = how_it_ended(kernel)
        raise errors.StageFailed(
            f"the stage's kernel died while a cell ran{f' ({ended})' if ended else ''}: "
            "stopped from outside the run, or out of memory; nothing was published, run "
            "it again", stage=stage, notebook=str(executed)) from None
    finally:
        close_event_loop()
    return executed
