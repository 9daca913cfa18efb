"""LAA reporting pipeline: partner returns in, board appendices out.

The package has the shape of the pipeline. Data flows one way, each stage importing only
from the stages before it and from the base modules:

- base (this folder): ``config`` (the one typed configuration), ``rules`` (the
  thresholds' schema and loader), ``errors``
  (errors with context and their exit codes), ``periods``, ``rag`` (the one RAG
  vocabulary), ``names`` (the one slug and anchor helper), ``figures`` (how every figure
  is printed), ``store`` (where each clean artefact lives), ``digest`` (sha256 of bytes and
  files), ``project`` (where the package and the project root are);
- ``inputs``: the register and the partners' returns, read with lineage;
- ``quality``: the Great Expectations suites, quarantine and partner scorecards;
- ``assess``: ratings, trajectories, changes, the grant forecast, the self-assessment tables;
- ``report``: the appendix's frames, HTML fragments, charts, spreadsheets, HTML and PDF;
- ``run``: the machinery above the stages (notebooks, incremental keys, manifest,
  publishing, locks, rerun, trace), and ``cli`` above everything.

``tests/test_architecture.py`` reads every import and fails on a circle or on an import
from a later stage into an earlier one.
"""

__version__ = "0.1.0"
