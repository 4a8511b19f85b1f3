"""JSON codec for what crosses Redis: request dicts (``Request.to_dict``) and crawled items.

scrapy-redis pickles requests by default; a pickle read back from a shared server runs code chosen by
whoever can write to it. This codec is plain JSON with two tags: ``{"$b": base64}`` for bytes and
``{"$d": [[key, value], ...]}`` for dicts whose keys are not all plain strings (request headers have
bytes keys). Anything else unserialisable raises ``TypeError`` naming the value — never a silent loss.
Items are dataclasses (``crawler.items``), rebuilt by class path with nested dataclasses restored.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import typing
from typing import Any

from scrapy.utils.misc import load_object


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


def dump_item(item: Any) -> bytes:
    """Serialise a dataclass item with its class path."""
    if not dataclasses.is_dataclass(item) or isinstance(item, type):
        raise TypeError(f"only dataclass items can go through Redis, not {type(item).__name__}")
    kind = f"{type(item).__module__}.{type(item).__qualname__}"
    fields = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    return dumps({"type": kind, "fields": _plain(fields)})


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def load_item(data: bytes | str) -> Any:
    """Rebuild an item written by ``dump_item``; raises ValueError for anything else."""
    try:
        message = loads(data)
        cls = load_object(message["type"])
        fields = message["fields"]
    except (ValueError, KeyError, TypeError, NameError, ImportError) as exc:
        raise ValueError(f"not an xxgk item message: {exc}") from exc
    if not dataclasses.is_dataclass(cls):
        raise ValueError(f"{message['type']} is not a dataclass item")
    return _build(cls, fields)


def _build(cls: type, fields: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name not in fields:
            continue
        value, hint = fields[field.name], hints.get(field.name)
        if isinstance(value, dict) and isinstance(hint, type) and dataclasses.is_dataclass(hint):
            value = _build(hint, value)
        values[field.name] = value
    return cls(**values)
