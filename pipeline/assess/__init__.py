"""Stage 3, assess: the self-assessment as a performance team computes it.

Owns the rating of each indicator (``assessment``, ``trajectory``), direction of travel
(``direction``), changes since the last review (``changes``), the reward grant forecast
(``forecast``), district coverage (``districts``), performance statements
(``statements``), the self-assessment tables (``tables``), and benchmarking among
comparable areas (``benchmark``) with its confidence intervals (``uncertainty``). May import
``pipeline.inputs``, ``pipeline.quality`` and the base modules.
"""
