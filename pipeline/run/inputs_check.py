"""The checks of a run's parameters against its inputs, made before anything is built.

The register is read and checked (its warnings kept), the period refused if it is outside
the agreement, the theme filter and the district looked up in the register and the
comparator group in the national table. Where the run has a fork server
(:mod:`pipeline.run.kernel_forks`), the checks are made there, in a child it forks once it
has imported the first stage's modules (pandas and the register's reader among them), and
come back as a JSON answer (:func:`answer`): ``laa`` imports neither pandas nor the register
to make them, and waits for the answer while its kernels start. A check that raised comes
back as its error's type, message and context, raised again here as the same error
(:func:`findings_from`). Without a server, or without an answer from it (it refused to
fork, ended, or the checks failed there for a reason other than an error of
:mod:`pipeline.errors`), they are made here, the same way (:func:`check_inputs`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import errors

if TYPE_CHECKING:  # imported where the checks run: `laa` itself need not import pandas
    from pipeline.inputs.register import Register


@dataclass(frozen=True)
class InputsCheck:
    """What to check: the register's folder, the period and the options to look up there
    (blank: not asked for). JSON-able (:meth:`payload`), so the fork server can make it."""

    register_dir: str
    period: str
    theme: str = ""
    district: str = ""
    data_dir: str = ""
    compare_with: str = ""

    def payload(self) -> dict[str, str]:
        """The check as sent to the fork server."""
        return asdict(self)


@dataclass
class Findings:
    """What the checks found: the register's warnings, and the error that refuses the run
    (None when it may go on); ``register`` is the register when it was read here."""

    warnings: list[str] = field(default_factory=list)
    error: errors.LaaError | None = None
    register: Register | None = None


def check_inputs(check: InputsCheck, known: Register | None = None) -> Findings:
    """Make the checks here (``known``: the register, if it was read already).

    An error of the register's reading or of a check is returned, not raised, so that the
    warnings found before it can be said first; any other exception (a file that cannot be
    read) propagates.
    """
    from pipeline.inputs.register import (
        check_period,
        load_register,
        resolve_district,
        select_themes,
    )

    try:
        known = known or load_register(Path(check.register_dir))
    except errors.LaaError as exc:
        return Findings(error=exc)
    found = Findings(list(known.warnings), register=known)
    try:
        check_period(known, check.period)
        if check.theme or check.district:
            select_themes(known, check.theme)
            resolve_district(known, check.district)
        if check.compare_with:
            from pipeline.inputs.national import check_group

            check_group(Path(check.data_dir), check.compare_with)
    except errors.LaaError as exc:
        found.error = exc
    return found


def answer(payload: dict[str, str]) -> bytes:
    """The checks of ``payload`` (:meth:`InputsCheck.payload`) made, as the fork server's
    child sends them back: JSON of the warnings and of the error (its type's name, message
    and context), or of why they could not be made (``failed``: the run then makes them
    itself, and meets the same problem there)."""
    try:
        found = check_inputs(InputsCheck(**payload))
    except Exception as exc:  # noqa: BLE001 - said again where the run makes them itself
        return json.dumps({"failed": f"{type(exc).__name__}: {exc}"}).encode("utf-8")
    error = found.error
    said = None if error is None else {
        "kind": type(error).__name__, "message": error.message,
        "context": {k: str(v) for k, v in error.context.items()}}
    return json.dumps({"warnings": found.warnings, "error": said}).encode("utf-8")


def findings_from(data: bytes | None) -> Findings | None:
    """The findings an :func:`answer` carries; None when there is none to use (no answer,
    ``failed``, or an error that is not one of :mod:`pipeline.errors`)."""
    try:
        said = json.loads(data or b"")
        warnings = [str(w) for w in said["warnings"]]
        error = said["error"]
    except (ValueError, KeyError, TypeError):
        return None
    if error is None:
        return Findings(warnings)
    kind = getattr(errors, str(error.get("kind")), None) if isinstance(error, dict) else None
    if not (isinstance(kind, type) and issubclass(kind, errors.LaaError)):
        return None
    return Findings(warnings, kind(str(error.get("message")), **dict(error.get("context", {}))))
