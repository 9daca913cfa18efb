"""Partners' names as returns write them, matched against the register's partners.

The register's partners are the lead organisations of its indicators (``lead_org``). A name
is that partner when the two agree after Unicode normalisation (NFKC), case folding, runs of
spaces made one and spaces or full stops at the ends dropped (``LEICESTERSHIRE
CONSTABULARY.`` is the Constabulary). A name that is no partner's but looks like one, written
with look-alike characters (a Cyrillic ``о`` for a Latin ``o``) or invisible ones, imitates
that partner: its rows must not count as the partner's. Look-alikes are Unicode's
confusables (Unicode Technical Standard #39), as the ``confusable_homoglyphs`` package
ships them; a look-alike made of several letters (``rn`` for ``m``) is not recognised.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

_ENDS = " .,;:"


@dataclass(frozen=True)
class PartnerMatch:
    """How a name as written matches the register: the partner it is (``registered``), or
    the partner it imitates (``imitates``) and the characters that imitate letters, each
    as ``(character, its Unicode name, the letter it imitates or "" for an invisible one)``.
    """

    registered: str = ""
    imitates: str = ""
    lookalikes: tuple[tuple[str, str, str], ...] = ()


def partner_key(name: object) -> str:
    """A partner's name as compared: NFKC, case folded, one space between words, no spaces
    or full stops at the ends (``" LEICESTERSHIRE  Constabulary. "`` ->
    ``"leicestershire constabulary"``)."""
    text = unicodedata.normalize("NFKC", str(name or "")).casefold()
    return " ".join(text.split()).strip(_ENDS)


def as_registered(frame: pd.DataFrame, registered: Iterable[object]) -> pd.DataFrame:
    """``frame`` with each ``partner`` spelt as the register spells it where the two agree
    by :func:`partner_key` (``LEICESTERSHIRE CONSTABULARY.`` counts as the Constabulary's),
    so receipts, failures and certification are counted under one name; other names as
    they are. A new frame; ``frame`` is not changed.
    """
    if "partner" not in frame or frame.empty:
        return frame
    by_key = {partner_key(p): str(p) for p in registered if str(p or "")}
    names = frame["partner"].fillna("")
    return frame.assign(partner=[by_key.get(partner_key(n), n) for n in names])


@lru_cache(maxsize=4096)
def _plain_letter(char: str) -> str:
    """The ASCII letter or digit ``char`` imitates ("" if none; ``char`` is not ASCII)."""
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(char, greedy=True, preferred_aliases=[]) or []
    for entry in found:
        for glyph in entry["homoglyphs"]:
            plain = glyph["c"].replace("\u200e", "")
            if len(plain) == 1 and plain.isascii() and plain.isalnum():
                return plain.casefold()
    return ""


def _lookalikes(text: str) -> list[tuple[str, str, str]]:
    """The characters of ``text`` (NFKC) that imitate a letter, or are invisible."""
    out = []
    for char in dict.fromkeys(text):
        plain = "" if char.isascii() else _plain_letter(char.casefold()) or _plain_letter(char)
        if plain or unicodedata.category(char) == "Cf":
            out.append((char, unicodedata.name(char, f"U+{ord(char):04X}"), plain))
    return out


def partner_skeleton(name: object) -> str:
    """What a name looks like: its :func:`partner_key` with invisible (format) characters
    dropped and each character that imitates a letter or digit replaced by it."""
    text = unicodedata.normalize("NFKC", str(name or "")).casefold()
    plain = "".join("" if unicodedata.category(c) == "Cf"
                    else (_plain_letter(c) or c) if not c.isascii() else c for c in text)
    return partner_key(plain)


def registered_partners(lead_orgs: Iterable[object]) -> tuple[str, ...]:
    """The register's partners: the indicators' lead organisations, once each, sorted."""
    return tuple(sorted({str(o).strip() for o in lead_orgs
                         if isinstance(o, str) and o.strip()}))


def match_partner(name: object, partners: Iterable[str]) -> PartnerMatch:
    """How ``name`` matches ``partners`` (see :class:`PartnerMatch`); an empty match for a
    name that is no partner's and looks like none."""
    partners = tuple(partners)
    key = partner_key(name)
    for partner in partners:
        if partner_key(partner) == key:
            return PartnerMatch(registered=partner)
    skeleton = partner_skeleton(name)
    for partner in partners:
        if skeleton and partner_skeleton(partner) == skeleton:
            text = unicodedata.normalize("NFKC", str(name))
            return PartnerMatch(imitates=partner, lookalikes=tuple(_lookalikes(text)))
    return PartnerMatch()


def describe_lookalikes(lookalikes: Iterable[tuple[str, str, str]]) -> str:
    """``U+043E CYRILLIC SMALL LETTER O for 'o'``, joined by ``; ``."""
    return "; ".join(f"U+{ord(char):04X} {name} " + (f"for {plain!r}" if plain
                                                      else "(invisible)")
                     for char, name, plain in lookalikes)


def match_partners(names: pd.Series, partners: Iterable[str]) -> pd.DataFrame:
    """Per name: ``partner_registered`` (the register's spelling, "" if none) and
    ``partner_imitated`` (the partner a look-alike name imitates, "" if none) with
    ``partner_lookalikes`` (:func:`describe_lookalikes`); same index as ``names``."""
    partners = tuple(partners)
    matches = {n: match_partner(n, partners) for n in names.fillna("").astype(str).unique()}
    text = names.fillna("").astype(str)
    return pd.DataFrame({
        "partner_registered": text.map(lambda n: matches[n].registered),
        "partner_imitated": text.map(lambda n: matches[n].imitates),
        "partner_lookalikes": text.map(lambda n: describe_lookalikes(matches[n].lookalikes)),
    }, index=names.index)

