"""Incremental runs: a content-hash key per stage, and the decision to reuse a stage's outputs.

A stage's key is the sha256 of everything that can change what it produces: its name, its
notebook, the run's parameters, the fingerprint of inputs, suites, code and environment
(:func:`pipeline.run.manifest.fingerprint`), and the sha256 of every output of the stages
before it. Timestamps play no part. A stage is reused when the meeting's published
manifest has the same key for it and every output it recorded is still there with the
same sha256; otherwise it is recomputed (and so, through their keys, may the stages after
it, unless its outputs come out the same). A run also reuses the stages of the meeting's
latest ``laa validate`` (its manifest in ``validation/``) on the same terms: the key is
the only judge, wherever the outputs were made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.run.manifest import RUNTIME_KEY, digest_of, mismatched_outputs, reproducible

Snapshot = dict[str, tuple[int, int]]


def stage_key(stage: str, notebook_sha256: str, parameters: dict[str, object],
              fingerprint_digest: str, upstream: list[dict[str, str]]) -> str:
    """The content key of one stage (pure).

    Parameters
    ----------
    stage, notebook_sha256
        The stage's name and its notebook's sha256.
    parameters
        The notebooks' parameters, with the published (not staging) folders.
    fingerprint_digest
        ``fingerprint(...)["digest"]``: inputs, suites, code and environment.
    upstream
        The outputs of the stages before this one (root, path and sha256 each); volatile
        ones are left out, so they cannot force later stages to rerun.
    """
    earlier = sorted((o["root"], o["path"], o["sha256"]) for o in reproducible(upstream))
    return digest_of({"stage": stage, "notebook": notebook_sha256,
                      "parameters": parameters, "fingerprint": fingerprint_digest,
                      "upstream": earlier})


@dataclass(frozen=True)
class Reuse:
    """A stage that need not run: its recorded outputs are all present and unchanged.

    ``folder`` holds its recorded ``report`` outputs (copied from there into the build);
    ``source`` says which earlier run made them when it is not the meeting's own published
    run (``manifest``, ``command``, ``ended_at``; recorded in the new manifest's run-time
    facts), else None.
    """

    stage: str
    outputs: list[dict[str, str]]
    folder: Path | None = None
    source: dict[str, str] | None = None


def reusable(previous: dict[str, object] | None, stage: str, key: str,
             roots: dict[str, Path], source: str = "") -> Reuse | None:
    """The outputs to reuse for ``stage`` under ``key``, or None if it must run.

    ``previous`` is a published manifest (or None); ``roots`` maps ``clean`` and
    ``report`` to the folders the recorded outputs live in; ``source`` names that manifest
    (relative to the meeting's folder) when it is not the meeting's own.
    """
    if not previous:
        return None
    recorded = {s.get("stage"): s for s in previous.get("stages", [])}
    if recorded.get(stage, {}).get("key") != key:
        return None
    outputs = [o for o in previous.get("outputs", []) if o.get("stage") == stage]
    if not outputs or mismatched_outputs(outputs, roots):
        return None
    made = {"manifest": source, "command": str(previous.get("command", "")),
            "ended_at": str(previous.get(RUNTIME_KEY, {}).get("ended_at", ""))}
    return Reuse(stage, outputs, roots["report"], made if source else None)


def snapshot(folder: Path) -> Snapshot:
    """Size and modification time (ns) of each file under ``folder``, lock files left out."""
    if not folder.is_dir():
        return {}
    out: Snapshot = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.startswith(".laa-"):
            info = path.stat()
            out[path.relative_to(folder).as_posix()] = (info.st_size, info.st_mtime_ns)
    return out


def written_since(before: Snapshot, after: Snapshot) -> list[str]:
    """Files new or rewritten between two snapshots, sorted (pure)."""
    return sorted(path for path, facts in after.items() if before.get(path) != facts)
