"""Append-only records: ledgers and logs that may be written once and never changed (LW-5).

Used by the audit log, the consent ledger and the provision records:
- `AppendOnlyModel` and `AppendOnlyQuerySet` refuse update and delete through the ORM;
- on PostgreSQL the runtime role holds SELECT and INSERT only on these tables
  (portal/dbroles.py), and their triggers refuse UPDATE, DELETE and TRUNCATE even to the
  owner (`append_only_trigger` made the first ones; the `*_ledger_guards` migrations replaced
  them);
- the narrow writes erasure and retention need go through `erased_write`: on PostgreSQL a
  SECURITY DEFINER function that checks its own precondition (the account is erased) and
  touches only that account's rows; elsewhere (SQLite) the same check and an ORM update;
- admins register such models read-only (`portal.admin.ReadOnlyAdmin`).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import connections, migrations, models


def _refuse(model: type[models.Model]) -> PermissionDenied:
    return PermissionDenied(f"{model._meta.verbose_name_plural} are append-only")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _refuse(self.model)

    def erase(self) -> int:
        """Blank the model's ERASABLE columns on these rows (SQLite only: on PostgreSQL the
        runtime role may not UPDATE; see `erased_write`)."""
        blanks = {}
        for name in self.model.ERASABLE:
            field = self.model._meta.get_field(name)
            blanks[name] = None if field.null else ""
        if not blanks:
            raise _refuse(self.model)
        return super().update(**blanks)

    def delete(self):
        raise _refuse(self.model)


def is_erased(user: models.Model) -> bool:
    """The account was closed by an erasure: inactive, with the pseudonymous address that
    `requests.services.erasure.account_erase` gives it. The same rule as the database's
    `portal_user_is_erased` (portal migration 0008)."""
    email = user.email or ""
    return not user.is_active and email.startswith("erased-") and email.endswith("@erased.invalid")


def erased_write(*, function: str, customer: models.Model, fallback) -> int:
    """The one write erasure may make to a ledger for `customer`, on the customer's rows only.

    On PostgreSQL: `SELECT function(customer id)`, a SECURITY DEFINER function of the owner
    that refuses an account that is not erased (a DatabaseError). Elsewhere: the same check
    here, then `fallback()` (an ORM update) returns the number of rows changed."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", function):
        raise ValueError(f"not a plain SQL identifier: {function!r}")
    connection = connections[customer._state.db or "default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [customer.pk])
            return cursor.fetchone()[0]
    fresh = type(customer)._default_manager.using(connection.alias).get(pk=customer.pk)
    if not is_erased(fresh):
        raise PermissionDenied(f"{function}: account {customer.pk} is not erased")
    return fallback()


class AppendOnlyModel(models.Model):
    ERASABLE: tuple[str, ...] = ()  # columns an account erasure may blank

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(type(self))


def append_only_trigger(table: str, *, erasable: tuple[str, ...] = ()):
    """A migration operation: on PostgreSQL, a trigger that refuses UPDATE and DELETE on
    `table`, except an UPDATE that only blanks the `erasable` columns. Other databases
    (SQLite for local runs) rely on the ORM layer."""
    for identifier in (table, *erasable):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", identifier):
            raise ValueError(f"not a plain SQL identifier: {identifier!r}")
    name = f"{table}_append_only"
    allow_erasure = ""
    if erasable:
        columns = "ARRAY[" + ", ".join(f"'{c}'" for c in erasable) + "]"
        # Identifiers from migrations, checked above: not user input.
        allow_erasure = f"""
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - {columns}) = (to_jsonb(OLD) - {columns})
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_each_text(to_jsonb(NEW))
           WHERE key = ANY({columns}) AND coalesce(value, '') <> ''
       ) THEN
        RETURN NEW;
    END IF;"""  # noqa: S608
    forward_sql = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN{allow_erasure}
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {name}
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""
    backward_sql = f"""
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward_sql, params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward_sql, params=None)

    return migrations.RunPython(forward, backward)


# --- the ledger guards of the two database roles (portal/dbroles.py) ------------------------


def postgres_sql(forward_sql: str, backward_sql: str):
    """A migration operation that runs SQL on PostgreSQL only. `{schema}` in the SQL becomes
    the quoted current schema, so SECURITY DEFINER functions can pin a safe search_path
    (their own schema, then pg_temp last) that no session setting changes."""

    def run(sql: str, schema_editor) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = cursor.fetchone()[0]
        schema_editor.execute(
            sql.replace("{schema}", connection.ops.quote_name(schema)), params=None
        )

    return migrations.RunPython(
        lambda apps, schema_editor: run(forward_sql, schema_editor),
        lambda apps, schema_editor: run(backward_sql, schema_editor),
    )
