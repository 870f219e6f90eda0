"""On PostgreSQL, refuse UPDATE and DELETE on the consent ledger at the database (LW-9, LY-1).

Like the audit log (portal 0002): the ORM refuses them too, and TRUNCATE stays possible for
the owner of the database (test teardown).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION consents_consentevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consents_consentevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consents_consentevent_append_only
    BEFORE UPDATE OR DELETE ON consents_consentevent
    FOR EACH ROW EXECUTE FUNCTION consents_consentevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS consents_consentevent_append_only ON consents_consentevent;
DROP FUNCTION IF EXISTS consents_consentevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("consents", "0002_ledger")]

    operations = [migrations.RunPython(forward, backward)]
