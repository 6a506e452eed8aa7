"""Backups (deploy/backup.sh, deploy/restore.sh): the demo's database dumped with pg_dump's custom
format restores into a fresh database with every table and every row; a restore refuses a
database that already holds data. PostgreSQL only (CI); with REQUIRE_SERVICES=1 a missing
PostgreSQL or pg_dump fails the test."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
TABLES = """
    SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_catalog.pg_tables
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


def _url(name: str) -> str:
    params = connection.settings_dict
    user = quote(params["USER"] or "")
    password = f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
    return f"postgresql://{user}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"


def _counts(cursor) -> dict[str, int]:
    cursor.execute(TABLES)
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - names from the catalogue, quoted
        counts[table] = cursor.fetchone()[0]
    return counts


def _require() -> None:
    problems = []
    if connection.vendor != "postgresql":
        problems.append("the test database is not PostgreSQL")
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            problems.append(f"{tool} is not installed")
    if problems:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_table_and_row(demo_committed):
    _require()
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"[:63]
    folder = Path(tempfile.mkdtemp(prefix="kakehashi-backup-"))
    with connection.cursor() as cursor:
        before = _counts(cursor)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        dump = folder / "kakehashi.dump"
        result = subprocess.run(["sh", str(ROOT / "deploy" / "backup.sh"), _url(source), str(dump)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(dump) and dump.read_bytes()[:5] == b"PGDMP"  # custom format
        assert sorted(path.name for path in folder.iterdir()) == ["kakehashi.dump"]  # no partial file left

        result = subprocess.run(["sh", str(ROOT / "deploy" / "restore.sh"), str(dump), _url(restored)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        with psycopg.connect(_url(restored)) as copy, copy.cursor() as cursor:
            after = _counts(cursor)
        assert after == before
        assert len(before) > 50 and sum(before.values()) > 200  # the demo, not an empty schema

        # A second restore into the same (now full) database is refused and changes nothing.
        result = subprocess.run(["sh", str(ROOT / "deploy" / "restore.sh"), str(dump), _url(restored)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1 and "restore into a fresh one" in result.stderr
        with psycopg.connect(_url(restored)) as copy, copy.cursor() as cursor:
            assert _counts(cursor) == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


def test_a_failed_dump_leaves_no_file(tmp_path):
    if shutil.which("pg_dump") is None:
        _require()
    dump = tmp_path / "nothing.dump"
    result = subprocess.run(["sh", str(ROOT / "deploy" / "backup.sh"), "postgresql://127.0.0.1:1/none", str(dump)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert list(tmp_path.iterdir()) == []
