"""``python -m pipeline.cli``: the ``laa`` command."""

import sys

from pipeline.cli import main

sys.exit(main())
