"""Processes the tests start themselves: a free port, and a redis-server of their own that a test
stops and starts (never the shared one). With REQUIRE_SERVICES=1 (CI) a missing redis-server
binary fails the test instead of skipping it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    def __init__(self, binary: str, port: int):
        self.binary, self.port = binary, port
        self.pidfile = f"/tmp/kakehashi-test-redis-{port}.pid"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "yes", "--dir", "/tmp", "--pidfile", self.pidfile],
            check=True, stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        try:
            pid = int(open(self.pidfile).read().strip())
        except (OSError, ValueError):
            return
        os.kill(pid, 15)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
                time.sleep(0.05)
            except OSError:
                return


def started_redis() -> RedisProcess:
    """A redis-server of the test's own on a free port, started (fails under REQUIRE_SERVICES=1
    when the binary is missing, else skips)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is required for this test (REQUIRE_SERVICES=1)")
        pytest.skip("redis-server not installed")
    server = RedisProcess(binary, free_port())
    server.start()
    return server
