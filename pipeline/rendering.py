"""Rendering: executed appendix notebook to a self-contained HTML page (the only nbconvert user)."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from jinja2 import Environment, PackageLoader, select_autoescape
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

HIDE_TAGS = {"remove-cell", "parameters", "injected-parameters"}


def strip_noise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without stderr streams (warnings, progress bars): they are for logs, not boards."""
    clean = copy.deepcopy(notebook)
    for cell in clean.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (o.get("output_type") == "stream"
                                       and o.get("name") == "stderr")]
    return clean


def notebook_body(notebook: nbformat.NotebookNode) -> str:
    """The notebook's outputs and prose as HTML, with no code shown."""
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = HIDE_TAGS
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=config, template_name="basic", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            anchor_link_text="")
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    body, _ = exporter.from_notebook_node(strip_noise(notebook))
    return body


def render_page(body: str, title: str, running_header: str) -> str:
    """Wrap a body in the appendix page: print CSS inline, nothing loaded from the network."""
    env = Environment(loader=PackageLoader("pipeline", "templates"),
                      autoescape=select_autoescape(default=True))
    return env.get_template("page.html.j2").render(body=body, title=title,
                                                   running_header=running_header)


def render_appendix_html(executed: Path, target: Path, title: str, running_header: str) -> Path:
    """Render the executed appendix notebook to ``target`` (HTML, UTF-8)."""
    notebook = nbformat.read(executed, as_version=4)
    page = render_page(notebook_body(notebook), title, running_header)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
