"""Starting the ASGI server: the one place that says how uvicorn runs the platform.

`make run`, the Dockerfile, docker-compose and the benchmarks all start the server with
`python -m config.serve [--host H] [--port P] [--workers N] [--app module:attribute] [...]`,
so the options below cannot drift apart between them:

- `ws_max_size` is the room's own frame limit (KAKEHASHI_ROOM_MAX_FRAME_BYTES): the server
  refuses a bigger frame (close code 1009) from its header, before reading it, instead of
  reading up to uvicorn's default of 16 MiB and letting the consumer refuse it afterwards.
- Forwarded headers (X-Forwarded-For, X-Forwarded-Proto) are believed only from the proxy
  addresses in KAKEHASHI_TRUSTED_PROXIES (none by default): from anyone else they could set the
  client's address, and so dodge every per-address limit.
- websockets-sansio without per-message deflate: compressing each copy of a short room message
  per connection cost more CPU than anything else per delivery (bench/meeting_room.py).
"""

from __future__ import annotations

import argparse
import os
import sys


def uvicorn_options() -> dict:
    """Keyword arguments for uvicorn.Config / uvicorn.run, from the settings."""
    from django.conf import settings

    proxies = list(settings.KAKEHASHI_TRUSTED_PROXIES)
    options = {
        "ws": "websockets-sansio",
        "ws_per_message_deflate": False,
        "ws_max_size": settings.KAKEHASHI_ROOM_MAX_FRAME_BYTES,
        "proxy_headers": bool(proxies),
    }
    if proxies:
        options["forwarded_allow_ips"] = proxies
    return options


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    parser = argparse.ArgumentParser(prog="python -m config.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="config.asgi:application")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--lifespan", default="off", choices=["auto", "on", "off"])
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)

    import uvicorn

    sys.path.insert(0, os.getcwd())
    uvicorn.run(
        args.app, host=args.host, port=args.port, workers=args.workers, lifespan=args.lifespan,
        log_level=args.log_level, access_log=not args.no_access_log, **uvicorn_options(),
    )


if __name__ == "__main__":
    main()
