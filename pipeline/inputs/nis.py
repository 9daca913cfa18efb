"""The National Indicator Set (2008): NI 1 to NI 30 and NI 32 to NI 199, as reference data.

``reference/nis_2008.csv`` holds one row per national indicator: id, title, polarity, unit
(in the register's vocabulary), tier (``upper tier``, ``district`` or ``both``), the
measure in words, notes saying where a fact is not certain, and its provenance: the source
the row was checked against and which facts, or ``unverified``. How far to trust it is in
``reference/README.md``. A partnership holding the official list may put its own catalogue
in ``register/nis.csv`` (same columns): it then replaces the package's
(:func:`catalogue_for`). A register row that names an NI and leaves title, polarity or unit
blank takes them from the catalogue in use (:func:`fill_from_catalogue`), and says which of
them nobody has checked (``catalogue_unverified``; the appendix's note:
:func:`describe_unverified`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline.errors import RegisterError
from pipeline.names import id_sort_key
from pipeline.rules_schema import UNITS

CATALOGUE_PATH = Path(__file__).resolve().parent / "reference" / "nis_2008.csv"
OVERRIDE_NAME = "nis.csv"   # a partnership's own catalogue, in its register folder
CATALOGUE_COLUMNS = ("ni_id", "title", "polarity", "unit", "tier", "measure", "notes",
                     "provenance")
REQUIRED_COLUMNS = ("ni_id", "title", "polarity", "unit", "tier")
FILLED_COLUMNS = ("title", "polarity", "unit")
FACTS = ("id", "title", "polarity", "unit")
POLARITIES = ("higher", "lower")
TIERS = ("upper tier", "district", "both")
UNVERIFIED = "unverified"
# What a partnership's own catalogue row with no provenance stands for: its official list.
OWN_LIST = f"the partnership's own list (register/{OVERRIDE_NAME}); checked: " + ", ".join(FACTS)
# NI numbers of the draft set that the final set does not have, and why.
DROPPED = {31: "NI 31 was dropped from the National Indicator Set before it was final"}
UNVERIFIED_MEASURE = ("Indicators taking a title, polarity or unit from the National Indicator "
                      "Set catalogue that has not been checked against the official list")
_NI = re.compile(r"NI[\s_-]*0*(\d+)", re.IGNORECASE)
_CHECKED = re.compile(r";\s*checked:\s*(.+)$", re.IGNORECASE)


def ni_number(indicator_id: object) -> int | None:
    """The number of an NI id (``NI 152``, ``ni152``, ``NI-008`` -> 152, 152, 8), or None
    for an id that is not written as an NI."""
    match = _NI.fullmatch(str(indicator_id).strip())
    return int(match.group(1)) if match else None


def checked_facts(provenance: object) -> set[str]:
    """The facts of a catalogue row checked against its source, from its provenance.

    ``"seed 001 (...); checked: id, title"`` -> ``{"id", "title"}``; ``unverified`` (or
    blank, or text without ``; checked:``) -> an empty set.
    """
    match = _CHECKED.search(str(provenance or "").strip())
    if not match:
        return set()
    return {f.strip().lower() for f in match.group(1).split(",") if f.strip()}


def parse_catalogue(raw: pd.DataFrame, file: str, own: bool = False) -> pd.DataFrame:
    """Check a catalogue and put it in its canonical form, one row per NI in NI order.

    Parameters
    ----------
    raw
        The file's text cells (header lower case, values trimmed), a fresh index.
    file
        The file's name, for errors.
    own
        True for a partnership's own catalogue: a blank provenance counts as its official
        list (:data:`OWN_LIST`), and ``measure``, ``notes`` and ``provenance`` may be absent.

    Raises
    ------
    RegisterError
        Naming the file, row and column: a required column missing, an id not written as
        an NI or given twice, a blank title, a polarity, unit or tier outside the
        vocabulary, or a provenance neither ``unverified`` nor ``<source>; checked: <facts>``.
    """
    missing = [c for c in (REQUIRED_COLUMNS if own else CATALOGUE_COLUMNS) if c not in raw]
    if missing:
        raise RegisterError(f"required column{'s' if len(missing) > 1 else ''} missing",
                            file=file, column=", ".join(missing))
    cat = raw.reindex(columns=list(CATALOGUE_COLUMNS), fill_value="").astype(str)
    numbers = cat["ni_id"].map(ni_number)
    for row, (text, number) in enumerate(zip(cat["ni_id"], numbers, strict=True), start=2):
        if number is None:
            raise RegisterError(f"ni_id {text!r} is not written as an NI (NI 152)", file=file,
                                row=row, column="ni_id")
    cat["ni_id"] = [f"NI {n}" for n in numbers]
    twice = cat["ni_id"][cat["ni_id"].duplicated()]
    if not twice.empty:
        raise RegisterError(f"duplicate ni_id {twice.iloc[0]!r}", file=file,
                            row=int(twice.index[0]) + 2, column="ni_id")
    blank = cat.index[cat["title"] == ""]
    if len(blank):
        raise RegisterError("title is blank", file=file, row=int(blank[0]) + 2, column="title")
    for column, allowed in (("polarity", POLARITIES), ("unit", UNITS), ("tier", TIERS)):
        cat[column] = cat[column].str.lower()
        bad = cat.index[~cat[column].isin(allowed)]
        if len(bad):
            raise RegisterError(f"{column} {cat[column].iloc[bad[0]]!r} is not one of "
                                + ", ".join(allowed), file=file, row=int(bad[0]) + 2,
                                column=column)
    if own:
        cat["provenance"] = cat["provenance"].where(cat["provenance"] != "", OWN_LIST)
    for row, text in enumerate(cat["provenance"], start=2):
        facts = checked_facts(text)
        if text.lower() != UNVERIFIED and (not facts or not facts <= set(FACTS)):
            raise RegisterError(f"provenance {text!r} is neither {UNVERIFIED!r} nor "
                                "'<source>; checked: <facts>' with facts among "
                                + ", ".join(FACTS), file=file, row=row, column="provenance")
    cat["provenance"] = cat["provenance"].where(cat["provenance"].str.lower() != UNVERIFIED,
                                                UNVERIFIED)
    return cat.sort_values("ni_id", key=lambda s: s.map(id_sort_key),
                           kind="stable").reset_index(drop=True)


def read_text_csv(path: Path, what: str = "catalogue file") -> pd.DataFrame:
    """A UTF-8 CSV as text, headers lower-cased and every value trimmed (empty file: an
    empty frame); a file that cannot be parsed is a RegisterError naming ``what`` and it."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RegisterError(f"{what} cannot be read: {exc}", file=path.name) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame.apply(lambda col: col.str.strip())


@cache
def _catalogue() -> pd.DataFrame:
    return parse_catalogue(read_text_csv(CATALOGUE_PATH), CATALOGUE_PATH.name)


def read_catalogue() -> pd.DataFrame:
    """The package's catalogue, one row per national indicator in NI order (a copy:
    callers may change it)."""
    return _catalogue().copy()


def read_own_catalogue(path: Path) -> tuple[pd.DataFrame | None, list[str]]:
    """A partnership's own catalogue (``register/nis.csv``), checked, and the warnings its
    reading raised (a column it does not know, ignored: one line naming file and column).
    None for a file with no rows: like any optional register file, it counts as absent.

    Raises
    ------
    RegisterError
        See :func:`parse_catalogue`.
    """
    raw = read_text_csv(path)
    if raw.empty:
        return None, []
    warnings = [f"unknown column {c!r} ignored (file {path.name}, column {c})"
                for c in raw.columns if c not in CATALOGUE_COLUMNS]
    return parse_catalogue(raw, path.name, own=True), warnings


def catalogue_for(register_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """The catalogue a register uses: its own ``nis.csv`` when present, else the package's;
    with the warnings reading it raised."""
    path = register_dir / OVERRIDE_NAME
    own, warnings = read_own_catalogue(path) if path.is_file() else (None, [])
    return (read_catalogue() if own is None else own), warnings


def describe_set(catalogue: pd.DataFrame) -> str:
    """The NI numbers a catalogue holds, as runs: ``NI 1 to NI 30 and NI 32 to NI 199``."""
    numbers = sorted(n for n in catalogue["ni_id"].map(ni_number) if n is not None)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    parts = [f"NI {a}" if a == b else f"NI {a} to NI {b}" for a, b in runs]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def lookup(indicator_id: object, catalogue: pd.DataFrame | None = None) -> pd.Series | None:
    """The catalogue row of an NI id; None for an id not written as an NI.

    Parameters
    ----------
    indicator_id
        As the register writes it.
    catalogue
        The catalogue in use (:func:`catalogue_for`); None for the package's.

    Raises
    ------
    KeyError
        For an NI number the catalogue does not have: a number dropped from the set says
        so (:data:`DROPPED`), any other names the numbers the set has.
    """
    number = ni_number(indicator_id)
    if number is None:
        return None
    cat = _catalogue() if catalogue is None else catalogue
    found = cat[cat["ni_id"] == f"NI {number}"]
    if found.empty:
        if number in DROPPED:
            raise KeyError(DROPPED[number])
        raise KeyError(f"{str(indicator_id).strip()!r} is not in the National Indicator Set "
                       f"({describe_set(cat)})")
    return found.iloc[0]


def fill_from_catalogue(indicators: pd.DataFrame, file: str,
                        catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """A copy of ``indicators`` whose NI rows have blank title, polarity and unit filled in
    from the catalogue; a value the register gives wins.

    Adds ``ni_tier`` (the catalogue's tier; blank for a local id) and
    ``catalogue_unverified``: the facts filled in (``title; polarity; unit``) that the
    catalogue row's provenance does not say were checked; blank when none.

    ``indicators`` has the register's text columns and a fresh index (row ``i`` is line
    ``i + 2`` of ``file``); ``catalogue`` is the one in use (None: the package's).

    Raises
    ------
    RegisterError
        Naming the file, row and column of an NI id the set does not have.
    """
    out = indicators.copy()
    cat = _catalogue() if catalogue is None else catalogue
    rows: dict[str, int] = {}                  # each NI id's first row (as lookup finds it)
    for row, ni_id in enumerate(cat["ni_id"]):
        rows.setdefault(ni_id, row)
    tiers, unverified = [], []
    filled: dict[str, tuple[list[int], list[object]]] = {c: ([], []) for c in FILLED_COLUMNS}
    for position, indicator_id in enumerate(out["indicator_id"]):
        number = ni_number(indicator_id)
        row = rows.get(f"NI {number}") if number is not None else None
        try:   # an id not in the catalogue: lookup raises what it says
            found = cat.iloc[row] if row is not None else lookup(indicator_id, catalogue)
        except KeyError as exc:
            raise RegisterError(exc.args[0], file=file, row=position + 2,
                                column="indicator_id") from None
        tiers.append("" if found is None else found["tier"])
        taken = []
        if found is not None:
            checked = checked_facts(found["provenance"])
            for column in FILLED_COLUMNS:
                if out[column].iloc[position] == "":
                    filled[column][0].append(position)
                    filled[column][1].append(found[column])
                    if column not in checked:
                        taken.append(column)
        unverified.append("; ".join(taken))
    for column, (positions, values) in filled.items():   # each column set once
        if positions:
            out.iloc[positions, out.columns.get_loc(column)] = values
    out["ni_tier"] = tiers
    out["catalogue_unverified"] = unverified
    return out


def list_unverified(indicators: pd.DataFrame) -> list[str]:
    """The ids of the indicators that took a fact nobody has checked from the catalogue, in
    natural order.

    ``indicators`` has ``indicator_id`` and ``catalogue_unverified`` (from
    :func:`fill_from_catalogue`); a frame without that column has none.
    """
    if "catalogue_unverified" not in indicators:
        return []
    flagged = indicators.loc[indicators["catalogue_unverified"].fillna("") != "",
                             "indicator_id"]
    return sorted(flagged, key=id_sort_key)


def describe_unverified(indicators: pd.DataFrame) -> str:
    """The appendix's note on catalogue facts nobody has checked, naming each indicator
    (a measure of its data-quality table, counted by :func:`list_unverified`); blank when
    there are none."""
    ids = list_unverified(indicators)
    return f"{UNVERIFIED_MEASURE}: {', '.join(ids)}" if ids else ""
