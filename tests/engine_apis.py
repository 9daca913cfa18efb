"""Finding uses of the engines' private names in the package, with ``ast``.

The engines (papermill, nbclient, jupyter_client, nbconvert) are used through their public
APIs only: a private name (``_name``, not a dunder) that one of them defines may be neither
read from one of their objects (``exporter._init_resources``) nor overridden by a subclass
of one of their classes (``def _async_wait_for_ready`` in a ``BlockingKernelClient``).
Used by tests/test_architecture.py on the real package and on small planted packages.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ENGINES = ("papermill", "nbclient", "jupyter_client", "nbconvert")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_names(files: list[Path]) -> set[str]:
    """The private names the files define: functions, classes, assigned names and
    attributes (``self._x = ...``)."""
    found: set[str] = set()
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.Name | ast.Attribute) and isinstance(
                    node.ctx, ast.Store):
                names = [node.id if isinstance(node, ast.Name) else node.attr]
            else:
                continue
            found.update(n for n in names if _private(n))
    return found


def engine_files(engines: tuple[str, ...] = ENGINES) -> list[Path]:
    """The source files of the installed engines."""
    files: list[Path] = []
    for engine in engines:
        spec = importlib.util.find_spec(engine)
        assert spec is not None and spec.submodule_search_locations, engine
        for folder in spec.submodule_search_locations:
            files += sorted(Path(folder).rglob("*.py"))
    return files


def _engine_imports(tree: ast.AST, engines: tuple[str, ...]) -> set[str]:
    """Names bound in a module (anywhere in it) by imports from the engines."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in engines:
            bound.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names
                         if a.name.split(".")[0] in engines)
    return bound


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def engine_private_uses(root: Path, engine_names: set[str],
                        engines: tuple[str, ...] = ENGINES) -> list[str]:
    """``path:line: what`` for each use of an engine's private name under ``root/pipeline``.

    A private attribute read or written is a use when an engine defines that name and the
    package does not (its own ``self._lock`` is its own); a private method defined in a
    class with an engine's class among its bases is a use (an override) whenever an engine
    defines that name.
    """
    files = sorted((root / "pipeline").rglob("*.py"))
    own = private_names(files) - _overrides_defined(files, engines)
    found = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        shown = path.relative_to(root).as_posix()
        imported = _engine_imports(tree, engines)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr)
                    and node.attr in engine_names and node.attr not in own):
                found.append(f"{shown}:{node.lineno}: .{node.attr}")
            elif isinstance(node, ast.ClassDef) and any(
                    _root_name(base) in imported for base in node.bases):
                found += [f"{shown}:{item.lineno}: overrides {item.name}"
                          for item in node.body
                          if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                          and _private(item.name) and item.name in engine_names]
    return sorted(found)


def _overrides_defined(files: list[Path], engines: tuple[str, ...]) -> set[str]:
    """Private method names defined in subclasses of the engines' classes (an override is
    the engine's name, not the package's own)."""
    names: set[str] = set()
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = _engine_imports(tree, engines)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    _root_name(base) in imported for base in node.bases):
                names.update(item.name for item in node.body
                             if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                             and _private(item.name))
    return names
