"""Every stored report's cells as one float64 row (NaN = blank), kept beside the store for numeric work.

``sync`` brings the ``report_facts`` table up to date with the reports (new, changed or re-laid-out ones)
and has the cross-year audit recompute every agency series it touched; ``load`` reads a filtered
selection as columns plus one ``reports × cells`` matrix, without parsing a single JSON record.
"""

from __future__ import annotations

import hashlib
import json
import operator
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from xxgk.data import audit
from xxgk.model import Number, Report, Tables
from xxgk.schema import CELL_INDEX, CELLS
from xxgk.store import Store

INDEX = CELL_INDEX
LAYOUT = hashlib.sha256("\n".join(CELLS).encode()).hexdigest()[:12]  # a changed key list rebuilds every row
META = ("id", "url", "title", "site", "agency", "agency_level", "province", "city", "county", "code", "year")
META += ("format", "published", "source_type", "checks", "series", "cross")
_STORED = ("report_id", *META[1:])  # the same, as report_facts columns; cross: rules 7–9 it fails, "7;9"


def flat(tables: Tables) -> dict[str, Number | None]:
    """``{"row.col": value}`` for every cell of ``tables``."""
    return {f"{row}.{col}": value for row, cols in tables.items() for col, value in cols.items()}


def vector(tables: Tables) -> np.ndarray:
    """The cells of ``tables`` in ``CELLS`` order; NaN where blank or absent."""
    out = np.full(len(CELLS), np.nan)
    for key, value in flat(tables).items():
        i = INDEX.get(key)
        if i is not None and value is not None:
            out[i] = value
    return out


def series_key(report: Report) -> str | None:
    """The same agency across years: its division code and canonical name (NFKC, no spaces); None when
    either is unknown (two same-named agencies in unknown places are not one)."""
    if not report.agency or not report.region.code:
        return None
    name = "".join(unicodedata.normalize("NFKC", report.agency).split())
    return f"{report.region.code}|{name}"


@dataclass
class Facts:
    """A selection of reports: metadata columns (``META`` or some of them) and a matrix of their cells
    (``cells``, all of ``CELLS`` unless loaded for a few), one row per report."""

    columns: dict[str, list] = field(default_factory=lambda: {name: [] for name in META})
    values: np.ndarray = field(default_factory=lambda: np.empty((0, len(CELLS))))
    cells: tuple[str, ...] = CELLS

    def __post_init__(self) -> None:
        self.index = INDEX if self.cells is CELLS else {key: i for i, key in enumerate(self.cells)}

    def __len__(self) -> int:
        return len(self.columns["id"])

    def take(self, mask: np.ndarray) -> Facts:
        """The rows where ``mask`` is true."""
        rows = np.flatnonzero(mask)
        return Facts({k: [v[i] for i in rows] for k, v in self.columns.items()}, self.values[rows], self.cells)

    def cell(self, key: str) -> np.ndarray:
        return self.values[:, self.index[key]]


@dataclass(frozen=True)
class Selection:
    """Filters over the store's own columns (the same as search's, without the full-text query)."""

    years: tuple[int, int] | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    agency: str | None = None
    agency_level: str | None = None
    format: str | None = None
    site: str | None = None
    failed_checks: bool | None = None  # rules 1–6 of the report itself
    rules: tuple[int, ...] = ()  # failing any of these rules: 1–6 its own, 7–9 across years
    series: str | None = None  # one agency across years (``series_key``)
    ids: tuple[str, ...] | None = None

    def sql(self) -> tuple[str, list]:
        """A WHERE clause of fixed text with every value a parameter."""
        terms, params = [], []
        if self.years is not None:
            terms.append("f.year BETWEEN ? AND ?")
            params += list(self.years)
        for name in ("province", "city", "county", "agency", "agency_level", "format", "site"):
            value = getattr(self, name)
            if value is not None:
                terms.append(f"f.{name} = ?")
                params.append(value)
        if self.series is not None:
            terms.append("f.series = ?")
            params.append(self.series)
        if self.failed_checks is not None:
            terms.append("f.checks != ''" if self.failed_checks else "f.checks = ''")
        if self.rules:
            own = [str(r) for r in self.rules if r <= 6]
            terms.append(
                "(EXISTS (SELECT 1 FROM json_each(?) j WHERE (';' || f.checks || ';') LIKE ('%;' || j.value || ';%'))"
                " OR f.report_id IN (SELECT c.earlier FROM cross_checks c"
                " WHERE c.rule IN (SELECT value FROM json_each(?))"
                " UNION SELECT c.later FROM cross_checks c WHERE c.rule IN (SELECT value FROM json_each(?))))"
            )
            cross = json.dumps([r for r in self.rules if r > 6])
            params += [json.dumps(own), cross, cross]
        if self.ids is not None:
            terms.append("f.report_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(self.ids)))
        return (" WHERE " + " AND ".join(terms) if terms else ""), params


def _fact_row(report: Report) -> tuple:
    """A ``report_facts`` row: ``_STORED`` columns, then content hash, layout and the cells."""
    region = report.region
    checks = ";".join(str(c.rule) for c in sorted(report.checks, key=lambda c: c.rule))
    return (
        report.id,
        report.url,
        report.title,
        report.site,
        report.agency,
        report.agency_level,
        region.province,
        region.city,
        region.county,
        region.code,
        report.year,
        report.format,
        report.published,
        report.source_type,
        checks,
        series_key(report),
        "",  # cross: the audit of its series (rerun in the same transaction) fills it in
        report.content_hash,
        LAYOUT,
        vector(report.tables).tobytes(),
    )


_COLUMNS = (*_STORED, "content_hash", "layout", "cells")
_UPSERT = (
    f"INSERT INTO report_facts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
    f" ON CONFLICT(report_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLUMNS[1:])}"
)


def sync(store: Store) -> int:
    """Refresh the facts of new and changed reports, then re-audit their series; returns how many changed."""
    db = store.db
    stale = db.execute(  # the covering index reports_content answers this without reading any record
        "SELECT r.id, f.series FROM reports r INDEXED BY reports_content"
        " LEFT JOIN report_facts f ON f.report_id = r.id"
        " WHERE f.report_id IS NULL OR f.content_hash != r.content_hash OR f.layout != ?",
        (LAYOUT,),
    ).fetchall()
    gone = db.execute(
        "SELECT report_id, series FROM report_facts WHERE report_id NOT IN (SELECT id FROM reports)"
    ).fetchall()
    if not stale and not gone:
        return 0
    touched = {row["series"] for row in (*stale, *gone) if row["series"]}
    with store.transaction() as tx:
        tx.executemany("DELETE FROM report_facts WHERE report_id = ?", [(g["report_id"],) for g in gone])
        records = tx.execute(
            "SELECT record FROM reports WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([row["id"] for row in stale]),),
        )
        rows = [_fact_row(Report.from_dict(json.loads(record))) for (record,) in records]
        tx.executemany(_UPSERT, rows)
        touched |= {row[15] for row in rows if row[15]}
        audit.recompute(tx, touched)
    return len(stale) + len(gone)


def load(
    store: Store,
    selection: Selection = Selection(),
    *,
    refresh: bool = True,
    columns: tuple[str, ...] = META,
    cells: tuple[str, ...] | None = None,
    ordered: bool = True,
) -> Facts:
    """The selected reports' metadata and cells (``refresh`` syncs the facts first).

    ``columns`` (names from ``META``; ``id`` always) and ``cells`` (default: all) narrow what is read;
    ``ordered`` sorts by URL.
    """
    if refresh:
        sync(store)
    names = ("id", *(c for c in columns if c != "id"))
    if ordered and "url" not in names:
        names += ("url",)
    stored = ", ".join(f"f.{_STORED[META.index(n)]}" for n in names)
    where, params = selection.sql()
    if cells is None:
        picked, blob_sql, blob_params = CELLS, "f.cells", []
    else:
        picked = tuple(dict.fromkeys(cells))
        blob_sql = ", ".join("substr(f.cells, ?, 8)" for _ in picked)  # one 8-byte double per cell
        blob_params = [8 * INDEX[key] + 1 for key in picked]
    cursor = store.db.cursor()
    cursor.row_factory = None  # plain tuples: the fastest rows sqlite3 makes
    selected = f"{stored}, {blob_sql}" if picked else stored
    rows = cursor.execute(f"SELECT {selected} FROM report_facts f{where}", blob_params + params).fetchall()
    if ordered:
        rows.sort(key=operator.itemgetter(names.index("url")))  # sorting here beats walking a URL index
    if not rows:
        return Facts({name: [] for name in names}, np.empty((0, len(picked))), picked)
    table = list(zip(*rows, strict=True))
    found = {name: list(table[i]) for i, name in enumerate(names)}
    blobs = table[len(names) :]
    if not picked:
        values = np.empty((len(rows), 0))
    elif cells is None:
        values = np.frombuffer(b"".join(blobs[0]), dtype=np.float64).reshape(len(rows), len(CELLS))
    else:
        values = np.column_stack([np.frombuffer(b"".join(column), dtype=np.float64) for column in blobs])
    return Facts(found, values.reshape(len(rows), len(picked)), picked)


def select(store: Store, selection: Selection = Selection(), where=None, **options) -> Facts:
    """``load`` (with its ``options``) narrowed by a ``xxgk.data.where.Where`` (or None: no condition)."""
    if where is not None and options.get("cells") is not None:
        options["cells"] = (*options["cells"], *where.cells())
    facts = load(store, selection, **options)
    return facts if where is None else facts.take(where.mask(facts))
