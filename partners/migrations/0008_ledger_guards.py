"""The provision records guard themselves at the database, for the two database roles
(APPI Art. 29, LW-5).

- `partners_provisionrecord_retention`: one row, the retention period in days, written by
  the owner only (`migrate` copies settings.PROVISION_RECORD_RETENTION_DAYS into it,
  partners/apps.py); the runtime role may read it ('portal:read-only').
- The trigger refuses TRUNCATE; refuses DELETE of a record younger than that period (before,
  any DELETE passed once the session announced a cutoff with the `partners.purge_before`
  setting, which any session could set); refuses UPDATE except setting `customer_id` to NULL
  on a record of an erased account.
- `partners_provisionrecord_unlink(customer)` and `partners_provisionrecord_purge(before)`:
  SECURITY DEFINER with a fixed search_path, the runtime role's only way to those writes. The
  first refuses a customer that is not erased; the second refuses a cutoff later than the
  retention period allows.
"""

from django.conf import settings
from django.db import migrations

from portal.appendonly import postgres_sql

FORWARD = r"""
CREATE TABLE partners_provisionrecord_retention (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    days integer NOT NULL CHECK (days > 0)
);
INSERT INTO partners_provisionrecord_retention (days) VALUES (%(days)d);
COMMENT ON TABLE partners_provisionrecord_retention IS
    'portal:read-only (retention of provision records in days, set by migrate as the owner)';

CREATE OR REPLACE FUNCTION partners_provisionrecord_cutoff() RETURNS timestamptz
    LANGUAGE sql SET search_path = {schema}, pg_temp AS $$
    SELECT clock_timestamp() - days * interval '1 day' FROM partners_provisionrecord_retention
$$;

DROP TRIGGER IF EXISTS partners_provisionrecord_guard ON partners_provisionrecord;
CREATE OR REPLACE FUNCTION partners_provisionrecord_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.provided_at < partners_provisionrecord_cutoff() THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'partners_provisionrecord: only records past retention may be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.customer_id IS NULL AND OLD.customer_id IS NOT NULL
           AND (to_jsonb(NEW) - 'customer_id') = (to_jsonb(OLD) - 'customer_id')
           AND portal_user_is_erased(OLD.customer_id) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'partners_provisionrecord is not editable: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER partners_provisionrecord_guard
    BEFORE UPDATE OR DELETE ON partners_provisionrecord
    FOR EACH ROW EXECUTE FUNCTION partners_provisionrecord_guard();
CREATE TRIGGER partners_provisionrecord_refuse_truncate
    BEFORE TRUNCATE ON partners_provisionrecord
    FOR EACH STATEMENT EXECUTE FUNCTION partners_provisionrecord_guard();

CREATE OR REPLACE FUNCTION partners_provisionrecord_unlink(customer bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    unlinked integer;
BEGIN
    IF NOT portal_user_is_erased(customer) THEN
        RAISE EXCEPTION 'partners_provisionrecord_unlink: account % is not erased', customer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE partners_provisionrecord SET customer_id = NULL WHERE customer_id = customer;
    GET DIAGNOSTICS unlinked = ROW_COUNT;
    RETURN unlinked;
END;
$$;
REVOKE ALL ON FUNCTION partners_provisionrecord_unlink(bigint) FROM PUBLIC;

CREATE OR REPLACE FUNCTION partners_provisionrecord_purge(before timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    purged integer;
BEGIN
    IF before IS NULL OR before > partners_provisionrecord_cutoff() THEN
        RAISE EXCEPTION 'partners_provisionrecord_purge: % is within the retention period',
            before USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM partners_provisionrecord WHERE provided_at < before;
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END;
$$;
REVOKE ALL ON FUNCTION partners_provisionrecord_purge(timestamptz) FROM PUBLIC;

COMMENT ON TABLE partners_provisionrecord IS 'portal:append-only (provision records, APPI-29)';
"""

BACKWARD = r"""
COMMENT ON TABLE partners_provisionrecord IS NULL;
DROP FUNCTION IF EXISTS partners_provisionrecord_purge(timestamptz);
DROP FUNCTION IF EXISTS partners_provisionrecord_unlink(bigint);
DROP TRIGGER IF EXISTS partners_provisionrecord_refuse_truncate ON partners_provisionrecord;
DROP TRIGGER IF EXISTS partners_provisionrecord_guard ON partners_provisionrecord;
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
DROP FUNCTION IF EXISTS partners_provisionrecord_cutoff();
DROP TABLE IF EXISTS partners_provisionrecord_retention;
"""


def _forward_sql() -> str:
    return FORWARD.replace("%(days)d", str(int(settings.PROVISION_RECORD_RETENTION_DAYS)))


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0007_consent_bound_and_single_use"),
        ("portal", "0008_ledger_guards"),
    ]

    operations = [postgres_sql(_forward_sql(), BACKWARD)]
