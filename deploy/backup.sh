#!/bin/sh
# A backup of the database: pg_dump's custom format (compressed; pg_restore can restore it whole
# or table by table, in parallel), written under a temporary name, checked by listing it with
# pg_restore, then renamed into place, so a file named *.dump is always a whole, readable dump.
#
#   deploy/backup.sh DATABASE_URL [FILE]      FILE defaults to backups/kakehashi-<UTC time>.dump
#
# With docker compose (the postgres service mounts ./deploy and ./backups):
#   docker compose exec -T postgres /deploy/backup.sh "postgresql:///kakehashi?user=kakehashi" /backups/kakehashi-$(date -u +%Y%m%dT%H%M%SZ).dump
# Media, private media (evidence) and the credential keys are files, not in the database: back
# up their volumes too (README, "Backups").
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DATABASE_URL [FILE]" >&2
  exit 2
fi
url=$1
file=${2:-backups/kakehashi-$(date -u +%Y%m%dT%H%M%SZ).dump}
mkdir -p "$(dirname "$file")"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

# No owners or grants in the dump: it restores into a database owned by whoever restores it.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial" --dbname="$url"
pg_restore --list "$partial" > /dev/null
mv "$partial" "$file"
trap - EXIT
echo "$file"
