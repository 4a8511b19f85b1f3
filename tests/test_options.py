"""Shared options: one ``--db`` default honouring ``XXGK_DB``, one set of backend options, for every command."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from xxgk.cli import build_parser

STORE_COMMANDS = {
    "crawl": [],
    "add": ["x.pdf"],
    "index": [],
    "serve": [],
    "demo": [],
    "ingest": ["--redis", "redis://127.0.0.1:9/0"],
}
BACKEND_COMMANDS = ("index", "serve")


def parse(command: str, argv: list[str]):
    parser, commands = build_parser()
    importlib.import_module(f"xxgk.commands.{command}").configure(commands[command])
    return parser.parse_args([command, *argv])


@pytest.mark.parametrize("command", sorted(STORE_COMMANDS))
def test_every_command_takes_its_store_from_xxgk_db(command, monkeypatch):
    monkeypatch.delenv("XXGK_DB", raising=False)
    assert parse(command, STORE_COMMANDS[command]).db == Path("data/xxgk.db")
    monkeypatch.setenv("XXGK_DB", "/srv/reports.db")
    assert parse(command, STORE_COMMANDS[command]).db == Path("/srv/reports.db")
    assert parse(command, [*STORE_COMMANDS[command], "--db", "other.db"]).db == Path("other.db")


@pytest.mark.parametrize("command", BACKEND_COMMANDS)
def test_backend_options_read_the_same_environment(command, monkeypatch):
    for name in ("MEILI_URL", "MEILI_KEY", "MEILI_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    args = parse(command, [])
    assert (args.backend, args.meili_url, args.meili_key, args.meili_index) == (
        "embedded",
        "http://127.0.0.1:7700",
        None,
        "reports",
    )
    monkeypatch.setenv("MEILI_URL", "http://10.1.2.3:7700")
    monkeypatch.setenv("MEILI_MASTER_KEY", "master")
    args = parse(command, ["--meili-index", "r2", "--backend", "meilisearch"])
    assert (args.meili_url, args.meili_key, args.meili_index) == ("http://10.1.2.3:7700", "master", "r2")
    monkeypatch.setenv("MEILI_KEY", "search-key")
    assert parse(command, []).meili_key == "search-key"


def test_the_redis_run_has_a_name_and_the_store_run_a_number():
    args = parse("crawl", ["--redis", "redis://x", "--run-name", "2025"])
    assert args.run_name == "2025" and not hasattr(args, "run_id")
    assert parse("ingest", ["--redis", "redis://x", "--run-name", "2025"]).run_name == "2025"
