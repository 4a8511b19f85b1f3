"""The ``--redis`` options plug into ``xxgk crawl`` and produce worker settings (no Redis needed)."""

from __future__ import annotations

import argparse
import json

import pytest

from crawler.distributed.settings import redis_settings
from crawler.distributed.worker import run_from_args, worker_overrides
from xxgk.commands import crawl


def crawl_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    crawl.configure(parser)  # ``xxgk crawl`` carries the worker options itself
    return parser


def test_crawl_options_become_worker_settings():
    args = crawl_parser().parse_args(["--redis", "redis://10.0.0.5:6379/0", "--run-name", "2025", "--rate", "2"])
    settings = worker_overrides(args)
    assert settings["REDIS_URL"] == "redis://10.0.0.5:6379/0" and settings["XXGK_REDIS_RUN"] == "2025"
    assert settings["XXGK_REDIS_RATE"] == 2.0
    assert settings["SCHEDULER"] == "crawler.distributed.scheduler.LeasedScheduler"
    assert settings["DUPEFILTER_CLASS"] == "crawler.distributed.dupefilter.FingerprintDupeFilter"
    assert settings["ITEM_PIPELINES"] == {"crawler.distributed.pipeline.RedisItemPipeline": 300}
    # the project's downloader middlewares stay; conditional GET needs the store, so it is off
    middlewares = settings["DOWNLOADER_MIDDLEWARES"]
    assert middlewares["crawler.middlewares.ConditionalGetMiddleware"] is None
    assert middlewares["crawler.middlewares.BackoffRetryMiddleware"] == 550
    json.dumps(settings)  # crawler.run passes overrides to its child process as JSON


def test_conditional_get_can_stay_on_one_machine():
    settings = redis_settings("redis://x", "r", conditional_get=True)
    assert settings["DOWNLOADER_MIDDLEWARES"]["crawler.middlewares.ConditionalGetMiddleware"] == 560


@pytest.mark.parametrize("name", ["", "a b", "a:b"])
def test_bad_run_names_are_refused(name):
    with pytest.raises(ValueError, match="run name"):
        redis_settings("redis://x", name)


def test_jobdir_and_redis_exclude_each_other(tmp_path, capsys):
    args = crawl_parser().parse_args(["--redis", "redis://x", "--jobdir", str(tmp_path)])
    assert run_from_args(args, ["s"]) == 2
    assert "--jobdir and --redis" in capsys.readouterr().err
