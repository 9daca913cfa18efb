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


# --- the one natural sort key of ids (issue 12) ---

def test_id_sort_key_orders_ids_as_people_expect():
    from pipeline.names import id_sort_key
    ids = ["NI 10", "1.2.10", "L 10", "NI 2", "7.10", "1.2.9", "NI 152", "L 2", "7.2", "1.2"]
    assert sorted(ids, key=id_sort_key) == ["1.2", "1.2.9", "1.2.10", "7.2", "7.10", "L 2",
                                            "L 10", "NI 2", "NI 10", "NI 152"]


def test_id_sort_key_ignores_case_and_spacing_but_stays_total():
    from pipeline.names import id_sort_key
    assert sorted(["ni 3", "NI 20", "Ni 100"], key=id_sort_key) == ["ni 3", "NI 20", "Ni 100"]
    # equal under the natural order, told apart by their text: a stable, total order
    assert sorted(["NI 152", "NI152"], key=id_sort_key) == sorted(["NI152", "NI 152"],
                                                                   key=id_sort_key)
    assert id_sort_key("NI 152") != id_sort_key("NI152")
