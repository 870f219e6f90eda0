"""Append-only records: ledgers and logs that may be written once and never changed (LW-5).

Three layers, used by the audit log, the consent ledger and the provision records:
- `AppendOnlyModel` and `AppendOnlyQuerySet` refuse update and delete through the ORM;
- `append_only_trigger(table)` is a migration operation that makes PostgreSQL refuse UPDATE and
  DELETE on the table (TRUNCATE, an administrative act, stays possible; tests use it);
- one change is allowed: blanking the model's `ERASABLE` columns (the network address and
  device a customer acted from), so that erasing an account leaves no personal value behind
  while the record of what happened stays (`AppendOnlyQuerySet.erase`);
- admins register such models read-only (`portal.admin.ReadOnlyAdmin`).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import migrations, models


def _refuse(model: type[models.Model]) -> PermissionDenied:
    return PermissionDenied(f"{model._meta.verbose_name_plural} are append-only")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _refuse(self.model)

    def erase(self) -> int:
        """Blank the model's ERASABLE columns on these rows; nothing else may change."""
        blanks = {}
        for name in self.model.ERASABLE:
            field = self.model._meta.get_field(name)
            blanks[name] = None if field.null else ""
        if not blanks:
            raise _refuse(self.model)
        return super().update(**blanks)

    def delete(self):
        raise _refuse(self.model)


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
