"""How gunicorn serves the pages, the API and both admins: the one place for its options.

The Dockerfile, docker-compose and the tests start it with `gunicorn -c config/gunicorn.conf.py`
(a `--bind` on the command line may name the address); websockets stay on uvicorn
(`python -m config.serve`), behind the same proxy (deploy/nginx/kakehashi.conf.template).

- Sync workers: plain Django pages are several times faster on a WSGI server with sync workers
  than on an ASGI one (measured on 2 cores; README, "Production"). nginx buffers requests and
  responses, so a slow client never holds a worker. WEB_CONCURRENCY workers per process (2 by
  default: the machine's cores are shared with the websocket and worker services).
- X-Forwarded-Proto is believed only from KAKEHASHI_TRUSTED_PROXIES (the proxy's address; none
  by default), the same list that decides the client's address (peers/addresses.py) and that
  uvicorn follows (config/serve.py). Only that one header says https: the other spellings
  gunicorn would read are not honoured.
- A worker is recycled after about a thousand requests, so that a slow leak never grows.
"""

import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 1000
max_requests_jitter = 100

forwarded_allow_ips = ",".join(
    item.strip() for item in os.environ.get("KAKEHASHI_TRUSTED_PROXIES", "").split(",") if item.strip()
)
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Heartbeat files of the workers in memory, not on the container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
