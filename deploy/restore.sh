#!/bin/sh
# Restore a dump made by deploy/backup.sh into a fresh, empty database (create it first:
# `createdb NAME`, or `CREATE DATABASE`). Refuses a database that already holds tables: a
# restore never mixes with live data. One transaction: on any error nothing is restored.
#
#   deploy/restore.sh FILE DATABASE_URL
#
# Then point DATABASE_URL at it (or rename the databases while the app is stopped) and run
# `manage.py migrate` (nothing to do when the dump came from the same release).
set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 FILE DATABASE_URL" >&2
  exit 2
fi
file=$1
url=$2
[ -r "$file" ] || { echo "$0: cannot read $file" >&2; exit 1; }
pg_restore --list "$file" > /dev/null

tables=$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$url" \
  --command="SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != "0" ]; then
  echo "$0: the target database already has $tables tables; restore into a fresh one" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$file"
echo "restored $file"
