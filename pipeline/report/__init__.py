"""Stage 4, report: what the Board, auditors and partners read.

Owns the appendix's frames (``frames``), its tables as spreadsheets (``sheets``,
``export``), HTML fragments (``sections``, ``blocks``, ``lineage``, ``benchmarking``),
charts (``charts``), the one template environment and its templates (``pages``,
``templates/``), the data-quality pages (``quality_pages``), and turning the executed
notebook into pages (``document``, ``rendering``: the only nbconvert import; ``typeset``:
the HTML page as Typst markup, read by ``html_tree``, with ``typeset_inline`` and
``typeset_tables``; ``pdf``: the only Typst import). May import
``pipeline.assess``, ``pipeline.quality``, ``pipeline.inputs`` and the base modules.
"""
