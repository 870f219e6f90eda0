"""The consent page leads the customer to the LY-4 confirmation: next to a shared use that
starts with the customer's confirmation, a sentence in both languages says what the one-time
code is for and links the page that makes it; the code made there links the subject."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.api.models import PartnerSubject, SubjectTrigger
from partners.models import ArrangementStatus, DataItem, Partner, PartnerKind
from tests.partners import factories as pf

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SENTENCE = {
    "en": (
        'When you open an account, <a href="/partners/{pk}/confirm/">make a one-time code</a>'
        " and give it to Example Pay Co., Ltd. so that they can receive your phone number"
        " from us."
    ),
    "ja": (
        'アカウントを開設されたときは、<a href="/partners/{pk}/confirm/">ワンタイムコードを発行</a>'
        "してエグザンプル・ペイ株式会社にお伝えください。"
        "同社が当社からお客様の電話番号を受け取れるようになります。"
    ),
}


def purpose_row(page: str, code: str) -> str:
    start = page.index(f'id="purpose-{code}"')
    return page[start : page.index("</li>", start)]


@pytest.mark.clause("LY-4")
@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_consent_page_links_the_confirmation_next_to_the_shared_use(
    customer_client, pay, lab, language
):
    Partner.objects.filter(pk=pay.pk).update(name_ja="エグザンプル・ペイ株式会社")
    customer_client.cookies["portal_language"] = language
    page = customer_client.get("/consents/").content.decode()
    row = purpose_row(page, "group-phone-sharing")
    assert SENTENCE[language].format(pk=pay.pk) in row
    # Once, and only for the company whose shared use starts with the confirmation.
    assert page.count("/confirm/") == 1
    assert f"/partners/{lab.pk}/confirm/" not in page


@pytest.mark.clause("LY-4")
def test_following_the_link_makes_a_code_that_links_the_subject(
    customer_client, api, pay, pay_key, customer
):
    page = customer_client.get("/consents/").content.decode()
    url = f"/partners/{pay.pk}/confirm/"
    assert f'href="{url}"' in purpose_row(page, "group-phone-sharing")
    shown = customer_client.get(url)
    assert shown.status_code == 200
    assert "アカウントを開設されたとき" in shown.content.decode()
    code = customer_client.post(url).context["code"]
    customer_client.logout()
    linked = api.call("post", "/subjects", pay_key, {"confirmation": code})
    assert linked.status_code == 201
    subject = PartnerSubject.objects.get(partner=pay)
    assert (subject.customer, subject.trigger) == (customer, SubjectTrigger.SHARED_USE)
    assert linked.json() == {"subject": subject.subject_id}


def test_no_link_without_an_active_shared_use_with_a_trigger(customer_client, pay):
    pay.arrangements.update(status=ArrangementStatus.DRAFT)
    assert "/confirm/" not in customer_client.get("/consents/").content.decode()
    pay.arrangements.update(status=ArrangementStatus.ACTIVE, trigger_ja="", trigger_en="")
    assert "/confirm/" not in customer_client.get("/consents/").content.decode()
    pay.arrangements.update(trigger_ja="開設時", trigger_en="On opening an account")
    Partner.objects.filter(pk=pay.pk).update(is_active=False)
    assert "/confirm/" not in customer_client.get("/consents/").content.decode()


def test_the_notes_cost_the_same_queries_for_any_number_of_companies(customer, phone_purpose):
    from partners.api.customer_views import confirmation_notes

    def add_companies(n):
        for _ in range(n):
            partner = pf.partner_with(
                kind=PartnerKind.GROUP_COMPANY, purpose=phone_purpose, items=[DataItem.PHONE]
            )
            partner.arrangements.update(trigger_ja="開設時", trigger_en="On opening an account")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            notes = confirmation_notes(customer)
        return len(ctx.captured_queries), len(notes[phone_purpose.code])

    add_companies(2)
    assert count() == (2, 2)  # arrangements with their partners, their purposes
    add_companies(8)
    assert count() == (2, 10)
