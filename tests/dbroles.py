"""The suite on the two database roles (portal/dbroles.py).

With DATABASE_OWNER_URL set (bin/test does), the test database is created and migrated as the
owner (`migrate` then grants the runtime role), and the tests connect as the runtime role of
DATABASE_URL, like the portal in production. The runtime role may not TRUNCATE, so the flush
that ends a transactional test goes through an owner connection, which switches off the
ledgers' TRUNCATE guards for that one transaction. With one role (no DATABASE_OWNER_URL) that
role owns the tables and does the same on its own connection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connections, transaction
from django.db.backends.postgresql.operations import DatabaseOperations

from portal import dbroles

_LEDGER_TRUNCATE_TRIGGERS = """
SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = current_schema()::regnamespace AND t.tgname LIKE '%_refuse_truncate'
"""


@contextlib.contextmanager
def test_databases_as_owner() -> Iterator[None]:
    """Create, migrate (and later drop) the test database as the owner role."""
    with dbroles.as_owner(connections["default"]):
        yield


@contextlib.contextmanager
def _owner_cursor(connection) -> Iterator:
    """The owner's cursor: a connection of its own with two roles, else (one role, which owns
    the tables) the connection itself, in a transaction."""
    if dbroles.owner_configured(connection):
        with dbroles.owner_cursor(connection) as cursor:
            yield cursor
    else:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            yield cursor


def _flush_as_owner(self: DatabaseOperations, sql_list: list[str]) -> None:
    with _owner_cursor(self.connection) as cursor:
        cursor.execute(_LEDGER_TRUNCATE_TRIGGERS)
        guards = cursor.fetchall()
        for table, trigger in guards:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
        for sql in sql_list:
            cursor.execute(sql)
        for table, trigger in guards:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')


def flush_through_owner() -> None:
    DatabaseOperations.execute_sql_flush = _flush_as_owner


@contextlib.contextmanager
def provision_retention(days: int) -> Iterator[None]:
    """Within the block, the database's retention period of provision records is `days` (the
    owner's to set: partners migration 0007). Single role: that role sets it in the test's
    transaction, which is rolled back."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    sql = "UPDATE partners_provisionrecord_retention SET days = %s RETURNING days"
    if not dbroles.owner_configured(connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT days FROM partners_provisionrecord_retention")
            [before] = cursor.fetchone()
            cursor.execute(sql, [days])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(sql, [before])
        return
    with dbroles.owner_cursor(connection) as cursor:
        cursor.execute("SELECT days FROM partners_provisionrecord_retention")
        [before] = cursor.fetchone()
        cursor.execute(sql, [days])
    try:
        yield
    finally:
        with dbroles.owner_cursor(connection) as cursor:
            cursor.execute(sql, [before])
