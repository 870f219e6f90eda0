# ruff: noqa: RUF001  (Japanese punctuation in expected page texts)
"""The public contact point (LW-10, LW-6.1, LW-6.4; APPI Art. 32(1)): what it says in both
languages, its versions, editing in the admin, and that anyone can read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consents.models import Purpose
from portal.models import AuditEvent
from requests import contact, demo
from requests.errors import RequestError
from requests.models import ContactPoint, DeliveryMethod, FeeSchedule, Kind

pytestmark = pytest.mark.django_db

VALUES = {
    "business_name_ja": "テスト商事株式会社",
    "business_name_en": "Test Trading Co., Ltd.",
    "address_ja": "〒100-0001 東京都千代田区千代田1-1",
    "address_en": "1-1 Chiyoda, Chiyoda-ku, Tokyo 100-0001",
    "representative_ja": "代表取締役 佐藤 一郎",
    "representative_en": "Ichiro Sato, Representative Director",
    "administrator_ja": "個人情報保護管理者 田中 花子",
    "administrator_en": "Hanako Tanaka, privacy administrator",
    "email": "privacy@test.example.jp",
    "phone": "03-0000-1111",
    "hours_ja": "平日9時から17時",
    "hours_en": "Weekdays 9:00 to 17:00",
    "postal_ja": "郵送先は本社の個人情報窓口です。",
    "postal_en": "Write to the privacy desk at our head office.",
    "identity_ja": "運転免許証の写しを同封してください。",
    "identity_en": "Enclose a copy of your driving licence.",
    "security_measures_ja": "職員の操作をすべて記録しています。",
    "security_measures_en": "Every staff action is logged.",
    "complaints_ja": "苦情は窓口までお寄せください。",
    "complaints_en": "Send complaints to the desk.",
    "revision_notes_ja": "初版",
    "revision_notes_en": "First version",
}


def english(client):
    client.cookies["portal_language"] = "en"
    return client


@pytest.fixture
def fees():
    for kind, method, amount in [
        (Kind.DISCLOSURE, DeliveryMethod.ELECTRONIC, 500),
        (Kind.DISCLOSURE, DeliveryMethod.PAPER, 1440),
        (Kind.PURPOSE_NOTICE, DeliveryMethod.ELECTRONIC, 0),
    ]:
        FeeSchedule.objects.create(kind=kind, delivery_method=method, amount_yen=amount)


@pytest.fixture
def purposes():
    Purpose.objects.create(
        code="registration",
        name_ja="会員登録と本人確認",
        name_en="Registration and identity checks",
        category="service",
        position=1,
    )
    Purpose.objects.create(
        code="retired",
        name_ja="廃止した目的",
        name_en="A retired purpose",
        category="marketing",
        is_active=False,
    )


def _fee_cells(page: str, kind: str) -> str:
    start = page.index(f'id="fee-{kind}"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.clause("LW-10", "LW-6.1", "LW-6.4")
def test_an_anonymous_visitor_reads_every_matter_in_japanese(client, fees, purposes):
    contact.contact_point_revise(actor=None, values=VALUES)
    response = client.get("/privacy/contact/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "個人情報のお問い合わせ窓口",
        "テスト商事株式会社",
        "〒100-0001 東京都千代田区千代田1-1",
        "代表取締役 佐藤 一郎",
        "会員登録と本人確認",
        "郵送先は本社の個人情報窓口です。",
        "運転免許証の写しを同封してください。",
        "職員の操作をすべて記録しています。",
        "苦情は窓口までお寄せください。",
        "個人情報保護管理者 田中 花子",
        "privacy@test.example.jp",
        "03-0000-1111",
        "銀行振込、郵便為替、クレジットカード",
    ):
        assert text in page, text
    assert "廃止した目的" not in page
    assert "Test Trading" not in page
    # The fees come from the schedule; a zero amount is no fee; kinds the law does not let
    # us charge say so (APPI Art. 38).
    assert "500円" in _fee_cells(page, "disclosure")
    assert "1,440円" in _fee_cells(page, "disclosure")
    assert _fee_cells(page, "purpose_notice").count("無料") == 2
    assert _fee_cells(page, "provision_records").count("無料") == 2
    assert "無料（法令上、手数料はかかりません）" in _fee_cells(page, "correction")
    assert "円" not in _fee_cells(page, "deletion")
    # Online filing, with and without an account, and by post.
    assert f'href="{reverse("requests:start")}"' in page
    assert 'id="online-no-account"' in page and 'id="by-post"' in page


@pytest.mark.clause("LW-10", "LW-11")
def test_the_english_page_reads_the_english_texts(client, fees, purposes):
    contact.contact_point_revise(actor=None, values={**VALUES, "hours_en": ""})
    page = english(client).get("/privacy/contact/").content.decode()
    for text in (
        "Contact point for personal information",
        "Test Trading Co., Ltd.",
        "Ichiro Sato, Representative Director",
        "Registration and identity checks",
        "Write to the privacy desk at our head office.",
        "Every staff action is logged.",
        "Send complaints to the desk.",
        "Hanako Tanaka, privacy administrator",
        "Bank transfer, Postal money order, Card",
        "the Japanese version prevails",
    ):
        assert text in page, text
    assert "¥500" in _fee_cells(page, "disclosure") and "¥1,440" in _fee_cells(page, "disclosure")
    assert "Free (the law allows no fee)" in _fee_cells(page, "deletion")
    assert "平日9時から17時" in page  # no English text written: the Japanese is shown
    assert "テスト商事株式会社" not in page


def test_before_anything_is_published_the_page_says_so(client):
    response = client.get("/privacy/contact/")
    assert response.status_code == 200
    assert "窓口のページはまだ公開していません。" in response.content.decode()


@pytest.mark.clause("LW-10")
def test_every_page_links_the_contact_point_in_its_footer_and_the_policy_links_it(client):
    for url in ("/", "/privacy/", "/privacy/history/", "/cookies/", "/accounts/sign-in/"):
        page = client.get(url).content.decode()
        footer = page[page.index('<footer class="site-footer">') :]
        assert 'href="/privacy/contact/"' in footer, url
    policy = client.get("/privacy/").content.decode()
    start = policy.index('id="policy-contact"')
    assert 'href="/privacy/contact/"' in policy[start : policy.index("</p>", start)]


@pytest.mark.clause("LW-10")
def test_each_edit_is_a_new_version_and_the_old_ones_stay_readable(client, cast):
    first = contact.contact_point_revise(actor=None, values=VALUES)
    second = contact.contact_point_revise(
        actor=cast.administrator,
        values={**VALUES, "phone": "03-9999-0000", "revision_notes_ja": "電話番号を変更"},
    )
    assert (first.version, second.version) == (1, 2)
    assert ContactPoint.objects.get(version=1).phone == "03-0000-1111"  # untouched
    current = client.get("/privacy/contact/").content.decode()
    assert "03-9999-0000" in current and "03-0000-1111" not in current
    assert 'id="not-current"' not in current
    old = client.get("/privacy/contact/versions/1/").content.decode()
    assert "03-0000-1111" in old and 'id="not-current"' in old
    history = client.get("/privacy/contact/versions/").content.decode()
    assert history.index('id="cv-2"') < history.index('id="cv-1"')
    assert "電話番号を変更" in history
    assert client.get("/privacy/contact/versions/3/").status_code == 404
    event = AuditEvent.objects.get(action="requests.contact_point.published", target_id=second.pk)
    assert event.actor == cast.administrator
    assert event.payload == {"version": 2, "changed": ["phone", "revision_notes_ja"]}


def test_a_version_that_changes_nothing_is_refused():
    contact.contact_point_revise(actor=None, values=VALUES)
    with pytest.raises(RequestError, match="第1版から変更がない"):
        contact.contact_point_revise(
            actor=None, values={**VALUES, "revision_notes_ja": "何も変えていない"}
        )
    assert ContactPoint.objects.count() == 1


def test_a_version_without_the_required_matters_is_refused():
    with pytest.raises(RequestError):
        contact.contact_point_revise(actor=None, values={**VALUES, "security_measures_ja": ""})
    assert not ContactPoint.objects.exists()


def _form(values: dict) -> dict:
    return {name: values.get(name, "") for name in ContactPoint.EDITABLE}


@pytest.mark.clause("LW-10", "LW-5")
def test_an_administrator_publishes_the_next_version_in_the_admin(cast, admin_client_):
    contact.contact_point_revise(actor=None, values=VALUES)
    add_url = reverse("admin:requests_contactpoint_add")
    form = admin_client_.get(add_url)
    assert form.status_code == 200
    # The form starts from the version in force, with empty revision notes.
    assert form.context["adminform"].form.initial["phone"] == "03-0000-1111"
    assert form.context["adminform"].form.initial["revision_notes_ja"] == ""
    unchanged = admin_client_.post(add_url, _form(VALUES))
    assert unchanged.status_code == 200
    assert "第1版から変更がないため" in unchanged.content.decode()
    response = admin_client_.post(
        add_url, _form({**VALUES, "email": "desk@test.example.jp", "revision_notes_ja": "変更"})
    )
    assert response.status_code == 302
    assert list(ContactPoint.objects.values_list("version", "email")) == [
        (2, "desk@test.example.jp"),
        (1, "privacy@test.example.jp"),
    ]
    assert ContactPoint.objects.get(version=2).created_by == cast.administrator
    assert AuditEvent.objects.filter(action="requests.contact_point.published").count() == 2


def test_a_published_version_cannot_be_changed_or_deleted_in_the_admin(admin_client_):
    first = contact.contact_point_revise(actor=None, values=VALUES)
    url = reverse("admin:requests_contactpoint_change", args=[first.pk])
    assert admin_client_.get(url).status_code == 200  # read-only view
    admin_client_.post(url, _form({**VALUES, "phone": "03-2222-3333"}))
    assert ContactPoint.objects.get().phone == "03-0000-1111"
    delete = reverse("admin:requests_contactpoint_delete", args=[first.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert ContactPoint.objects.count() == 1


def test_privacy_staff_cannot_publish_a_version(cast, client):
    client.force_login(cast.agent)
    response = client.post(reverse("admin:requests_contactpoint_add"), _form(VALUES))
    assert response.status_code == 302  # to the admin's sign-in: not an administrator
    assert not ContactPoint.objects.exists()


def test_the_demo_publishes_one_version_once(client):
    demo.load(out=lambda line: None)
    demo.load(out=lambda line: None)
    assert ContactPoint.objects.count() == 1
    page = client.get("/privacy/contact/").content.decode()
    assert "エグザンプル・ワークス株式会社" in page
    assert "03-6457-9849" in page  # the Commission's consultation line, for complaints
    english_page = english(client).get("/privacy/contact/").content.decode()
    assert "Example Works Corporation" in english_page
