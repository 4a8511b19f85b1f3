"""JSON codec for the requests that cross Redis (``Request.to_dict``); parsed documents have their own
(``xxgk.ingest.Parsed.to_message``).

scrapy-redis pickles requests by default; a pickle read back from a shared server runs code chosen by
whoever can write to it. This codec is plain JSON with two tags: ``{"$b": base64}`` for bytes and
``{"$d": [[key, value], ...]}`` for dicts whose keys are not all plain strings (request headers have
bytes keys). Anything else unserialisable raises ``TypeError`` naming the value — never a silent loss.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"$d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot send {type(value).__name__} through Redis: {value!r:.200}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "$b" in value:
            return base64.b64decode(value["$b"])
        if "$d" in value:
            return {_hashable(_decode(k)): _decode(v) for k, v in value["$d"]}
        return {k: _decode(v) for k, v in value.items()}
    return value


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(obj: Any) -> bytes:
    """Serialise a request dict (the ``SCHEDULER_SERIALIZER`` interface of scrapy-redis)."""
    return json.dumps(_encode(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> Any:
    return _decode(json.loads(data))
