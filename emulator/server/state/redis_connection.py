"""The connection to Redis for the shared state (:mod:`.redis_store`): clients, key names, the 503.

Two clients of the ``redis`` package over one URL: the asyncio client for the request path (a bounded
connection pool, time-outs, retries with backoff on connection errors; a dropped connection is opened again on
the next command) and the synchronous client for the rare writes of the synchronous parts of the interface.
Redis unreachable -- refused, reset, timed out, still loading its data -- is :class:`StateUnavailable`, a 503
in the host's error shape; any other Redis error is a bug and is not disguised as one.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..errors import HttpError
from . import redis_scripts as scripts

DEFAULT_PREFIX = "logicapps:"
SOCKET_TIMEOUT = 5.0  # seconds a command may take before the call fails with 503
CONNECT_TIMEOUT = 2.0
MAX_CONNECTIONS = 64  # per process; callers beyond it wait up to POOL_TIMEOUT for a free connection
POOL_TIMEOUT = 5.0
RETRIES = 2  # a command retried on a connection error (with backoff) before the call fails
RETRY_AFTER = 5
# Redis cannot be reached (refused, reset, timed out, still loading its data): a 503. Any other Redis error is
# a bug of ours and is not disguised as one.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

class StateUnavailable(HttpError):
    """Redis cannot be reached: the call is refused with 503 (nothing is stored anywhere else)."""

    def __init__(self, where: str, exc: BaseException | None = None):
        super().__init__(503, "ServiceUnavailable",
                         f"The workflow state store (Redis at {where}) is unreachable; the request was not "
                         "processed. Retry the request later.", headers={"Retry-After": str(RETRY_AFTER)})
        self.cause = exc


def parse_url(url: str) -> tuple[str, str, str]:
    """``redis://host:port/db?prefix=p`` -> (URL for redis-py, key prefix, host:port/db shown in errors)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"--state '{url}': expected sqlite, memory or redis://host:port/db")
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((v for k, v in query if k == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    where = f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or '/0'}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, "")), prefix, where


class Redis:
    """The two clients (asyncio for the request path, synchronous for rare writes) and the key names."""

    def __init__(self, url: str):
        self.url, self.prefix, self.where = parse_url(url)
        options = dict(socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT,
                       retry_on_error=[redis.ConnectionError, redis.TimeoutError], health_check_interval=30,
                       socket_keepalive=True,
                       encoding_errors="replace")  # lone surrogates (undecodable request bytes) are stored as "?"
        pool = aioredis.BlockingConnectionPool.from_url(self.url, max_connections=MAX_CONNECTIONS,
                                                        timeout=POOL_TIMEOUT, **options)
        self.aio = aioredis.Redis(connection_pool=pool,
                                  retry=aioredis.retry.Retry(ExponentialBackoff(cap=0.5, base=0.05), RETRIES))
        # the synchronous client blocks the event loop while it waits: short time-outs, one retry
        self.sync = redis.Redis.from_url(self.url, retry=redis.retry.Retry(ExponentialBackoff(cap=0.1, base=0.02), 1),
                                         **{**options, "socket_timeout": 2.0, "socket_connect_timeout": 1.0})
        self.scripts = {name: self.aio.register_script(getattr(scripts, name))
                        for name in ("READ_BOUNDED", "TAKE", "WINDOW", "GIVE_BACK", "ADD_KILOBYTES")}

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def unavailable(self, exc: BaseException | None = None) -> StateUnavailable:
        return StateUnavailable(self.where, exc)

    def bump_sync(self, pipe, stamp: str) -> None:
        pipe.hincrby(self.key("stamps"), stamp, 1)

    async def close(self) -> None:
        await self.aio.aclose()
        self.sync.close()


def sync_call(conn: Redis, fn):
    """Run a synchronous-client call; Redis errors become :class:`StateUnavailable`."""
    try:
        return fn(conn.sync)
    except UNREACHABLE as exc:
        raise conn.unavailable(exc) from None


def text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
