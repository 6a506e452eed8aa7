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
# uvicorn's options (frame size limit, no per-message deflate, forwarded headers only from
# KAKEHASHI_TRUSTED_PROXIES, none by default) come from config/serve.py, as for `make run`.
ENV KAKEHASHI_TRUSTED_PROXIES=""
CMD ["python", "-m", "config.serve", "--host", "0.0.0.0", "--port", "8000"]
