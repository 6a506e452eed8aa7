"""How the ASGI server is started: one place (config/serve.py) for every way of starting it; the
server's own frame limit is the room's; forwarded headers only from the named proxies."""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import RequestFactory

from config.serve import uvicorn_options
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_port(port: int, process=None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.1)


def test_every_way_of_starting_the_server_goes_through_config_serve():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^SERVE := \$\(BIN\)/python -m config\.serve$", makefile, re.M)
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "$(SERVE)" in run
    # The image's default command is the WSGI server (config/gunicorn.conf.py); compose's
    # websocket service starts uvicorn through config.serve.
    assert '"python", "-m", "config.serve"' in (ROOT / "docker-compose.yml").read_text()
    for path in [ROOT / "Makefile", ROOT / "Dockerfile", ROOT / "docker-compose.yml", *(ROOT / "bench").glob("*.py")]:
        text = path.read_text()
        # Nobody starts uvicorn with options of their own (which could drift).
        assert not re.search(r'(-m", "uvicorn"|bin\)/uvicorn|\["uvicorn"|--ws-max-size|--forwarded-allow-ips)', text), path.name
    # The deployment files start gunicorn only with its options from config/gunicorn.conf.py.
    for path in (ROOT / "Dockerfile", ROOT / "docker-compose.yml"):
        starts = re.findall(r'\["gunicorn"[^\]]*\]', path.read_text())
        assert starts and all(start.startswith('["gunicorn", "-c", "config/gunicorn.conf.py"') for start in starts)
    assert "config.serve" in (ROOT / "bench/pages.py").read_text()
    # The room benches start their server through bench/_room_server.py.
    assert "config.serve" in (ROOT / "bench/_room_server.py").read_text()
    assert "room_server" in (ROOT / "bench/meeting_room.py").read_text()
    assert "room_server" in (ROOT / "bench/room_connect.py").read_text()


def test_the_server_reads_frames_only_up_to_the_rooms_limit_and_trusts_no_proxy_by_default():
    options = uvicorn_options()
    assert settings.KAKEHASHI_ROOM_MAX_FRAME_BYTES == 16 * 1024
    assert options["ws_max_size"] == settings.KAKEHASHI_ROOM_MAX_FRAME_BYTES
    assert options["proxy_headers"] is False and "forwarded_allow_ips" not in options
    assert options["ws"] == "websockets-sansio" and options["ws_per_message_deflate"] is False


def test_trusted_proxies_are_passed_to_the_server(settings):
    settings.KAKEHASHI_TRUSTED_PROXIES = ["10.0.0.5", "172.16.0.0/12"]
    options = uvicorn_options()
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == ["10.0.0.5", "172.16.0.0/12"]


def _websocket(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(4096)
    assert response.startswith(b"HTTP/1.1 101"), response[:200]
    return sock


def _frame_header(length: int, opcode: int = 1) -> bytes:
    head = bytes([0x80 | opcode])
    if length < 126:
        return head + bytes([0x80 | length])
    if length < 65536:
        return head + bytes([0x80 | 126]) + struct.pack("!H", length)
    return head + bytes([0x80 | 127]) + struct.pack("!Q", length)


def _send_text(sock: socket.socket, text: str) -> None:
    data = text.encode()
    mask = os.urandom(4)
    sock.sendall(_frame_header(len(data)) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", exactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", exactly(8))[0]
    return first & 0x0F, exactly(length)


def test_the_server_started_as_make_run_does_refuses_a_16_mib_frame_from_its_header():
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    # The Makefile's $(SERVE), with its host and port.
    process = subprocess.Popen(
        [sys.executable, "-m", "config.serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        _wait_for_port(port, process)
        # A frame within the limit goes through (ping → pong through the channel layer).
        sock = _websocket(port, "/ws/ping/")
        _send_text(sock, '{"type": "ping", "payload": "' + "x" * 15000 + '"}')
        opcode, data = _read_frame(sock)
        assert opcode == 1 and b'"pong"' in data
        sock.close()
        # A frame that says it is 16 MiB: the server closes with 1009 (message too big) after
        # its header and four bytes, without waiting for (or reading) the rest.
        sock = _websocket(port, "/ws/ping/")
        sock.sendall(_frame_header(16 * 1024 * 1024) + os.urandom(4) + b"abcd")
        started = time.monotonic()
        opcode, data = _read_frame(sock)
        assert opcode == 8 and struct.unpack("!H", data[:2])[0] == 1009
        assert time.monotonic() - started < 5
        sock.close()
    finally:
        process.terminate()
        process.wait(timeout=20)


# Forwarded headers ------------------------------------------------------------------------


class _ThreadServer:
    """uvicorn with the options of config/serve.py, in a thread of the test process (so that it
    shares the test database, as in test_room_live_browser.py)."""

    def __init__(self):
        import uvicorn

        from config.asgi import application

        self.port = free_port()
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, lifespan="off", loop="asyncio",
                                log_level="warning", access_log=False, **uvicorn_options())
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def serve(transactional_db, monkeypatch):
    conn = connections["default"]
    shared = conn.vendor == "sqlite" and conn.is_in_memory_db()
    if shared:
        monkeypatch.setattr(connections, "_connections", types.SimpleNamespace(default=conn))
        conn.inc_thread_sharing()
    servers = []

    def start():
        servers.append(_ThreadServer())
        return servers[-1].port

    yield start
    for server in servers:
        server.stop()
    if shared:
        conn.dec_thread_sharing()


def _lookups(port: int, forwarded_for) -> list[int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    statuses = []
    for n in range(340):
        connection.request("GET", "/api/v1/verify/KK-2026-000000/", headers={"X-Forwarded-For": forwarded_for(n)})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    return statuses


def test_rotated_forwarded_for_from_an_untrusted_address_does_not_dodge_the_verification_limit(serve, settings):
    settings.KAKEHASHI_VERIFY_LIMIT = 30
    settings.KAKEHASHI_TRUSTED_PROXIES = []
    port = serve()
    statuses = _lookups(port, lambda n: f"10.{n // 250}.{n % 250}.1")
    assert 500 not in statuses
    assert statuses.count(429) == 340 - 30 and 429 not in statuses[:30]


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_clients(serve, settings):
    settings.KAKEHASHI_VERIFY_LIMIT = 30
    settings.KAKEHASHI_TRUSTED_PROXIES = ["127.0.0.1"]
    port = serve()
    # 340 different people behind the proxy: each has their own allowance.
    assert 429 not in _lookups(port, lambda n: f"10.{n // 250}.{n % 250}.1")
    # One person writing addresses of their own in front of what the proxy appended: counted
    # as who they are.
    statuses = _lookups(port, lambda n: f"10.9.{n // 250}.{n % 250}, 198.51.100.7")
    assert statuses.count(429) == 340 - 30


def test_one_client_address_rule_for_allauth_and_the_limits(settings):
    from allauth.account.adapter import get_adapter

    from peers.addresses import client_address, client_address_for_limits

    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    settings.KAKEHASHI_TRUSTED_PROXIES = []
    assert client_address(spoofed) == "203.0.113.9" == get_adapter(spoofed).get_client_ip(spoofed)
    settings.KAKEHASHI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(spoofed) == "203.0.113.9"  # not from a trusted proxy
    proxied = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.9")
    assert client_address(proxied) == "198.51.100.7" == get_adapter(proxied).get_client_ip(proxied)
    garbage = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-address")
    assert client_address(garbage) == "10.0.0.5"
    six = factory.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    assert client_address_for_limits(six) == "2001:db8:1:2::"
