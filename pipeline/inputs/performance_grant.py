"""The register's ``performance_grant.toml``: the reward an agreement holds.

Seed 001, para 28: "2008/09 is the final year of our first LAA and at the end of the year
we will know how much 'reward funding' we have achieved based on performance against each
of the 12 reward targets (which will be carried forward into LAA2). There are no new
reward targets in LAA2, but a performance grant will be paid at the end of the 3 year
period based on performance across all targets."

So a second agreement's register may name the data folder of the first (its register and
returns, read only), whose reward targets' final year the second agreement's documents
forecast, and describe its own performance grant. This module reads the setting and finds
the first agreement's files; it imports no pandas, so the run manifest can hash those
files as the run's inputs (:func:`pipeline.run.manifest.hash_inputs`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import RegisterError

FILE = "performance_grant.toml"
KEYS = ("first_agreement", "grant_gbp", "paid_after", "basis", "illustrative")
# The first agreement's folders an agreement's run reads (never writes).
FIRST_AGREEMENT_PARTS = ("register", "returns")


@dataclass(frozen=True)
class PerformanceGrant:
    """What ``performance_grant.toml`` says.

    ``first_agreement``: the first agreement's data folder as written (relative to this
    data folder), blank for none; ``grant_gbp``: this agreement's own grant, None when not
    given; ``paid_after``: the year at whose end it is paid; ``basis``: what it is paid on;
    ``illustrative``: the figures are not the partnership's own (the documents say so).
    """

    first_agreement: str = ""
    grant_gbp: float | None = None
    paid_after: str = ""
    basis: str = ""
    illustrative: bool = False


def read_performance_grant(register_dir: Path) -> PerformanceGrant | None:
    """The setting, or None when the register has no ``performance_grant.toml``.

    Raises
    ------
    RegisterError
        For a file that is not valid TOML, an unknown key, a grant that is not a number
        of at least 0, or ``illustrative`` not yes or no (naming the file and key).
    """
    path = register_dir / FILE
    if not path.is_file():
        return None
    try:
        given = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegisterError(f"not valid TOML: {exc}", file=FILE) from exc
    for key in given:
        if key not in KEYS:
            raise RegisterError(f"unknown key {key!r}: expected one of " + ", ".join(KEYS),
                                file=FILE, key=key)
    text = {k: str(v).strip() for k, v in given.items()}
    grant = None
    if text.get("grant_gbp"):
        try:
            grant = float(text["grant_gbp"].replace(",", "").replace("£", ""))
        except ValueError:
            grant = -1.0
        if not grant >= 0:
            raise RegisterError(f"grant_gbp {text['grant_gbp']!r} is not an amount of 0 or "
                                "more", file=FILE, key="grant_gbp")
    flag = text.get("illustrative", "no").lower()
    if flag not in ("yes", "no", "true", "false"):
        raise RegisterError(f"illustrative {text['illustrative']!r} is not yes or no",
                            file=FILE, key="illustrative")
    return PerformanceGrant(first_agreement=text.get("first_agreement", ""), grant_gbp=grant,
                            paid_after=text.get("paid_after", ""),
                            basis=text.get("basis", ""),
                            illustrative=flag in ("yes", "true"))


def first_agreement_folder(data_dir: Path) -> Path | None:
    """The first agreement's data folder named by ``data_dir``'s register, resolved; None
    when the register names none.

    Raises
    ------
    RegisterError
        When the folder named is missing, is this data folder itself, or has no
        ``register/indicators.csv`` (not a data folder).
    """
    setting = read_performance_grant(data_dir / "register")
    if setting is None or not setting.first_agreement:
        return None
    folder = (data_dir / setting.first_agreement).resolve()
    named = f"first_agreement {setting.first_agreement!r}"
    if not folder.is_dir():
        raise RegisterError(f"{named}: no such folder ({folder})", file=FILE,
                            key="first_agreement")
    if folder == data_dir.resolve():
        raise RegisterError(f"{named} is this data folder itself: name the first "
                            "agreement's", file=FILE, key="first_agreement")
    if not (folder / "register" / "indicators.csv").is_file():
        raise RegisterError(f"{named} ({folder}) is not a data folder: it has no "
                            "register/indicators.csv", file=FILE, key="first_agreement")
    return folder


def first_agreement_files(data_dir: Path) -> list[Path]:
    """The first agreement's files a run on ``data_dir`` reads (its register and returns),
    sorted, hidden files left out; none when the register names no first agreement."""
    folder = first_agreement_folder(data_dir)
    if folder is None:
        return []
    return sorted(p for part in FIRST_AGREEMENT_PARTS if (folder / part).is_dir()
                  for p in (folder / part).rglob("*")
                  if p.is_file() and not any(s.startswith(".") or s == "__pycache__"
                                             for s in p.relative_to(folder).parts))
