"""On PostgreSQL, nobody edits a provision record (APPI Art. 29) at the database.

UPDATE is refused, with one exception: setting `customer_id` to NULL and nothing else, which
is what erasing an account does (the record keeps its `customer_reference` pseudonym).
DELETE is refused unless the transaction announced a retention cutoff with
`set_config('partners.purge_before', <timestamp>, true)` and the row is older than it: only
`partners.services.provision_records_purge` does that. TRUNCATE (test teardown, an
administrator's deliberate act) is outside the application.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION partners_provisionrecord_guard() RETURNS trigger AS $$
DECLARE
    purge_before text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        purge_before := current_setting('partners.purge_before', true);
        IF purge_before IS NOT NULL AND purge_before <> ''
           AND OLD.provided_at < purge_before::timestamptz THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'partners_provisionrecord: only the retention purge deletes records'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.customer_id IS NULL
       AND (to_jsonb(NEW) - 'customer_id') = (to_jsonb(OLD) - 'customer_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'partners_provisionrecord is not editable: UPDATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER partners_provisionrecord_guard
    BEFORE UPDATE OR DELETE ON partners_provisionrecord
    FOR EACH ROW EXECUTE FUNCTION partners_provisionrecord_guard();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS partners_provisionrecord_guard ON partners_provisionrecord;
DROP FUNCTION IF EXISTS partners_provisionrecord_guard();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
