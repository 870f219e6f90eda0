"""Two database roles (LW-5): an owner that migrates, a runtime role that owns nothing.

- `DATABASE_OWNER_URL` (settings.DATABASE_OWNER) is the role that owns the tables. `migrate`
  runs as it (portal/management/commands/migrate.py) and then grants the runtime role what
  it needs; `db_grant_runtime --role NAME` does the same for a named role.
- `DATABASE_URL` is the role the portal, its workers and its tests connect as. It holds
  SELECT, INSERT, UPDATE and DELETE on ordinary tables; SELECT and INSERT only on the
  append-only ledgers (tables the migrations mark with COMMENT 'portal:append-only'); SELECT
  only on tables the owner configures ('portal:read-only') and on django_migrations; no
  TRUNCATE, REFERENCES or TRIGGER anywhere; EXECUTE on the SECURITY DEFINER functions through
  which erasure and retention make their narrow writes to the ledgers.
- With only `DATABASE_URL` set (SQLite, or a developer's single role) nothing changes: that
  role migrates and runs.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY = "portal:append-only"
READ_ONLY = "portal:read-only"
_CREDENTIALS = ("USER", "PASSWORD")
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RoleError(Exception):
    """The runtime role cannot be set up as asked."""


def owner_configured(connection: BaseDatabaseWrapper) -> bool:
    return settings.DATABASE_OWNER is not None and connection.vendor == "postgresql"


def runtime_role_name() -> str | None:
    """The role DATABASE_URL connects as, when a separate owner is configured."""
    if settings.DATABASE_OWNER is None:
        return None
    return settings.DATABASE_OWNER["RUNTIME_USER"]


@contextlib.contextmanager
def as_owner(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Within the block, `connection` talks to its database as the owner role (same server and
    database name, the owner's credentials). Without an owner configured, it does nothing."""
    owner = settings.DATABASE_OWNER
    if not owner_configured(connection) or connection.settings_dict["USER"] == owner["USER"]:
        yield
        return
    saved = {key: connection.settings_dict.get(key) for key in _CREDENTIALS}
    connection.close()
    connection.settings_dict.update({key: owner[key] for key in _CREDENTIALS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def owner_connection(connection: BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """A new connection to the database of `connection`, as the owner role. The caller closes
    it."""
    owner = settings.DATABASE_OWNER
    if not owner_configured(connection):
        raise RoleError("no DATABASE_OWNER_URL for PostgreSQL is configured")
    connection = connections[connection.alias]  # the wrapper, not django.db.connection's proxy
    settings_dict = {
        **connection.settings_dict,
        **{key: owner[key] for key in _CREDENTIALS},
        "CONN_MAX_AGE": 0,
    }
    return type(connection)(settings_dict, alias=f"{connection.alias}_owner")


@contextlib.contextmanager
def owner_cursor(connection: BaseDatabaseWrapper) -> Iterator:
    """A cursor on a new owner connection to the database of `connection`, in one transaction
    that commits at the end of the block (rolls back on an error); then the connection closes."""
    owner = owner_connection(connection)
    try:
        owner.set_autocommit(False)
        with owner.cursor() as cursor:
            yield cursor
        owner.commit()
    except BaseException:
        if owner.connection is not None:
            owner.rollback()
        raise
    finally:
        owner.close()


def _quote(role: str) -> str:
    if not _ROLE_NAME.fullmatch(role):
        raise RoleError(f"not a plain role name (lower-case letters, digits, _): {role!r}")
    return f'"{role}"'


def runtime_grant(cursor, *, role: str, password: str | None = None) -> list[str]:
    """Create (when missing) or check the runtime role `role`, then set its privileges on the
    current schema of the cursor's database. Idempotent. Runs as the owner; returns what was
    done, one line each."""
    quoted = _quote(role)
    done: list[str] = []
    cursor.execute(
        "SELECT current_user, current_schema(), current_database(), r.rolcreaterole"
        " FROM pg_roles r WHERE r.rolname = current_user"
    )
    owner, schema, database, can_create = cursor.fetchone()
    if role == owner:
        raise RoleError(f"{role} owns the tables; the runtime role must be another role")
    cursor.execute(
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls,"
        " pg_has_role(rolname, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
        [owner, role],
    )
    row = cursor.fetchone()
    if row is None:
        if not can_create:
            raise RoleError(
                f"role {role} does not exist and {owner} may not create roles; as an "
                f"administrator run: CREATE ROLE {role} LOGIN PASSWORD '...'"
            )
        cursor.execute(
            f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
            " NOREPLICATION NOBYPASSRLS PASSWORD %s",
            [password],
        )
        done.append(f"created role {role}")
    else:
        powerful, member_of_owner = row
        if powerful:
            raise RoleError(
                f"{role} is a superuser or may create roles or databases, replicate or bypass "
                "row security: not a runtime role"
            )
        if member_of_owner:
            raise RoleError(f"{role} is a member of {owner}, so it would hold the owner's rights")
        if password and can_create:
            cursor.execute(f"ALTER ROLE {quoted} PASSWORD %s", [password])
            done.append(f"set the password of {role}")
    schema_q = f'"{schema}"'
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO {quoted}',
        # No temporary tables either: nothing of its own to shadow a table with.
        f'REVOKE TEMPORARY ON DATABASE "{database}" FROM PUBLIC',
        f'REVOKE TEMPORARY ON DATABASE "{database}" FROM {quoted}',
        f"GRANT USAGE ON SCHEMA {schema_q} TO {quoted}",
        f"REVOKE CREATE ON SCHEMA {schema_q} FROM {quoted}",
        # Everything the owner made, then narrowed below; future tables get the same.
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} TO {quoted}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema_q} FROM {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {quoted}",
        f"REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA {schema_q} FROM {quoted}",
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {schema_q}'
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {schema_q}'
        f" GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
    ]
    for statement in statements:
        cursor.execute(statement)
    cursor.execute(
        "SELECT c.relname, coalesce(obj_description(c.oid, 'pg_class'), '')"
        " FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
        " AND c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) = current_user"
        " ORDER BY c.relname"
    )
    for table, comment in cursor.fetchall():
        if comment.startswith(APPEND_ONLY):
            cursor.execute(f'REVOKE UPDATE, DELETE ON "{table}" FROM {quoted}')
            done.append(f"{table}: SELECT, INSERT")
        elif comment.startswith(READ_ONLY) or table == "django_migrations":
            cursor.execute(f'REVOKE INSERT, UPDATE, DELETE ON "{table}" FROM {quoted}')
            done.append(f"{table}: SELECT")
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p"
        " WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef"
        " AND pg_get_userbyid(p.proowner) = current_user ORDER BY 1"
    )
    for (function,) in cursor.fetchall():
        cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {quoted}")
        done.append(f"{function}: EXECUTE")
    done.append(f"{role}: SELECT, INSERT, UPDATE, DELETE on the other tables of {schema}")
    return done
