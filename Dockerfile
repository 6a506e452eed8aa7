# The platform's images (docker-compose.yml builds both):
# - `app` (the default): the production lock only (requirements-prod.lock: no test tools), the
#   Japanese certificate font from Debian's fonts-ipaexfont-gothic, production settings. One image
#   for every Python service: pages and API on gunicorn (config/gunicorn.conf.py), /ws/ on uvicorn
#   (python -m config.serve), the worker and the scheduler.
# - `proxy`: Debian's nginx in front of them, with the static files collected in `app`
#   (deploy/nginx/kakehashi.conf.template; the same nginx the tests run the template with).
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KAKEHASHI_CERTIFICATE_FONT=/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf

RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-ipaexfont-gothic tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && test -f "$KAKEHASHI_CERTIFICATE_FONT"

WORKDIR /app
RUN useradd --create-home --uid 1000 kakehashi

COPY requirements-prod.lock ./
RUN pip install --no-cache-dir -r requirements-prod.lock

COPY . .
RUN pybabel compile --domain django --directory locale \
    && for dir in */locale; do [ -d "$dir" ] && pybabel compile --domain django --directory "$dir"; done; \
    DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input \
    && mkdir -p /app/media /app/private_media /app/private_keys && chown -R kakehashi /app/media /app/private_media /app/private_keys

USER kakehashi
EXPOSE 8000 8001
# Forwarded headers are believed only from KAKEHASHI_TRUSTED_PROXIES (none by default; compose
# names the proxy's address). The websocket service runs `python -m config.serve` instead.
ENV KAKEHASHI_TRUSTED_PROXIES=""
CMD ["gunicorn", "-c", "config/gunicorn.conf.py"]


FROM debian:bookworm-slim AS proxy

RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx-light gettext-base openssl curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log

COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
COPY deploy/nginx/kakehashi.conf.template /etc/nginx/templates/kakehashi.conf.template
COPY deploy/nginx/entrypoint.sh /usr/local/bin/kakehashi-proxy
COPY --from=app /app/staticfiles /srv/kakehashi/static

ENV KAKEHASHI_WSGI_UPSTREAM=web:8000 \
    KAKEHASHI_ASGI_UPSTREAM=ws:8001 \
    KAKEHASHI_HTTP_PORT=80 \
    KAKEHASHI_HTTPS_PORT=443 \
    KAKEHASHI_STATIC_ROOT=/srv/kakehashi/static \
    KAKEHASHI_MEDIA_ROOT=/srv/kakehashi/media \
    KAKEHASHI_TLS_CERTIFICATE=/etc/kakehashi/tls/fullchain.pem \
    KAKEHASHI_TLS_CERTIFICATE_KEY=/etc/kakehashi/tls/privkey.pem

EXPOSE 80 443
STOPSIGNAL SIGQUIT
ENTRYPOINT ["kakehashi-proxy"]
CMD ["nginx", "-g", "daemon off;"]
