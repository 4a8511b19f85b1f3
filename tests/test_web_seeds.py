"""Real seed reports on the report page: the 200 hand-checked cells, and the parser → index → page path."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from indexer import open_backend, sync
from indexer.web import BackgroundServer, create_app
from xxgk.explain import disagreeing_cells
from xxgk.generate import store_record
from xxgk.model import Region, Report
from xxgk.parse import parse_text
from xxgk.schema import CELL_COUNT, cells

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def seed_reports() -> list[tuple[Report, dict]]:
    if not SEEDS.is_dir():
        pytest.skip(f"seed fixtures missing at {SEEDS} (copy them from shared/seeds)")
    found = []
    for path in sorted(SEEDS.glob("*.expected.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        text = path.with_name(path.name.replace(".expected.json", ".txt")).read_text(encoding="utf-8")
        url = f"https://seed.example.cn/{path.name.split('.')[0]}.html"
        report = store_record(
            url,
            title=expected["title"],
            agency=expected["agency"],
            year=expected["year"],
            region=Region(**expected.get("region_hint", {})),
            published=expected.get("published"),
            format="2021",
            tables=expected["tables"],
            text=text,
        )
        found.append((report, expected))
    return found


def test_seed_report_pages_show_all_200_cells_as_checked_by_hand(list_backend, shown, fill_store, page_cells, tmp_path):
    seeds = seed_reports()
    assert len(seeds) == 5
    store = fill_store(tmp_path / "seeds.db", [r for r, _ in seeds])
    with BackgroundServer(create_app(store, list_backend(r for r, _ in seeds))) as server:
        for report, expected in seeds:
            with urllib.request.urlopen(f"{server.url}/reports/{report.id}", timeout=10) as r:
                body = r.read().decode()
            page = page_cells(body)
            assert len(page.cells) == CELL_COUNT
            for key in cells():
                row, col = key.rsplit(".", 1)
                assert page.cells[key]["text"] == shown(expected["tables"][row][col]), (report.url, key)
            first_line = next(line.strip() for line in report.text.splitlines() if line.strip())
            assert first_line in body or first_line.replace('"', "&#34;") in body  # full text shown, escaped
    store.close()


def test_parsed_seeds_through_index_and_pages(shown, fill_store, page_cells, tmp_path):
    """End to end: the real parser, the store, the embedded index, the page shows what the parser found."""
    seeds = seed_reports()
    parsed = []
    for report, expected in seeds:
        found = parse_text(report.text, url=report.url, region_hint=report.region)
        parsed.append((found, expected))
    db = tmp_path / "parsed.db"
    store = fill_store(db, [r for r, _ in parsed])
    backend = open_backend("embedded", db=db)
    sync(store, backend)
    with BackgroundServer(create_app(store, backend)) as server:
        for report, expected in parsed:
            with urllib.request.urlopen(f"{server.url}/reports/{report.id}", timeout=10) as r:
                page = page_cells(body := r.read().decode())
            for key in cells():
                row, col = key.rsplit(".", 1)
                assert page.cells[key]["text"] == shown(report.tables.get(row, {}).get(col)), (report.url, key)
            failed = {k for k, c in page.cells.items() if "cell-failed" in c["class"]}
            boxed = {k for check in report.checks for k in disagreeing_cells(check, report)}
            assert failed == {k for k in boxed if k in page.cells}
            for rule in expected["checks_failed"]:
                assert f'<span class="rule">规则 {rule}（' in body
            checks = body.split('aria-label="勾稽校验"')[1].split("</section>")[0]
            assert "!=" not in checks and "total" not in checks  # Chinese, with the tables' own labels
            query = urllib.parse.urlencode({"agency": report.agency}) if report.agency else ""
            with urllib.request.urlopen(f"{server.url}/?{query}", timeout=10) as r:
                assert f'href="/reports/{report.id}"' in r.read().decode()
    store.close()
