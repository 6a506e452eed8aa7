"""History tables are append-only in the database itself, on PostgreSQL and on SQLite.

Triggers (made by migrations through `create_guards` / `drop_guards`) refuse
- every UPDATE of a history row, except one that only empties a personal link (an `actor` or
  `accessor` set to NULL when that account goes, Django's SET_NULL): the row stays, naming nobody;
- every DELETE, unless the transaction has switched purging on with `history_purge()`.

`history_purge()` is the one way through, and only the personal-data registry uses it
(peers/personal_data.py parts): erasure, which the law requires (an application that never held
a place, the person's own access log), and the retention job carrying out an administrator's
rule. It is transaction-local: on PostgreSQL `SET LOCAL kakehashi.allow_history_purge = 'on'`
(`set_config(..., true)`), on SQLite a row in the table `kakehashi_history_purge`, written and
removed inside the same transaction (SQLite triggers cannot read temporary tables). No setting
turns the guard off. TRUNCATE (PostgreSQL) is not guarded: Django's test flush uses it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction

PURGE_SETTING = "kakehashi.allow_history_purge"
PURGE_TABLE = "kakehashi_history_purge"
MESSAGE = "append-only history"

# table → (columns never changed, personal links that may only be emptied)
GUARDED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "training_certificationstatuschange": (
        ("id", "certification_id", "from_status", "to_status", "event", "at", "reason", "valid_until"),
        ("actor_id",),
    ),
    "training_applicationstatechange": (
        ("id", "application_id", "from_state", "to_state", "at", "note"),
        ("actor_id",),
    ),
    "peers_auditevent": (
        ("id", "action", "target_type", "target_id", "data", "at"),
        ("actor_id",),
    ),
    "peers_sensitiveaccess": (
        ("id", "person_id", "category", "context", "at"),
        ("accessor_id",),
    ),
}

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION kakehashi_history_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('{PURGE_SETTING}', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""


def _relinked(links: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"(NEW.{c} {distinct} OLD.{c} AND NEW.{c} IS NOT NULL)" for c in links)


def guard_sql(vendor: str, table: str) -> list[str]:
    fixed, links = GUARDED[table]
    if vendor == "postgresql":
        run = "FOR EACH ROW EXECUTE FUNCTION kakehashi_history_guard()"
        return [
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {run}",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {', '.join(fixed)} ON {table} {run}",
            f"CREATE TRIGGER {table}_no_relink BEFORE UPDATE OF {', '.join(links)} ON {table} "
            f"FOR EACH ROW WHEN ({_relinked(links, 'IS DISTINCT FROM')}) EXECUTE FUNCTION kakehashi_history_guard()",
        ]
    if vendor == "sqlite":
        refuse = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {table}'); END"
        return [
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN NOT EXISTS (SELECT 1 FROM {PURGE_TABLE}) {refuse}",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {', '.join(fixed)} ON {table} {refuse}",
            f"CREATE TRIGGER {table}_no_relink BEFORE UPDATE OF {', '.join(links)} ON {table} "
            f"WHEN {_relinked(links, 'IS NOT')} {refuse}",
        ]
    raise NotImplementedError(f"No append-only triggers for the {vendor} database.")


def create_guards(schema_editor, tables: list[str]) -> None:
    """Migration step: the guard function (or flag table) and the triggers of `tables`."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {PURGE_TABLE} (on_at text NOT NULL)")
    for table in tables:
        for statement in guard_sql(vendor, table):
            schema_editor.execute(statement)


def drop_guards(schema_editor, tables: list[str]) -> None:
    """The reverse of create_guards for `tables` (the function and flag table stay: shared)."""
    vendor = schema_editor.connection.vendor
    for table in tables:
        for suffix in ("no_delete", "no_update", "no_relink"):
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")


# Tables whose rows become history once a condition holds (a payment once paid): such a row
# may change (a correction, audited by its service) but is never deleted outside a purge.
# table -> SQL condition on the row (OLD), the same on both databases.
DELETE_GUARDED: dict[str, str] = {
    "peers_honorariumpayment": "OLD.status = 'paid'",
}


def create_delete_guard(schema_editor, table: str) -> None:
    """Migration step: refuse DELETE of `table`'s rows that meet DELETE_GUARDED[table], unless
    the transaction purges (history_purge)."""
    vendor = schema_editor.connection.vendor
    condition = DELETE_GUARDED[table]
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
            f"WHEN ({condition}) EXECUTE FUNCTION kakehashi_history_guard()")
    elif vendor == "sqlite":
        schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {PURGE_TABLE} (on_at text NOT NULL)")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN {condition} AND NOT EXISTS (SELECT 1 FROM {PURGE_TABLE}) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {table}'); END")
    else:
        raise NotImplementedError(f"No delete guard for the {vendor} database.")


def drop_delete_guard(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table}")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


@contextlib.contextmanager
def history_purge() -> Iterator[None]:
    """Let DELETEs of history rows through inside the block (an atomic block: the permission
    never outlives it, even on an error). For the personal-data registry's erasure and retention
    only."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
            else:
                cursor.execute(f"INSERT INTO {PURGE_TABLE} (on_at) VALUES (CURRENT_TIMESTAMP)")
        yield
        # On an error the rollback ends the permission with everything else.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
            else:
                cursor.execute(f"DELETE FROM {PURGE_TABLE}")
