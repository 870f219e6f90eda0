"""Customer notices in the customer's language (LW-11): receipt, steps, and the closing notice
with the outcome and the reason (APPI-36)."""

from __future__ import annotations

import pytest
from django.utils import translation

from portal.models import OutboundMail
from requests import workflow
from requests.models import Kind, Outcome, Status
from requests.services import filing
from tests.requests.factories import data_request

INQUIRY = {"subject": "件名", "message": "本文"}


@pytest.mark.clause("LW-6.1", "LW-11")
def test_receipt_in_japanese_and_in_english(customer, other_customer):
    ja = filing.request_file(customer=customer, kind=Kind.INQUIRY, details=INQUIRY)
    en = filing.request_file(customer=other_customer, kind=Kind.INQUIRY, details=INQUIRY)
    ja_mail = OutboundMail.objects.get(to=customer.email)
    en_mail = OutboundMail.objects.get(to=other_customer.email)
    assert ja_mail.language == "ja" and en_mail.language == "en"
    assert f"ご請求（{ja.reference}）を受け付けました" in ja_mail.subject  # noqa: RUF001
    assert f"We received your request {en.reference}" in en_mail.subject
    assert "ご質問・苦情" in ja_mail.body and "Question or complaint" in en_mail.body
    assert "様" in ja_mail.body and "Dear Bob Baker," in en_mail.body
    assert f"/requests/{ja.reference}/" in ja_mail.body


@pytest.mark.clause("APPI-36", "LW-11")
@pytest.mark.parametrize(
    ("who", "subject", "outcome_label"),
    [
        ("customer", "への対応を完了しました：該当データなし", "結果：該当データなし"),  # noqa: RUF001
        ("other_customer", "is closed: No data held", "Outcome: No data held"),
    ],
)
def test_closing_notice_says_outcome_and_reason_in_the_customers_language(
    cast, who, subject, outcome_label
):
    person = getattr(cast, who)
    req = data_request(status=Status.IN_REVIEW, customer=person, kind=Kind.PROVISION_RECORDS)
    workflow.request_close(
        request_id=req.pk,
        actor=cast.agent,
        outcome=Outcome.NO_DATA,
        reason="No provision to third parties is recorded for your account.",
    )
    mail = OutboundMail.objects.get(to=person.email)
    assert subject in mail.subject
    assert outcome_label in mail.body
    assert "No provision to third parties is recorded for your account." in mail.body


@pytest.mark.clause("APPI-36")
@pytest.mark.parametrize("closing", ["withdraw", "lapse", "identity_fail"])
def test_every_kind_of_closing_sends_the_notice(cast, closing):
    status = {
        "withdraw": Status.SUBMITTED,
        "lapse": Status.AWAITING_PAYMENT,
        "identity_fail": Status.VERIFYING,
    }[closing]
    req = data_request(status=status, customer=cast.other_customer, kind=Kind.DISCLOSURE)
    actor = {"withdraw": cast.other_customer, "lapse": None, "identity_fail": cast.agent}[closing]
    kwargs = {"withdraw": {}, "lapse": {"reason": "Unpaid for 30 days."}}.get(
        closing, {"reason": "The documents did not match the account."}
    )
    workflow.SERVICES[closing](request_id=req.pk, actor=actor, **kwargs)
    mail = OutboundMail.objects.get(to=cast.other_customer.email)
    req.refresh_from_db()
    with translation.override("en"):
        assert f"Outcome: {req.get_outcome_display()}" in mail.body
    assert req.outcome_reason in mail.body


@pytest.mark.clause("LW-6.4", "LW-11")
def test_fee_request_notice_names_the_amount_in_yen(cast):
    req = data_request(
        status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DISCLOSURE, fee_yen=1000
    )
    workflow.request_fee_quote(request_id=req.pk, actor=cast.agent)
    mail = OutboundMail.objects.get(to=cast.customer.email)
    assert "手数料1,000円のお支払いをお願いいたします" in mail.body
