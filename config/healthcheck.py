"""Health checks of the production services (docker compose's `healthcheck:`), and the heartbeat
that the long-running commands write for them.

    python -m config.healthcheck http [--port 8000]     # /healthz of the WSGI service answers ok
    python -m config.healthcheck ws [--port 8001]       # a ping through /ws/ping/ comes back
    python -m config.healthcheck heartbeat NAME [--max-age SECONDS]

`http` and `ws` ask the process in this container, as a client would (the Host is the first of
DJANGO_ALLOWED_HOSTS), so a process that is up but stuck, or that cannot reach its database or
channel layer, is unhealthy. `heartbeat` reads the file that `run_worker` and `run_scheduler`
touch on every turn of their loop (`beat`): a worker stuck in a loop that never comes back stops
beating. The module imports nothing from Django: a check runs every few seconds in every replica,
and must stay cheap.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path


def heartbeat_dir() -> Path:
    return Path(os.environ.get("KAKEHASHI_HEARTBEAT_DIR") or Path(tempfile.gettempdir()) / "kakehashi-heartbeat")


def beat(name: str) -> None:
    """Record that the loop of `name` has just turned (the file's modification time)."""
    path = heartbeat_dir() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError:
        pass  # a health check then says so; the work itself goes on


def heartbeat_age(name: str) -> float | None:
    try:
        return time.time() - (heartbeat_dir() / name).stat().st_mtime
    except OSError:
        return None


def _host() -> str:
    hosts = [host.strip().lstrip(".") for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    hosts = [host for host in hosts if host and host != "*"]
    return hosts[0] if hosts else "127.0.0.1"


def check_http(port: int, timeout: float) -> str | None:
    """None when /healthz answers 200 with status ok; else what went wrong."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz", headers={"Host": _host()})
        response = connection.getresponse()
        body = response.read()
    except OSError as error:
        return f"no answer: {error!r}"
    finally:
        connection.close()
    if response.status != 200:
        return f"/healthz answered {response.status}: {body[:200]!r}"
    try:
        status = json.loads(body).get("status")
    except (ValueError, AttributeError):
        return f"/healthz answered {body[:200]!r}"
    return None if status == "ok" else f"/healthz says {status}"


def check_ws(port: int, timeout: float) -> str | None:
    """None when a ping sent to /ws/ping/ comes back as a pong (through the channel layer)."""
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    host = _host()
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        with connect(f"ws://{host}:{port}/ws/ping/", sock=sock, origin=f"https://{host}",
                     open_timeout=timeout, close_timeout=1, compression=None, proxy=None) as websocket:
            websocket.send(json.dumps({"type": "ping", "payload": "health"}))
            answer = json.loads(websocket.recv(timeout=timeout))
    except (OSError, TimeoutError, WebSocketException, ValueError) as error:
        return f"no pong: {error!r}"
    if answer.get("type") != "pong":
        return f"answered {answer!r}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.healthcheck", description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=5)
    commands = parser.add_subparsers(dest="check", required=True)
    http_check = commands.add_parser("http")
    http_check.add_argument("--port", type=int, default=8000)
    ws_check = commands.add_parser("ws")
    ws_check.add_argument("--port", type=int, default=8001)
    heartbeat_check = commands.add_parser("heartbeat")
    heartbeat_check.add_argument("name")
    heartbeat_check.add_argument("--max-age", type=float, default=120)
    args = parser.parse_args(argv)

    if args.check == "http":
        problem = check_http(args.port, args.timeout)
    elif args.check == "ws":
        problem = check_ws(args.port, args.timeout)
    else:
        age = heartbeat_age(args.name)
        if age is None:
            problem = f"no heartbeat from {args.name} in {heartbeat_dir()}"
        elif age > args.max_age:
            problem = f"{args.name} last beat {age:.0f} s ago (more than {args.max_age:.0f} s)"
        else:
            problem = None
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
