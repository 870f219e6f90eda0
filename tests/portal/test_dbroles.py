"""Two database roles (LW-5): what the portal's own credentials can and cannot do.

The tests connect as the runtime role of DATABASE_URL (bin/test sets DATABASE_OWNER_URL to the
owner); `connection` below is that role's psycopg connection. Expected privileges are written
out here, not read from portal/dbroles.py.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from consents.models import ConsentEvent
from partners.models import Basis, DataItem, ProvisionRecord
from partners.services import records
from portal import dbroles
from portal.middleware import request_context_set
from portal.models import AuditEvent
from portal.services import audit_record
from requests.services import erasure
from tests import factories as people
from tests.consents import factories as cf
from tests.dbroles import provision_retention
from tests.partners import factories as pf

LEDGERS = ["consents_consentevent", "partners_provisionrecord", "portal_auditevent"]
FUNCTIONS = [
    "consents_consentevent_erase(bigint)",
    "partners_provisionrecord_purge(timestamp with time zone)",
    "partners_provisionrecord_unlink(bigint)",
    "portal_auditevent_erase(bigint)",
]


@pytest.fixture
def runtime() -> str:
    """The runtime role's name; the test needs the two roles on PostgreSQL."""
    if connection.vendor != "postgresql" or settings.DATABASE_OWNER is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI runs on two database roles: set DATABASE_OWNER_URL")
        pytest.skip("needs DATABASE_OWNER_URL and a runtime role in DATABASE_URL")
    user = connection.settings_dict["USER"]
    assert user == settings.DATABASE_OWNER["RUNTIME_USER"] != settings.DATABASE_OWNER["USER"]
    return user


def _sql(sql: str, params=None):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _refused(sql: str, params=None, *, match: str) -> None:
    with pytest.raises(DatabaseError, match=match):
        _sql(sql, params)


@pytest.fixture
def ledger_rows(db, runtime, customer, other_customer):
    """One row in each ledger for the customer, and one for the other customer, all with the
    network address 203.0.113.7 and an old provision date (past any retention)."""
    purpose = cf.opt_in_purpose()
    partner = pf.partner_with(purpose=purpose, items=[DataItem.PREFECTURE])
    rows = {}
    for who in (customer, other_customer):
        with request_context_set(ip_address="203.0.113.7", user_agent="Firefox"):
            audit = audit_record(actor=who, action="portal.test.did")
            consent = ConsentEvent.objects.create(
                customer=who,
                purpose=purpose,
                granted=True,
                source="web",
                ip_address="203.0.113.7",
                user_agent="Firefox",
            )
        record = ProvisionRecord.objects.create(
            partner=partner,
            recipient_name=partner.name_en,
            recipient_country="JP",
            customer=who,
            customer_reference=records.customer_reference(who.pk),
            purpose=purpose,
            data_items=[DataItem.PREFECTURE],
            basis=Basis.CONSENT,
            provided_at=timezone.now() - datetime.timedelta(days=20 * 365),
        )
        rows[who.pk] = (audit, consent, record)
    return rows


# --- what the role is --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
def test_the_runtime_role_owns_nothing_and_has_no_powers(db, runtime):
    assert _sql("SELECT current_user, session_user") == [(runtime, runtime)]
    owned = _sql(
        "SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole"
        " UNION ALL SELECT count(*) FROM pg_proc WHERE proowner = current_user::regrole"
        " UNION ALL SELECT count(*) FROM pg_namespace WHERE nspowner = current_user::regrole"
    )
    assert owned == [(0,), (0,), (0,)]
    # Granting itself more is a no-op (PostgreSQL warns, grants nothing).
    _sql("GRANT UPDATE, DELETE, TRUNCATE ON portal_auditevent TO CURRENT_USER")
    assert _sql("SELECT has_table_privilege('portal_auditevent', 'UPDATE, DELETE, TRUNCATE')") == [
        (False,)
    ]
    powers = _sql(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
        " FROM pg_roles WHERE rolname = current_user"
    )
    assert powers == [(False, False, False, False, False)]
    assert _sql("SELECT has_schema_privilege(current_schema(), 'CREATE')") == [(False,)]


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
def test_privileges_on_the_ledgers_are_select_and_insert(db, runtime):
    rows = _sql(
        "SELECT t, p, has_table_privilege(t, p) FROM unnest(%s::text[]) t,"
        " unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES',"
        " 'TRIGGER']) p ORDER BY t, p",
        [LEDGERS],
    )
    held = {(table, privilege) for table, privilege, has in rows if has}
    assert held == {(table, p) for table in LEDGERS for p in ("INSERT", "SELECT")}
    # Ordinary tables: the four data verbs, never TRUNCATE; the owner's settings: read only.
    assert _sql(
        "SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p"
        " WHERE has_table_privilege('portal_user', p)"
    ) == [("SELECT",), ("INSERT",), ("UPDATE",), ("DELETE",)]
    for table in ("django_migrations", "partners_provisionrecord_retention"):
        assert _sql(
            "SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p"
            " WHERE has_table_privilege(%s, p)",
            [table],
        ) == [("SELECT",)]
    executable = _sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.prosecdef"
        " AND p.pronamespace = current_schema()::regnamespace"
        " AND has_function_privilege(p.oid, 'EXECUTE') ORDER BY 1"
    )
    assert [name for (name,) in executable] == FUNCTIONS


# --- what the role is refused ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
@pytest.mark.parametrize("table", LEDGERS)
@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("TRUNCATE {table}", "permission denied"),
        ("TRUNCATE {table} CASCADE", "permission denied"),
        ("UPDATE {table} SET id = id", "permission denied"),
        ("DELETE FROM {table}", "permission denied"),
        ("ALTER TABLE {table} DISABLE TRIGGER ALL", "must be owner"),
        ("ALTER TABLE {table} DISABLE TRIGGER USER", "must be owner"),
        ("ALTER TABLE {table} OWNER TO CURRENT_USER", "must be owner"),
        ("DROP TABLE {table}", "must be owner"),
    ],
)
def test_the_runtime_role_cannot_change_or_wipe_a_ledger(ledger_rows, table, sql, match):
    before = _sql(f"SELECT count(*) FROM {table}")
    _refused(sql.format(table=table), match=match)
    assert _sql(f"SELECT count(*) FROM {table}") == before


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
def test_the_old_bypasses_are_gone(ledger_rows, customer):
    audit, consent, record = ledger_rows[customer.pk]
    # Replication mode would skip the triggers: only a superuser may set it.
    _refused("SET session_replication_role = replica", match="permission denied")
    _refused("SET LOCAL session_replication_role = replica", match="permission denied")
    # The purge setting the old trigger trusted: set it, and the DELETE is still refused.
    _refused(
        "SELECT set_config('partners.purge_before', '2999-01-01', true);"
        " DELETE FROM partners_provisionrecord WHERE id = %s",
        [record.pk],
        match="permission denied",
    )
    # The old "blank the IP of any row" exception.
    _refused(
        "UPDATE portal_auditevent SET ip_address = NULL WHERE id = %s",
        [audit.pk],
        match="permission denied",
    )
    _refused(
        "UPDATE consents_consentevent SET ip_address = NULL, user_agent = '' WHERE id = %s",
        [consent.pk],
        match="permission denied",
    )
    _refused(
        "UPDATE partners_provisionrecord SET customer_id = NULL WHERE id = %s",
        [record.pk],
        match="permission denied",
    )
    assert AuditEvent.objects.get(pk=audit.pk).ip_address == "203.0.113.7"
    assert ConsentEvent.objects.get(pk=consent.pk).user_agent == "Firefox"
    assert ProvisionRecord.objects.get(pk=record.pk).customer == customer


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(
    "function",
    ["portal_auditevent_erase", "consents_consentevent_erase", "partners_provisionrecord_unlink"],
)
def test_the_erasure_functions_refuse_an_account_that_is_not_erased(
    ledger_rows, customer, function
):
    _refused(f"SELECT {function}(%s)", [customer.pk], match="is not erased")
    _refused(f"SELECT {function}(NULL)", match="is not erased")
    audit, consent, record = ledger_rows[customer.pk]
    assert AuditEvent.objects.get(pk=audit.pk).ip_address == "203.0.113.7"
    assert ConsentEvent.objects.get(pk=consent.pk).ip_address == "203.0.113.7"
    assert ProvisionRecord.objects.get(pk=record.pk).customer == customer


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
def test_a_session_search_path_does_not_reach_the_functions(ledger_rows, customer):
    """A schema of the caller's first on the search_path cannot swap the tables or the
    erasure check the functions use (the role may not create one anyway)."""
    _refused("CREATE SCHEMA attacker", match="permission denied")
    _refused("CREATE TEMP TABLE portal_user (id bigint)", match="permission denied to create temp")
    _refused(
        "SET LOCAL search_path = pg_temp, public; SELECT portal_auditevent_erase(%s)",
        [customer.pk],
        match="is not erased",
    )


@pytest.mark.postgres
@pytest.mark.clause("LW-5", "APPI-29")
def test_the_purge_refuses_a_cutoff_inside_the_retention_period(ledger_rows, customer):
    *_, record = ledger_rows[customer.pk]
    young = ProvisionRecord.objects.create(
        partner=record.partner,
        recipient_name="x",
        recipient_country="JP",
        customer=customer,
        customer_reference=record.customer_reference,
        purpose=record.purpose,
        data_items=[],
        basis=Basis.CONSENT,
        provided_at=timezone.now() - datetime.timedelta(days=10),
    )
    for cutoff in ("now()", "now() + interval '1 year'", "now() - interval '1094 days'", "NULL"):
        _refused(f"SELECT partners_provisionrecord_purge({cutoff})", match="within the retention")
    assert ProvisionRecord.objects.filter(pk=young.pk).exists()
    # The runtime role cannot move the period either.
    _refused("UPDATE partners_provisionrecord_retention SET days = 1", match="permission denied")


# --- what still works ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.clause("LW-5", "LW-6.1")
def test_erasure_blanks_and_unlinks_the_erased_account_only(
    ledger_rows, customer, other_customer, agent
):
    with transaction.atomic():
        erasure.account_erase(customer=customer, actor=agent)
    audit, consent, record = ledger_rows[customer.pk]
    assert AuditEvent.objects.get(pk=audit.pk).ip_address is None
    assert AuditEvent.objects.get(pk=audit.pk).action == "portal.test.did"
    erased_consent = ConsentEvent.objects.get(pk=consent.pk)
    assert (erased_consent.ip_address, erased_consent.user_agent) == (None, "")
    assert erased_consent.customer_id == customer.pk and erased_consent.granted
    erased_record = ProvisionRecord.objects.get(pk=record.pk)
    assert erased_record.customer is None
    assert erased_record.customer_reference == records.customer_reference(customer.pk)
    audit, consent, record = ledger_rows[other_customer.pk]
    assert AuditEvent.objects.get(pk=audit.pk).ip_address == "203.0.113.7"
    assert ConsentEvent.objects.get(pk=consent.pk).user_agent == "Firefox"
    assert ProvisionRecord.objects.get(pk=record.pk).customer == other_customer


@pytest.mark.postgres
@pytest.mark.clause("LW-5", "APPI-29")
def test_the_retention_purge_still_works(ledger_rows, customer, settings):
    *_, record = ledger_rows[customer.pk]
    recent = ProvisionRecord.objects.create(
        partner=record.partner,
        recipient_name="x",
        recipient_country="JP",
        customer=customer,
        customer_reference=record.customer_reference,
        purpose=record.purpose,
        data_items=[],
        basis=Basis.CONSENT,
        provided_at=timezone.now() - datetime.timedelta(days=100),
    )
    # A shorter period in the settings alone: the database's 3 years still hold the record.
    settings.PROVISION_RECORD_RETENTION_DAYS = 30
    with provision_retention(3 * 365):
        assert records.provision_records_purge() == 2
    assert list(ProvisionRecord.objects.all()) == [recent]
    assert AuditEvent.objects.filter(action="partners.records.purged").count() == 1


# --- the owner meets the triggers too ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
@pytest.mark.parametrize("table", LEDGERS)
def test_even_the_owner_is_refused_truncate(db, runtime, table):
    with pytest.raises(DatabaseError, match="refused"), dbroles.owner_cursor(connection) as c:
        c.execute("SET LOCAL lock_timeout = '20s'")  # never hang the suite on a lock
        c.execute(f"TRUNCATE {table} CASCADE")


# --- db_grant_runtime ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
def test_grant_command_is_idempotent_and_refuses_bad_roles(db, runtime, capsys):
    call_command("db_grant_runtime", "--role", runtime)
    first = capsys.readouterr().out
    call_command("db_grant_runtime", "--role", runtime)
    assert capsys.readouterr().out == first
    assert "portal_auditevent: SELECT, INSERT" in first
    assert "portal_auditevent_erase(bigint): EXECUTE" in first
    owner = settings.DATABASE_OWNER["USER"]
    with pytest.raises(CommandError, match="owns the tables"):
        call_command("db_grant_runtime", "--role", owner)
    with pytest.raises(CommandError, match="superuser"):
        call_command("db_grant_runtime", "--role", "postgres")
    with pytest.raises(CommandError, match="not a plain role name"):
        call_command("db_grant_runtime", "--role", 'x"; DROP TABLE portal_user; --')


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
def test_tables_the_owner_creates_later_are_granted_by_default(transactional_db, runtime):
    with dbroles.owner_cursor(connection) as cursor:
        cursor.execute("CREATE TABLE dbroles_later (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    try:
        assert _sql("INSERT INTO dbroles_later DEFAULT VALUES RETURNING id") == [(1,)]
        assert _sql(
            "SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p"
            " WHERE has_table_privilege('dbroles_later', p)"
        ) == [("SELECT",), ("INSERT",), ("UPDATE",), ("DELETE",)]
    finally:
        with dbroles.owner_cursor(connection) as cursor:
            cursor.execute("DROP TABLE dbroles_later")


def test_with_one_role_nothing_needs_an_owner(db):
    """Without DATABASE_OWNER_URL (SQLite, or one role) the owner helpers step aside."""
    if settings.DATABASE_OWNER is None:
        assert dbroles.runtime_role_name() is None
        with dbroles.as_owner(connection):
            assert connection.settings_dict["USER"] == settings.DATABASES["default"]["USER"]
    else:
        assert dbroles.runtime_role_name() == settings.DATABASE_OWNER["RUNTIME_USER"]
    assert people.customer(email="one-role@example.jp").pk is not None
