"""Reading the package's import graph with ``ast``: the stages, their order, and circles.

Used by tests/test_architecture.py on the real package and on small planted packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

# The stages in the order data flows; a module may import only from its own stage or an
# earlier one. ``base`` is configuration, errors and the shared vocabularies.
STAGES = ("base", "inputs", "quality", "assess", "report", "run", "cli")
MAX_LINES = 400   # a module longer than this is split along what its parts do (issue 23.5)
BASE_MODULES = {"errors", "config", "rules", "rules_schema", "rules_text", "periods", "rag",
                "names", "figures", "store", "digest", "project"}


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package under ``root`` (``root/package``), by dotted name."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def long_modules(root: Path, package: str = "pipeline",
                 limit: int = MAX_LINES) -> list[str]:
    """The package's modules longer than ``limit`` lines, as ``path: n lines``."""
    out = []
    for path in module_names(root, package).values():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            out.append(f"{path.relative_to(root).as_posix()}: {lines} lines")
    return out


def imports_of(path: Path, name: str, known: set[str], package: str) -> set[str]:
    """The package's modules that ``path`` imports (anywhere in it, functions included)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith(package) and target != name:
                found.add(target)
    return found


def import_graph(root: Path, package: str = "pipeline") -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    modules = module_names(root, package)
    known = set(modules)
    return {name: imports_of(path, name, known, package) for name, path in modules.items()}


def stage_of(module: str, package: str = "pipeline") -> str:
    """The stage a module belongs to: its sub-package, ``cli``, or ``base``."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in BASE_MODULES:
        return "base"
    if parts[0] in STAGES:
        return parts[0]
    raise ValueError(f"module {module} is in no stage: put it in a sub-package or add it to "
                     "the base modules")


def backward_imports(graph: dict[str, set[str]], package: str = "pipeline") -> list[str]:
    """Each import from a later stage into an earlier one, as ``a (stage) -> b (stage)``."""
    out = []
    for module, targets in sorted(graph.items()):
        mine = STAGES.index(stage_of(module, package))
        for target in sorted(targets):
            theirs = STAGES.index(stage_of(target, package))
            if theirs > mine:
                out.append(f"{module} ({STAGES[mine]}) -> {target} ({STAGES[theirs]})")
    return out


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle of imports (strongly connected groups of two or more modules, or a
    module importing itself), each sorted, the list sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)
