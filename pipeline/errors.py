"""The pipeline's error types, each carrying its context and a distinct CLI exit code."""

from __future__ import annotations

from collections.abc import Sequence


class LaaError(Exception):
    """Base error: a one-line message for the user and an exit code for the CLI."""

    exit_code = 1

    def __init__(self, message: str, **context: object) -> None:
        self.message = message
        self.context = {k: v for k, v in context.items() if v not in (None, "")}
        where = ", ".join(f"{k} {v}" for k, v in self.context.items())
        super().__init__(f"{message} ({where})" if where else message)

    def with_context(self, **changes: object) -> LaaError:
        """The same error (same type and message) with some context replaced or added."""
        return type(self)(self.message, **{**self.context, **changes})


class ConfigError(LaaError):
    """Bad parameters or configuration (unknown period format, missing folder...)."""

    exit_code = 2


class RegisterError(LaaError):
    """The indicator register is inconsistent (unknown theme, duplicate id...)."""

    exit_code = 3


class UnknownKeyError(RegisterError):
    """A key looked up in a registry does not exist (indicator, theme, district)."""


class InputError(LaaError):
    """A partner return cannot be used as a whole (no usable file at all)."""

    exit_code = 4


class ValidationFailed(LaaError):
    """A critical data-quality expectation failed: nothing is published."""

    exit_code = 5


class StageFailed(LaaError):
    """A notebook stage failed for a reason not covered by the errors above."""

    exit_code = 6


class RunLocked(LaaError):
    """Another run is building the same meeting or using the same clean folder."""

    exit_code = 7


class InputsChanged(LaaError):
    """A rerun was refused: an input no longer hashes as the manifest recorded."""

    exit_code = 8


class OutputsDiffer(LaaError):
    """A rerun finished but its outputs do not hash as the manifest recorded."""

    exit_code = 9


class NoReturns(LaaError):
    """No return is usable for the period asked for: nothing is assessed or published."""

    exit_code = 10

    @classmethod
    def for_period(cls, period: str, returns_dir: object,
                   unreadable: Sequence[tuple[str, str]] = ()) -> NoReturns:
        """The one message: ``no returns for 2099-00 Q1 in .../returns: nothing published``.

        ``unreadable`` lists the files there that could not be used, as (file, reason): the
        message names each (the first five, then how many more), since no data-quality
        report is published to say why.
        """
        files = list(unreadable)
        also = ""
        if files:
            named = "; ".join(f"{name}: {reason}" for name, reason in files[:5])
            more = f"; and {len(files) - 5} more" if len(files) > 5 else ""
            also = f" ({len(files)} file(s) there could not be used: {named}{more})"
        return cls(f"no returns for {period} in {returns_dir}{also}: nothing published")
