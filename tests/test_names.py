"""The one slug and anchor helper (pipeline.names) and the one RAG vocabulary (pipeline.rag)."""

from __future__ import annotations

from pipeline.names import anchor, anchors, slug, unique_slugs
from pipeline.rag import RAG_CODES, RAG_LABELS, rag_code, rag_label


def test_slug_is_file_name_safe():
    assert slug("Hinckley & Bosworth") == "hinckley-bosworth"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("!!!") == "x" and slug("", fallback="unknown-partner") == "unknown-partner"


def test_anchors_are_html_safe_and_distinct():
    assert anchor("lineage", "7.20") == "lineage-7-20"
    assert anchor("block", "older_people") == "block-older-people"
    assert anchors("trend", ["7.20", "NI 152", "7-20", "7.20"]) == {
        "7.20": "trend-7-20", "NI 152": "trend-ni-152", "7-20": "trend-7-20-2"}


def test_names_that_differ_in_case_or_punctuation_get_distinct_slugs():
    names = ["Leicestershire Constabulary", "LEICESTERSHIRE-CONSTABULARY", "Leicester City"]
    assert unique_slugs(names) == {
        "Leicestershire Constabulary": "leicestershire-constabulary",
        "LEICESTERSHIRE-CONSTABULARY": "leicestershire-constabulary-2",
        "Leicester City": "leicester-city"}


def test_rag_vocabulary_round_trips():
    assert all(rag_code(rag_label(code)) == code for code in RAG_LABELS)
    assert RAG_CODES["Not available for reporting"] == "N"
    assert rag_label(None) == "" and rag_label("X") == "X" and rag_code("Purple") == ""
