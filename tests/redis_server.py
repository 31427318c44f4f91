"""A real redis-server for tests: started on a free loopback port in a temporary folder, no
persistence (``--save "" --appendonly no``), stopped by the test that started it.

Skips with the reason when redis-server is not installed, unless DETECTOR_REQUIRE_SYSTEM=1
(set by .ci/run), where that is a failure: CI must not pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def require_redis_server() -> str:
    exe = shutil.which("redis-server")
    if exe is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("DETECTOR_REQUIRE_SYSTEM") == "1":
            pytest.fail(f"{reason} (DETECTOR_REQUIRE_SYSTEM=1 forbids skipping)")
        pytest.skip(reason)
    try:
        import redis  # noqa: F401
    except ImportError:
        if os.environ.get("DETECTOR_REQUIRE_SYSTEM") == "1":
            pytest.fail("the redis package is not installed (pip install -e '.[test]')")
        pytest.skip("the redis package is not installed (pip install -e '.[test]')")
    return exe


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self, folder: Path, password: str | None = None):
        exe = require_redis_server()
        self.password = password
        self.port = free_port()
        args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(folder)]
        args += ["--save", "", "--appendonly", "no"]
        if password:
            args += ["--requirepass", password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = self.connect()
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.05)

    def connect(self) -> object:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password)

    def url(self, prefix: str, *, password: str | None = None) -> str:
        auth = f":{password}@" if password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0?prefix={prefix}"

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def redis_server(folder: Path, password: str | None = None) -> Iterator[RedisServer]:
    server = RedisServer(folder, password)
    try:
        yield server
    finally:
        server.stop()
