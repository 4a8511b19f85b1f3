"""Tidy exports of the store: ``wide`` (one row per report) and ``long`` (one row per report × cell).

Both come from the facts matrix (``xxgk.data.facts``) as Arrow tables and are written as CSV or Parquet
by pyarrow, as XLSX by XlsxWriter, or as JSON lines. A cell column is int64 where every value in it is
whole, float64 otherwise; a blank cell is empty (null), never 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pyarrow as pa

from xxgk.data.facts import CELLS, Facts
from xxgk.store import Store

Shape = Literal["wide", "long"]
Format = Literal["csv", "parquet", "xlsx", "jsonl"]
FORMATS = ("csv", "parquet", "xlsx", "jsonl")
SHAPES = ("wide", "long")
META_COLUMNS = (
    "id",
    "url",
    "title",
    "site",
    "agency",
    "agency_level",
    "province",
    "city",
    "county",
    "division_code",
    "year",
    "format",
    "published",
    "source_type",
    "checks",
    "cross_year_checks",
)
LONG_COLUMNS = ("id", "year", "agency", "key", "value", "raw", "is_null", "obtained", "read_by", "line")
# How a long row's value was obtained: a plain number, a number read from text (units, separators,
# full-width digits), a cell printed blank (/, —, 无 …) or a cell the report does not have.
OBTAINED = ("number", "normalised", "blank", "absent")
READ_BY = ("label", "position", "constraint")  # the parser's ``cell_sources``: how it placed the cell


def _cell_arrays(values: np.ndarray, block: int = 16) -> list[pa.Array]:
    """One Arrow array per cell column (NaN → null): int64 where every known value is whole, else float64.

    Vectorised over ``block`` columns at a time (transposed into contiguous columns, so memory stays
    near one more copy of the matrix): a validity bitmap per column, and each Arrow array made from
    those buffers without a copy through Python objects.
    """
    out = []
    for start in range(0, values.shape[1], block):
        columns = np.ascontiguousarray(values[:, start : start + block].T)
        blank = np.isnan(columns)
        filled = np.where(blank, 0.0, columns)
        whole = np.all(filled == np.floor(filled), axis=1) & (np.abs(filled).max(axis=1, initial=0) < 2**53)
        nulls = blank.sum(axis=1)
        bits = np.packbits(~blank, axis=1, bitorder="little")
        for i, column in enumerate(columns):
            validity = pa.py_buffer(bits[i]) if nulls[i] else None
            data, kind = (filled[i].astype(np.int64), pa.int64()) if whole[i] else (column, pa.float64())
            out.append(pa.Array.from_buffers(kind, len(data), [validity, pa.py_buffer(data)], int(nulls[i])))
    return out


def wide_table(facts: Facts) -> pa.Table:
    """One row per report: metadata, failed checks of the report (rules 1–6) and across years, every cell."""
    cols = facts.columns
    data: dict[str, pa.Array] = {}
    for name in META_COLUMNS:
        if name == "division_code":
            values = cols["code"]
        elif name == "cross_year_checks":
            values = cols["cross"]
        else:
            values = cols[name]
        data[name] = pa.array(values, pa.int64() if name == "year" else pa.string())
    data.update(zip(CELLS, _cell_arrays(facts.values), strict=True))
    return pa.table(data)


def long_table(store: Store, facts: Facts) -> pa.Table:
    """One row per report × cell, with the printed text where the parser kept it and where in the document
    the parser read the cell (``read_by``: by its row label, its position among the rows, or the table's
    sums; ``line``: the line of the report's text, from 1), where it recorded that."""
    kept = {
        rid: (json.loads(raw or "{}"), json.loads(sources or "{}"))
        for rid, raw, sources in store.db.execute(
            "SELECT id, json_extract(record, '$.cells_raw'), json_extract(record, '$.cell_sources') FROM reports"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(facts.columns["id"]),),
        )
    }
    n = len(facts)
    raws, obtained, read_by, lines = [], [], [], []
    for r in range(n):
        raw, sources = kept.get(facts.columns["id"][r], ({}, {}))
        row = facts.values[r]
        for i, key in enumerate(CELLS):
            text = raw.get(key)
            raws.append(text)
            if np.isnan(row[i]):
                obtained.append("blank" if text is not None else "absent")
            else:
                obtained.append("normalised" if text is not None else "number")
            how, _, line = sources.get(key, "").partition(":")
            read_by.append(how or None)
            lines.append(int(line) if line.isdigit() else None)
    flat = facts.values.reshape(-1)
    known = ~np.isnan(flat)
    repeat = len(CELLS)
    return pa.table(
        {
            "id": pa.array(np.repeat(np.array(facts.columns["id"], dtype=object), repeat), pa.string()),
            "year": pa.array(np.repeat(np.array(facts.columns["year"], dtype=object), repeat), pa.int64()),
            "agency": pa.array(np.repeat(np.array(facts.columns["agency"], dtype=object), repeat), pa.string()),
            "key": pa.array(CELLS * n, pa.string()),
            "value": pa.array(flat, mask=~known),
            "raw": pa.array(raws, pa.string()),
            "is_null": pa.array(~known),
            "obtained": pa.array(obtained, pa.string()),
            "read_by": pa.array(read_by, pa.string()),
            "line": pa.array(lines, pa.int64()),
        }
    )


XLSX_ROWS = 1_048_575  # a worksheet's rows below its header


def write(table: pa.Table, fmt: Format, out: BinaryIO | Path) -> None:
    """Write ``table`` as ``fmt`` to a binary stream or a path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if isinstance(out, Path) and fmt in ("csv", "jsonl"):
        with out.open("wb") as handle:
            write(table, fmt, handle)
    elif fmt == "csv":
        import pyarrow.csv as csv

        csv.write_csv(table, out)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        # Dictionary pages only for text columns: on the cell columns they cost a quarter of the write time
        # and save under 1 % of the size (measured on 100,000 reports).
        text = [f.name for f in table.schema if pa.types.is_string(f.type)]
        pq.write_table(table, out, compression="zstd", use_dictionary=text)
    elif fmt == "xlsx":
        _write_xlsx(table, out)
    else:
        for batch in table.to_batches(max_chunksize=2048):
            out.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in batch.to_pylist()).encode())


def _write_xlsx(table: pa.Table, out: BinaryIO | Path) -> None:
    import xlsxwriter

    if table.num_rows > XLSX_ROWS:
        raise ValueError(f"{table.num_rows} rows do not fit one XLSX sheet ({XLSX_ROWS}); use csv or parquet")
    options = {"constant_memory": True} if isinstance(out, Path) else {"in_memory": True}
    options |= {"strings_to_formulas": False, "strings_to_urls": False}  # crawled text stays text
    book = xlsxwriter.Workbook(str(out) if isinstance(out, Path) else out, options)
    sheet = book.add_worksheet("reports")
    sheet.write_row(0, 0, table.column_names)
    r = 1
    for batch in table.to_batches(max_chunksize=2048):
        columns = [col.to_pylist() for col in batch.columns]
        for values in zip(*columns, strict=True):
            for c, value in enumerate(values):
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif value is not None:
                    sheet.write_number(r, c, value)
            r += 1
    book.close()
