"""The parser pool: a dead worker is replaced and costs only its own document; OS limits on memory and CPU."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

from xxgk.parsers import Job, Limits, ParseFailed, ParserPool


def parse_all(pool: ParserPool, jobs: list[Job]) -> list[object]:
    async def each(job: Job) -> object:
        try:
            return await pool(job)
        except ParseFailed as exc:
            return exc

    async def every() -> list[object]:
        return await asyncio.gather(*(each(job) for job in jobs))

    return asyncio.run(every())


def test_a_document_that_kills_its_worker_fails_alone_and_the_pool_goes_on(parser_probe):
    pool = ParserPool(2, f"{parser_probe}.dies_on_die_urls")
    try:
        text = b"a report"
        jobs = [Job(text, url=f"http://x/{n}") for n in range(6)]
        jobs.insert(3, Job(text, url="http://x/die"))
        results = parse_all(pool, jobs)
        failed = [r for r in results if isinstance(r, ParseFailed)]
        assert [str(r) for r in failed] == ["parser process died: signal 9"]
        assert isinstance(results[3], ParseFailed)
        assert [r.url for r in results if not isinstance(r, ParseFailed)] == [f"http://x/{n}" for n in range(6)]
        assert len(pool.pids()) == 2  # both dead workers (first try, retry) were replaced
        after = parse_all(pool, [Job(text, url="http://x/after")])
        assert after[0].url == "http://x/after"
    finally:
        pool.close()


def test_a_worker_killed_from_outside_is_replaced_and_its_document_retried(parser_probe):
    pool = ParserPool(2, f"{parser_probe}.sleeps")
    try:
        deadline = time.monotonic() + 60
        while len(pool.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        victims = pool.pids()

        def kill_one() -> None:
            time.sleep(1.0)  # both workers are inside their first document
            os.kill(victims[0], signal.SIGKILL)

        killer = threading.Thread(target=kill_one)
        killer.start()
        results = parse_all(pool, [Job(b"3", url=f"http://x/{n}") for n in range(4)])
        killer.join()
        assert all(not isinstance(r, ParseFailed) for r in results), results
        assert sorted(r.url for r in results) == [f"http://x/{n}" for n in range(4)]
        assert victims[0] not in pool.pids() and len(pool.pids()) == 2
        assert str(victims[0]) not in {r.text for r in results}
    finally:
        pool.close()


def test_parser_processes_run_at_the_lower_priority_asked_for(parser_probe):
    pool = ParserPool(1, f"{parser_probe}.sleeps", limits=Limits(nice=5))
    try:
        (result,) = parse_all(pool, [Job(b"0", url="http://x/nice")])
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, int(result.text)) == min(19, own + 5)
    finally:
        pool.close()


def test_memory_ceiling_ends_one_document_with_a_reason(parser_probe):
    pool = ParserPool(1, f"{parser_probe}.grabs_memory", limits=Limits(memory=768 << 20))
    try:
        small, huge = parse_all(pool, [Job(b"16", url="http://x/small"), Job(b"2048", url="http://x/huge")])
        assert small.text == str(16 << 20)
        assert isinstance(huge, ParseFailed) and "out of memory" in str(huge)
    finally:
        pool.close()


def test_cpu_limit_per_document_kills_a_runaway_parse_once(parser_probe):
    pool = ParserPool(1, f"{parser_probe}.spins", limits=Limits(cpu=1))
    try:
        started = time.monotonic()
        (result,) = parse_all(pool, [Job(b"", url="http://x/spin")])
        assert isinstance(result, ParseFailed)
        limit = "(over its limit of 1 CPU seconds per document)"
        assert str(result) == f"parser process died: signal {signal.SIGXCPU} {limit}"
        assert time.monotonic() - started < 30  # not retried into a second minute
    finally:
        pool.close()


def test_a_parser_bug_is_a_reason_not_a_crash(parser_probe):
    pool = ParserPool(1, f"{parser_probe}.crashes")
    try:
        (result,) = parse_all(pool, [Job(b"x", url="http://x/bug")])
        assert str(result) == "parser error: RuntimeError: a parser bug"
    finally:
        pool.close()
