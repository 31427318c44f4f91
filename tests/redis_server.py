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
    def __init__(self, folder: Path, password: str | None = None, tls: tuple[Path, Path] | None = None):
        exe = require_redis_server()
        self.password = password
        self.tls = tls
        self.port = free_port()
        args = [exe, "--bind", "127.0.0.1", "--dir", str(folder), "--save", "", "--appendonly", "no"]
        if tls is None:
            args += ["--port", str(self.port)]
        else:  # TLS only: a self-signed certificate that is its own CA
            args += ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(tls[0])]
            args += [
                "--tls-key-file",
                str(tls[1]),
                "--tls-ca-cert-file",
                str(tls[0]),
                "--tls-auth-clients",
                "no",
            ]
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

        if self.tls is not None:
            return redis.Redis(
                host="127.0.0.1",
                port=self.port,
                password=self.password,
                ssl=True,
                ssl_ca_certs=str(self.tls[0]),
            )
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


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own CA) and its key, made with the openssl command."""
    if shutil.which("openssl") is None:
        if os.environ.get("DETECTOR_REQUIRE_SYSTEM") == "1":
            pytest.fail("the openssl command is not installed (DETECTOR_REQUIRE_SYSTEM=1 forbids skipping)")
        pytest.skip("the openssl command is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    args = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(cert),
        "-days",
        "1",
    ]
    subprocess.run(
        ["openssl", *args, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextmanager
def redis_server(
    folder: Path, password: str | None = None, tls: tuple[Path, Path] | None = None
) -> Iterator[RedisServer]:
    server = RedisServer(folder, password, tls)
    try:
        yield server
    finally:
        server.stop()
