"""Web layer: the JSON API and the server-rendered search page (``xxgk serve``)."""

from indexer.web.app import create_app
from indexer.web.server import BackgroundServer, serve

__all__ = ["BackgroundServer", "create_app", "serve"]
