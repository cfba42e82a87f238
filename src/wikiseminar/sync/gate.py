"""Wiki etiquette shared by every worker: a Redis semaphore and an hourly budget per wiki host.

`RedisGate.slot(host)` is the `RequestGate` that `WikiClient.call` enters around each HTTP
attempt (retries count too). It admits a request when fewer than `max_concurrent` requests
to that host are in flight across all processes and machines, and when the host's budget for
the current hour window is not spent. Slots are members of a sorted set scored by their expiry,
so a process killed while holding one frees it after `slot_ttl` seconds at most. Time comes
from the Redis server (`TIME`), so every machine agrees on the windows.

When the budget is spent the gate does not wait: it raises `RequestBudgetExhausted`, the sync
fails cleanly (what it stored stays), and the queued job reschedules itself for the next
window (see `jobs.sync_job`). Waiting inside a sync would hold the seminar's lock and the
job's timeout for up to an hour.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import redis

from ..wiki.errors import WikiError

__all__ = ["DEFAULT_PREFIX", "RedisGate", "RequestBudgetExhausted"]

DEFAULT_PREFIX = "wikiseminar:gate"

# KEYS: slots zset, budget counter of this window. ARGV: token, max concurrent, budget,
# slot ttl (s), window length (s). Returns {status, detail}: 1 admitted, 0 all slots busy,
# -1 budget spent (detail: seconds until the next window). Numbers travel as strings because
# Lua numbers are truncated to integers on the way out.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window_len = tonumber(ARGV[5])
local window = math.floor(now / window_len)
local budget_key = KEYS[2] .. ':' .. window
local budget = tonumber(ARGV[3])
if budget > 0 then
  local used = tonumber(redis.call('GET', budget_key) or '0')
  if used >= budget then
    return {-1, tostring((window + 1) * window_len - now)}
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return {0, '0'}
end
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(ttl) + 1)
redis.call('INCR', budget_key)
redis.call('EXPIRE', budget_key, 2 * window_len)
return {1, tostring(window)}
"""

# KEYS: budget counter prefix. ARGV: window length. Returns {used in this window, seconds left}.
_USAGE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window_len = tonumber(ARGV[1])
local window = math.floor(now / window_len)
local used = tonumber(redis.call('GET', KEYS[1] .. ':' .. window) or '0')
return {used, tostring((window + 1) * window_len - now)}
"""


class RequestBudgetExhausted(WikiError):
    """The wiki host's request budget for this hour window is spent across all workers."""

    def __init__(self, host: str, budget: int, resume_in: float) -> None:
        self.host = host
        self.budget = budget
        self.resume_in = max(0.0, resume_in)
        self.resume_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.resume_in)
        super().__init__(
            f"{host}: hourly request budget of {budget} spent; next window opens at "
            f"{self.resume_at:%H:%M:%S} UTC"
        )


class RedisGate:
    """Admission control for requests to each wiki host, shared through one Redis."""

    def __init__(
        self,
        connection: redis.Redis,
        *,
        max_concurrent: int = 3,
        hourly_budget: int = 3000,
        slot_ttl: float = 75.0,
        window: int = 3600,
        prefix: str = DEFAULT_PREFIX,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.redis = connection
        self.max_concurrent = max_concurrent
        self.hourly_budget = hourly_budget
        self.slot_ttl = slot_ttl
        self.window = window
        self.prefix = prefix
        self.sleep = sleep
        self.waited = 0.0
        self.admitted = 0
        # host -> the last budget refusal, so a job can reschedule itself for the next window.
        self.exhausted: dict[str, RequestBudgetExhausted] = {}
        self._acquire = connection.register_script(_ACQUIRE)
        self._usage = connection.register_script(_USAGE)

    @classmethod
    def from_config(cls, config: dict[str, Any], connection: redis.Redis, **kwargs: Any) -> RedisGate:
        """A gate with the WIKI_* limits of a Flask config."""
        timeout = float(config.get("WIKI_TIMEOUT", 30.0))
        return cls(
            connection,
            max_concurrent=int(config.get("WIKI_MAX_CONCURRENT_REQUESTS", 3)),
            hourly_budget=int(config.get("WIKI_HOURLY_REQUEST_BUDGET", 3000)),
            # A request may take a connect and a read timeout; a slot outlives both.
            slot_ttl=2 * timeout + 15,
            **kwargs,
        )

    def _keys(self, host: str) -> tuple[str, str]:
        return f"{self.prefix}:{host}:slots", f"{self.prefix}:{host}:budget"

    @contextlib.contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of the host's concurrent slots (and one request of its budget) for a request."""
        slots_key, budget_key = self._keys(host)
        token = uuid.uuid4().hex
        started = time.monotonic()
        pause = 0.01
        while True:
            status, detail = self._acquire(
                keys=[slots_key, budget_key],
                args=[token, self.max_concurrent, self.hourly_budget, self.slot_ttl, self.window],
            )
            status = int(status)
            if status == 1:
                break
            if status == -1:
                refusal = RequestBudgetExhausted(host, self.hourly_budget, float(detail))
                self.exhausted[host] = refusal
                raise refusal
            self.sleep(pause * (0.5 + random.random()))
            pause = min(0.25, pause * 1.5)
        self.waited += time.monotonic() - started
        self.admitted += 1
        try:
            yield
        finally:
            self.redis.zrem(slots_key, token)

    def used(self, host: str) -> tuple[int, float]:
        """(requests admitted in the current window, seconds until the next window) for a host."""
        _, budget_key = self._keys(host)
        used, left = self._usage(keys=[budget_key], args=[self.window])
        return int(used), float(left)

    def remaining(self, host: str) -> int | None:
        """Requests still allowed to this host in the current window (None: no budget set)."""
        if self.hourly_budget <= 0:
            return None
        return max(0, self.hourly_budget - self.used(host)[0])

    def in_flight(self, host: str) -> int:
        """Slots held right now (expired ones from killed processes excluded)."""
        slots_key, _ = self._keys(host)
        now = self.redis.time()
        return int(self.redis.zcount(slots_key, now[0] + now[1] / 1e6, "+inf"))
