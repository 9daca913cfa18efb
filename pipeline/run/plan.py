"""What a run will do: its stages, which of them run together, and which can be reused.

:data:`STAGES` lists the notebooks in order; :data:`CLAIMS` names what a stage run beside
another writes; :class:`Plan` holds a run's fixed facts and decides, stage by stage, its
content key, its generated-at stamp and whether its published outputs can be reused (see
:mod:`pipeline.run.incremental`): those of the meeting's own published run, or for a run
those of the meeting's latest ``laa validate`` (:func:`earlier_manifests`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.config import Settings
from pipeline.run.execute import STAMPED, notebook_parameters
from pipeline.run.incremental import Reuse, reusable, stage_key
from pipeline.run.manifest import MANIFEST_NAME

STAGES: tuple[tuple[str, str], ...] = (
    ("ingest", "01_ingest.ipynb"),
    ("validate", "02_validate.ipynb"),
    ("benchmark", "02_benchmark.ipynb"),
    ("assess", "03_assess.ipynb"),
    ("appendix", "04_appendix.ipynb"),
    ("tables", "04_tables.ipynb"),
)
# A stage named here runs beside the stage before it (one step), at the same time, each in
# a kernel of its own; neither reads what the other writes. What it writes is told apart
# from the other's by these ``root:path`` globs (and its executed notebook); everything
# else written meanwhile is the other's.
CLAIMS: dict[str, tuple[str, ...]] = {
    "benchmark": ("clean:national.parquet", "clean:national_quarantine.parquet",
                  "clean:national_validation_results.parquet", "clean:benchmark_ranks.parquet",
                  "clean:benchmark_members.parquet", "clean:benchmark_groups.json"),
    "tables": ("report:tables/*", "report:districts/*/tables/*", "report:tables-*/*",
               "report:districts/*/tables-*/*"),
}
VALIDATE_STAGES = ("ingest", "validate", "benchmark")  # what ``laa validate`` runs
VALIDATION_FOLDER = "validation"  # ``laa validate`` publishes into <report>/validation/


def published_folder(settings: Settings, command: str) -> Path:
    """Where a command publishes: ``<reports>/<meeting>``, or its ``validation/`` for validate."""
    return settings.report_dir / VALIDATION_FOLDER if command == "validate" \
        else settings.report_dir


def earlier_manifests(settings: Settings, command: str) -> list[Path]:
    """The manifests whose stages ``command`` may reuse, in the order they are tried: its
    own published one, then for ``run`` the meeting's latest ``laa validate``'s (an officer
    validates, then runs: the ingest and validation it made are not made again when their
    keys match)."""
    own = published_folder(settings, command) / MANIFEST_NAME
    return [own, published_folder(settings, "validate") / MANIFEST_NAME] \
        if command == "run" else [own]


def steps_of(stages: tuple[tuple[str, str], ...]) -> list[tuple[tuple[str, str], ...]]:
    """The stages in steps: a stage of :data:`CLAIMS` joins the step of the one before it."""
    steps: list[tuple[tuple[str, str], ...]] = []
    for stage in stages:
        if stage[0] in CLAIMS and steps and len(steps[-1]) == 1:
            steps[-1] += (stage,)
        else:
            steps.append((stage,))
    return steps


def step_names(stages: tuple[tuple[str, str], ...]) -> list[tuple[str, ...]]:
    """The stages' names in :func:`steps_of`'s steps (what the run's kernels are started by:
    :class:`pipeline.run.execute.StageKernels`)."""
    return [tuple(name for name, _ in step) for step in steps_of(stages)]



@dataclass
class Plan:
    """The run's fixed facts: settings, fingerprint, previous manifest, folders."""

    settings: Settings
    stages: tuple[tuple[str, str], ...]
    facts: dict
    previous: dict | None
    published: Path
    force: bool
    stamp_given: bool = True
    stamps: dict[str, str] = field(default_factory=dict)  # a rerun's stamp of each stage
    validated: dict | None = None  # for a run: the meeting's latest ``laa validate`` manifest

    @property
    def parameters(self) -> dict[str, str]:
        return notebook_parameters(self.settings)

    @property
    def roots(self) -> dict[str, Path]:
        return {"clean": self.settings.clean_dir, "report": self.published}

    @property
    def earlier(self) -> list[tuple[dict, dict[str, Path], str]]:
        """The manifests whose stages may be reused, each with the folders of its outputs
        and its path from the meeting's folder ("" for the meeting's own)."""
        out = [(self.previous, self.roots, "")] if self.previous else []
        if self.validated:
            folder = published_folder(self.settings, "validate")
            out.append((self.validated, {"clean": self.settings.clean_dir, "report": folder},
                        f"{VALIDATION_FOLDER}/{MANIFEST_NAME}"))
        return out

    def stamp(self, stage: str) -> str:
        """The generated-at stamp ``stage`` runs with: the run's, or for a rerun the one
        the manifest recorded for the stage."""
        return self.stamps.get(stage, self.settings.generated_at)

    def key(self, stage: str, notebook: str, upstream: list[dict], stamp: str) -> str:
        return stage_key(stage, self.facts["code"]["notebooks"][notebook],
                         notebook_parameters(replace(self.settings, generated_at=stamp), stage),
                         self.facts["digest"], upstream)

    def decide(self, stage: str, notebook: str,
               upstream: list[dict]) -> tuple[str, str, Reuse | None]:
        """The stage's key, its stamp and its reuse (None: it must run), from the first
        manifest of :attr:`earlier` that has the key and whose outputs are unchanged.

        When the run's stamp was not given, a stage of :data:`STAMPED` whose inputs are
        unchanged is reused with the stamp it was made with (the stamp is the documents'
        date, not a reason to remake them): changing an option reruns only the stages it
        touches, and the manifest records each stage's stamp for ``laa rerun``.
        """
        stamp = self.stamp(stage)
        key = self.key(stage, notebook, upstream, stamp)
        if self.force:
            return key, stamp, None
        for manifest, roots, name in self.earlier:
            reuse = reusable(manifest, stage, key, roots, name)
            if reuse is not None:
                return key, stamp, reuse
        if self.stamp_given or stage not in STAMPED:
            return key, stamp, None
        for manifest, roots, name in self.earlier:
            recorded = {s.get("stage"): s for s in manifest.get("stages", [])}
            made = str(recorded.get(stage, {}).get("generated_at") or manifest.get(
                "parameters", {}).get("generated_at", ""))
            if made and made != stamp:
                made_key = self.key(stage, notebook, upstream, made)
                made_reuse = reusable(manifest, stage, made_key, roots, name)
                if made_reuse is not None:
                    return made_key, made, made_reuse
        return key, stamp, None

    @property
    def steps(self) -> list[tuple[tuple[str, str], ...]]:
        return steps_of(self.stages)

    @functools.cached_property
    def _prediction(self) -> list[Reuse | None]:
        return self._predict()

    def predict(self) -> list[Reuse | None]:
        """Reuse of each stage in order, up to the end of the first step with a stage that
        must run (a stage's key depends on the outputs of the steps before its own).
        Worked out once per plan: it hashes every output it would reuse, and the run asks
        for it several times (kernels to start, up to date, what to run)."""
        return self._prediction

    def _predict(self) -> list[Reuse | None]:
        upstream: list[dict] = []
        plan: list[Reuse | None] = []
        for step in self.steps:
            reuses = [self.decide(stage, notebook, upstream)[2] for stage, notebook in step]
            plan += reuses
            if not all(reuses):
                break
            upstream += [o for reuse in reuses for o in reuse.outputs]
        return plan

    def to_run(self) -> tuple[tuple[str, str], ...]:
        """The stages from the first step with one that must run (the kernels are for them)."""
        plan, done = self.predict(), 0
        for step in self.steps:
            if len(plan) < done + len(step) or not all(plan[done:done + len(step)]):
                break
            done += len(step)
        return self.stages[done:]

    def up_to_date(self, command: str) -> bool:
        """True when every stage is reused from the published manifest, and that manifest
        is for this command."""
        plan = self.predict()
        return (len(plan) == len(self.stages) and all(plan)
                and not any(reuse.source for reuse in plan)
                and self.previous.get("command") == command
                and self.previous.get("parameters") == self.parameters)

