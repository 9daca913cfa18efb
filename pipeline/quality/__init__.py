"""Stage 2, quality: is each return fit to use? Checks, quarantine and partner scorecards.

Owns the Great Expectations wrapper (``gx``, the only module that imports GX), the frames
each suite checks (``checks``), quarantine with cell references (``quarantine``), the
partner scorecard and feedback frames (``scorecard``), the national table's checks
(``national``), the suites evaluated column by column (``columnar``, the default engine)
and the registry of engines the rules choose from (``engines``).
May import ``pipeline.inputs`` and the base modules; the lead-rating check is given the
assess stage's rating function by its caller rather than importing it.
"""
