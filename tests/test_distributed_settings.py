"""The ``--redis`` options plug into ``xxgk crawl`` and produce worker settings (no Redis needed)."""

from __future__ import annotations

import argparse
import json

import pytest
from scrapy.utils.misc import load_object

from crawler.distributed.settings import redis_settings
from crawler.distributed.worker import run_from_args, worker_overrides
from crawler.run import build_settings
from xxgk.commands import crawl


def crawl_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    crawl.configure(parser)  # ``xxgk crawl`` carries the worker options itself
    return parser


def crawl_settings(overrides: dict, *, throttle: bool = True):
    """The settings a worker's crawler runs with: project, add-on bundles (as Scrapy applies them), overrides."""
    settings = build_settings(config="c.yaml", db="x.db", throttle=throttle, overrides=overrides)
    for path in settings.getdict("ADDONS"):
        load_object(path)().update_settings(settings)
    return settings


def test_crawl_options_become_worker_settings():
    args = crawl_parser().parse_args(["--redis", "redis://10.0.0.5:6379/0", "--run-name", "2025", "--rate", "2"])
    overrides = worker_overrides(args)
    json.dumps(overrides)  # crawler.run passes overrides to its child process as JSON
    settings = crawl_settings(overrides)
    assert settings["REDIS_URL"] == "redis://10.0.0.5:6379/0" and settings["XXGK_REDIS_RUN"] == "2025"
    assert settings.getfloat("XXGK_REDIS_RATE") == 2.0
    assert settings["SCHEDULER"] == "crawler.distributed.scheduler.LeasedScheduler"
    assert settings["DUPEFILTER_CLASS"] == "crawler.distributed.dupefilter.FingerprintDupeFilter"
    assert settings.getdict("ITEM_PIPELINES") == {"crawler.distributed.pipeline.ParseAndPushPipeline": 300}
    # the project's downloader middlewares stay; conditional GET needs the store, so it is off
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.middlewares.ConditionalGetMiddleware"] is None
    assert middlewares["crawler.middlewares.BackoffRetryMiddleware"] == 550


def test_conditional_get_can_stay_on_one_machine():
    settings = crawl_settings(redis_settings("redis://x", "r", conditional_get=True))
    assert settings.getdict("DOWNLOADER_MIDDLEWARES")["crawler.middlewares.ConditionalGetMiddleware"] == 560


def test_bundles_combine_and_explicit_settings_win_over_them():
    overrides = {**redis_settings("redis://x", "r"), "CONCURRENT_REQUESTS": 4}
    settings = crawl_settings(overrides, throttle=False)
    assert settings.getdict("ADDONS") == {
        "crawler.addons.NoThrottle": 0,
        "crawler.distributed.settings.RedisWorker": 0,
    }
    assert settings.getint("CONCURRENT_REQUESTS") == 4  # explicit beats the throttle-off bundle's 64
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 64 and not settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings["SCHEDULER"] == "crawler.distributed.scheduler.LeasedScheduler"  # beats the project's default
    assert crawl_settings({})["SCHEDULER"] != settings["SCHEDULER"]


@pytest.mark.parametrize("name", ["", "a b", "a:b"])
def test_bad_run_names_are_refused(name):
    with pytest.raises(ValueError, match="run name"):
        redis_settings("redis://x", name)


def test_jobdir_and_redis_exclude_each_other(tmp_path, capsys):
    args = crawl_parser().parse_args(["--redis", "redis://x", "--jobdir", str(tmp_path)])
    assert run_from_args(args, ["s"]) == 2
    assert "--jobdir and --redis" in capsys.readouterr().err
