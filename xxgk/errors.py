"""Errors shared by the parsing stages."""

from __future__ import annotations


class UnreadableDocument(Exception):
    """The input cannot be read as a report; ``str(e)`` is a one-line reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(" ".join(reason.split()))
