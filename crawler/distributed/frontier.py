"""The shared crawl frontier of one run in Redis: queue, leases, politeness slots and dupefilter.

Every state change is one Lua script, so it is atomic and the append-only file replays it whole:

* ``push``: add a fingerprint to the dupefilter *and* the request to the queue in one step — a worker
  killed in between can no longer leave a URL marked as seen but never queued.
* ``pop``: unless the item list is over its cap (backpressure), take the next request and lease it
  (token → request in ``inflight``, token → deadline in ``leases``). With a politeness interval a host
  is *held* by the request popped for it until that request's response is back (``release``, or its
  ack, or its lease's expiry) and is free again one interval after that: a request whose host is held
  or not free yet waits in the host's own queue (``waiting:<host>``), and the host in ``ready``, scored
  by the time it is free. ``pop`` hands out a request of a free waiting host first, so a busy host's
  next request goes out as soon as it may, whatever the global order of the queue; when it hands out
  nothing it says how soon the first waiting host is free, so a worker can pop again at that moment.
* ``settle``: the worker acks finished leases and extends the deadline of the ones still in flight.
* ``requeue_expired``: leases whose deadline passed (their worker died) go back to the queue.

Times are Redis server milliseconds (``TIME``), so worker clocks never matter. A queue member is
``"<priority>\\t<host>\\n<serialised request>"``; its score orders by priority, then first in, first out.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

# Score of a queue member: higher priority first, then the time it was queued (ms), in one exact double.
_SCORE = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function score(member, at)
  local prio = tonumber(string.match(member, '^(-?%d+)\\t')) or 0
  return string.format('%.0f', -prio * 1e13 + at)
end
local function host_of(member)
  return string.match(member, '^[^\\t]*\\t([^\\n]*)\\n') or ''
end
-- a host held by a lease until ``until_ms`` (or freed at that time), kept in step with its place in ``ready``
local function set_free(hosts, ready, host, until_ms)
  redis.call('HSET', hosts, host, until_ms)
  if redis.call('ZSCORE', ready, host) then
    redis.call('ZADD', ready, until_ms, host)
  end
end
-- the end of a lease's hold on its host: free one interval from now (nothing if another lease holds it)
local function unhold(hosts, holders, ready, token, member, now, interval)
  if not member then
    return
  end
  local host = host_of(member)
  if redis.call('HGET', holders, host) == token then
    redis.call('HDEL', holders, host)
    set_free(hosts, ready, host, now + interval)
  end
end
"""

_PUSH = (
    _SCORE
    + """
-- KEYS: dupefilter, queue, finished   ARGV: fingerprint ('' = do not filter), member
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], score(ARGV[2], now_ms()), ARGV[2])
redis.call('DEL', KEYS[3])
return 1
"""
)

_POP = (
    _SCORE
    + """
-- KEYS: queue, ready, leases, inflight, sequence, hosts, items, holders, parked
-- ARGV: politeness interval ms (0 = off), lease ms, how many queue members to look at, item backlog cap (0 = none),
--       prefix of the per-host waiting queues
-- Returns {'lease', token, member}, {'backlog'}, or {'wait', ms}: nothing to lease now, and the first waiting
-- host is free in ms (0: queue members left unscanned; -1: nothing queued or waiting at all)
local interval, lease_ms, scan, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if cap > 0 and redis.call('LLEN', KEYS[7]) > cap then
  return {'backlog'}
end
local now = now_ms()
local function lease(member)
  local token = tostring(redis.call('INCR', KEYS[5]))
  redis.call('HSET', KEYS[4], token, member)
  redis.call('ZADD', KEYS[3], now + lease_ms, token)
  if interval > 0 then  -- the host is held by this lease until its response is back
    local host = host_of(member)
    redis.call('HSET', KEYS[8], host, token)
    set_free(KEYS[6], KEYS[2], host, now + lease_ms)
  end
  return {'lease', token, member}
end
local function wait()
  if redis.call('ZCARD', KEYS[1]) > 0 then
    return {'wait', 0}
  end
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if #first == 0 then
    return {'wait', -1}
  end
  return {'wait', math.max(0, tonumber(first[2]) - now)}
end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1)
if #due > 0 then
  local waiting = ARGV[5] .. due[1]
  local member = redis.call('ZPOPMIN', waiting)[1]
  redis.call('DECR', KEYS[9])
  if redis.call('ZCARD', waiting) == 0 then
    redis.call('ZREM', KEYS[2], due[1])
  end
  return lease(member)
end
for _ = 1, scan do
  local popped = redis.call('ZPOPMIN', KEYS[1])
  if #popped == 0 then
    break
  end
  local member = popped[1]
  if interval <= 0 then
    return lease(member)
  end
  local host = host_of(member)
  local free = tonumber(redis.call('HGET', KEYS[6], host) or '0')
  if free <= now and not redis.call('ZSCORE', KEYS[2], host) then
    return lease(member)
  end
  redis.call('ZADD', ARGV[5] .. host, popped[2], member)
  redis.call('INCR', KEYS[9])
  redis.call('ZADD', KEYS[2], math.max(free, now), host)
end
return wait()
"""
)

_SETTLE = (
    _SCORE
    + """
-- KEYS: leases, inflight, hosts, holders, ready
-- ARGV: lease ms, interval ms, number of acks, ack tokens..., renew tokens...
local now = now_ms()
local lease_ms, interval, acks = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, 3 + acks do
  unhold(KEYS[3], KEYS[4], KEYS[5], ARGV[i], redis.call('HGET', KEYS[2], ARGV[i]), now, interval)
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
end
local lost = {}
for i = 4 + acks, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + lease_ms, ARGV[i])
    local host = host_of(redis.call('HGET', KEYS[2], ARGV[i]) or '')
    if redis.call('HGET', KEYS[4], host) == ARGV[i] then  -- still downloading: the hold lasts as the lease
      set_free(KEYS[3], KEYS[5], host, now + lease_ms)
    end
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
"""
)

_RESPONDED = (
    _SCORE
    + """
-- KEYS: inflight, hosts, holders, ready   ARGV: interval ms, tokens whose response is back...
local now = now_ms()
for i = 2, #ARGV do
  unhold(KEYS[2], KEYS[3], KEYS[4], ARGV[i], redis.call('HGET', KEYS[1], ARGV[i]), now, tonumber(ARGV[1]))
end
return 0
"""
)

_REQUEUE = (
    _SCORE
    + """
-- KEYS: leases, inflight, queue, hosts, holders, ready
-- ARGV: interval ms, tokens (none: every lease whose deadline passed)
local now = now_ms()
local tokens = {}
if #ARGV == 1 then
  tokens = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1000)
else
  for i = 2, #ARGV do
    tokens[#tokens + 1] = ARGV[i]
  end
end
local moved = 0
for _, token in ipairs(tokens) do
  local member = redis.call('HGET', KEYS[2], token)
  unhold(KEYS[4], KEYS[5], KEYS[6], token, member, now, tonumber(ARGV[1]))
  redis.call('ZREM', KEYS[1], token)
  redis.call('HDEL', KEYS[2], token)
  if member then
    redis.call('ZADD', KEYS[3], score(member, now), member)
    moved = moved + 1
  end
end
return moved
"""
)

_STATUS = """
-- KEYS: queue, parked, leases, ready
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {redis.call('ZCARD', KEYS[1]), tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('ZCARD', KEYS[3]),
        redis.call('ZCOUNT', KEYS[4], '-inf', now)}
"""

_FINISH = """
-- KEYS: queue, parked, leases, finished, dupefilter, sites, then the frontier keys to delete
-- ARGV: finished ttl (s), current time (s, for the mark)
local parked = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('ZCARD', KEYS[1]) + parked + redis.call('ZCARD', KEYS[3]) > 0 then
  return 0
end
redis.call('SET', KEYS[4], ARGV[2], 'EX', ARGV[1])
redis.call('EXPIRE', KEYS[5], ARGV[1])
redis.call('EXPIRE', KEYS[6], ARGV[1])
for i = 7, #KEYS do
  redis.call('DEL', KEYS[i])
end
return 1
"""


@dataclass(frozen=True)
class RunKeys:
    """Names of the Redis keys of one crawl run (all start with ``xxgk:<run>:``)."""

    run: str

    def key(self, name: str) -> str:
        return f"xxgk:{self.run}:{name}"

    @property
    def queue(self) -> str:
        return self.key("queue")

    @property
    def ready(self) -> str:
        """Hosts with requests waiting in their own queue, scored by the time the host is free (ms)."""
        return self.key("ready")

    @property
    def parked(self) -> str:
        """How many requests wait in hosts' own queues."""
        return self.key("parked")

    @property
    def holders(self) -> str:
        """Host → the lease holding it (its request is downloading)."""
        return self.key("holders")

    def waiting(self, host: str = "") -> str:
        """A host's own queue (without ``host``: the prefix of them all)."""
        return self.key(f"waiting:{host}")

    @property
    def leases(self) -> str:
        return self.key("leases")

    @property
    def inflight(self) -> str:
        return self.key("inflight")

    @property
    def sequence(self) -> str:
        return self.key("sequence")

    @property
    def hosts(self) -> str:
        return self.key("hosts")

    @property
    def dupefilter(self) -> str:
        return self.key("dupefilter")

    @property
    def finished(self) -> str:
        return self.key("finished")

    @property
    def workers(self) -> str:
        return self.key("workers")

    @property
    def sites(self) -> str:
        return self.key("sites")

    @property
    def items(self) -> str:
        return self.key("items")

    @property
    def robots(self) -> str:
        """robots.txt URL → the answer the run keeps of it (``crawler.distributed.robots``)."""
        return self.key("robots")

    def ingesting(self, ingester: str) -> str:
        return self.key(f"ingesting:{ingester}")

    def frontier(self) -> tuple[str, ...]:
        """The keys a finished run no longer needs."""
        return (
            self.queue,
            self.ready,
            self.parked,
            self.holders,
            self.leases,
            self.inflight,
            self.sequence,
            self.hosts,
            self.robots,
        )


@dataclass(frozen=True)
class Lease:
    token: str
    member: bytes


@dataclass(frozen=True)
class FrontierStatus:
    queued: int
    delayed: int  # requests waiting in their host's own queue (held or not free yet)
    leased: int
    due: int  # hosts with waiting requests that are free now

    @property
    def drained(self) -> bool:
        return not (self.queued or self.delayed or self.leased)


def encode_member(priority: int, host: str, payload: bytes) -> bytes:
    if "\t" in host or "\n" in host:
        raise ValueError(f"host name with a tab or newline: {host!r}")
    return f"{int(priority)}\t{host}\n".encode() + payload


def decode_member(member: bytes) -> bytes:
    """The serialised request inside a queue member."""
    return member.split(b"\n", 1)[1]


def _text(value: bytes | str) -> str:
    """A Lua script's string reply as text (bytes unless the client decodes responses)."""
    return value.decode() if isinstance(value, bytes) else str(value)


class Frontier:
    """One run's frontier; ``interval_ms`` is the politeness gap between two requests to one host (0 = off)."""

    def __init__(
        self, server: redis.Redis, keys: RunKeys, *, lease_ms: int = 60_000, interval_ms: int = 0, max_items: int = 0
    ):
        self.server = server
        self.max_items = max_items
        self.backlogged = False  # the last pop found more than max_items items waiting for the ingester
        self.next_free: float | None = None  # the last pop leased nothing: s until a waiting host is free (or None)
        self.keys = keys
        self.lease_ms = lease_ms
        self.interval_ms = interval_ms
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._settle = server.register_script(_SETTLE)
        self._responded = server.register_script(_RESPONDED)
        self._requeue = server.register_script(_REQUEUE)
        self._status = server.register_script(_STATUS)
        self._finish = server.register_script(_FINISH)

    def push(self, member: bytes, fingerprint: bytes | None) -> bool:
        """Queue a request unless its fingerprint was seen before (None: always queue)."""
        keys = [self.keys.dupefilter, self.keys.queue, self.keys.finished]
        return bool(self._push(keys=keys, args=[fingerprint or b"", member]))

    def pop(self, scan: int = 32) -> Lease | None:
        k = self.keys
        keys = [k.queue, k.ready, k.leases, k.inflight, k.sequence, k.hosts, k.items, k.holders, k.parked]
        found = self._pop(keys=keys, args=[self.interval_ms, self.lease_ms, scan, self.max_items, k.waiting()])
        kind = _text(found[0])
        self.backlogged = kind == "backlog"
        self.next_free = int(found[1]) / 1000 if kind == "wait" and int(found[1]) >= 0 else None
        if kind != "lease":
            return None
        token, member = found[1], found[2]
        return Lease(_text(token), member)

    def settle(self, acked: list[str], renewed: list[str]) -> list[str]:
        """Ack finished leases (their hosts, if still held, are free one interval from now), extend the others;
        returns renewed tokens that were no longer leased."""
        if not acked and not renewed:
            return []
        k = self.keys
        keys = [k.leases, k.inflight, k.hosts, k.holders, k.ready]
        lost = self._settle(keys=keys, args=[self.lease_ms, self.interval_ms, len(acked), *acked, *renewed])
        return [_text(t) for t in lost]

    def responded(self, tokens: list[str], interval_ms: int | None = None) -> None:
        """The responses of these leases are back: their hosts are free one interval (or ``interval_ms``) from now."""
        if tokens and self.interval_ms > 0:
            k = self.keys
            wait = self.interval_ms if interval_ms is None else interval_ms
            self._responded(keys=[k.inflight, k.hosts, k.holders, k.ready], args=[wait, *tokens])

    def requeue_expired(self) -> int:
        """Put the requests of expired leases (dead workers) back in the queue; returns how many."""
        return self._requeue_tokens([])

    def release(self, tokens: list[str]) -> int:
        """Give leased requests back to the queue now (a worker shutting down before finishing them)."""
        return self._requeue_tokens(tokens) if tokens else 0

    def _requeue_tokens(self, tokens: list[str]) -> int:
        k = self.keys
        keys = [k.leases, k.inflight, k.queue, k.hosts, k.holders, k.ready]
        return int(self._requeue(keys=keys, args=[self.interval_ms, *tokens]))

    def status(self) -> FrontierStatus:
        queued, delayed, leased, due = self._status(
            keys=[self.keys.queue, self.keys.parked, self.keys.leases, self.keys.ready]
        )
        return FrontierStatus(int(queued), int(delayed), int(leased), int(due))

    def finish(self, ttl: int, stamp: float) -> bool:
        """If nothing is queued, waiting or leased: mark the run finished, drop the frontier, let the
        dupefilter and site list expire in ``ttl`` s. One atomic step, so no request pushed meanwhile is lost."""
        k = self.keys
        keys = [k.queue, k.parked, k.leases, k.finished, k.dupefilter, k.sites, *k.frontier()]
        return bool(self._finish(keys=keys, args=[ttl, str(stamp)]))
