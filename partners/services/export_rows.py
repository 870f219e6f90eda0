"""What a de-identified export carries and the rows of one chunk (LY-5, APPI-29): the
exported columns, the customers the gate allows now, and the one statement per chunk that
records each provision and returns its de-identified row (`exports` runs the chunks)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from consents.models import ConsentState, Purpose, PurposeCategory
from consents.selectors import customers_consenting
from partners import selectors
from partners.models import Arrangement, Basis, DataItem, Export, Partner, ProvisionRecord
from partners.services import gate, pseudonyms
from partners.services import records as provision_records
from portal import inventory
from portal.models import User

# The purposes a de-identified export may serve (LY-5 (1)-(4)): provision to partners and
# research. Which purposes exist is configured in consents; these are their categories.
EXPORT_PURPOSE_CATEGORIES = (PurposeCategory.PARTNER_PROVISION, PurposeCategory.RESEARCH)

# What one row of a de-identified export carries (LY-5), as data items.
EXPORT_ITEMS = (
    DataItem.ACCOUNT_PSEUDONYM.value,
    DataItem.PREFECTURE.value,
    DataItem.BIRTH_YEAR.value,
    DataItem.LANGUAGE.value,
    DataItem.USAGE.value,
)

# User fields that are neither data about the person's life nor safe to hand out: account
# machinery and secrets. Everything else not marked direct by the inventory may be exported.
_NOT_EXPORTED = {
    "id",
    "password",
    "last_login",
    "groups",
    "user_permissions",
    "email_confirmed_at",
}


def export_columns() -> list[str]:
    """The user fields an export may carry: every personal field the data inventory does
    not mark as a direct identifier (LW-1), minus account machinery."""
    user_model = get_user_model()
    direct = set(inventory.direct_identifiers(user_model))
    return [
        name
        for name in inventory.personal_fields(user_model)
        if name not in direct and name not in _NOT_EXPORTED
    ]


def export_purposes() -> models.QuerySet[Purpose]:
    return Purpose.objects.filter(category__in=EXPORT_PURPOSE_CATEGORIES, is_active=True)


def export_candidates(*, partner: Partner, purpose: Purpose) -> models.QuerySet:
    """The customers the gate allows for this export, as one ordered queryset of rows
    (id, then the exported columns). Built on
    `customers_consenting`, which already leaves out withdrawn and restricted customers;
    an overseas partner also needs the country's consent."""
    service_code = gate.service_code(partner)
    customers = customers_consenting(purpose_code=purpose.code, service_code=service_code)
    if selectors.needs_overseas_consent(partner, Basis.CONSENT):
        overseas = selectors.overseas_purpose_for(partner.country)
        if overseas is None:
            return customers.none()
        customers = customers.filter(
            pk__in=customers_consenting(purpose_code=overseas.code).values("pk")
        )
    return customers.order_by("pk").values_list("pk", *export_columns())


def csv_line(values: Sequence) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue().encode("utf-8")


# The columns an export writes for each record, in COPY order.
RECORD_COLUMNS = (
    "partner_id",
    "recipient_name",
    "recipient_country",
    "arrangement_id",
    "customer_id",
    "customer_reference",
    "purpose_id",
    "data_items",
    "basis",
    "decided_by",
    "consent_event_id",
    "overseas_consent_event_id",
    "export_id",
    "provided_at",
)


@dataclass(frozen=True)
class ExportPlan:
    """What every chunk of one export binds into its one statement."""

    partner: Partner
    purpose: Purpose
    arrangement_id: int
    service_id: int | None
    overseas_purpose_id: int | None
    key: bytes  # the partner's pseudonym key: a parameter of each statement, never stored

    @classmethod
    def build(cls, export: Export, arrangement: Arrangement) -> ExportPlan:
        partner = export.partner
        overseas = None
        if selectors.needs_overseas_consent(partner, Basis.CONSENT):
            overseas = selectors.overseas_purpose_for(partner.country)
        return cls(
            partner=partner,
            purpose=export.purpose,
            arrangement_id=arrangement.pk,
            service_id=partner.service_id,
            overseas_purpose_id=overseas.pk if overseas else None,
            key=pseudonyms.pseudonym_key(partner),
        )


def chunk_statement(plan: ExportPlan, export: Export, chunk_size: int):
    """One statement per chunk: the next `chunk_size` customers the gate allows *now* (the
    decision is re-taken on every chunk, so a withdrawal or a restriction committed since
    the export started leaves that customer out of every later chunk), one APPI-29 record
    each with the consent relied on (the service-specific state's event first, LY-6, else
    the general one, else none for an opt-out default), and the de-identified columns of
    exactly the customers recorded, with the keyed pseudonym computed by pgcrypto's hmac()."""
    candidates = export_candidates(partner=plan.partner, purpose=plan.purpose)
    chunk_sql, chunk_params = (
        candidates.filter(pk__gt=export.last_customer_id)
        .order_by("pk")
        .values_list("pk")[:chunk_size]
        .query.sql_with_params()
    )
    partner = plan.partner
    state = ConsentState._meta.db_table
    record = ProvisionRecord._meta.db_table
    user = User._meta.db_table
    columns = ", ".join(f'"{name}"' for name in RECORD_COLUMNS)
    sql = f"""
        WITH chunk (id) AS ({chunk_sql}),
        recorded AS (
            INSERT INTO "{record}" ({columns})
            SELECT %s, %s, %s, %s, c.id,
                left(encode(hmac(convert_to('record:' || c.id, 'UTF8'), %s, 'sha256'), 'hex'), 32),
                %s, %s::jsonb, %s,
                CASE WHEN ss.event_id IS NOT NULL THEN 'service'
                     WHEN gs.event_id IS NOT NULL THEN 'general' ELSE 'default' END,
                COALESCE(ss.event_id, gs.event_id), os.event_id, %s, %s
            FROM chunk c
            LEFT JOIN "{state}" ss ON ss.customer_id = c.id AND ss.purpose_id = %s
                AND ss.service_id = %s
            LEFT JOIN "{state}" gs ON gs.customer_id = c.id AND gs.purpose_id = %s
                AND gs.service_id IS NULL
            LEFT JOIN "{state}" os ON os.customer_id = c.id AND os.purpose_id = %s
                AND os.service_id IS NULL
            RETURNING customer_id
        )
        SELECT u.id, encode(hmac(convert_to(u.id::text, 'UTF8'), %s, 'sha256'), 'hex'),
            u.prefecture, u.birth_year, u.preferred_language,
            to_char(u.date_joined AT TIME ZONE %s, 'YYYY-MM')
        FROM recorded r JOIN "{user}" u ON u.id = r.customer_id
        ORDER BY u.id
    """  # noqa: S608 (names are the models'; every value is a parameter)
    secret = settings.PARTNERS_PSEUDONYM_SECRET.encode()
    params = [
        *chunk_params,
        partner.pk,
        f"{partner.name_ja} / {partner.name_en}"[:420],
        partner.country.code,
        plan.arrangement_id,
        secret,
        plan.purpose.pk,
        json.dumps(list(EXPORT_ITEMS)),
        Basis.CONSENT,
        export.pk,
        timezone.now(),
        plan.purpose.pk,
        plan.service_id,
        plan.purpose.pk,
        plan.overseas_purpose_id,
        plan.key,
        timezone.get_current_timezone_name(),
    ]
    return sql, params


def chunk_portable(plan: ExportPlan, export: Export, chunk_size: int) -> list[tuple]:
    """The chunk of `chunk_statement` on a database without pgcrypto (the embedded
    SQLite default of `bin/run`): the same customers decided afresh, the same records and
    the same rows, with the pseudonyms computed here."""
    candidates = export_candidates(partner=plan.partner, purpose=plan.purpose)
    ids = list(
        candidates.filter(pk__gt=export.last_customer_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:chunk_size]
    )
    if not ids:
        return []
    purposes = [plan.purpose.pk, plan.overseas_purpose_id]
    events = {
        (state.customer_id, state.purpose_id, state.service_id): state.event_id
        for state in ConsentState.objects.filter(customer_id__in=ids, purpose_id__in=purposes)
    }
    partner, now = plan.partner, timezone.now()
    records, rows = [], []
    for customer in User.objects.filter(pk__in=ids).order_by("pk"):
        specific = events.get((customer.pk, plan.purpose.pk, plan.service_id))
        general = events.get((customer.pk, plan.purpose.pk, None))
        records.append(
            ProvisionRecord(
                partner=partner,
                recipient_name=f"{partner.name_ja} / {partner.name_en}"[:420],
                recipient_country=partner.country.code,
                arrangement_id=plan.arrangement_id,
                customer_id=customer.pk,
                customer_reference=provision_records.customer_reference(customer.pk),
                purpose_id=plan.purpose.pk,
                data_items=list(EXPORT_ITEMS),
                basis=Basis.CONSENT,
                decided_by="service" if specific else "general" if general else "default",
                consent_event_id=specific or general,
                overseas_consent_event_id=events.get((customer.pk, plan.overseas_purpose_id, None)),
                export_id=export.pk,
                provided_at=now,
            )
        )
        rows.append(
            (
                customer.pk,
                pseudonyms.pseudonym(key=plan.key, customer_id=customer.pk),
                customer.prefecture,
                customer.birth_year,
                customer.preferred_language,
                timezone.localtime(customer.date_joined).strftime("%Y-%m"),
            )
        )
    ProvisionRecord.objects.bulk_create(records)
    return rows
