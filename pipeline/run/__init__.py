"""The machinery above the stages: runs, reruns and traces, reproducibly.

Owns the orchestration of a run (``orchestrate``), executing notebooks with papermill
(``execute``: the only papermill import), content keys for incremental stages
(``incremental``), ``manifest.json`` (``manifest``), normalising what a run wrote
(``normalise``), atomic publishing (``publish``), locks (``locking``), ``laa rerun``
(``rerun``) and ``laa trace`` (``trace``). May import every stage and the base modules;
only ``pipeline.cli`` imports it.
"""
