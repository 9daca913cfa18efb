"""Stage 1, inputs: the indicator register and the partners' returns, read with lineage.

Owns the register's files and their vocabularies (``register``), reading CSV and XLSX
files safely (``readers``), turning return files into rows with file, sheet and row
(``ingest``), partners' names against the register (``partners``), file names as they can
be shown (``filenames``), and reading the national table for benchmarking (``national``).
May import the base modules only (``pipeline.config``, ``errors``, ``periods``, ``rag``,
``names``, ``figures``, ``store``).
"""
