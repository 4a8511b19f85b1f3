"""The per-host gate on its own: one request at a time per host, the next one 1/rate after the previous answer."""

from __future__ import annotations

import asyncio
import time

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.hostgate import HELD, HostGate


def test_next_request_waits_one_interval_after_the_answer_and_hosts_are_independent() -> None:
    gate = HostGate(rate=10)  # 0.1 s
    order: list[tuple[str, float]] = []

    async def fetch(url: str, latency: float, fail: bool = False) -> None:
        request = Request(url)
        await gate.process_request(request)
        order.append((url, time.monotonic()))
        await asyncio.sleep(latency)
        if fail:
            gate.process_exception(request, OSError("reset"))
        else:
            gate.process_response(request, Response(url))
        assert HELD not in request.meta

    async def main() -> float:
        started = time.monotonic()
        await asyncio.gather(
            fetch("http://a.test/1", 0.05, fail=True), fetch("http://a.test/2", 0.05), fetch("http://b.test/1", 0)
        )
        return started

    started = asyncio.run(main())
    times = dict(order)
    assert times["http://b.test/1"] - started < 0.05  # another host: no wait
    # a.test/2 leaves 0.1 s after a.test/1's answer (a failure counts too), which came 0.05 s after it left
    assert times["http://a.test/2"] - times["http://a.test/1"] >= 0.15


def test_a_response_of_a_request_that_never_passed_the_gate_frees_nothing() -> None:
    gate = HostGate(rate=1)
    response = Response("http://a.test/")
    assert gate.process_response(Request("http://a.test/"), response) is response  # e.g. a cached answer
    assert gate.hosts == {}


def test_off_without_a_rate() -> None:
    with pytest.raises(NotConfigured):
        HostGate.from_crawler(get_crawler(settings_dict={"XXGK_HOST_RATE": 0}))
