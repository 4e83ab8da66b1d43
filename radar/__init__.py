"""radar: a terminal knowledge and tech-radar tool for ML engineering teams."""

__version__ = "0.1.0"
