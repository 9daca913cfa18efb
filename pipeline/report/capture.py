"""The appendix notebook publishes itself: it records what it displays, then renders it.

Run by ``laa run``, by papermill or cell by cell in JupyterLab, the appendix notebook's
last cell writes the same ``appendix.html``/``.pdf`` (and district pack): the
:class:`OutputRecorder` started in its first cell keeps every display output with the
code of the cell that made it, and :meth:`OutputRecorder.notebook` puts them back beside
the prose of the notebook file, as the executed notebook holds them.
"""

from __future__ import annotations

from collections import defaultdict, deque
from pathlib import Path

import nbformat


class OutputRecorder:
    """Every ``display_data`` output of the kernel, keyed by the code of its cell (the only
    outputs the appendix shows: its cells display HTML, and print nothing)."""

    def __init__(self) -> None:
        self.outputs: dict[str, deque[list[dict]]] = defaultdict(deque)
        self._current: tuple[str, str] | None = None
        self._shell = None

    def record(self, code: str, message_id: str, data: dict, metadata: dict) -> None:
        """Keep one display output of the cell ``code`` (run as ``message_id``)."""
        if self._current != (code, message_id):
            self.outputs[code].append([])
            self._current = (code, message_id)
        self.outputs[code][-1].append(nbformat.v4.new_output(
            "display_data", data=dict(data), metadata=dict(metadata)))

    def _hook(self, message: dict) -> dict:
        if message.get("msg_type") == "display_data" and self._shell is not None:
            parent = self._shell.get_parent() or {}
            content = message.get("content", {})
            self.record(parent.get("content", {}).get("code", ""),
                        parent.get("header", {}).get("msg_id", ""),
                        content.get("data", {}), content.get("metadata", {}))
        return message

    def start(self, shell: object) -> OutputRecorder:
        """Record the displays of ``shell`` (an IPython kernel's shell) from now on."""
        self._shell = shell
        shell.display_pub.register_hook(self._hook)
        return self

    def stop(self) -> None:
        """Stop recording (the outputs recorded so far are kept)."""
        if self._shell is not None:
            self._shell.display_pub.unregister_hook(self._hook)
            self._shell = None

    def notebook(self, source: Path) -> nbformat.NotebookNode:
        """The notebook at ``source`` with the recorded outputs in its code cells: each
        cell takes the outputs of the earliest run of the same code not yet taken."""
        notebook = nbformat.read(source, as_version=4)
        runs = {code: deque(batches) for code, batches in self.outputs.items()}
        cells = [c for c in notebook.cells if c.cell_type == "code"]
        shared = {c.source for c in cells if sum(d.source == c.source for d in cells) > 1}
        for cell in cells:
            batches = runs.get(cell.source)
            if not batches:
                cell.outputs = []
            elif cell.source in shared:  # the same code in several cells: runs in order
                cell.outputs = batches.popleft()
            else:  # a cell run again (in JupyterLab): its latest run
                cell.outputs = batches[-1]
        return notebook


def record_outputs() -> OutputRecorder:
    """Start recording this kernel's display outputs (nothing is recorded outside IPython)."""
    from IPython import get_ipython

    shell = get_ipython()
    recorder = OutputRecorder()
    return recorder.start(shell) if shell is not None and hasattr(shell, "get_parent") \
        else recorder
