#!/bin/sh
# The proxy container's start: render the site from its template (deploy/nginx/
# kakehashi.conf.template; every upper-case name in dollar-braces from the environment, nginx's
# own lower-case variables left alone), make a self-signed certificate when none is mounted (so that
# `docker compose up` works before the real one is in place; browsers will warn), then start
# the command (nginx). tests/config/test_production_layout.py runs this same script, with the
# paths below pointed at a folder of its own.
set -eu

template=${KAKEHASHI_PROXY_TEMPLATE:-/etc/nginx/templates/kakehashi.conf.template}
rendered=${KAKEHASHI_PROXY_RENDERED:-/etc/nginx/conf.d/kakehashi.conf}
self_signed=${KAKEHASHI_PROXY_SELF_SIGNED_DIR:-/run/kakehashi-tls}
names=$(grep -o '\${[A-Z][A-Z0-9_]*}' "$template" | sort -u | tr '\n' ' ')
for name in $names; do
  variable=$(echo "$name" | tr -d '${}')
  eval "value=\${$variable:-}"
  if [ -z "$value" ]; then
    echo "kakehashi-proxy: $variable is not set" >&2
    exit 1
  fi
done

if [ ! -f "$KAKEHASHI_TLS_CERTIFICATE" ] || [ ! -f "$KAKEHASHI_TLS_CERTIFICATE_KEY" ]; then
  echo "kakehashi-proxy: no certificate at $KAKEHASHI_TLS_CERTIFICATE; using a self-signed one" >&2
  mkdir -p "$self_signed"
  KAKEHASHI_TLS_CERTIFICATE=$self_signed/fullchain.pem
  KAKEHASHI_TLS_CERTIFICATE_KEY=$self_signed/privkey.pem
  export KAKEHASHI_TLS_CERTIFICATE KAKEHASHI_TLS_CERTIFICATE_KEY
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=${KAKEHASHI_SERVER_NAME:-localhost}" \
    -keyout "$KAKEHASHI_TLS_CERTIFICATE_KEY" -out "$KAKEHASHI_TLS_CERTIFICATE" 2>/dev/null
fi

envsubst "$names" < "$template" > "$rendered"
exec "$@"
