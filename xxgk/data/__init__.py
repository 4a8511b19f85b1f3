"""Researchers' data: derived metrics, ``--where`` conditions, tidy exports, comparisons and cross-year checks."""
