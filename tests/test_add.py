"""``xxgk add``: files, folders and URLs into the store through the crawl's ingest stage, with its outcomes."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from crawler.run import crawl
from xxgk.cli import main
from xxgk.commands.export import export_jsonl
from xxgk.portal import DemoPortal
from xxgk.store import Store

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


def records(db: Path) -> dict[str, dict]:
    out = io.StringIO()
    with Store(db) as store:
        export_jsonl(store, out)
    found = {}
    for line in out.getvalue().splitlines():
        record = json.loads(line)
        record.pop("fetched_at")
        found[record["url"]] = record
    return found


def test_folders_files_and_outcomes(tmp_path, capsys):
    folder = tmp_path / "docs" / "deeper"
    folder.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(seed, folder / seed.name)
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a document type: not taken from a folder
    db = tmp_path / "x.db"
    missing = tmp_path / "missing.pdf"
    assert main(["add", str(tmp_path / "docs"), str(missing), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert out.count("\nnew ") + out.startswith("new ") == 3
    assert f"failed    {missing.as_uri()}: cannot read: No such file or directory" in out
    assert "1 failed" in out
    stored = records(db)
    assert sorted(stored) == sorted((folder / s).as_uri() for s in sorted(p.name for p in folder.glob("*.txt")))
    assert all(r["site"] == "local" and r["year"] for r in stored.values())

    first = sorted(stored)[0]
    path = Path(first.removeprefix("file://"))
    assert main(["add", str(path), "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith(f"unchanged {first}\n")
    path.write_text(path.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    assert main(["add", str(path), "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith(f"changed   {first}\n")
    with Store(db) as store:
        report = store.get(stored[first]["id"])
        assert len(store.versions(report.id)) == 1  # the earlier version is kept, as for a crawl
        assert [run.status for run in store.runs()] == ["finished"] * 3


def test_a_url_is_stored_exactly_as_a_crawl_stores_it(tmp_path, capsys):
    crawled, added = tmp_path / "crawled.db", tmp_path / "added.db"
    with DemoPortal(seed=3, scale=1, faults=False) as portal:
        crawl(portal.config(), db=crawled, sites=["trs"], throttle=False)
        want = records(crawled)
        urls = sorted(want)[:4]
        site = next(s for s in portal.sites if s.name == "trs")
        hint = json.dumps({k: getattr(site.region, k) for k in ("province", "city", "county", "code")})
        assert main(["add", *urls, "--db", str(added), "--site", "trs", "--region-hint", hint]) == 0
    out = capsys.readouterr().out
    assert sorted(line.split()[1] for line in out.splitlines() if line.startswith("new ")) == urls
    got = records(added)
    assert sorted(got) == urls
    for url in urls:
        assert got[url] == want[url]


def test_parse_takes_several_files_and_reports_a_bad_one_without_stopping(tmp_path, capsys):
    seeds = sorted(SEEDS.glob("*.txt"))[:2]
    missing = tmp_path / "missing.html"
    assert main(["parse", str(seeds[0]), str(missing), str(seeds[1])]) == 1
    captured = capsys.readouterr()
    assert [line for line in captured.out.splitlines() if line.startswith("==> ")] == [
        f"==> {seeds[0]} <==",
        f"==> {missing} <==",
        f"==> {seeds[1]} <==",
    ]
    assert captured.out.count("title:") == 2 and str(missing) in captured.err
    assert main(["parse", *map(str, seeds), "--json"]) == 0
    decoder, text, records = json.JSONDecoder(), capsys.readouterr().out, []
    while text.strip():
        record, end = decoder.raw_decode(text.strip())
        records.append(record)
        text = text.strip()[end:]
    assert len(records) == 2 and all(r["year"] for r in records)


def test_a_folder_without_documents_is_an_error_not_an_empty_run(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["add", str(tmp_path / "empty"), "--db", str(tmp_path / "x.db")]) == 2
    assert "no PDF, HTML, DOCX or text file in" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_a_folder_of_legacy_word_files_is_taken(tmp_path, capsys):
    """.doc and .wps files below a folder are added like any document (a WPS file saved in Word's format)."""
    fixtures = Path(__file__).resolve().parent / "fixtures" / "doc"
    folder = tmp_path / "word"
    folder.mkdir()
    shutil.copy(fixtures / "r2021.doc", folder / "a.doc")
    shutil.copy(fixtures / "r2019.doc", folder / "b.wps")
    db = tmp_path / "x.db"
    assert main(["add", str(folder), "--db", str(db)]) == 0
    assert capsys.readouterr().out.count("new ") == 2
    stored = records(db)
    assert sorted(Path(u).name for u in stored) == ["a.doc", "b.wps"]
    assert {r["source_type"] for r in stored.values()} == {"doc"}
