"""Factories of the incidents tests: an incident recorded through the service, and provision
records as the partners app writes them."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from incidents import services
from incidents.models import Incident
from partners.models import Basis, PartnerKind, ProvisionRecord
from partners.services import records
from tests.consents import factories as cf
from tests.partners.factories import PartnerFactory

NOTICE_TEXTS = {
    "notice_summary_ja": (
        "委託先のサーバーが不正アクセスを受け、お客様の情報が外部に漏えいしたおそれがあります。"
    ),
    "notice_summary_en": (
        "A server at one of our processors was accessed without authorisation; "
        "your data may have leaked."
    ),
    "notice_actions_ja": "当該サーバーを停止し、パスワードを無効にしました。",
    "notice_actions_en": "We shut the server down and disabled the passwords.",
    "notice_advice_ja": "不審なメールにご注意ください。",
    "notice_advice_en": "Please be careful with unexpected mail.",
    "notice_contact_ja": "個人情報お問い合わせ窓口 0120-000-000",
    "notice_contact_en": "Privacy desk, 0120-000-000",
}


def incident(*, actor, aware_at=None, partners=(), **values: Any) -> Incident:
    aware_at = aware_at or timezone.now() - datetime.timedelta(hours=1)
    defaults: dict[str, Any] = {
        "title": "委託先サーバーへの不正アクセス",
        "kind": "leak",
        "discovered_at": aware_at - datetime.timedelta(hours=2),
        "aware_at": aware_at,
        "summary": "委託先の問い合わせ管理サーバーに第三者が侵入した。",
        "data_items": ["name", "email"],
    }
    return services.incident_record(actor=actor, values={**defaults, **values}, partners=partners)


def processor(**kwargs):
    return PartnerFactory(kind=PartnerKind.ENTRUSTED_PROCESSOR, **kwargs)


def provision(*, partner, customer, when: datetime.datetime, items=("email",), purpose=None):
    """One APPI-29 record of a provision of `customer`'s data to `partner` at `when`."""
    purpose = purpose or cf.PurposeFactory(code="lw3-inquiries")
    return ProvisionRecord.objects.create(
        partner=partner,
        recipient_name=partner.name_ja,
        recipient_country="JP",
        customer=customer,
        customer_reference=records.customer_reference(customer.pk),
        purpose=purpose,
        data_items=list(items),
        basis=Basis.ENTRUSTMENT,
        provided_at=when,
    )


def tokyo(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def notices_sent(*, incident_id: int, actor, expected: int) -> int:
    """Confirm the send like the staff page does and run what is queued on commit: the task,
    in-process here (CELERY_TASK_ALWAYS_EAGER), and the mails' hand-over."""
    from django.test import TestCase

    from incidents import notices

    with TestCase.captureOnCommitCallbacks(execute=True):
        return notices.notices_send(incident_id=incident_id, actor=actor, expected=expected)
