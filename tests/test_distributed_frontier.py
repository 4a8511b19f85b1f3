"""The Redis frontier on a real redis-server: atomic dedupe+queue, leases, expiry, politeness slots, codec."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from crawler.distributed.codec import dumps, loads
from crawler.distributed.frontier import Frontier, RunKeys, decode_member, encode_member
from xxgk.ingest import Failure, Parsed, load_message
from xxgk.model import Check, Region, Report
from xxgk.store import ReportRow


@pytest.fixture(scope="module")
def server(redis_class):
    with redis_class() as srv:
        yield srv


@pytest.fixture
def frontier(server, request):
    client = server.client()
    keys = RunKeys(request.node.name)
    yield Frontier(client, keys, lease_ms=60_000)
    for key in client.keys(f"xxgk:{keys.run}:*"):
        client.delete(key)


def member(url: str, priority: int = 0, host: str = "a.example") -> bytes:
    return encode_member(priority, host, url.encode())


def test_push_filters_seen_fingerprints_and_keeps_unfiltered(frontier):
    assert frontier.push(member("/1"), b"fp1")
    assert not frontier.push(member("/1-again"), b"fp1")
    assert frontier.push(member("/2"), None)
    assert frontier.status().queued == 2


def test_pop_orders_by_priority_then_first_in(frontier):
    frontier.push(member("/low-first"), b"1")
    time.sleep(0.002)
    frontier.push(member("/low-second"), b"2")
    frontier.push(member("/high", priority=10), b"3")
    order = [decode_member(frontier.pop().member) for _ in range(3)]
    assert order == [b"/high", b"/low-first", b"/low-second"]
    assert frontier.pop() is None


def test_lease_is_held_until_acked(frontier):
    frontier.push(member("/x"), b"x")
    lease = frontier.pop()
    status = frontier.status()
    assert (status.queued, status.leased, status.drained) == (0, 1, False)
    assert frontier.settle([], [lease.token]) == []
    frontier.settle([lease.token], [])
    assert frontier.status().drained
    assert frontier.settle([], [lease.token]) == [lease.token]  # renewing an acked lease reports it lost


def test_expired_lease_goes_back_to_the_queue(server, frontier):
    short = Frontier(server.client(), frontier.keys, lease_ms=50)
    short.push(member("/dead-worker"), b"d")
    assert short.pop() is not None
    time.sleep(0.1)
    short.requeue_expired()
    status = short.status()
    assert (status.queued, status.leased) == (1, 0)
    assert decode_member(short.pop().member) == b"/dead-worker"


def test_release_returns_unfinished_leases_at_once(frontier):
    frontier.push(member("/a"), b"a")
    frontier.push(member("/b"), b"b")
    leases = [frontier.pop(), frontier.pop()]
    assert frontier.release([leases[0].token]) == 1
    status = frontier.status()
    assert (status.queued, status.leased) == (1, 1)


def test_politeness_holds_a_host_until_its_response_then_one_interval(server, frontier):
    polite = Frontier(server.client(), frontier.keys, interval_ms=300)
    for i in range(3):
        polite.push(member(f"/a{i}", host="a.example"), f"a{i}".encode())
    polite.push(member("/b0", host="b.example"), b"b0")
    first = [polite.pop() for _ in range(4)]
    leases = {decode_member(lease.member): lease for lease in first if lease is not None}
    # one request per host now; the other two a.example requests wait in the host's own queue
    assert sorted(leases) == [b"/a0", b"/b0"]
    assert polite.status().delayed == 2
    time.sleep(0.4)
    assert polite.pop() is None  # a0's response is not back: its host stays held, however long it takes

    def next_after(token: str) -> tuple[float, bytes]:
        """Report the response of ``token``'s request; the next a.example request, and how long after it came."""
        polite.responded([token])
        started = time.monotonic()
        while time.monotonic() - started < 3:
            lease = polite.pop()
            if lease is not None:
                return time.monotonic() - started, lease
            time.sleep(0.01)
        raise AssertionError("no request after the interval")

    waited, second = next_after(leases[b"/a0"].token)
    assert decode_member(second.member) == b"/a1" and 0.28 <= waited < 1.0
    polite.responded([leases[b"/a0"].token])  # reported again (a retried command): frees nothing twice
    assert polite.pop() is None
    polite.settle([second.token], [])  # an ack frees the host too, if its response was never reported
    waited, third = next_after(second.token)
    assert decode_member(third.member) == b"/a2" and 0.28 <= waited < 1.0
    assert polite.status().delayed == 0
    polite.settle([leases[b"/a0"].token, third.token, leases[b"/b0"].token], [])
    assert polite.finish(60, 1.0)
    assert not [
        k
        for k in server.client().keys(f"xxgk:{frontier.keys.run}:*")
        if b"dupefilter" not in k and b"finished" not in k and b"sites" not in k
    ]


def test_an_empty_pop_says_when_the_first_waiting_host_is_free(server, frontier):
    polite = Frontier(server.client(), frontier.keys, interval_ms=500)
    assert polite.pop() is None and polite.next_free is None  # nothing queued or waiting at all
    polite.push(member("/a0"), b"a0")
    polite.push(member("/a1"), b"a1")
    first = polite.pop()
    assert polite.pop() is None and polite.next_free > 30  # held by a0's lease (60 s) until its response
    polite.responded([first.token])
    assert polite.pop() is None and 0.2 < polite.next_free <= 0.5
    for i in range(2, 42):  # more than one pop scans (32 members): members left unscanned mean "pop again now"
        polite.push(member(f"/a{i}"), f"a{i}".encode())
    assert polite.pop() is None and polite.next_free == 0
    assert polite.pop() is None and 0.1 < polite.next_free <= 0.5
    time.sleep(polite.next_free)
    assert decode_member(polite.pop().member) == b"/a1"


def test_an_expired_lease_frees_its_host(server, frontier):
    polite = Frontier(server.client(), frontier.keys, interval_ms=100, lease_ms=200)
    polite.push(member("/a0"), b"a0")
    polite.push(member("/a1"), b"a1")
    assert polite.pop() is not None and polite.pop() is None
    time.sleep(0.25)
    assert polite.requeue_expired() == 1  # the dead worker's request goes back; its host is free after the interval
    time.sleep(0.15)
    got = {decode_member(lease.member) for lease in (polite.pop(), polite.pop()) if lease is not None}
    assert got == {b"/a1"}  # one at a time: a0 waits for a1's response


def test_codec_round_trips_bytes_keys():
    request = {"url": "http://x/", "headers": {b"If-None-Match": [b'"e1"']}, "body": b"\x00\xff", "meta": {"$x": 1}}
    assert loads(dumps(request)) == request
    with pytest.raises(TypeError):
        dumps({"meta": {"obj": object()}})


def test_parsed_and_failure_messages_round_trip():
    report = Report("r1", url="http://x/r", title="报告", region=Region("P", "C"), tables={"t": {"a": 1, "b": None}})
    report.checks = [Check(1, "sum", ["a", "b"])]
    report.content_hash, report.fetched_at = "ab" * 32, "2026-01-01T00:00:00+00:00"
    parsed = Parsed("http://x/r", "s", 200, "ab" * 32, '"e"', None, ReportRow.of(report), None, b"%PDF\x00")
    got, head = load_message(parsed.to_message())
    assert got == parsed and Report.from_dict(json.loads(got.row.record)) == report
    # a second delivery (parsed again later) has the same head: the ingester writes it once
    report.fetched_at = "2026-01-01T00:05:00+00:00"
    again = dataclasses.replace(parsed, row=ReportRow.of(report))
    assert load_message(again.to_message())[1] == head
    assert load_message(dataclasses.replace(again, sha256="ef" * 32).to_message())[1] != head
    failed = Parsed("http://x/f", "s", 200, "cd" * 32, None, None, None, "unreadable: empty")
    assert load_message(failed.to_message())[0] == failed
    failure = Failure("http://x/g", "HTTP 500 after 3 retries")
    assert load_message(failure.to_message())[0] == failure
    other = Parsed("http://x/other", "s", 200, "ab" * 32, None, None, ReportRow.of(report))  # someone else's record
    latin = dataclasses.replace(parsed, row=dataclasses.replace(parsed.row, record='{"text": "é"}'.encode("latin-1")))
    bad_messages = (b'{"type": "os.system", "fields": {}}', b"[1]", b"not json", b'{"failed": 1}', other.to_message())
    for bad in (*bad_messages, latin.to_message()):  # the last: a record that is not UTF-8
        with pytest.raises(ValueError):
            load_message(bad)


def test_pop_pauses_while_the_item_backlog_is_over_its_cap(server, frontier):
    capped = Frontier(server.client(), frontier.keys, max_items=2)
    capped.push(member("/x"), b"x")
    server.client().rpush(frontier.keys.items, b"1", b"2", b"3")
    assert capped.pop() is None and capped.backlogged
    server.client().lpop(frontier.keys.items)
    lease = capped.pop()
    assert lease is not None and not capped.backlogged


def test_finish_only_when_drained_and_keeps_the_dupefilter_briefly(server, frontier):
    client = server.client()
    frontier.push(member("/x"), b"x")
    assert not frontier.finish(60, 1.0)  # something is queued
    lease = frontier.pop()
    assert not frontier.finish(60, 1.0)  # something is leased
    frontier.settle([lease.token], [])
    assert frontier.finish(60, 1.0)
    keys = frontier.keys
    assert client.exists(keys.finished) and not client.exists(keys.sequence)
    assert 0 < client.ttl(keys.dupefilter) <= 60
    assert not frontier.push(member("/x"), b"x")  # a late worker of the run still sees it as done
