# The platform's image: the same locked dependencies as `make run`, production settings.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 1000 kakehashi

COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
RUN pybabel compile --domain django --directory locale \
    && for dir in */locale; do [ -d "$dir" ] && pybabel compile --domain django --directory "$dir"; done; \
    DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input \
    && mkdir -p /app/media /app/private_media && chown -R kakehashi /app/media /app/private_media

USER kakehashi
EXPOSE 8000
# Room messages are short and go to every member: compressing each copy per connection
# (per-message deflate) cost more CPU than anything else per delivery (bench/meeting_room.py).
CMD ["uvicorn", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--forwarded-allow-ips", "*", "--ws", "websockets-sansio", "--ws-per-message-deflate", "false"]
