"""The audit log guards itself at the database, for the two database roles (LW-5).

- The trigger refuses UPDATE, DELETE and (new) TRUNCATE. The one UPDATE it lets through
  blanks the IP address of an event whose actor is an erased account and changes nothing
  else; before, it let anyone blank the IP address of any row.
- `portal_user_is_erased(id)`: the account was closed by an erasure (inactive, with the
  pseudonymous address `erased-...@erased.invalid` that the erasure gives it,
  portal/erasure.py).
- `portal_auditevent_erase(customer)`: SECURITY DEFINER, with a fixed search_path. Refuses a
  customer that is not erased; blanks that customer's IP addresses and nothing else. The
  runtime role holds SELECT and INSERT on the table and EXECUTE on this function only.
- COMMENT 'portal:append-only' tells db_grant_runtime which grants the table gets.
"""

from django.db import migrations

from portal.appendonly import postgres_sql

FORWARD = r"""
CREATE OR REPLACE FUNCTION portal_user_is_erased(user_id bigint) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = {schema}, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM portal_user
        WHERE id = user_id AND NOT is_active AND email LIKE 'erased-%@erased.invalid'
    )
$$;

CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.ip_address IS NULL
           AND (to_jsonb(NEW) - 'ip_address') = (to_jsonb(OLD) - 'ip_address')
           AND portal_user_is_erased(OLD.actor_id) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'portal_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER portal_auditevent_refuse_truncate
    BEFORE TRUNCATE ON portal_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION portal_auditevent_append_only();

CREATE OR REPLACE FUNCTION portal_auditevent_erase(customer bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    blanked integer;
BEGIN
    IF NOT portal_user_is_erased(customer) THEN
        RAISE EXCEPTION 'portal_auditevent_erase: account % is not erased', customer
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE portal_auditevent SET ip_address = NULL
        WHERE actor_id = customer AND ip_address IS NOT NULL;
    GET DIAGNOSTICS blanked = ROW_COUNT;
    RETURN blanked;
END;
$$;
REVOKE ALL ON FUNCTION portal_auditevent_erase(bigint) FROM PUBLIC;

COMMENT ON TABLE portal_auditevent IS 'portal:append-only (audit log, LW-5)';
"""

BACKWARD = r"""
COMMENT ON TABLE portal_auditevent IS NULL;
DROP FUNCTION IF EXISTS portal_auditevent_erase(bigint);
DROP TRIGGER IF EXISTS portal_auditevent_refuse_truncate ON portal_auditevent;
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - ARRAY['ip_address']) = (to_jsonb(OLD) - ARRAY['ip_address'])
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_each_text(to_jsonb(NEW))
           WHERE key = ANY(ARRAY['ip_address']) AND coalesce(value, '') <> ''
       ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'portal_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS portal_user_is_erased(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0007_job_schedules")]

    operations = [postgres_sql(FORWARD, BACKWARD)]
