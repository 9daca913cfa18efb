"""The one RAG vocabulary: rating codes, their labels, and the order of the rated ones.

Every stage that names a rating takes it from here; no other module spells a label out.
"""

from __future__ import annotations

RAG_LABELS: dict[str, str] = {
    "G": "Green",
    "A": "Amber",
    "R": "Red",
    "N": "Not available for reporting",
    "T": "Target not agreed",
}
RAG_CODES: dict[str, str] = {label: code for code, label in RAG_LABELS.items()}
RATED = ("G", "A", "R")
RAG_STEPS = {"G": 0, "A": 1, "R": 2}


def rag_label(code: object) -> str:
    """The label of a RAG code (``"R"`` -> ``"Red"``); any other text as it is, None as ``""``."""
    if code is None:
        return ""
    return RAG_LABELS.get(str(code), str(code))


def rag_code(label: object) -> str:
    """The code of a RAG label (``"Red"`` -> ``"R"``); ``""`` for anything else."""
    return RAG_CODES.get(str(label), "")
