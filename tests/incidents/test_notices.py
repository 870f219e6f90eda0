"""Telling the people affected (APPI-26): each in their language, through the mail outbox in
bulk, exactly once; the substitute public announcement where notice is impossible; the
incident on a notified person's home page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import notices, services
from incidents.errors import IncidentError
from incidents.models import AffectedPerson
from portal.models import OutboundMail
from tests import factories
from tests.incidents.factories import (
    NOTICE_TEXTS,
    incident,
    notices_sent,
    processor,
    provision,
    tokyo,
)


@pytest.fixture
def scoped(cast):
    """An incident at a processor with alice (Japanese), bob (English) and an erased account
    in its provision records, all three scoped."""
    import datetime

    desk = processor()
    erased = factories.customer(email="erased-1@erased.invalid", is_active=False)
    provision(
        partner=desk,
        customer=cast.customer,
        when=tokyo(2026, 10, 2, 9, 0),
        items=["email", "phone"],
    )
    provision(
        partner=desk, customer=cast.other_customer, when=tokyo(2026, 10, 2, 9, 0), items=["email"]
    )
    provision(partner=desk, customer=erased, when=tokyo(2026, 10, 2, 9, 0))
    inc = incident(actor=cast.agent, partners=[desk], **NOTICE_TEXTS)
    services.scope_add(
        incident_id=inc.pk,
        actor=cast.agent,
        rule=services.ScopeRule(
            source="provision",
            partner=desk,
            date_from=datetime.date(2026, 10, 1),
            date_to=datetime.date(2026, 10, 31),
        ),
        expected_new=3,
    )
    return inc


@pytest.mark.clause("APPI-26")
def test_each_person_is_told_in_their_own_language(cast, scoped):
    sent = notices_sent(incident_id=scoped.pk, actor=cast.agent, expected=2)
    assert sent == 2
    ja = OutboundMail.objects.get(to="alice@example.jp")
    en = OutboundMail.objects.get(to="bob@example.com")
    assert (ja.language, en.language) == ("ja", "en")
    assert ja.subject == "お客様の個人情報に関する事故についてのお知らせ"
    assert en.subject == "About an incident involving your personal data"
    assert "山田 アリス 様" in ja.body
    assert NOTICE_TEXTS["notice_summary_ja"] in ja.body
    assert NOTICE_TEXTS["notice_advice_ja"] in ja.body
    assert "- メールアドレス\n- 電話番号" in ja.body  # her own data that went to the processor
    assert "Dear Bob Baker," in en.body
    assert NOTICE_TEXTS["notice_summary_en"] in en.body
    assert NOTICE_TEXTS["notice_contact_en"] in en.body
    assert "- Email address\n" in en.body
    assert "Phone number" not in en.body
    assert f"/incidents/{scoped.pk}/notice/" in en.body
    people = dict(
        AffectedPerson.objects.filter(
            customer__isnull=False, notified_at__isnull=False
        ).values_list("customer__email", "notice_language")
    )
    assert people == {"alice@example.jp": "ja", "bob@example.com": "en"}
    scoped.refresh_from_db()
    assert scoped.notices_sent_at is not None


@pytest.mark.clause("APPI-26")
def test_nobody_is_told_twice(cast, scoped):
    notices_sent(incident_id=scoped.pk, actor=cast.agent, expected=2)
    with pytest.raises(IncidentError, match="changed"):
        notices_sent(incident_id=scoped.pk, actor=cast.agent, expected=2)
    with pytest.raises(IncidentError, match="Everyone"):
        notices_sent(incident_id=scoped.pk, actor=cast.agent, expected=0)
    assert OutboundMail.objects.count() == 2


@pytest.mark.clause("APPI-26")
def test_a_notice_needs_both_languages_written(cast):
    inc = incident(actor=cast.agent, **{**NOTICE_TEXTS, "notice_advice_en": ""})
    AffectedPerson.objects.create(
        incident=inc, customer=cast.customer, customer_reference="r1", source="upload"
    )
    with pytest.raises(IncidentError, match="both languages"):
        notices_sent(incident_id=inc.pk, actor=cast.agent, expected=1)
    assert OutboundMail.objects.count() == 0


@pytest.mark.clause("APPI-26")
def test_the_substitute_announcement_is_on_the_public_pages(client, cast, scoped):
    assert (
        client.get(reverse("incidents:announcement", kwargs={"pk": scoped.pk})).status_code == 404
    )
    notices.announcement_publish(incident_id=scoped.pk, actor=cast.agent)
    page = client.get(reverse("incidents:announcements"), HTTP_ACCEPT_LANGUAGE="ja")
    assert NOTICE_TEXTS["notice_summary_ja"][:40] in page.content.decode()
    detail = client.get(reverse("incidents:announcement", kwargs={"pk": scoped.pk}))
    body = detail.content.decode()
    assert NOTICE_TEXTS["notice_contact_ja"] in body
    assert NOTICE_TEXTS["notice_actions_ja"] in body
    client.cookies["portal_language"] = "en"
    body = client.get(reverse("incidents:announcement", kwargs={"pk": scoped.pk})).content.decode()
    assert NOTICE_TEXTS["notice_summary_en"] in body


@pytest.mark.clause("APPI-26")
def test_a_notified_person_sees_the_incident_on_their_home_page(client, cast, scoped):
    client.force_login(cast.customer)
    assert "incident-notices" not in client.get(reverse("dashboard")).content.decode()
    notices_sent(incident_id=scoped.pk, actor=cast.agent, expected=2)
    home = client.get(reverse("dashboard")).content.decode()
    assert "incident-notices" in home
    assert reverse("incidents:notice", kwargs={"pk": scoped.pk}) in home
    page = client.get(reverse("incidents:notice", kwargs={"pk": scoped.pk})).content.decode()
    assert NOTICE_TEXTS["notice_summary_ja"] in page
    assert "メールアドレス、電話番号" in page
    # Someone not on the incident gets a 404.
    client.force_login(factories.customer(email="zoe@example.jp"))
    assert client.get(reverse("incidents:notice", kwargs={"pk": scoped.pk})).status_code == 404
