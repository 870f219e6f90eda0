"""Factories of the requests app. A request can be made in any state directly, for tests of
what happens next; filing itself is tested through the service and the pages."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

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
