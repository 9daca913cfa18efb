"""The run manifest: what went in (inputs, suites, code, environment), what came out, and when.

A manifest has a deterministic part (parameters, inputs, suites, code, environment, stage
keys, outputs with their sha256) and run-time facts under ``"run"`` (start, end and
duration of each stage), so two runs of the same inputs differ only under ``"run"``.
Nothing here imports pandas or papermill: checking a manifest is cheap.
"""

from __future__ import annotations

import fnmatch
import json
import os
import platform
import subprocess
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

from pipeline.config import PACKAGE_DIR
from pipeline.digest import sha256_bytes, sha256_file
from pipeline.errors import ConfigError
from pipeline.inputs.filenames import shown_name, shown_path
from pipeline.inputs.performance_grant import first_agreement_files, first_agreement_folder
from pipeline.run.lock import lock_facts

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
RUNTIME_KEY = "run"
SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints"}
# The officer's words for `laa report` (pipeline.inputs.covering_words): read after a run, never by
# it, so not one of its inputs: editing them neither reruns the stages nor stops a rerun.
NOT_RUN_INPUTS = ("register/covering_report.toml",)
# Outputs known not to be byte-reproducible, recorded with ``"volatile": true`` and left out
# of rerun comparisons and stage keys (``root:path`` globs). None at present: every output,
# the data-quality report included, is byte-reproducible.
VOLATILE_PATTERNS: tuple[str, ...] = ()




def list_files(folder: Path) -> list[Path]:
    """Every regular file under ``folder``, sorted, leaving out hidden files, caches and
    any nested data folder (a sub-folder with its own ``register/``: another agreement's
    demo, such as ``data/raw/laa2``, is not an input of a run on ``data/raw``) and the files
    of :data:`NOT_RUN_INPUTS`."""
    if not folder.is_dir():
        return []
    nested = {d.parent for d in folder.rglob("register") if d.is_dir() and d.parent != folder}
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not any(part.startswith(".") or part in SKIPPED_PARTS
                              for part in p.relative_to(folder).parts)
                  and p.relative_to(folder).as_posix() not in NOT_RUN_INPUTS
                  and not any(n in p.parents for n in nested))


def hash_tree(folder: Path) -> list[dict[str, object]]:
    """Each file under ``folder`` as ``{"path", "sha256", "bytes"}``, path relative, sorted
    (a byte of a name that is not UTF-8 escaped: see
    :func:`pipeline.inputs.filenames.shown_name`)."""
    return [{"path": shown_path(p, folder), "sha256": sha256_file(p),
             "bytes": p.stat().st_size} for p in list_files(folder)]


def hash_inputs(data_dir: Path) -> list[dict[str, object]]:
    """The run's inputs as :func:`hash_tree` gives them: the files under ``data_dir``, then
    those of a first agreement its register names (its register and returns, read by the
    second agreement's run: :func:`pipeline.inputs.performance_grant.first_agreement_files`),
    their paths relative to ``data_dir`` (``../register/targets.csv``), so a change there
    changes the stage keys and stops a rerun too."""
    files = first_agreement_files(data_dir)
    folder = first_agreement_folder(data_dir) if files else None
    linked = [{"path": shown_name(Path(os.path.relpath(p, data_dir)).as_posix()),
               "sha256": sha256_file(p), "bytes": p.stat().st_size}
              for p in files if p.relative_to(folder).as_posix() not in NOT_RUN_INPUTS]
    return hash_tree(data_dir) + linked


def digest_of(value: object) -> str:
    """sha256 of a JSON-able value, keys sorted: equal content, equal digest."""
    return sha256_bytes(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def core_headers(text: str, wanted: tuple[str, ...] = ("name", "version")
                 ) -> dict[str, str]:
    """The first value of each header of ``wanted`` (lower case) in a distribution's core
    metadata (``METADATA`` or ``PKG-INFO``), as ``importlib.metadata``'s email parser gives
    it (pure). Only the header block is read (it ends at the first empty line): the long
    description after it, which that parser goes through line by line, is most of the
    text."""
    found: dict[str, str] = {}
    for line in text.split("\n\n", 1)[0].splitlines():
        key, colon, value = line.partition(":")
        if colon and key.lower() in wanted and key.lower() not in found:
            found[key.lower()] = value.lstrip(" \t").rstrip("\r\n")
    return found


def package_versions() -> dict[str, str]:
    """Name and version of every distribution installed beside the running Python (each
    one's core metadata headers read, see :func:`core_headers`; from where
    ``importlib.metadata`` reads them: METADATA, else PKG-INFO, else a distutils
    ``.egg-info`` file itself)."""
    versions: dict[str, str] = {}
    for dist in metadata.distributions():
        facts = core_headers(dist.read_text("METADATA") or dist.read_text("PKG-INFO")
                             or dist.read_text("") or "")
        name = facts.get("name")
        if name:
            versions[name.lower().replace("_", "-")] = facts.get("version")
    return dict(sorted(versions.items()))


def environment() -> dict[str, object]:
    """Python's version and implementation, the installed packages (kernels share them) and
    the lock beside the package: its sha256 and the versions installed other than its pins
    (``lock`` is None for a package installed without its checkout; see
    :func:`pipeline.run.lock.lock_facts`)."""
    packages = package_versions()
    return {"python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "packages": packages,
            "lock": lock_facts(PACKAGE_DIR.parent, packages)}


def git_state(root: Path) -> dict[str, object]:
    """The checkout's commit and whether its tree differs from it; nulls outside git."""
    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return proc.stdout if proc.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    return {"git_commit": commit.strip() if commit else None,
            "git_dirty": None if status is None else bool(status.strip())}


def fingerprint(data_dir: Path, expectations_dir: Path, package_dir: Path,
                notebooks: Iterable[Path]) -> dict[str, object]:
    """Content hashes of everything a run reads besides its parameters.

    Returns ``inputs`` (files under the data folder), ``suites`` (the expectation suites),
    ``code`` (the package's sha256 and each notebook's) and ``environment``, plus
    ``digest``: one sha256 over all of them, used in every stage's key, but for the lock
    file's own sha256: the versions installed are in it, so editing the lock without
    changing a version recomputes nothing.
    """
    code_files = hash_tree(package_dir)
    facts = {
        "inputs": hash_inputs(data_dir),
        "suites": hash_tree(expectations_dir),
        "code": {"package_sha256": digest_of(code_files),
                 "notebooks": {p.name: sha256_file(p) for p in notebooks}},
        "environment": environment(),
    }
    lock = facts["environment"]["lock"]
    keyed = {**facts, "environment": {**facts["environment"], "lock": lock if lock is None
                                      else {k: v for k, v in lock.items() if k != "sha256"}}}
    return {**facts, "digest": digest_of(keyed)}


def is_volatile(root_name: str, relative: str) -> bool:
    """True for an output matching :data:`VOLATILE_PATTERNS` (``root:path`` globs)."""
    return any(fnmatch.fnmatchcase(f"{root_name}:{relative}", p) for p in VOLATILE_PATTERNS)


def output_entry(root_name: str, root: Path, path: Path, stage: str) -> dict[str, object]:
    """One output as the manifest records it: root (``report`` or ``clean``), path, sha256.

    Volatile outputs (see :data:`VOLATILE_PATTERNS`) also carry ``"volatile": true``.
    """
    relative = path.relative_to(root).as_posix()
    entry: dict[str, object] = {"root": root_name, "path": relative,
                                "sha256": sha256_file(path), "stage": stage}
    if is_volatile(root_name, relative):
        entry["volatile"] = True
    return entry


def reproducible(outputs: list[dict]) -> list[dict]:
    """The outputs expected to be byte-identical on a rerun (volatile ones left out)."""
    return [o for o in outputs if not o.get("volatile")]


def build_manifest(command: str, parameters: dict[str, object], facts: dict[str, object],
                   code_state: dict[str, object], stages: list[dict[str, object]],
                   outputs: list[dict[str, str]], run: dict[str, object]) -> dict[str, object]:
    """Assemble a manifest (pure): the deterministic parts, then the run-time facts.

    Parameters
    ----------
    command
        ``run`` or ``validate``.
    parameters
        The notebooks' parameters, with the published (not staging) folders.
    facts
        The :func:`fingerprint` of the run.
    code_state
        :func:`git_state` of the checkout.
    stages
        Per stage: ``stage``, ``notebook``, ``notebook_sha256``, ``executed``, ``key``.
    outputs
        Every output (see :func:`output_entry`).
    run
        Run-time facts: ``started_at``, ``ended_at``, ``seconds`` and per-stage timings.
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "command": command,
        "parameters": dict(sorted(parameters.items())),
        "inputs": facts["inputs"],
        "suites": facts["suites"],
        "code": {**facts["code"], **code_state},
        "environment": facts["environment"],
        "stages": stages,
        "outputs": sorted(outputs, key=lambda o: (o["root"], o["path"])),
        RUNTIME_KEY: run,
    }


def kept_entries(paths: list[str], folder: Path,
                 previous: dict[str, object] | None) -> list[dict[str, object]]:
    """The manifest's record of outputs kept from earlier runs (see
    :func:`pipeline.run.publish.keep_unbuilt`): path, sha256 and the run that made each.

    ``from_run`` is the earlier manifest's command, parameters and end time, carried over
    unchanged when that manifest had itself kept the file; a file of a ``validation/``
    folder points at that folder's own manifest.
    """
    previous = previous or {}
    made = {o["path"] for o in previous.get("outputs", []) if o.get("root") == "report"}
    carried = {k["path"]: k["from_run"] for k in previous.get("kept", [])}
    origin = {"command": previous.get("command", ""),
              "parameters": previous.get("parameters", {}),
              "ended_at": previous.get(RUNTIME_KEY, {}).get("ended_at", "")}
    out = []
    for path in paths:
        if path in carried:
            source = carried[path]
        elif path in made:
            source = origin
        else:
            source = {"manifest": f"{path.split('/')[0]}/{MANIFEST_NAME}"}
        out.append({"path": path, "sha256": sha256_file(folder / path), "from_run": source})
    return out


def deterministic_part(manifest: dict[str, object]) -> dict[str, object]:
    """The manifest without its run-time facts and volatile outputs (whose very names
    carry the time): equal for reruns of the same inputs."""
    part = {k: v for k, v in manifest.items() if k != RUNTIME_KEY}
    part["outputs"] = reproducible(manifest.get("outputs", []))
    return part


def write_manifest(path: Path, manifest: dict[str, object]) -> Path:
    """Write the manifest as sorted, indented JSON (UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def read_manifest(path: Path) -> dict[str, object]:
    """Read a manifest written by :func:`write_manifest`.

    Raises
    ------
    ConfigError
        If the file is missing, not JSON, or not a manifest of a known version.
    """
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no manifest here", file=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"manifest cannot be read ({exc})", file=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("manifest_version") != MANIFEST_VERSION:
        raise ConfigError(f"not a version {MANIFEST_VERSION} run manifest", file=str(path))
    return manifest


def try_read_manifest(path: Path) -> dict[str, object] | None:
    """The manifest at ``path``, or None if there is none or it cannot be used."""
    try:
        return read_manifest(path)
    except ConfigError:
        return None


def changed_files(recorded: list[dict[str, object]], folder: Path,
                  hashed: Callable[[Path], list[dict[str, object]]] = hash_tree) -> list[str]:
    """Files whose bytes differ from ``recorded`` (see :func:`hash_tree`, or ``hashed``:
    :func:`hash_inputs` for a data folder), sorted.

    Lists files changed, missing (``... (missing)``) and new since (``... (new)``).
    """
    current = {e["path"]: e["sha256"] for e in hashed(folder)}
    wanted = {e["path"]: e["sha256"] for e in recorded}
    out = [f"{p} (missing)" if p not in current else str(p)
           for p, sha in wanted.items() if current.get(p) != sha]
    out += [f"{p} (new)" for p in current if p not in wanted]
    return sorted(out)


def mismatched_outputs(outputs: list[dict[str, str]], roots: dict[str, Path]) -> list[str]:
    """Outputs whose file is missing or whose sha256 differs, as ``root/path`` strings."""
    bad = []
    for entry in outputs:
        path = roots[entry["root"]] / entry["path"]
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            bad.append(f"{entry['root']}/{entry['path']}")
    return bad
