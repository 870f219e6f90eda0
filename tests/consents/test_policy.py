"""Policy versions: public pages, history, diff, publishing, announcement and re-consent
(LW-9, LW-11, LW-12)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consents import selectors, services
from consents.models import PolicyVersion
from portal.models import AuditEvent
from tests import factories as people
from tests.consents import factories as f

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["portal_language"] = "en"
    return client


@pytest.mark.clause("LW-12", "LW-9")
def test_demo_history_starts_with_the_three_historic_versions(client):
    from consents import demo

    demo.load(out=lambda line: None)
    demo.load(out=lambda line: None)  # idempotent
    published = list(
        PolicyVersion.objects.filter(is_published=True)
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
    )
    assert published[:3] == [
        datetime.date(2015, 9, 7),
        datetime.date(2016, 11, 21),
        datetime.date(2017, 2, 2),
    ]
    page = client.get("/privacy/history/").content.decode()
    for date in ("2015-09-07", "2016-11-21", "2017-02-02"):
        assert date in page
    assert page.index("2017-02-02") < page.index("2016-11-21") < page.index("2015-09-07")
    assert "2.1" not in page  # the draft is not public


@pytest.mark.clause("LW-9")
def test_policy_page_shows_the_version_in_force(client):
    f.published_version(version="1.0", effective_date=datetime.date(2015, 9, 7), text_ja="旧版")
    f.published_version(version="2.0", effective_date=datetime.date(2020, 1, 1), text_ja="現行版")
    f.published_version(
        version="3.0",
        effective_date=timezone.localdate() + datetime.timedelta(days=30),
        text_ja="将来版",
    )
    page = client.get("/privacy/").content.decode()
    assert "現行版" in page and "旧版" not in page and "将来版" not in page
    assert 'id="not-in-force"' not in page
    old = client.get("/privacy/versions/1.0/").content.decode()
    assert "旧版" in old and 'id="not-in-force"' in old


@pytest.mark.clause("LW-11")
def test_english_policy_pages_say_the_japanese_version_prevails(client):
    f.published_version(version="1.0", effective_date=datetime.date(2015, 9, 7))
    f.published_version(version="2.0")
    for url in ("/privacy/", "/privacy/history/", "/privacy/changes/?old=1.0&new=2.0"):
        assert b'id="japanese-prevails"' not in client.get(url).content
        assert b'id="japanese-prevails"' in english(client).get(url).content
        client.cookies.pop("portal_language")


@pytest.mark.clause("LW-9")
def test_diff_between_two_versions(client):
    f.published_version(
        version="1.0", effective_date=datetime.date(2015, 9, 7), text_ja="第1条\n第2条 古い文\n"
    )
    f.published_version(
        version="2.0",
        effective_date=datetime.date(2016, 1, 1),
        text_ja="第1条\n第2条 新しい文\n第3条\n",
    )
    page = client.get("/privacy/changes/?old=2.0&new=1.0").content.decode()  # order is fixed
    assert 'id="policy-diff"' in page
    assert 'class="diff_add"' in page and "第3条" in page
    assert 'class="diff_chg"' in page
    diff = page[page.index('id="policy-diff"') :]
    assert diff.index(">1.0<") < diff.index(">2.0<")  # older on the left
    same = client.get("/privacy/changes/?old=1.0&new=1.0")
    assert same.status_code == 200 and b'id="policy-diff"' not in same.content
    unknown = client.get("/privacy/changes/?old=1.0&new=9.9")
    assert unknown.status_code == 200 and b'id="policy-diff"' not in unknown.content


@pytest.mark.clause("LW-9")
def test_publish_announces_until_dismissed(customer_client, customer, administrator):
    customer.date_joined = timezone.now() - datetime.timedelta(days=400)
    customer.save()
    version = f.PolicyVersionFactory(version="3.0")
    assert "policy-announcement" not in customer_client.get("/dashboard/").content.decode()
    services.policy_version_publish(version=version, actor=administrator)
    assert AuditEvent.objects.filter(action="consents.policy.published").exists()
    page = customer_client.get("/dashboard/").content.decode()
    assert 'id="policy-announcement"' in page and "3.0" in page
    assert (
        b'id="policy-announcement"' not in __import__("django.test").test.Client().get("/").content
    )
    response = customer_client.post("/consents/notices/3.0/dismiss/", {"next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    assert 'id="policy-announcement"' not in customer_client.get("/dashboard/").content.decode()
    with pytest.raises(services.ConsentError):
        services.policy_version_publish(version=version, actor=administrator)


@pytest.mark.clause("LW-9")
def test_a_customer_who_joined_after_the_version_is_not_told(customer_client, customer):
    f.published_version(version="1.0", published_at=customer.date_joined - datetime.timedelta(1))
    assert "policy-announcement" not in customer_client.get("/dashboard/").content.decode()


@pytest.mark.clause("LW-9", "LY-1")
def test_widening_asks_again_and_the_gate_says_not_granted(
    customer_client, customer, administrator
):
    widened = f.provision_purpose(code="provision-quality")
    untouched = f.opt_in_purpose(code="marketing")
    opt_out = f.opt_out_purpose(code="group")
    other = people.customer()
    newcomer_later = None
    for person in (customer, other):
        person.date_joined = timezone.now() - datetime.timedelta(days=30)
        person.save()
    services.consent_change(
        customer=customer, choices={widened.code: True, untouched.code: True}, source="web"
    )
    version = f.PolicyVersionFactory(version="3.0", widened=[widened, opt_out])
    services.policy_version_publish(version=version, actor=administrator)
    newcomer_later = people.customer()

    decision = selectors.consent_decide(customer=customer, purpose_code=widened.code)
    assert (decision.granted, decision.decided_by) == (False, "reconsent")
    assert selectors.consent_decide(customer=customer, purpose_code=untouched.code).granted
    # Opt-out purposes widened: those who only had the default are asked too; newcomers not.
    assert selectors.consent_decide(customer=other, purpose_code=opt_out.code).decided_by == (
        "reconsent"
    )
    assert selectors.consent_decide(customer=newcomer_later, purpose_code=opt_out.code).granted
    consenting = set(selectors.customers_consenting(purpose_code=widened.code))
    assert customer not in consenting
    assert set(selectors.customers_consenting(purpose_code=opt_out.code)) >= {newcomer_later}
    assert other not in set(selectors.customers_consenting(purpose_code=opt_out.code))

    page = customer_client.get("/consents/").content.decode()
    assert 'id="reconsent"' in page
    # Confirming the same choice on the page is recorded afresh and ends the wait.
    response = customer_client.post(
        "/consents/", {f"purpose-{widened.code}": "on", f"purpose-{untouched.code}": "on"}
    )
    assert response.status_code == 302
    decision = selectors.consent_decide(customer=customer, purpose_code=widened.code)
    assert (decision.granted, decision.decided_by) == (True, "general")
    assert decision.event.policy_version == version
    assert customer in set(selectors.customers_consenting(purpose_code=widened.code))
