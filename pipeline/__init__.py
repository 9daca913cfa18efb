"""LAA reporting pipeline: partner returns in, board appendices out."""

__version__ = "0.1.0"
