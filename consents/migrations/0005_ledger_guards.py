"""The consent ledger guards itself at the database, for the two database roles (LW-5, LW-9).

Like the audit log (portal 0008): the trigger refuses UPDATE, DELETE and TRUNCATE, and lets
through only the UPDATE that blanks the network address and device of an event of an erased
account; before, it allowed blanking them on any row. The runtime role reaches that UPDATE
through `consents_consentevent_erase(customer)` only (SECURITY DEFINER, fixed search_path),
which refuses a customer that is not erased.
"""

from django.db import migrations

from portal.appendonly import postgres_sql

FORWARD = r"""
CREATE OR REPLACE FUNCTION consents_consentevent_append_only() RETURNS trigger
    LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.ip_address IS NULL AND NEW.user_agent = ''
           AND (to_jsonb(NEW) - ARRAY['ip_address', 'user_agent'])
               = (to_jsonb(OLD) - ARRAY['ip_address', 'user_agent'])
           AND portal_user_is_erased(OLD.customer_id) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'consents_consentevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER consents_consentevent_refuse_truncate
    BEFORE TRUNCATE ON consents_consentevent
    FOR EACH STATEMENT EXECUTE FUNCTION consents_consentevent_append_only();

CREATE OR REPLACE FUNCTION consents_consentevent_erase(customer bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    blanked integer;
BEGIN
    IF NOT portal_user_is_erased(customer) THEN
        RAISE EXCEPTION 'consents_consentevent_erase: account % is not erased', customer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE consents_consentevent SET ip_address = NULL, user_agent = ''
        WHERE customer_id = customer AND (ip_address IS NOT NULL OR user_agent <> '');
    GET DIAGNOSTICS blanked = ROW_COUNT;
    RETURN blanked;
END;
$$;
REVOKE ALL ON FUNCTION consents_consentevent_erase(bigint) FROM PUBLIC;

COMMENT ON TABLE consents_consentevent IS 'portal:append-only (consent ledger, LW-9)';
"""

BACKWARD = r"""
COMMENT ON TABLE consents_consentevent IS NULL;
DROP FUNCTION IF EXISTS consents_consentevent_erase(bigint);
DROP TRIGGER IF EXISTS consents_consentevent_refuse_truncate ON consents_consentevent;
CREATE OR REPLACE FUNCTION consents_consentevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - ARRAY['ip_address', 'user_agent'])
           = (to_jsonb(OLD) - ARRAY['ip_address', 'user_agent'])
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_each_text(to_jsonb(NEW))
           WHERE key = ANY(ARRAY['ip_address', 'user_agent']) AND coalesce(value, '') <> ''
       ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consents_consentevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("consents", "0004_roles"), ("portal", "0008_ledger_guards")]

    operations = [postgres_sql(FORWARD, BACKWARD)]
