"""Messages say why (LW-6.4, APPI-36): a fee quoted on a kind that cannot carry one
names APPI Art. 38 and the kinds that can, in both languages; a lapsed request's fee reads
"lapsed, not charged"; the close form of a decision waiting for approval offers no
"fulfilled" notice."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from requests import workflow
from requests.errors import RequestError
from requests.models import DataRequest, FeeStatus, Kind, Outcome, Status
from tests.requests.factories import data_request

pytestmark = pytest.mark.django_db

# The kinds that can carry a fee, written out (APPI Art. 38): not read from the code.
ART_38_EN = (
    "A fee can be charged only for disclosure, purpose notice and provision-record requests "
    "(APPI Art. 38); Deletion of my data cannot carry a fee."
)
ART_38_JA = (
    "手数料を徴収できるのは、開示、利用目的の通知、第三者提供記録の開示の請求のみです"
    "（個人情報保護法第38条）。「保有個人データの削除」には手数料を設定できません。"  # noqa: RUF001
)

LAPSED_JA = "失効（請求しません）"  # noqa: RUF001


@pytest.mark.clause("LW-6.4")
@pytest.mark.parametrize(("language", "expected"), [("en", ART_38_EN), ("ja", ART_38_JA)])
def test_quoting_a_fee_on_a_kind_without_one_names_article_38(cast, language, expected):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DELETION)
    with translation.override(language), pytest.raises(RequestError) as caught:
        workflow.request_fee_quote(request_id=req.pk, actor=cast.agent)
    assert str(caught.value) == expected
    req.refresh_from_db()
    assert (req.status, req.fee_status) == (Status.IN_REVIEW, FeeStatus.NONE)


@pytest.mark.clause("LW-6.4")
def test_the_admin_quote_action_says_why(cast, admin_client_):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.SUSPENSION)
    response = admin_client_.post(
        reverse("admin:requests_datarequest_changelist"),
        {"action": "quote_fee", "_selected_action": [req.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 200
    texts = [str(m) for m in get_messages(response.wsgi_request)] or [response.content.decode()]
    assert any("個人情報保護法第38条" in t for t in texts)
    assert DataRequest.objects.get(pk=req.pk).status == Status.IN_REVIEW


@pytest.mark.clause("LW-6.4")
def test_a_lapsed_request_shows_its_fee_as_lapsed_not_charged(cast, customer_client):
    req = data_request(status=Status.AWAITING_PAYMENT, customer=cast.customer, kind=Kind.DISCLOSURE)
    workflow.request_lapse(request_id=req.pk, actor=None, reason="お支払いが確認できませんでした。")
    req.refresh_from_db()
    assert (req.outcome, req.fee_status) == (Outcome.LAPSED, FeeStatus.LAPSED)
    assert req.get_fee_status_display() == LAPSED_JA
    with translation.override("en"):
        assert req.get_fee_status_display() == "Lapsed, not charged"
    page = customer_client.get(reverse("requests:detail", kwargs={"reference": req.reference}))
    body = page.content.decode()
    assert LAPSED_JA in body
    assert "お支払い方法" not in body  # no "how to pay" box
    assert "お支払い待ち" not in body and "支払い待ち" not in body


@pytest.mark.clause("LW-6.4")
def test_a_lapse_keeps_a_paid_fee_as_paid(cast):
    req = data_request(
        status=Status.AWAITING_CUSTOMER,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        fee_status=FeeStatus.PAID,
    )
    workflow.request_lapse(request_id=req.pk, actor=None, reason="資料が届きませんでした。")
    req.refresh_from_db()
    assert req.fee_status == FeeStatus.PAID


@pytest.mark.clause("APPI-36", "LW-6.3")
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_close_form_of_a_decision_waiting_for_approval_offers_no_fulfilled_notice(
    cast, agent_client, method
):
    req = data_request(
        status=Status.AWAITING_APPROVAL, customer=cast.customer, kind=Kind.DISCLOSURE
    )
    url = reverse("requests:staff_close", kwargs={"pk": req.pk})
    data = {"outcome": "fulfilled", "reason": "すべて開示します。", "preview": "1"}
    response = agent_client.get(url) if method == "get" else agent_client.post(url, data)
    assert response.status_code == (200 if method == "get" else 400)
    body = response.content.decode()
    assert 'data-testid="close-blocked"' in body
    assert "管理者の承認" in body
    assert 'data-testid="close-form"' not in body
    assert 'data-testid="notice-preview"' not in body
    assert 'value="fulfilled"' not in body
    confirm = agent_client.post(url, {**data, "confirm": "1"})
    assert confirm.status_code == 400
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.AWAITING_APPROVAL, Outcome.REFUSED)


def test_the_close_form_of_a_request_in_review_still_previews(cast, agent_client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.INQUIRY)
    url = reverse("requests:staff_close", kwargs={"pk": req.pk})
    response = agent_client.post(
        url, {"outcome": "fulfilled", "reason": "回答します。", "preview": "1"}
    )
    assert response.status_code == 200
    assert 'data-testid="notice-preview"' in response.content.decode()
