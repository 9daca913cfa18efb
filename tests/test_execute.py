"""Unit tests of stage execution helpers: the warm-up each stage's kernel runs in advance."""

from __future__ import annotations

import json

from pipeline.run.execute import warm_code


def test_warm_code_runs_the_notebooks_imports_and_leaves_no_name_behind(tmp_path):
    notebook = tmp_path / "n.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["import nothing"]},
        {"cell_type": "code", "source": ["import json\n", "x = 1\n",
                                         "from os import path as p\n"]},
        {"cell_type": "code", "source": "from os.path import *\nif x:\n    import math"},
        {"cell_type": "code", "source": "%%time\nimport broken("},
    ]}))
    code = warm_code(notebook, "import string")
    assert code.splitlines()[1:5] == ["    import pandas", "    import json",
                                      "    from os import path as p", "    import string"]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the code under test is generated here
    assert set(namespace) == {"__builtins__"}


def test_warm_code_of_an_unreadable_notebook_still_runs(tmp_path):
    namespace: dict = {}
    exec(warm_code(tmp_path / "missing.ipynb"), namespace)  # noqa: S102
    assert set(namespace) == {"__builtins__"}
