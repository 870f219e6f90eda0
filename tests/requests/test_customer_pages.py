"""The customer's pages: filing each kind (LW-6.1, LW-10), the LW-8 question, fees shown
before submission (LW-6.4), duplicates, agent filing, bad input, messages both ways, withdraw,
and another customer's objects as 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consents.models import Purpose
from portal.models import AuditEvent, OutboundMail
from requests import workflow
from requests.models import DataRequest, Kind, Outcome, RequestMessage, Status
from tests.requests.conftest import PDF
from tests.requests.factories import data_request, fee, message

CUSTOMER = {"requester_type": "customer"}

VALID = {
    Kind.DISCLOSURE: (
        {"scope": "chosen", "categories": ["profile", "access_log"], "delivery_method": "paper"},
        {"scope": "chosen", "categories": ["access_log", "profile"]},
    ),
    Kind.CORRECTION: (
        {"field": "address", "new_value": "東京都港区1-1"},
        {"field": "address", "new_value": "東京都港区1-1", "explanation": ""},
    ),
    Kind.ADDITION: (
        {"field": "phone", "new_value": "090-0000-0000", "explanation": "連絡用"},
        {"field": "phone", "new_value": "090-0000-0000", "explanation": "連絡用"},
    ),
    Kind.DELETION: (
        {"scope": "items", "items": ["phone", "birth_year"]},
        {"scope": "items", "data_items": ["birth_year", "phone"]},
    ),
    Kind.SUSPENSION: (
        {"purposes": ["marketing"]},
        {"purposes": ["marketing"], "explanation": ""},
    ),
    Kind.THIRD_PARTY_STOP: (
        {"scope": "named", "recipient": "Example Ads K.K."},
        {"scope": "named", "recipient": "Example Ads K.K.", "explanation": ""},
    ),
    Kind.PURPOSE_NOTICE: ({"delivery_method": "electronic"}, {}),
    Kind.PROVISION_RECORDS: ({"delivery_method": "electronic"}, {}),
    Kind.INQUIRY: (
        {"subject": "退会について", "message": "退会後のデータはどうなりますか。"},
        {"subject": "退会について", "message": "退会後のデータはどうなりますか。"},
    ),
}

INVALID = {
    Kind.DISCLOSURE: {"scope": "chosen", "categories": [], "delivery_method": "electronic"},
    Kind.CORRECTION: {"field": "birth_year", "new_value": "nineteen"},
    Kind.ADDITION: {"field": "no_such_field", "new_value": "x"},
    Kind.DELETION: {"scope": "items", "items": []},
    Kind.SUSPENSION: {"purposes": ["not-a-purpose"]},
    Kind.THIRD_PARTY_STOP: {"scope": "named", "recipient": ""},
    Kind.PURPOSE_NOTICE: {"delivery_method": "carrier-pigeon"},
    Kind.PROVISION_RECORDS: {"delivery_method": ""},
    Kind.INQUIRY: {"subject": "", "message": ""},
}


@pytest.fixture
def purposes(db):
    Purpose.objects.create(
        code="marketing", name_ja="広告", name_en="Advertising", category="marketing"
    )
    Purpose.objects.create(
        code="service",
        name_ja="サービス提供",
        name_en="Service",
        category="service",
        necessary=True,
    )


def file_url(kind):
    return reverse("requests:file", kwargs={"kind": kind})


@pytest.mark.clause("LW-8")
def test_a_managed_user_is_sent_to_their_administrator_and_nothing_is_filed(customer_client):
    response = customer_client.post(
        reverse("requests:start"), {"requester_type": "managed", "kind": Kind.DISCLOSURE}
    )
    assert response.status_code == 200
    assert "管理者" in response.content.decode()
    # Even when the kind's form is reached directly, the same question stops the filing.
    response = customer_client.post(
        file_url(Kind.INQUIRY), {"requester_type": "managed", "subject": "a", "message": "b"}
    )
    assert response.status_code == 200
    assert "管理者" in response.content.decode()
    assert not DataRequest.objects.exists()
    assert not OutboundMail.objects.exists()


@pytest.mark.clause("LW-8")
def test_the_question_is_asked_before_anything_else(customer_client):
    page = customer_client.get(reverse("requests:start")).content.decode()
    assert page.index('name="requester_type"') < page.index('name="kind"')
    response = customer_client.post(
        reverse("requests:start"), {"requester_type": "customer", "kind": Kind.DELETION}
    )
    assert response.status_code == 302
    assert response["Location"] == file_url(Kind.DELETION) + "?as=customer"
    form = customer_client.get(response["Location"]).content.decode()
    assert form.index('name="requester_type"') < form.index('name="scope"')


@pytest.mark.clause("LW-6.1", "LW-10")
@pytest.mark.parametrize("kind", list(VALID))
def test_each_kind_is_filed_with_only_what_it_needs(customer, customer_client, purposes, kind):
    posted, stored = VALID[kind]
    response = customer_client.post(file_url(kind), {**CUSTOMER, **posted})
    assert response.status_code == 302, response.content.decode()[:3000]
    req = DataRequest.objects.get(customer=customer)
    assert response["Location"] == reverse("requests:detail", kwargs={"reference": req.reference})
    assert req.kind == kind
    if kind == Kind.DISCLOSURE:
        assert req.details == stored
        assert req.delivery_method == "paper"
    else:
        assert req.details == stored
    assert OutboundMail.objects.filter(to=customer.email, subject__contains=req.reference).exists()


@pytest.mark.clause("LW-6.1")
@pytest.mark.parametrize("kind", list(INVALID))
def test_bad_input_shows_messages_and_saves_nothing(customer_client, purposes, kind):
    response = customer_client.post(file_url(kind), {**CUSTOMER, **INVALID[kind]})
    assert response.status_code == 400
    assert 'class="field-errors"' in response.content.decode()
    assert not DataRequest.objects.exists()
    assert not OutboundMail.objects.exists()


def test_the_forms_ask_only_what_each_kind_needs(customer_client, purposes):
    inquiry = customer_client.get(file_url(Kind.INQUIRY)).content.decode()
    assert 'name="delivery_method"' not in inquiry and 'name="categories"' not in inquiry
    disclosure = customer_client.get(file_url(Kind.DISCLOSURE)).content.decode()
    assert 'name="delivery_method"' in disclosure and 'name="categories"' in disclosure
    assert 'value="consents"' in disclosure  # categories come from the data inventory
    suspension = customer_client.get(file_url(Kind.SUSPENSION)).content.decode()
    assert 'value="marketing"' in suspension and "広告" in suspension
    assert customer_client.get(file_url("no-such-kind")).status_code == 404


@pytest.mark.clause("LW-6.4")
def test_the_fee_is_shown_and_accepted_before_submission(customer, customer_client):
    fee(Kind.DISCLOSURE, "electronic", 300)
    fee(Kind.DISCLOSURE, "paper", 1000)
    page = customer_client.get(file_url(Kind.DISCLOSURE)).content.decode()
    assert "300円" in page and "1,000円" in page
    data = {**CUSTOMER, "scope": "all", "delivery_method": "paper"}
    refused = customer_client.post(file_url(Kind.DISCLOSURE), data)
    assert refused.status_code == 400
    assert "1,000" in refused.content.decode()
    assert not DataRequest.objects.exists()
    accepted = customer_client.post(file_url(Kind.DISCLOSURE), {**data, "accept_fee": "on"})
    assert accepted.status_code == 302
    req = DataRequest.objects.get()
    assert req.fee_yen == 1000
    detail = customer_client.get(accepted["Location"]).content.decode()
    assert "1,000円" in detail


@pytest.mark.clause("LW-6.1")
def test_a_duplicate_is_refused_with_a_link_to_the_open_one(customer, customer_client):
    first = data_request(status=Status.VERIFYING, customer=customer, kind=Kind.INQUIRY)
    response = customer_client.post(
        file_url(Kind.INQUIRY), {**CUSTOMER, "subject": "再送", "message": "もう一度"}
    )
    assert response.status_code == 400
    link = reverse("requests:detail", kwargs={"reference": first.reference})
    assert f'href="{link}"' in response.content.decode()
    assert DataRequest.objects.count() == 1


@pytest.mark.clause("LW-6.1")
def test_agent_filing_with_a_power_of_attorney(customer, customer_client):
    data = {**CUSTOMER, "subject": "代理", "message": "父の代理です", "on_behalf": "on"}
    missing = customer_client.post(file_url(Kind.INQUIRY), {**data, "principal_name": "山田 太郎"})
    assert missing.status_code == 400
    assert not DataRequest.objects.exists()
    response = customer_client.post(
        file_url(Kind.INQUIRY),
        {
            **data,
            "principal_name": "山田 太郎",
            "principal_relationship": "父",
            "power_of_attorney": SimpleUploadedFile("委任状.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    req = DataRequest.objects.get()
    assert (req.on_behalf, req.principal_name) == (True, "山田 太郎")
    assert req.documents.get().purpose == "power_of_attorney"


@pytest.mark.clause("LW-6.1")
def test_messages_go_both_ways_with_a_mail_notice(cast, client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    client.force_login(cast.customer)
    response = client.post(
        reverse("requests:message_post", kwargs={"reference": req.reference}),
        {"body": "進捗はいかがでしょうか。"},
    )
    assert response.status_code == 302
    # No one is assigned: every privacy staff member hears of it, in their language.
    staff_mail = OutboundMail.objects.filter(to__in=[cast.agent.email, cast.administrator.email])
    assert staff_mail.count() == 2
    client.force_login(cast.agent)
    staff_page = client.get(reverse("requests:staff_detail", kwargs={"pk": req.pk}))
    assert "進捗はいかがでしょうか。" in staff_page.content.decode()
    assert AuditEvent.objects.filter(action="requests.request.viewed", actor=cast.agent).exists()
    response = client.post(
        reverse("requests:staff_message_post", kwargs={"pk": req.pk}),
        {"body": "本日中にご連絡します。"},
    )
    assert response.status_code == 302
    assert OutboundMail.objects.filter(to=cast.customer.email).count() == 1
    assert AuditEvent.objects.filter(action="requests.message.sent", actor=cast.agent).exists()
    client.force_login(cast.customer)
    page = client.get(reverse("requests:detail", kwargs={"reference": req.reference}))
    assert "本日中にご連絡します。" in page.content.decode()


def test_an_empty_message_shows_an_error_and_saves_nothing(cast, customer_client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    response = customer_client.post(
        reverse("requests:message_post", kwargs={"reference": req.reference}), {"body": "  "}
    )
    assert response.status_code == 400
    assert not RequestMessage.objects.exists()


@pytest.mark.clause("LW-6.2")
def test_a_reply_while_we_wait_starts_the_clock_again(cast, customer_client):
    req = data_request(status=Status.AWAITING_CUSTOMER, customer=cast.customer)
    customer_client.post(
        reverse("requests:message_post", kwargs={"reference": req.reference}),
        {"body": "生年月日は1990年1月1日です。"},
    )
    req.refresh_from_db()
    assert req.status == Status.VERIFYING and not req.is_paused


def test_withdraw_an_open_request(cast, customer_client):
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    url = reverse("requests:withdraw", kwargs={"reference": req.reference})
    assert customer_client.get(url).status_code == 200
    assert customer_client.post(url, {"reason": "不要になりました"}).status_code == 302
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.WITHDRAWN)
    # A second withdrawal is refused with a message, not a 500.
    response = customer_client.post(url, {}, follow=True)
    assert response.status_code == 200
    assert req.reference in response.content.decode()


@pytest.mark.clause("LW-6.1")
def test_another_customers_request_upload_and_message_are_404(cast, client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    message(req, body="秘密の内容")
    client.force_login(cast.other_customer)
    ref = {"reference": req.reference}
    assert client.get(reverse("requests:detail", kwargs=ref)).status_code == 404
    assert (
        client.post(reverse("requests:message_post", kwargs=ref), {"body": "x"}).status_code == 404
    )
    assert (
        client.post(
            reverse("requests:document_upload", kwargs=ref),
            {"purpose": "identity", "file": SimpleUploadedFile("a.pdf", PDF)},
        ).status_code
        == 404
    )
    assert client.post(reverse("requests:withdraw", kwargs=ref)).status_code == 404
    assert RequestMessage.objects.count() == 1
    assert not req.documents.exists()


@pytest.mark.clause("APPI-36")
def test_the_closing_notice_shows_the_outcome_and_reason_on_the_page(cast, customer_client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    workflow.request_close(
        request_id=req.pk,
        actor=cast.agent,
        outcome=Outcome.NO_DATA,
        reason="該当する記録はありません。",
    )
    page = customer_client.get(reverse("requests:detail", kwargs={"reference": req.reference}))
    body = page.content.decode()
    assert "該当する記録はありません。" in body
    assert 'data-testid="outcome"' in body


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    ours = [q["sql"] for q in ctx.captured_queries if '"requests_' in q["sql"]]
    return response, len(ctx.captured_queries), ours


def test_my_requests_list_runs_a_fixed_number_of_queries(cast, customer_client):
    """The page's own queries are pinned; the layout's (session, user, permissions, other
    apps' banners) are whatever base.html needs, and the total does not grow with rows."""
    url = reverse("requests:list")
    data_request(status=Status.CLOSED, customer=cast.customer, kind=Kind.INQUIRY)
    _queries(customer_client, url)  # fills the process's copy of the published versions
    _, few_total, _ = _queries(customer_client, url)
    for _n in range(40):
        data_request(status=Status.CLOSED, customer=cast.customer, kind=Kind.INQUIRY)
    for kind in (Kind.DISCLOSURE, Kind.DELETION):
        data_request(status=Status.AWAITING_CUSTOMER, customer=cast.customer, kind=kind)
    data_request(status=Status.CLOSED, customer=cast.other_customer)
    response, total, ours = _queries(customer_client, url)
    # 1: the customer's requests, one query with only the listed columns and no joins;
    # 2: the requests agents filed for them, the agent joined.
    assert len(ours) == 2, ours
    assert total == few_total
    assert response.content.decode().count("DR-2099-") == 43 * 2


def test_one_request_page_runs_a_fixed_number_of_queries(cast, customer_client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DISCLOSURE)
    url = reverse("requests:detail", kwargs={"reference": req.reference})
    _queries(customer_client, url)  # fills the process's copy of the published versions
    _, few_total, _ = _queries(customer_client, url)
    for n in range(20):
        message(req, body=f"message {n}")
    response, total, ours = _queries(customer_client, url)
    # 1 the request with its customer and assignee (joined), 2 its timeline with actors,
    # 3 messages with authors, 4 documents, 5 payments, 6 decision items: prefetched,
    # whatever their number (the approvals, portal.Approval, are one more in the total).
    assert len(ours) == 6, ours
    assert total == few_total
    assert response.content.decode().count("message 1") == 11


@pytest.mark.clause("LW-6.1")
def test_a_power_of_attorney_that_is_not_a_document_is_refused(customer_client, private_root):
    response = customer_client.post(
        file_url(Kind.INQUIRY),
        {
            **CUSTOMER,
            "subject": "代理",
            "message": "父の代理です",
            "on_behalf": "on",
            "principal_name": "山田 太郎",
            "power_of_attorney": SimpleUploadedFile("委任状.pdf", b"MZ\x90\x00" * 20),
        },
    )
    assert response.status_code == 400
    assert "PDF、JPEG、PNG" in response.content.decode()
    assert not DataRequest.objects.exists()
    assert not OutboundMail.objects.exists()
    folder = private_root / "requests"
    assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.clause("LW-11", "LW-6.4")
def test_the_pages_speak_english_too(other_customer, client):
    fee(Kind.DISCLOSURE, "paper", 1000)
    client.force_login(other_customer)
    client.cookies["portal_language"] = "en"
    page = client.get(file_url(Kind.DISCLOSURE)).content.decode()
    assert "Disclosure of my data" in page
    assert "Paper (by post): <strong>¥1,000</strong>" in page
    start = client.get(reverse("requests:start")).content.decode()
    assert "Who is asking?" in start
    client.cookies["portal_language"] = "ja"
    assert "どなたからのご請求ですか" in client.get(reverse("requests:start")).content.decode()


@pytest.mark.clause("LW-6.1")
def test_a_second_request_with_a_principal_name_but_no_agent_box_is_a_duplicate_not_a_500(
    customer, customer_client
):
    """Regression (found by the form fuzzer): `principal_name` posted with the agent box
    unticked made the duplicate check look for agent filings only, and the unique index
    raised."""
    first = data_request(status=Status.VERIFYING, customer=customer, kind=Kind.INQUIRY)
    response = customer_client.post(
        file_url(Kind.INQUIRY),
        {**CUSTOMER, "subject": "再送", "message": "もう一度", "principal_name": "山田 太郎"},
    )
    assert response.status_code == 400
    link = reverse("requests:detail", kwargs={"reference": first.reference})
    assert f'href="{link}"' in response.content.decode()
    assert DataRequest.objects.count() == 1
