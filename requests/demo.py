"""Demo data of the requests app: deadlines, the fee schedule, and a few requests in different
states, moved there through the workflow. Running it again duplicates nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.models import User
from requests import workflow
from requests.models import DataRequest, DayMode, DeliveryMethod, FeeSchedule, Kind, SLAConfig
from requests.services import decisions, filing, messages

FEES = [
    (Kind.DISCLOSURE, DeliveryMethod.ELECTRONIC, 500),
    (Kind.DISCLOSURE, DeliveryMethod.PAPER, 1000),
    (Kind.PROVISION_RECORDS, DeliveryMethod.ELECTRONIC, 500),
    (Kind.PROVISION_RECORDS, DeliveryMethod.PAPER, 1000),
    (Kind.PURPOSE_NOTICE, DeliveryMethod.ELECTRONIC, 300),
    (Kind.PURPOSE_NOTICE, DeliveryMethod.PAPER, 300),
]


@transaction.atomic
def load(*, out) -> None:
    for kind in Kind.values:
        # Inquiries are answered within ten business days; the rest within 14 calendar days.
        days, mode = (10, DayMode.BUSINESS) if kind == Kind.INQUIRY else (14, DayMode.CALENDAR)
        SLAConfig.objects.get_or_create(kind=kind, defaults={"days": days, "day_mode": mode})
    for kind, method, amount in FEES:
        FeeSchedule.objects.get_or_create(
            kind=kind, delivery_method=method, defaults={"amount_yen": amount}
        )
    hanako = User.objects.filter(email="hanako@example.jp").first()
    emma = User.objects.filter(email="emma@example.com").first()
    staff = User.objects.filter(email="staff@example.jp").first()
    if not (hanako and emma and staff):
        return
    if not DataRequest.objects.filter(customer=hanako).exists():
        req = filing.request_file(
            customer=hanako,
            kind=Kind.DISCLOSURE,
            details={"scope": "all", "categories": []},
            delivery_method=DeliveryMethod.ELECTRONIC,
        )
        workflow.request_verification_start(request_id=req.pk, actor=staff)
        workflow.request_identity_confirm(request_id=req.pk, actor=staff)
        workflow.request_fee_quote(request_id=req.pk, actor=staff)
        out(f"  request        {req.reference} disclosure, waiting for payment (hanako)")
    if not DataRequest.objects.filter(customer=emma).exists():
        inquiry = filing.request_file(
            customer=emma,
            kind=Kind.INQUIRY,
            details={
                "subject": "Data after cancellation",
                "message": "How long do you keep my data after I cancel my account?",
            },
        )
        messages.message_post(
            request=inquiry,
            author=staff,
            body="We keep account data for 30 days after cancellation, then delete it.",
        )
        workflow.request_verification_start(request_id=inquiry.pk, actor=staff)
        workflow.request_identity_confirm(request_id=inquiry.pk, actor=staff)
        workflow.request_close(
            request_id=inquiry.pk,
            actor=staff,
            outcome="fulfilled",
            reason="We answered your question by message.",
        )
        correction = filing.request_file(
            customer=emma,
            kind=Kind.CORRECTION,
            details={
                "field": "address",
                "new_value": "2-2 Umeda, Kita-ku, Osaka",
                "explanation": "",
            },
        )
        messages.message_post(
            request=correction, author=emma, body="I moved last month; the new address is above."
        )
        out(f"  request        {inquiry.reference} inquiry, closed (emma)")
        out(f"  request        {correction.reference} correction, open (emma)")
    if (
        hanako
        and not DataRequest.objects.filter(customer=hanako, kind=Kind.PROVISION_RECORDS).exists()
    ):
        # A partial decision waiting for a privacy administrator (the approvals page).
        records = filing.request_file(customer=hanako, kind=Kind.PROVISION_RECORDS, details={})
        workflow.request_verification_start(request_id=records.pk, actor=staff)
        workflow.request_identity_confirm(request_id=records.pk, actor=staff)
        workflow.request_fee_quote(request_id=records.pk, actor=staff)
        workflow.request_payment_record(
            request_id=records.pk,
            actor=staff,
            method="bank_transfer",
            amount_yen=records.fee_yen,
            paid_on=timezone.localdate(),
        )
        decisions.decision_draft(
            request_id=records.pk,
            actor=staff,
            items={
                "provisions": {
                    "withheld": True,
                    "grounds": [2],
                    "reason": "調査中の不正利用対策に関わる記録のため、現時点では開示できません。",
                }
            },
            summary="不正利用の調査に支障があるため、提供記録の開示を見合わせます。",
        )
        out(f"  request        {records.reference} provision records, awaiting approval (hanako)")
