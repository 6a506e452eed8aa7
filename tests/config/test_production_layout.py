"""The production layout, run for real on this machine: Debian's nginx with the compose template
(deploy/nginx/kakehashi.conf.template, rendered by the proxy image's own entrypoint) in front of
gunicorn (config/gunicorn.conf.py) and uvicorn (config.serve) under production settings, with
the worker beside them. nginx is required: without it these tests fail (`apt-get install
nginx-light`, as .ci/run does), they never skip.

Also: docker-compose.yml names a health check for every long-running service and takes the
replica counts from the environment, and the production lock holds no test tool.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files.base import ContentFile
from django.db import connections

from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "kakehashi.conf.template"
ENTRYPOINT = ROOT / "deploy" / "nginx" / "entrypoint.sh"
NGINX_MAIN = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/kakehashi.conf;
}}
"""
# The processes read the test database (its committed schema); each test itself touches nothing.
pytestmark = pytest.mark.django_db
TEST_TOOLS = {"pytest", "pytest-django", "pytest-asyncio", "pytest-xdist", "playwright", "ruff",
              "schemathesis", "factory-boy", "faker", "hypothesis", "pyotp", "daphne"}


def _binary(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if path is None:
        pytest.fail(f"{name} is required for the production layout tests (apt-get install nginx-light "
                    "gettext-base openssl, as .ci/run does)")
    return path


def _wait_for_port(port: int, process: subprocess.Popen, what: str, logs, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} did not start:\n{logs()}")
            time.sleep(0.05)


def _database_url(tmp: Path) -> str:
    """The test database, for processes of their own: PostgreSQL's test database itself (its
    schema is committed), or a file copy of SQLite's in-memory one."""
    connection = connections["default"]
    params = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(params["USER"] or "")
        password = f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
        return f"postgres://{user}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
    connection.ensure_connection()
    target = sqlite3.connect(tmp / "db.sqlite3")
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{tmp / 'db.sqlite3'}"


class Stack:
    """The processes of the layout, each on a free port, and their logs."""

    def __init__(self, tmp: Path, database_url: str):
        self.tmp = tmp
        self.wsgi_port, self.asgi_port = free_port(), free_port()
        self.http_port, self.https_port = free_port(), free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.static = tmp / "static"
        self.media = tmp / "media"
        self.heartbeats = tmp / "heartbeat"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "production-layout-test-" + uuid.uuid4().hex,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            # nginx reaches the apps from 127.0.0.1; the test's "clients" come from 127.0.0.2-9.
            "KAKEHASHI_TRUSTED_PROXIES": "127.0.0.1",
            "DJANGO_MEDIA_ROOT": str(self.media),
            "DJANGO_PRIVATE_MEDIA_ROOT": str(tmp / "private_media"),
            "KAKEHASHI_CREDENTIAL_KEYS_DIR": str(tmp / "keys"),
            "KAKEHASHI_HEARTBEAT_DIR": str(self.heartbeats),
            "CACHE_KEY_PREFIX": f"layout-{uuid.uuid4().hex}",
            "CHANNEL_LAYER_PREFIX": f"layout-{uuid.uuid4().hex}",
            "WEB_CONCURRENCY": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        for name in ("DJANGO_DEBUG", "PYTEST_XDIST_WORKER", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            self.env.pop(name, None)

    def start(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def logs(self) -> str:
        parts = []
        for path in sorted(self.tmp.glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def gunicorn_log(self) -> str:
        return (self.tmp / "gunicorn-access.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _files(stack: Stack) -> dict:
    """A static file under its hashed name (as ManifestStaticFilesStorage names it), its
    unhashed copy and a precompressed .gz beside it; a public image and a meeting's material
    in the media folder."""
    css = b"body { color: #123456; }\n" * 20
    hashed = ManifestStaticFilesStorage(location=str(stack.static)).hashed_name("css/layout.css", ContentFile(css))
    for name in ("css/layout.css", hashed):
        (stack.static / name).parent.mkdir(parents=True, exist_ok=True)
        (stack.static / name).write_bytes(css)
    import gzip

    (stack.static / f"{hashed}.gz").write_bytes(gzip.compress(css))
    image = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    (stack.media / "images").mkdir(parents=True)
    (stack.media / "images" / "photo.png").write_bytes(image)
    (stack.media / "meetings" / "1" / "0123456789abcdef").mkdir(parents=True)
    (stack.media / "meetings" / "1" / "0123456789abcdef" / "minutes.pdf").write_bytes(b"%PDF-1.4 invitees only")
    return {"css": css, "hashed": hashed, "image": image}


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    nginx = _binary("nginx")
    _binary("envsubst")
    _binary("openssl")
    tmp = Path(tempfile.mkdtemp(prefix="kakehashi-layout-"))
    with django_db_blocker.unblock():
        database_url = _database_url(tmp)
    stack = Stack(tmp, database_url)
    for folder in (stack.static, stack.media, stack.heartbeats):
        folder.mkdir()
    stack.files = _files(stack)
    # nginx's workers run as another user when the tests run as root: they must read the files.
    for path in [tmp, *tmp.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (tmp / "nginx.conf").write_text(NGINX_MAIN.format(tmp=tmp))

    try:
        stack.start("gunicorn", [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
                                 "--bind", f"127.0.0.1:{stack.wsgi_port}",
                                 "--access-logfile", str(tmp / "gunicorn-access.log")])
        stack.start("uvicorn", [sys.executable, "-m", "config.serve", "--host", "127.0.0.1",
                                "--port", str(stack.asgi_port), "--log-level", "info"])
        stack.start("worker", [sys.executable, "manage.py", "run_worker", "--interval", "0.2",
                               "--no-startup-delay", "-v", "0"])
        stack.start("nginx", ["sh", str(ENTRYPOINT), nginx, "-p", f"{tmp}/", "-c", str(tmp / "nginx.conf"),
                              "-g", "daemon off;"], env={
            **stack.env,
            "KAKEHASHI_PROXY_TEMPLATE": str(TEMPLATE),
            "KAKEHASHI_PROXY_RENDERED": str(tmp / "kakehashi.conf"),
            "KAKEHASHI_PROXY_SELF_SIGNED_DIR": str(tmp / "tls"),
            "KAKEHASHI_WSGI_UPSTREAM": f"127.0.0.1:{stack.wsgi_port}",
            "KAKEHASHI_ASGI_UPSTREAM": f"127.0.0.1:{stack.asgi_port}",
            "KAKEHASHI_HTTP_PORT": f"127.0.0.1:{stack.http_port}",
            "KAKEHASHI_HTTPS_PORT": f"127.0.0.1:{stack.https_port}",
            "KAKEHASHI_STATIC_ROOT": str(stack.static),
            "KAKEHASHI_MEDIA_ROOT": str(stack.media),
            # Nothing mounted: the entrypoint makes a self-signed pair, as in a first `compose up`.
            "KAKEHASHI_TLS_CERTIFICATE": str(tmp / "tls-mounted" / "fullchain.pem"),
            "KAKEHASHI_TLS_CERTIFICATE_KEY": str(tmp / "tls-mounted" / "privkey.pem"),
        })
        _wait_for_port(stack.https_port, stack.processes["nginx"], "nginx", stack.logs, seconds=30)
        _wait_for_port(stack.wsgi_port, stack.processes["gunicorn"], "gunicorn", stack.logs)
        _wait_for_port(stack.asgi_port, stack.processes["uvicorn"], "uvicorn", stack.logs)
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _request(port: int, path: str, *, source: str = "127.0.0.2", headers: dict | None = None,
             tls: bool = True) -> tuple[http.client.HTTPResponse, bytes]:
    """One request from `source` (any 127.0.0.0/8 address is this machine)."""
    if tls:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, source_address=(source, 0),
                                                 context=ssl._create_unverified_context())
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def _retry(check, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# Through nginx ----------------------------------------------------------------------------------


def test_pages_go_through_nginx_to_gunicorn_which_believes_it_was_https(stack):
    probe = uuid.uuid4().hex
    response, body = _request(stack.https_port, f"/healthz?probe={probe}")
    assert response.status == 200, (body, stack.logs())
    assert json.loads(body)["status"] == "ok"
    # Django's HSTS header goes only on requests it believes came over https: X-Forwarded-Proto
    # from the trusted proxy.
    assert "max-age=" in response.getheader("Strict-Transport-Security", "")
    assert response.getheader("Server") == "nginx"  # server_tokens off
    # The WSGI process (and not uvicorn) answered it.
    _retry(lambda: _assert_in(f"/healthz?probe={probe}", stack.gunicorn_log()))


def _assert_in(needle: str, haystack: str) -> None:
    assert needle in haystack


def test_plain_http_is_sent_to_https_and_nginx_answers_its_own_health_check(stack):
    response, _ = _request(stack.http_port, "/anything?x=1", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://127.0.0.1/anything?x=1"
    response, body = _request(stack.http_port, "/nginx-health", tls=False)
    assert (response.status, body) == (200, b"ok\n")


def test_forwarded_proto_is_believed_from_nginx_only(stack):
    path = "/api/v1/verify/KK-2026-000000/"
    # Straight to gunicorn from an address that is not the proxy: the header changes nothing,
    # the request is plain http and is sent to https.
    response, _ = _request(stack.wsgi_port, path, source="127.0.0.5", tls=False,
                           headers={"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"})
    assert response.status == 301 and response.getheader("Location", "").startswith("https://")
    # Through nginx: https, answered.
    response, body = _request(stack.https_port, path, source="127.0.0.6")
    assert response.status == 404, stack.logs()
    assert response.getheader("Content-Type", "").startswith("application/problem+json")


def test_the_client_is_the_address_nginx_saw_whatever_it_writes_in_x_forwarded_for(stack):
    """Certificate lookups are limited per address (30 per 10 minutes). One client rotating
    X-Forwarded-For is still one client; another client behind the same proxy has its own
    allowance (so the apps do read the proxy's X-Forwarded-For)."""
    path = "/api/v1/verify/KK-2026-000000/"
    statuses = [_request(stack.https_port, path, source="127.0.0.2",
                         headers={"X-Forwarded-For": f"198.51.100.{n}"})[0].status for n in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert _request(stack.https_port, path, source="127.0.0.3")[0].status == 404


def test_static_files_are_served_by_nginx_with_long_cache_for_hashed_names(stack):
    files = stack.files
    response, body = _request(stack.https_port, f"/static/{files['hashed']}")
    assert response.status == 200 and body == files["css"]
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Content-Type", "").startswith("text/css")
    response, body = _request(stack.https_port, f"/static/{files['hashed']}", headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip" and len(body) < len(files["css"])
    response, _ = _request(stack.https_port, "/static/css/layout.css")
    assert response.status == 200 and response.getheader("Cache-Control") == "public, max-age=3600"
    assert "/static/" not in stack.gunicorn_log()


def test_only_public_images_are_served_from_media(stack):
    response, body = _request(stack.https_port, "/media/images/photo.png")
    assert response.status == 200 and body == stack.files["image"]
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert "sandbox" in response.getheader("Content-Security-Policy", "")
    # A meeting's material is in the media folder, but only its view (which checks who asks)
    # hands it out; so are documents of private collections. Evidence is not there at all.
    for path in ("/media/meetings/1/0123456789abcdef/minutes.pdf",
                 "/media/images/../meetings/1/0123456789abcdef/minutes.pdf",
                 "/media/images/%2e%2e/meetings/1/0123456789abcdef/minutes.pdf",
                 "/media/documents/x.pdf", "/media/"):
        response, body = _request(stack.https_port, path)
        assert response.status in (400, 404), (path, response.status)
        assert b"invitees only" not in body


def test_websockets_go_through_nginx_to_uvicorn(stack):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    context = ssl._create_unverified_context()
    url = f"wss://127.0.0.1:{stack.https_port}"
    origin = f"https://127.0.0.1:{stack.https_port}"
    # From 127.0.0.7, claiming to be someone else: uvicorn is told the address nginx saw.
    sock = socket.create_connection(("127.0.0.1", stack.https_port), timeout=20, source_address=("127.0.0.7", 0))
    with connect(f"{url}/ws/ping/", sock=sock, ssl=context, server_hostname="127.0.0.1", origin=origin,
                 proxy=None, compression=None, open_timeout=20,
                 additional_headers={"X-Forwarded-For": "198.51.100.99"}) as websocket:
        websocket.send(json.dumps({"type": "ping", "payload": "through nginx"}))
        assert json.loads(websocket.recv(timeout=20)) == {"type": "pong", "payload": "through nginx"}
    uvicorn_log = lambda: (stack.tmp / "uvicorn.log").read_text(errors="replace")  # noqa: E731
    _retry(lambda: _assert_in('127.0.0.7:0 - "WebSocket /ws/ping/" [accepted]', uvicorn_log()))
    assert "198.51.100.99" not in uvicorn_log()
    # The room refuses someone not signed in with its own close code, which nginx passes on.
    with connect(f"{url}/ws/meetings/1/", ssl=context, origin=origin, proxy=None, compression=None,
                 open_timeout=20) as websocket:
        with pytest.raises(ConnectionClosed) as closed:
            websocket.recv(timeout=20)
    assert closed.value.rcvd.code == 4401
    assert "/ws/" not in stack.gunicorn_log()


# Health checks ----------------------------------------------------------------------------------


def _healthcheck(stack: Stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "config.healthcheck", *args], cwd=ROOT, env=stack.env,
                          capture_output=True, text=True, timeout=30)


def test_health_checks_of_the_web_and_websocket_services(stack):
    assert _healthcheck(stack, "http", "--port", str(stack.wsgi_port)).returncode == 0, stack.logs()
    assert _healthcheck(stack, "ws", "--port", str(stack.asgi_port)).returncode == 0, stack.logs()
    closed = str(free_port())
    assert _healthcheck(stack, "--timeout", "2", "http", "--port", closed).returncode == 1
    assert _healthcheck(stack, "--timeout", "2", "ws", "--port", closed).returncode == 1
    # gunicorn cannot speak websocket: the ws check of the WSGI port fails.
    assert _healthcheck(stack, "--timeout", "2", "ws", "--port", str(stack.wsgi_port)).returncode == 1


def test_the_worker_beats_while_it_polls_and_its_health_check_reads_the_beat(stack):
    beat = stack.heartbeats / "worker"
    _retry(lambda: _assert_true(beat.exists()), seconds=30)
    first = beat.stat().st_mtime
    _retry(lambda: _assert_true(beat.stat().st_mtime > first), seconds=10)
    assert _healthcheck(stack, "heartbeat", "worker", "--max-age", "60").returncode == 0
    os.killpg(stack.processes["worker"].pid, signal.SIGTERM)
    stack.processes["worker"].wait(timeout=15)
    old = time.time() - 120
    os.utime(beat, (old, old))
    result = _healthcheck(stack, "heartbeat", "worker", "--max-age", "60")
    assert result.returncode == 1 and "last beat" in result.stderr
    assert _healthcheck(stack, "heartbeat", "scheduler").returncode == 1  # never beat here


def _assert_true(value) -> None:
    assert value


# Files ------------------------------------------------------------------------------------------


def test_compose_names_a_health_check_for_every_service_and_takes_replicas_from_the_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "ws", "worker", "scheduler", "nginx"} <= set(services)
    for name, service in services.items():
        if service.get("restart") == "no":  # one-off jobs (migrate) end; the others wait for them
            continue
        assert "test" in service.get("healthcheck", {}), name
    assert " ".join(services["web"]["command"]).startswith("gunicorn -c config/gunicorn.conf.py")
    assert " ".join(services["ws"]["command"]).startswith("python -m config.serve")
    assert "run_worker" in services["worker"]["command"]
    assert "run_scheduler" in services["scheduler"]["command"]
    for name, variable in (("web", "WEB_REPLICAS"), ("ws", "WS_REPLICAS"), ("worker", "WORKER_REPLICAS")):
        assert str(services[name]["deploy"]["replicas"]).startswith(f"${{{variable}:-"), name
    # The apps believe forwarded headers from nginx's fixed address, and publish no port.
    proxy = services["nginx"]["networks"]["default"]["ipv4_address"]
    for name in ("web", "ws", "worker", "scheduler"):
        assert services[name]["environment"]["KAKEHASHI_TRUSTED_PROXIES"] == proxy, name
        assert "ports" not in services[name], name
    upstreams = services["nginx"]["environment"]
    assert upstreams["KAKEHASHI_WSGI_UPSTREAM"] == "web:8000" and upstreams["KAKEHASHI_ASGI_UPSTREAM"] == "ws:8001"
    # Public media in nginx (read-only); private media never.
    volumes = " ".join(services["nginx"]["volumes"])
    assert "media:/srv/kakehashi/media:ro" in volumes and "private" not in volumes
    assert {"postgres-data", "media", "private-media"} <= set(compose["volumes"])


def test_the_template_routes_websockets_to_asgi_and_the_rest_to_wsgi():
    text = TEMPLATE.read_text()
    ws = text.split("location /ws/ {", 1)[1].split("}", 1)[0]
    assert "proxy_pass http://kakehashi_asgi;" in ws and "Upgrade $http_upgrade" in ws
    assert "proxy_read_timeout 1h;" in ws
    rest = text.split("location / {\n        proxy_pass", 1)[1].split("}", 1)[0]
    assert "http://kakehashi_wsgi;" in rest
    assert "STATIC_ROOT" in text and "private" not in text.split("location /media/", 1)[1]
    # Every proxied location writes the forwarded headers itself (a location with any
    # proxy_set_header of its own would inherit none from the server block).
    locations = [block for block in text.split("\n    location ")[1:] if "proxy_pass" in block.split("}", 1)[0]]
    assert len(locations) == 2
    for block in locations:
        block = block.split("}", 1)[0]
        for line in ("proxy_set_header Host $http_host;", "proxy_set_header X-Forwarded-For $remote_addr;",
                     "proxy_set_header X-Forwarded-Proto https;", 'proxy_set_header Forwarded "";'):
            assert line in block, (block[:40], line)


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, version = line.split("==")
            pins[name.lower()] = version.strip()
    return pins


def test_the_production_lock_holds_no_test_tool_and_agrees_with_the_full_lock():
    production = _pins(ROOT / "requirements-prod.lock")
    full = _pins(ROOT / "requirements.lock")
    assert {"django", "wagtail", "gunicorn", "uvicorn", "channels-redis", "psycopg"} <= set(production)
    assert not TEST_TOOLS & set(production)
    assert "matplotlib" not in production and "matplotlib-fontja" not in production
    # daphne serves nothing: channels.testing imports its test server, so only the tests' lock has it.
    assert "daphne" in full and "daphne" not in production
    # The tests' lock is the production lock plus the tools, at the same versions.
    assert {name: full.get(name) for name in production} == production
    assert {"pytest", "pytest-django", "playwright", "ruff", "matplotlib-fontja"} <= set(full)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements-prod.lock" in dockerfile
    assert "requirements.lock" not in dockerfile.replace("requirements-prod.lock", "")


def test_the_certificate_font_comes_from_debians_package_in_the_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "fonts-ipaexfont-gothic" in dockerfile
    assert "KAKEHASHI_CERTIFICATE_FONT=/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf" in dockerfile
    assert settings.KAKEHASHI_CERTIFICATE_FONT == os.environ.get(
        "KAKEHASHI_CERTIFICATE_FONT", "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
    from training.certificates import _font_candidates, register_font

    candidates = _font_candidates()
    assert candidates[0] == Path(settings.KAKEHASHI_CERTIFICATE_FONT)
    assert register_font()  # Debian's file or, on a development machine, matplotlib-fontja's
