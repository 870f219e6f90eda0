"""What the partner API does, behind its thin views (issue 14): ask the gate, provide with
the APPI-29 record, read the consent state for one partner, and the audit of every call.

The gate itself is `partners.services.gate.provision_decide` /
`partners.services.records.provision_record`; this module only translates between subjects
and customers and never decides on its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consents.models import Purpose
from consents.selectors import consent_decide
from partners.api.models import ApiIdempotencyKey, ApiKey, PartnerSubject
from partners.errors import PartnerError
from partners.models import Arrangement, ArrangementStatus, Basis, DataItem, Partner
from partners.services import gate, records
from portal.models import User
from portal.services import audit_record

# What each data item is, read from the customer's profile when a provision is allowed.
# Inquiry contents and backups do not go over this API (they are not profile values).
PROVIDABLE = (
    DataItem.NAME,
    DataItem.EMAIL,
    DataItem.PHONE,
    DataItem.POSTAL_ADDRESS,
    DataItem.PREFECTURE,
    DataItem.BIRTH_YEAR,
    DataItem.LANGUAGE,
    DataItem.ACCOUNT_PSEUDONYM,
    DataItem.USAGE,
)


class ApiRefusal(Exception):
    """An API call that is answered with an error status; the message is for the caller."""

    def __init__(self, status: int, message: str, *, subject: PartnerSubject | None = None):
        super().__init__(message)
        self.status = status
        self.subject = subject


def api_call_record(
    *,
    key: ApiKey,
    operation: str,
    status: int,
    subject: PartnerSubject | None = None,
    decision: str | None = None,
    extra: dict | None = None,
) -> None:
    """Audit one call (issue 14): system, key, subject, decision; never a personal value
    (the subject is named by our row id and the partner's pseudonymous id)."""
    payload: dict[str, Any] = {
        "system": key.system_id,
        "partner": key.system.partner_id,
        "key": key.prefix,
        "operation": operation,
        "status": status,
    }
    if subject is not None:
        payload["subject"] = subject.pk
    if decision is not None:
        payload["decision"] = decision
    payload.update(extra or {})
    audit_record(actor=None, action="partners.api.called", target=key, payload=payload)


def require_scope(key: ApiKey, scope: str) -> None:
    if scope not in key.scopes:
        raise ApiRefusal(
            403, _("This key may not do this (scope “%(scope)s” needed).") % {"scope": scope}
        )


def subject_resolve(key: ApiKey, subject_id: str) -> PartnerSubject:
    from partners.api.subjects import subject_find

    subject = subject_find(partner=key.system.partner, subject_id=subject_id)
    if subject is None or not subject.customer.is_active:
        raise ApiRefusal(404, _("No such subject."))
    return subject


def purpose_resolve(code: str) -> Purpose:
    purpose = Purpose.objects.filter(code=code, is_active=True).first()
    if purpose is None:
        raise ApiRefusal(422, _("Unknown purpose: %(code)s") % {"code": code[:64]})
    return purpose


# --- the decision in both languages --------------------------------------------------------


def _reason_text(decision: gate.ProvisionDecision) -> str | None:
    """The reason in the active language for the reasons we know; None otherwise."""
    if decision.allowed:
        if decision.basis == Basis.CONSENT:
            return _("Allowed: the customer agreed (decided by the %(which)s consent).") % {
                "which": decision.decided_by
            }
        return _("Allowed: %(basis)s within the recorded items and purposes.") % {
            "basis": Basis(decision.basis).label
            if decision.basis in Basis.values
            else decision.basis
        }
    texts = {
        "no_arrangement": _("No active arrangement with this partner covers this purpose."),
        "items_outside": _("The arrangement does not cover every data item asked for."),
        "restricted": _(
            "The customer asked to stop this use or provision (suspension or third-party stop)."
        ),
        "no_consent": _("The customer has not agreed to this purpose."),
        "partner_inactive": _("The partner is not active."),
        "unknown_items": _("Name one or more known data items."),
    }
    return texts.get(decision.reason)


def decision_messages(decision: gate.ProvisionDecision, redo) -> dict[str, str]:
    """{"ja": ..., "en": ...}. A reason this module does not know (a newer gate rule) is
    asked of the gate again in the other language (`redo()`), so nothing is lost."""
    messages = {}
    for language in ("ja", "en"):
        with translation.override(language):
            text = _reason_text(decision)
            if text is None:
                text = redo().message
            messages[language] = str(text)
    return messages


@dataclass(frozen=True)
class GateAnswer:
    decision: gate.ProvisionDecision
    messages: dict[str, str]


def gate_ask(
    *, key: ApiKey, subject: PartnerSubject, purpose: Purpose, items: list[str]
) -> GateAnswer:
    """Ask the gate; nothing is recorded."""
    partner = key.system.partner

    def redo():
        return gate.provision_decide(
            customer=subject.customer, partner=partner, purpose=purpose, items=items
        )

    decision = redo()
    return GateAnswer(decision=decision, messages=decision_messages(decision, redo))


# --- provide (APPI-29) ----------------------------------------------------------------------


def _value(customer: User, subject: PartnerSubject, item: str):
    if item == DataItem.NAME:
        return customer.full_name
    if item == DataItem.EMAIL:
        return customer.email
    if item == DataItem.PHONE:
        return customer.phone
    if item == DataItem.POSTAL_ADDRESS:
        return " ".join(v for v in (customer.postal_code, customer.address) if v)
    if item == DataItem.PREFECTURE:
        return customer.prefecture
    if item == DataItem.BIRTH_YEAR:
        return customer.birth_year
    if item == DataItem.LANGUAGE:
        return customer.preferred_language
    if item == DataItem.ACCOUNT_PSEUDONYM:
        return subject.subject_id
    if item == DataItem.USAGE:
        joined = timezone.localtime(customer.date_joined)
        return f"{joined.year:04d}-{joined.month:02d}"
    raise ApiRefusal(
        422, _("This data item cannot be provided over the API: %(item)s") % {"item": item}
    )


def request_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ProvideAnswer:
    answer: dict  # decision fields and messages (stored for replays; no values)
    values: dict | None
    replayed: bool


def provide(
    *,
    key: ApiKey,
    subject: PartnerSubject,
    purpose: Purpose,
    items: list[str],
    idempotency_key: str,
) -> ProvideAnswer:
    """Ask the gate and, when it allows, hand over the values of the items with the APPI-29
    record written in the same transaction (`provision_record`: consent, entrustment and
    joint use each recorded with their basis). Under one Idempotency-Key a system gets one
    answer: a retry is not provided or recorded again. The stored answer holds no values;
    a replay reads them again only while the gate still allows the provision."""
    unsupported = [i for i in items if i not in PROVIDABLE]
    if unsupported:
        raise ApiRefusal(
            422,
            _("These data items cannot be provided over the API: %(items)s")
            % {"items": ", ".join(sorted(unsupported))},
        )
    system = key.system
    partner = system.partner
    digest = request_hash(
        {"subject": subject.subject_id, "purpose": purpose.code, "items": sorted(items)}
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = ApiIdempotencyKey.objects.create(
                    system=system, key=idempotency_key, request_hash=digest
                )
        except IntegrityError:
            # A retry: wait for the first call to commit, then answer what it answered.
            row = ApiIdempotencyKey.objects.select_for_update().get(
                system=system, key=idempotency_key
            )
            return _replay(
                row=row, digest=digest, subject=subject, partner=partner, purpose=purpose
            )

        def redo():
            return gate.provision_decide(
                customer=subject.customer, partner=partner, purpose=purpose, items=items
            )

        record = None
        try:
            with transaction.atomic():
                record = records.provision_record(
                    customer=subject.customer, partner=partner, purpose=purpose, items=items
                )
            decision = _decision_of(record)
        except PartnerError as exc:
            if exc.decision is None:
                raise
            decision = exc.decision
        answer = {
            **_decision_fields(decision),
            "messages": decision_messages(decision, redo),
        }
        row.response = answer
        row.record = record
        row.save(update_fields=["response", "record"])
        values = (
            {item: _value(subject.customer, subject, item) for item in sorted(set(items))}
            if record is not None
            else None
        )
    return ProvideAnswer(answer=answer, values=values, replayed=False)


def _decision_of(record) -> gate.ProvisionDecision:
    return gate.ProvisionDecision(
        allowed=True,
        basis=record.basis,
        reason="allowed",
        message="",
        arrangement=record.arrangement,
        decided_by=record.decided_by,
        items=tuple(record.data_items),
    )


def _decision_fields(decision: gate.ProvisionDecision) -> dict:
    return {
        "allowed": decision.allowed,
        "basis": decision.basis,
        "reason": decision.reason,
        "decided_by": decision.decided_by or None,
        "items": list(decision.items),
    }


def _replay(*, row, digest, subject, partner, purpose) -> ProvideAnswer:
    if row.request_hash != digest:
        raise ApiRefusal(409, _("This Idempotency-Key was used for a different request."))
    answer = dict(row.response)
    if not row.record_id:
        return ProvideAnswer(answer=answer, values=None, replayed=True)
    record = row.record
    now = gate.provision_decide(
        customer=subject.customer, partner=partner, purpose=purpose, items=record.data_items
    )
    if not now.allowed:
        # The basis ended since (a withdrawal): the earlier provision stands, nothing more goes.
        return ProvideAnswer(answer=answer, values=None, replayed=True)
    values = {item: _value(subject.customer, subject, item) for item in record.data_items}
    return ProvideAnswer(answer=answer, values=values, replayed=True)


# --- consent state for one partner ----------------------------------------------------------


def partner_purposes(partner: Partner) -> list[Purpose]:
    today = timezone.localdate()
    ids = {
        purpose_id
        for arrangement in Arrangement.objects.filter(
            partner=partner, status=ArrangementStatus.ACTIVE
        ).prefetch_related("purposes")
        if arrangement.in_force(today)
        for purpose_id in (p.pk for p in arrangement.purposes.all())
    }
    return list(Purpose.objects.filter(pk__in=ids).order_by("position", "code"))


def consent_state(*, partner: Partner, subject: PartnerSubject) -> list[dict]:
    """Per purpose this partner's arrangements cover: granted or not, which consent decided
    (service, general, default, restriction ...; LY-6) and since when."""
    service_code = partner.service.code if partner.service_id else None
    rows = []
    for purpose in partner_purposes(partner):
        decision = consent_decide(
            customer=subject.customer, purpose_code=purpose.code, service_code=service_code
        )
        rows.append(
            {
                "purpose": purpose.code,
                "name": {"ja": purpose.name_ja, "en": purpose.name_en},
                "granted": decision.granted,
                "decided_by": decision.decided_by,
                "since": decision.event.created_at if decision.event is not None else None,
            }
        )
    return rows
