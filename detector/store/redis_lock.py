"""Connecting to the Redis index, and its writer lock: one writer at a time, every commit fenced by the lock.

A writer takes ``P:lock`` with a random token and an expiry (a writer that dies frees the index
after ``LIMITS.redis_lock_ms``); each commit is one MULTI/EXEC under WATCH of the lock, so a writer that lost
the lock (too slow, expired) commits nothing. Redis errors become one line naming the index,
never its password (``guard``).
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from detector.config import LIMITS
from detector.errors import IndexFileError, IndexUnavailableError
from detector.store.location import RedisLocation


def _reason(err: Exception, secret: str | None) -> str:
    text = str(err).strip() or type(err).__name__
    text = re.sub(
        r"^Error -?\d+ (?:connecting to|while writing to socket|while reading from) \S+\.\s+", "", text
    )
    text = re.sub(r"^Error -?\d+ ", "", text).rstrip(".")
    if secret:
        text = text.replace(secret, "***")
    return text or type(err).__name__


@contextlib.contextmanager
def guard(location: RedisLocation) -> Iterator[None]:
    """Redis errors become one line naming the index (never its password)."""
    try:
        import redis
    except ImportError:  # pragma: no cover
        yield
        return
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError, ConnectionError, TimeoutError) as err:
        raise IndexUnavailableError(
            f"{location.display()}: cannot connect ({_reason(err, location.password)})"
        ) from None
    except redis.RedisError as err:
        raise IndexFileError(
            f"{location.display()}: redis error ({_reason(err, location.password)})"
        ) from None


def connect(location: RedisLocation) -> Any:
    """A client of the index's server, checked with a PING."""
    try:
        import redis
    except ImportError as err:  # pragma: no cover - the 'scale' extra is missing
        raise IndexFileError(
            f"{location.display()}: a Redis index needs the redis package (pip install 'detector[scale]')"
        ) from err
    with guard(location):
        client = redis.Redis(**location.connection_kwargs())  # type: ignore[arg-type]
        client.ping()
    return client


class WriterLock:
    """The writer lock of one index (key ``P:lock``), held by this process or not."""

    def __init__(self, client: Any, location: RedisLocation, key: str):
        self.client = client
        self.location = location
        self.where = location.display()
        self.key = key
        self.token: str | None = None

    @property
    def held(self) -> bool:
        return self.token is not None

    def acquire(self, wait: float) -> bool:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait
        with guard(self.location):
            while True:
                if self.client.set(self.key, token, nx=True, px=LIMITS.redis_lock_ms):
                    self.token = token
                    return True
                if time.monotonic() >= deadline:
                    if wait <= 0:
                        return False
                    raise IndexFileError(
                        f"{self.where}: another writer holds the index (try again when it has finished)"
                    )
                time.sleep(0.1)

    def check(self, pipe: Any) -> None:
        """Inside a WATCH: fail unless this writer still holds the lock."""
        pipe.watch(self.key)
        held = pipe.get(self.key)
        if held is None or held.decode() != self.token:
            pipe.reset()
            raise IndexFileError(
                f"{self.where}: lost the writer lock (the run was too slow); nothing was committed"
            )

    def extend(self) -> None:
        if self.token is None:
            raise IndexFileError(f"{self.where}: not opened for writing")
        self.commit(lambda pipe: pipe.pexpire(self.key, LIMITS.redis_lock_ms))

    def release(self) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.watch(self.key)
            held = pipe.get(self.key)
            if held is not None and held.decode() == self.token:
                pipe.multi()
                pipe.delete(self.key)
                pipe.execute()
        self.token = None

    def commit(self, build: Callable[[Any], object]) -> None:
        """Run ``build(pipe)`` as one MULTI/EXEC that applies only while this writer holds the lock."""
        import redis

        with guard(self.location), self.client.pipeline(transaction=True) as pipe:
            try:
                self.check(pipe)
                pipe.multi()
                build(pipe)
                pipe.execute()
            except redis.WatchError as err:
                # redis-py reports a connection lost while watching as a WatchError too.
                cause = err.__context__
                lost = redis.ConnectionError | redis.TimeoutError | ConnectionError | TimeoutError
                if isinstance(cause, lost):
                    raise IndexUnavailableError(
                        f"{self.where}: cannot connect ({_reason(cause, self.location.password)})"
                    ) from None
                raise IndexFileError(f"{self.where}: lost the writer lock; nothing was committed") from err

    def commit_packed(self, commands: list[bytes]) -> None:
        """``commit`` for commands already in the wire format (RESP), sent as one buffer: bulk
        band entries, where packing each argument in Python would cost more than Redis does. The
        lock's expiry is renewed in the same transaction."""
        if self.token is None:
            raise IndexFileError(f"{self.where}: not opened for writing")
        self.commit_stream(iter([commands]))

    def commit_stream(self, batches: Iterator[list[bytes]]) -> None:
        """``commit_packed`` for each batch in turn, the next one built while the server runs the
        one before (``run_packed_stream``)."""
        if self.token is None:
            raise IndexFileError(f"{self.where}: not opened for writing")
        extend = resp(b"PEXPIRE", self.key.encode(), b"%d" % LIMITS.redis_lock_ms)  # as ``extend``
        fence = (self.key, self.token)
        run_packed_stream(self.client, self.location, ([*c, extend] for c in batches), fence)


def resp(*args: bytes) -> bytes:
    """One command in Redis's wire format (RESP)."""
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def read_packed(client: Any, location: RedisLocation, commands: list[bytes]) -> list[Any]:
    """The replies of commands in the wire format (RESP), pipelined in one buffer (no MULTI)."""
    pool = client.connection_pool
    with guard(location):
        conn = pool.get_connection()
        try:
            conn.send_packed_command([b"".join(commands)])
            return [conn.read_response() for _ in commands]
        except BaseException:
            conn.disconnect()  # replies may be left unread: never reuse this connection
            raise
        finally:
            pool.release(conn)


_MULTI, _EXEC = b"*1\r\n$5\r\nMULTI\r\n", b"*1\r\n$4\r\nEXEC\r\n"


def run_packed(
    client: Any, location: RedisLocation, commands: list[bytes], fence: tuple[str, str] | None = None
) -> list[Any]:
    """The replies of commands in the wire format (RESP), run in one MULTI/EXEC and sent as one
    buffer; with ``fence`` (lock key, token), only while that token holds the lock."""
    out: list[list[Any]] = []
    run_packed_stream(client, location, iter([commands]), fence, out)
    return out[0]


def run_packed_stream(
    client: Any,
    location: RedisLocation,
    batches: Iterator[list[bytes]],
    fence: tuple[str, str] | None = None,
    out: list[list[Any]] | None = None,
) -> None:
    """``run_packed`` for each batch of commands in turn, on one connection; the next batch is
    taken from ``batches`` (built) while the server runs the one sent before (a writer's bulk
    appends: the server's time and the writer's then overlap). Replies go to ``out`` if given."""
    where = location.display()
    pool = client.connection_pool
    with guard(location):
        conn = pool.get_connection()
        try:
            sent = 0
            for commands in batches:
                if sent:
                    _read_exec(conn, sent, where, out)
                if fence is not None:
                    _check_fence(conn, fence, where)
                conn.send_packed_command([b"".join([_MULTI, *commands, _EXEC])])
                sent = len(commands)
            if sent:
                _read_exec(conn, sent, where, out)
        except BaseException:
            conn.disconnect()  # replies may be left unread: never reuse this connection
            raise
        finally:
            pool.release(conn)


def _check_fence(conn: Any, fence: tuple[str, str], where: str) -> None:
    conn.send_command("WATCH", fence[0])
    conn.read_response()
    conn.send_command("GET", fence[0])
    held = conn.read_response()
    if held is None or held.decode() != fence[1]:
        conn.send_command("UNWATCH")
        conn.read_response()
        raise IndexFileError(f"{where}: lost the writer lock (the run was too slow); nothing was committed")


def _read_exec(conn: Any, n: int, where: str, out: list[list[Any]] | None) -> None:
    conn.read_response()  # OK
    _skip_queued(conn, n, where)
    replies = conn.read_response()
    if replies is None:
        raise IndexFileError(f"{where}: lost the writer lock; nothing was committed")
    failed = next((r for r in replies if isinstance(r, Exception)), None)
    if failed is not None:
        raise IndexFileError(f"{where}: redis error ({failed})")
    if out is not None:
        out.append(list(replies))


def _skip_queued(conn: Any, n: int, where: str) -> None:
    """Read the QUEUED replies of ``n`` commands sent inside MULTI. With redis-py's hiredis
    parser they are taken from its reader directly (a bulk write queues ~10^5 commands, and a
    ``read_response`` each cost more than the server's work); an error reply is raised."""
    parser = getattr(conn, "_parser", None)
    reader, fill = getattr(parser, "_reader", None), getattr(parser, "read_from_socket", None)
    if reader is None or fill is None or not hasattr(reader, "gets"):
        for _ in range(n):
            conn.read_response()
        return
    gets, left = reader.gets, n
    while left:
        reply = gets()
        if reply == b"QUEUED":
            left -= 1
        elif isinstance(reply, Exception):
            raise reply
        elif isinstance(reply, bytes | str | int | list):
            raise IndexFileError(f"{where}: unexpected reply to a queued command ({reply!r:.80})")
        else:  # the parser's "not enough data": read more from the socket
            fill()
