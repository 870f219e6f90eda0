"""Append-only records: ledgers and logs that may be written once and never changed (LW-5).

Three layers, used by the audit log, the consent ledger and the provision records:
- `AppendOnlyModel` and `AppendOnlyQuerySet` refuse update and delete through the ORM;
- `append_only_trigger(table)` is a migration operation that makes PostgreSQL refuse UPDATE and
  DELETE on the table (TRUNCATE, an administrative act, stays possible; tests use it);
- admins register such models read-only (`portal.admin.ReadOnlyAdmin`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import migrations, models


def _refuse(model: type[models.Model]) -> PermissionDenied:
    return PermissionDenied(f"{model._meta.verbose_name_plural} are append-only")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _refuse(self.model)

    def delete(self):
        raise _refuse(self.model)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(type(self))


def append_only_trigger(table: str, *, refuse: tuple[str, ...] = ("UPDATE", "DELETE")):
    """A migration operation: on PostgreSQL, a trigger that refuses `refuse` on `table`.
    Other databases (SQLite for local runs) rely on the ORM layer."""
    name = f"{table}_append_only"
    forward_sql = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {name}
    BEFORE {" OR ".join(refuse)} ON {table}
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
