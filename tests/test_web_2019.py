"""2019-format and hybrid records through the store, the embedded index, export and the report page."""

from __future__ import annotations

import io
import random
import urllib.request

from indexer import open_backend, sync
from indexer.web import BackgroundServer, create_app
from xxgk.commands.export import export_jsonl
from xxgk.explain import cell_label, disagreeing_cells
from xxgk.generate import generate, render
from xxgk.parse import parse_document, parse_text
from xxgk.schema import DECISIONS_2021, OTHER_2019, TABLE_ROWS_2019


def _records(tsv, shared_dir):
    rng = random.Random(19)
    old = [generate(rng, table_format="2019", violate=v) for v in (None, 2, 5)]
    found = [
        parse_document(render(r, "html_grid"), url=f"https://old.example.cn/{i}.html", filename="r.html")
        for i, r in enumerate(old)
    ]
    # A 400-digit cell: null on the page, and the API still answers strict JSON.
    found.append(parse_text(tsv.with_new_total("9" * 400), url="https://huge.example.cn/cell.html"))
    hybrid = shared_dir / "realdocs" / "pdf-003.txt"
    if hybrid.is_file():
        found.append(parse_text(hybrid.read_text(encoding="utf-8"), url="https://hzq.example.cn/2023.html"))
    return found


def test_2019_and_hybrid_records_on_the_report_page(shown, fill_store, page_cells, tsv, shared_dir, tmp_path):
    records = _records(tsv, shared_dir)
    assert [r.format for r in records[:3]] == ["2019"] * 3
    db = tmp_path / "old.db"
    store = fill_store(db, records)
    backend = open_backend("embedded", db=db)
    sync(store, backend)
    with BackgroundServer(create_app(store, backend)) as server:
        for report in records:
            with urllib.request.urlopen(f"{server.url}/reports/{report.id}", timeout=10) as r:
                page = page_cells(body := r.read().decode())
            # Every cell is shown once; a 2019 report's decisions appear in its own Table 1 only.
            want = {f"{row}.{col}" for row, cols in report.tables.items() for col in cols}
            if report.format == "2019":
                want -= {f"{row}.decisions" for row in DECISIONS_2021.values()}
            assert set(page.cells) == want, report.url
            for key in want:
                row, col = key.rsplit(".", 1)
                assert page.cells[key]["text"] == shown(report.tables[row][col]), (report.url, key)
            failed = {k for k, c in page.cells.items() if "cell-failed" in c["class"]}
            assert failed == {k for check in report.checks for k in disagreeing_cells(check, report) if k in page.cells}
            assert "（六）其他处理" in body
            if report.format == "2019":
                assert "本年增/减" in body and "其他对外管理服务事项" in body and "政府集中采购" in body
            with urllib.request.urlopen(f"{server.url}/api/reports/{report.id}", timeout=10) as r:
                assert tsv.strict_json(r.read().decode())["tables"] == report.tables
    out = io.StringIO()
    assert export_jsonl(store, out) == len(records)
    exported = [tsv.strict_json(line) for line in out.getvalue().splitlines()]
    assert sum(OTHER_2019 in e["tables"] for e in exported) == len(records) - 1
    assert sum(set(e["tables"]) == set(TABLE_ROWS_2019) for e in exported) == 3
    store.close()


def test_2019_cell_labels():
    assert cell_label("proactive_2019.licensing.change") == "行政许可·本年增/减"
    assert cell_label("proactive_2019.procurement.amount_yuan") == "政府集中采购·采购总金额（元）"
    assert cell_label("requests.other_2019.total") == "其他处理·总计"
