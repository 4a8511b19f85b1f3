"""Search backends over the report store: embedded tantivy (default) and Meilisearch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.query import Backend
from indexer.sync import SyncResult, sync

__all__ = ["open_backend", "sync", "SyncResult", "index_dir"]

BACKENDS = ("embedded", "meilisearch")


def index_dir(db: Path) -> Path:
    """Where the embedded index of the store ``db`` lives: ``<db>.index/``."""
    db = Path(db)
    return db.with_name(db.name + ".index")


def open_backend(name: str = "embedded", *, db: Path, **options: Any) -> Backend:
    """Open a backend by name; ``meilisearch`` takes url, key and index options."""
    if name == "embedded":
        from indexer.embedded import EmbeddedBackend

        return EmbeddedBackend(index_dir(db), **options)
    if name == "meilisearch":
        from indexer.meili import MeiliBackend

        return MeiliBackend(**options)
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
