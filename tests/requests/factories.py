"""Factories of the requests app. A request can be made in any state directly, for tests of
what happens next; filing itself is tested through the service and the pages."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from portal.models import User
from requests.models import (
    CHARGEABLE_KINDS,
    DataRequest,
    DayMode,
    FeeSchedule,
    FeeStatus,
    Kind,
    Outcome,
    RequestMessage,
    Status,
)
from tests.factories import UserFactory


class DataRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataRequest

    reference = factory.Sequence(lambda n: f"DR-2099-{n:06d}")
    kind = Kind.INQUIRY
    customer = factory.SubFactory(UserFactory)
    details = factory.LazyAttribute(
        lambda o: (
            {"subject": "質問", "message": "データの扱いについて"} if o.kind == Kind.INQUIRY else {}
        )
    )
    received_at = factory.LazyFunction(timezone.now)
    sla_days = 14
    sla_day_mode = DayMode.CALENDAR
    due_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=o.sla_days))


def data_request(*, status: str = Status.SUBMITTED, **kwargs) -> DataRequest:
    """A request in `status`, with the fields that state implies."""
    now = timezone.now()
    extra: dict = {}
    if kwargs.get("kind") in CHARGEABLE_KINDS and "fee_yen" not in kwargs:
        extra["fee_yen"] = 1000
    if status in (Status.IN_REVIEW, Status.AWAITING_PAYMENT, Status.AWAITING_APPROVAL):
        extra["identity_confirmed_at"] = now
    if status in (Status.AWAITING_CUSTOMER, Status.AWAITING_PAYMENT):
        extra["paused_since"] = now
    if status == Status.AWAITING_PAYMENT:
        extra["fee_status"] = FeeStatus.QUOTED
        extra.setdefault("fee_yen", 1000)
        kwargs.setdefault("kind", Kind.DISCLOSURE)
    if status == Status.AWAITING_APPROVAL:
        extra["outcome"] = Outcome.REFUSED
        extra["outcome_reason"] = "draft"
    if status == Status.CLOSED:
        extra["closed_at"] = now
        extra["outcome"] = Outcome.FULFILLED
        extra["outcome_reason"] = "done"
    return DataRequestFactory(status=status, **{**extra, **kwargs})


def fee(kind: str = Kind.DISCLOSURE, delivery_method: str = "electronic", amount_yen: int = 1000):
    return FeeSchedule.objects.create(
        kind=kind, delivery_method=delivery_method, amount_yen=amount_yen
    )


def message(req: DataRequest, *, author=None, body: str = "こんにちは", from_staff=False):
    return RequestMessage.objects.create(
        request=req, author=author or req.customer, body=body, from_staff=from_staff
    )


def footprint(customer, *, tag: str, staff) -> dict:
    """Data about `customer` in every category of the data inventory, with values that
    contain `tag` so that a test can find them anywhere: profile, access log, consents (with
    a restriction), a provision record, requests with a message, a document, a payment."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from consents.services import consent_change, restriction_record
    from partners.services import records
    from portal.middleware import request_context_set
    from portal.models import AccessLogEntry
    from requests.models import FeePayment, PaymentKind
    from requests.services import documents, messages
    from tests.consents.factories import opt_in_purpose, provision_purpose
    from tests.partners.factories import partner_with
    from tests.requests.conftest import PDF

    ip = {"alice": "203.0.113.7", "bob": "198.51.100.9"}.get(tag, "192.0.2.1")
    type(customer).objects.filter(pk=customer.pk).update(
        phone=f"090-{tag}-0001",
        postal_code=f"100-{tag}",
        prefecture="13",
        address=f"千代田区 {tag} 1-1",
        birth_year=1988,
    )
    customer.refresh_from_db()
    AccessLogEntry.objects.create(
        user=customer, action="sign_in", ip_address=ip, user_agent=f"Browser/{tag}"
    )
    marketing = opt_in_purpose(code="marketing-news")
    provision = provision_purpose(code="partner-quality")
    with request_context_set(ip_address=ip, user_agent=f"Browser/{tag}"):
        consent_change(
            customer=customer,
            choices={marketing.code: True, provision.code: True},
            source="web",
        )
    partner = partner_with(purpose=provision, items=["email"])
    record = records.provision_record(
        customer=customer, partner=partner, purpose=provision, items=["email"]
    )
    restriction_record(
        customer=customer,
        kind="suspension",
        purposes=[marketing],
        reference=f"R-{tag}",
        actor=staff,
    )
    req = data_request(
        status=Status.IN_REVIEW,
        customer=customer,
        kind=Kind.CORRECTION,
        details={"field": "phone", "new_value": f"080-{tag}-9999", "explanation": f"why {tag}"},
    )
    message(req, body=f"message from {tag}")
    messages.message_post(request=req, author=staff, body=f"staff reply to {tag}")
    documents.document_upload(
        request=req,
        uploaded_by=customer,
        upload=SimpleUploadedFile(f"passport-{tag}.pdf", PDF, "application/pdf"),
    )
    paid = data_request(
        status=Status.CLOSED, customer=customer, kind=Kind.PURPOSE_NOTICE, fee_yen=500
    )
    FeePayment.objects.create(
        request=paid,
        kind=PaymentKind.PAYMENT,
        method="card",
        amount_yen=500,
        paid_on=date(2026, 5, 1),
        recorded_by=staff,
        note=f"paid by {tag}",
    )
    return {"ip": ip, "request": req, "record": record, "partner": partner}


def erasure_approved(req: DataRequest, *, asked_by: User, decided_by: User):
    """A whole-account deletion approved by a privacy administrator (LW-5), as
    `services.approval_decide` leaves it, so that a test can carry the erasure out itself."""
    from requests.models import Approval, ApprovalKind, ApprovalStatus

    return Approval.objects.create(
        request=req,
        kind=ApprovalKind.ERASURE,
        status=ApprovalStatus.APPROVED,
        asked_by=asked_by,
        reason="本人確認済み、他の請求はありません。",
        decided_by=decided_by,
        decided_at=timezone.now(),
    )
