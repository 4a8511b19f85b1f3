"""The shared crawl frontier of one run in Redis: queue, leases, politeness slots and dupefilter.

Every state change is one Lua script, so it is atomic and the append-only file replays it whole:

* ``push``: add a fingerprint to the dupefilter *and* the request to the queue in one step — a worker
  killed in between can no longer leave a URL marked as seen but never queued.
* ``pop``: unless the item list is over its cap (backpressure), take the next request and lease it
  (token → request in ``inflight``, token → deadline in ``leases``). With a politeness interval, a
  request whose host is not due yet gets the host's next free time slot reserved and waits in
  ``delayed`` until then; ``pop`` hands out due delayed requests first.
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
-- KEYS: queue, delayed, leases, inflight, sequence, hosts, items
-- ARGV: politeness interval ms (0 = off), lease ms, how many queue members to look at, item backlog cap (0 = none)
local interval, lease_ms, scan, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if cap > 0 and redis.call('LLEN', KEYS[7]) > cap then
  return 0
end
local now = now_ms()
local function lease(member)
  local token = redis.call('INCR', KEYS[5])
  redis.call('HSET', KEYS[4], token, member)
  redis.call('ZADD', KEYS[3], now + lease_ms, token)
  return {tostring(token), member}
end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1)
if #due > 0 then
  redis.call('ZREM', KEYS[2], due[1])
  return lease(due[1])
end
for _ = 1, scan do
  local popped = redis.call('ZPOPMIN', KEYS[1])
  if #popped == 0 then
    return false
  end
  local member = popped[1]
  if interval <= 0 then
    return lease(member)
  end
  local host = string.match(member, '^[^\\t]*\\t([^\\n]*)\\n') or ''
  local slot = tonumber(redis.call('HGET', KEYS[6], host) or '0')
  if slot <= now then
    redis.call('HSET', KEYS[6], host, now + interval)
    return lease(member)
  end
  redis.call('HSET', KEYS[6], host, slot + interval)
  redis.call('ZADD', KEYS[2], slot, member)
end
return false
"""
)

_SETTLE = (
    _SCORE
    + """
-- KEYS: leases, inflight   ARGV: lease ms, number of acks, ack tokens..., renew tokens...
local now = now_ms()
local lease_ms, acks = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 3, 2 + acks do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
end
local lost = {}
for i = 3 + acks, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + lease_ms, ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
"""
)

_REQUEUE = (
    _SCORE
    + """
-- KEYS: leases, inflight, queue   ARGV: tokens ('' = every lease whose deadline passed)
local now = now_ms()
local tokens
if ARGV[1] == '' then
  tokens = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1000)
else
  tokens = ARGV
end
local moved = 0
for _, token in ipairs(tokens) do
  local member = redis.call('HGET', KEYS[2], token)
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
-- KEYS: queue, delayed, leases
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]),
        redis.call('ZCOUNT', KEYS[2], '-inf', now)}
"""

_FINISH = """
-- KEYS: queue, delayed, leases, finished, dupefilter, sites, then the frontier keys to delete
-- ARGV: finished ttl (s), current time (s, for the mark)
if redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3]) > 0 then
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
    def delayed(self) -> str:
        return self.key("delayed")

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

    def ingesting(self, ingester: str) -> str:
        return self.key(f"ingesting:{ingester}")

    def frontier(self) -> tuple[str, ...]:
        """The keys a finished run no longer needs."""
        return (self.queue, self.delayed, self.leases, self.inflight, self.sequence, self.hosts)


@dataclass(frozen=True)
class Lease:
    token: str
    member: bytes


@dataclass(frozen=True)
class FrontierStatus:
    queued: int
    delayed: int
    leased: int
    due: int  # delayed requests whose slot has come

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


class Frontier:
    """One run's frontier; ``interval_ms`` is the politeness gap between two requests to one host (0 = off)."""

    def __init__(
        self, server: redis.Redis, keys: RunKeys, *, lease_ms: int = 60_000, interval_ms: int = 0, max_items: int = 0
    ):
        self.server = server
        self.max_items = max_items
        self.backlogged = False  # the last pop found more than max_items items waiting for the ingester
        self.keys = keys
        self.lease_ms = lease_ms
        self.interval_ms = interval_ms
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._settle = server.register_script(_SETTLE)
        self._requeue = server.register_script(_REQUEUE)
        self._status = server.register_script(_STATUS)
        self._finish = server.register_script(_FINISH)

    def push(self, member: bytes, fingerprint: bytes | None) -> bool:
        """Queue a request unless its fingerprint was seen before (None: always queue)."""
        keys = [self.keys.dupefilter, self.keys.queue, self.keys.finished]
        return bool(self._push(keys=keys, args=[fingerprint or b"", member]))

    def pop(self, scan: int = 32) -> Lease | None:
        keys = [self.keys.queue, self.keys.delayed, self.keys.leases, self.keys.inflight]
        keys += [self.keys.sequence, self.keys.hosts, self.keys.items]
        found = self._pop(keys=keys, args=[self.interval_ms, self.lease_ms, scan, self.max_items])
        self.backlogged = found == 0
        if not found:
            return None
        token, member = found
        return Lease(token.decode() if isinstance(token, bytes) else str(token), member)

    def settle(self, acked: list[str], renewed: list[str]) -> list[str]:
        """Ack finished leases, extend the others; returns renewed tokens that were no longer leased."""
        if not acked and not renewed:
            return []
        keys = [self.keys.leases, self.keys.inflight]
        lost = self._settle(keys=keys, args=[self.lease_ms, len(acked), *acked, *renewed])
        return [t.decode() if isinstance(t, bytes) else str(t) for t in lost]

    def requeue_expired(self) -> int:
        """Put the requests of expired leases (dead workers) back in the queue; returns how many."""
        return int(self._requeue(keys=[self.keys.leases, self.keys.inflight, self.keys.queue], args=[""]))

    def release(self, tokens: list[str]) -> int:
        """Give leased requests back to the queue now (a worker shutting down before finishing them)."""
        if not tokens:
            return 0
        return int(self._requeue(keys=[self.keys.leases, self.keys.inflight, self.keys.queue], args=tokens))

    def status(self) -> FrontierStatus:
        queued, delayed, leased, due = self._status(keys=[self.keys.queue, self.keys.delayed, self.keys.leases])
        return FrontierStatus(int(queued), int(delayed), int(leased), int(due))

    def finish(self, ttl: int, stamp: float) -> bool:
        """If nothing is queued, delayed or leased: mark the run finished, drop the frontier, let the
        dupefilter and site list expire in ``ttl`` s. One atomic step, so no request pushed meanwhile is lost."""
        k = self.keys
        keys = [k.queue, k.delayed, k.leases, k.finished, k.dupefilter, k.sites, *k.frontier()]
        return bool(self._finish(keys=keys, args=[ttl, str(stamp)]))
