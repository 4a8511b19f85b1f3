"""Typed records that cross stage boundaries (parse → store → index)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

Number = int | float
Tables = dict[str, dict[str, Number | None]]


@dataclass
class Region:
    """Where the publishing agency sits; codes are 6-digit division codes."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None

    def merged(self, other: Region) -> Region:
        """Fill this region's gaps from ``other`` (self wins where both know)."""
        return Region(**{k: getattr(self, k) or getattr(other, k) for k in ("province", "city", "county", "code")})


@dataclass
class Check:
    """One failed consistency rule with the cells involved."""

    rule: int
    message: str
    cells: list[str] = field(default_factory=list)


@dataclass
class Report:
    """One annual report as parsed and stored; keys follow ``xxgk.schema``."""

    id: str
    url: str | None = None
    title: str | None = None
    agency: str | None = None
    agency_level: str | None = None
    year: int | None = None
    region: Region = field(default_factory=Region)
    published: str | None = None  # ISO date
    format: str = "unknown"
    sections: dict[str, str] = field(default_factory=dict)
    tables: Tables = field(default_factory=dict)
    cells_raw: dict[str, str] = field(default_factory=dict)  # "row.col" -> raw text, where not a plain number
    tables_raw: dict[str, list[Any]] = field(default_factory=dict)  # old-format rows kept as printed
    checks: list[Check] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the parser could not resolve
    cell_sources: dict[str, str] = field(default_factory=dict)  # "row.col" -> "label|position|constraint:line"
    text: str = ""
    source_type: str = "text"
    site: str | None = None
    fetched_at: str | None = None
    content_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        """``to_dict()`` as JSON with sorted keys, written straight from the report (no copy of its tables).

        Strict JSON: a NaN or infinite number raises ValueError instead of writing ``NaN``/``Infinity``.
        """
        return json.dumps(self, default=vars, ensure_ascii=False, sort_keys=True, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        data = dict(data)
        data["region"] = Region(**(data.get("region") or {}))
        data["checks"] = [Check(**c) for c in data.get("checks") or []]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def report_id(url: str) -> str:
    """Stable id of a report: a short hash of its canonical URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
