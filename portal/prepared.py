"""A cursor whose statements PostgreSQL prepares once per connection, for the hot paths.

Django's PostgreSQL cursors bind parameters on the client, so the server parses and plans
every statement again; for a small statement of several joins (the consent decision) planning
costs three times the execution. `prepared_cursor()` hands out a psycopg cursor with
server-side binding on Django's own connection (same transaction, same time zone), wrapped
like Django's cursors so that query logging, `assertNumQueries` and execute wrappers see it.
psycopg prepares a statement after its connection ran it `prepare_threshold` times
(`DATABASES["default"]["OPTIONS"]`, set in `portal/settings.py`); Django's own cursors never
prepare, so the setting changes nothing else. Prepared statements live in the server
session: they need a direct connection or a pooler that keeps them (PgBouncer >= 1.21 with
`max_prepared_statements`).

On another database (SQLite, the embedded default) it is Django's ordinary cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

_TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator:
    db = connections[using]  # looked up once: each `connection.x` is a thread-local lookup
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            yield cursor
        return
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = psycopg.Cursor(db.connection)
    # As Django's create_cursor: times in the connection's zone.
    if db.timezone != db.connection.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT).timezone:
        register_tzloader(db.timezone, raw)
    cursor = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
    with cursor:
        yield cursor
