"""Filing without an account: the email code, its limits, no probing for accounts,
the duplicate rule after the proof, the signed link, and the staff match (LW-6.1, LW-10)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import OutboundMail
from requests import intake, links, principals, workflow
from requests.errors import DuplicateRequestError, RequestError
from requests.models import (
    Channel,
    DataRequest,
    EmailCode,
    Kind,
    Outcome,
    RequestDocument,
    Status,
)
from requests.services import messages
from tests.requests.conftest import PNG
from tests.requests.factories import data_request

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"^\s+(\d{6})$", re.MULTILINE)


def _code_of(mail: OutboundMail) -> str:
    return CODE_RE.search(mail.body).group(1)


def _send(email="hanako@example.jp", ip="192.0.2.10", language="ja"):
    challenge = intake.code_send(email=email, ip_address=ip, language=language)
    mail = OutboundMail.objects.filter(to=email).order_by("-pk").first()
    return challenge, _code_of(mail)


def _filed(email="hanako@example.jp", kind=Kind.INQUIRY, **extra) -> DataRequest:
    details = {"subject": "質問", "message": "保有データについて"} if kind == Kind.INQUIRY else {}
    return intake.request_file_without_account(
        email=email,
        verified_at=timezone.now(),
        kind=kind,
        details=details,
        name="田中 花子",
        language="ja",
        **extra,
    )


# --- the code ---------------------------------------------------------------------------


@pytest.mark.clause("LW-6.1")
def test_a_code_is_six_digits_mailed_and_only_its_hash_is_kept():
    challenge, code = _send()
    assert re.fullmatch(r"\d{6}", code)
    assert code not in challenge.code_hash
    assert challenge.expires_at - challenge.created_at == timedelta(minutes=10)
    mail = OutboundMail.objects.get(to="hanako@example.jp")
    assert mail.subject == f"確認コード：{code}"  # noqa: RUF001


@pytest.mark.clause("LW-6.1")
def test_the_right_code_proves_the_address_once():
    challenge, code = _send()
    first = intake.code_check(public_id=challenge.public_id, email="hanako@example.jp", code=code)
    second = intake.code_check(public_id=challenge.public_id, email="hanako@example.jp", code=code)
    assert first.ok and first.verified_at is not None
    assert not second.ok
    assert second.message == "このコードはすでに使われています。新しいコードをお求めください。"


@pytest.mark.clause("LW-6.1")
def test_an_expired_code_is_refused_even_when_right():
    challenge, code = _send()
    EmailCode.objects.filter(pk=challenge.pk).update(
        created_at=timezone.now() - timedelta(minutes=11),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    result = intake.code_check(public_id=challenge.public_id, email="hanako@example.jp", code=code)
    assert not result.ok
    assert result.message == "このコードは有効期限が切れています。新しいコードをお求めください。"
    assert EmailCode.objects.get(pk=challenge.pk).used_at is None


@pytest.mark.clause("LW-6.1")
def test_five_wrong_tries_end_the_code():
    challenge, code = _send()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    left = []
    for _ in range(5):
        result = intake.code_check(
            public_id=challenge.public_id, email="hanako@example.jp", code=wrong
        )
        left.append((result.ok, result.tries_left))
    assert left == [(False, 4), (False, 3), (False, 2), (False, 1), (False, 0)]
    after = intake.code_check(public_id=challenge.public_id, email="hanako@example.jp", code=code)
    assert not after.ok
    assert after.message == "誤ったコードの入力が多すぎました。新しいコードをお求めください。"
    assert EmailCode.objects.get(pk=challenge.pk).attempts == 5


@pytest.mark.clause("LW-6.1")
def test_a_code_works_only_for_the_address_it_was_sent_to():
    challenge, code = _send()
    result = intake.code_check(public_id=challenge.public_id, email="other@example.jp", code=code)
    assert not result.ok


@pytest.mark.clause("LW-6.1")
def test_codes_are_limited_per_address():
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        _send(ip=ip)
    with pytest.raises(intake.TooManyCodes) as refused:
        _send(ip="192.0.2.4")
    assert EmailCode.objects.filter(email="hanako@example.jp").count() == 3
    first = EmailCode.objects.filter(email="hanako@example.jp").order_by("created_at").first()
    assert refused.value.retry_at == first.created_at + timedelta(hours=1)
    # Another address is not held up.
    _send(email="taro@example.jp", ip="192.0.2.4")


@pytest.mark.clause("LW-6.1")
def test_codes_are_limited_per_network_address():
    for n in range(10):
        _send(email=f"person{n}@example.jp", ip="198.51.100.7")
    with pytest.raises(intake.TooManyCodes):
        _send(email="person10@example.jp", ip="198.51.100.7")
    _send(email="person10@example.jp", ip="198.51.100.8")
    assert EmailCode.objects.filter(ip_address="198.51.100.7").count() == 10


@pytest.mark.clause("LW-6.1")
def test_an_old_code_no_longer_counts_against_the_limit():
    for _ in range(3):
        _send()
    EmailCode.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    _send()
    assert EmailCode.objects.count() == 4


# --- no probing for accounts -------------------------------------------------------------


def _email_step(client: Client, email: str):
    response = client.post(reverse("requests:guest_email"), {"email": email})
    code_page = client.get(response["Location"]) if response.status_code == 302 else None
    return response, code_page


@pytest.mark.clause("LW-6.1")
def test_the_pages_and_the_mail_are_the_same_with_and_without_an_account(cast):
    alice = cast.customer  # alice@example.jp has an account
    with_account, with_page = _email_step(Client(), alice.email)
    without, without_page = _email_step(Client(), "nobody@example.jp")
    assert (with_account.status_code, with_account["Location"]) == (
        without.status_code,
        without["Location"],
    )
    assert with_page.status_code == without_page.status_code == 200

    def scrub(html: str, email: str) -> str:
        html = html.replace(email, "ADDRESS")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert scrub(with_page.content.decode(), alice.email) == scrub(
        without_page.content.decode(), "nobody@example.jp"
    )
    mail_a = OutboundMail.objects.get(to=alice.email)
    mail_b = OutboundMail.objects.get(to="nobody@example.jp")
    assert mail_a.subject.replace(_code_of(mail_a), "CODE") == mail_b.subject.replace(
        _code_of(mail_b), "CODE"
    )
    assert mail_a.body.replace(_code_of(mail_a), "CODE") == mail_b.body.replace(
        _code_of(mail_b), "CODE"
    )
    assert alice.full_name not in mail_a.body


@pytest.mark.clause("LW-6.1")
def test_the_rate_limit_says_the_same_with_and_without_an_account(cast):
    answers = []
    for email in (cast.customer.email, "nobody@example.jp"):
        client = Client()
        for _ in range(3):
            client.post(reverse("requests:guest_email"), {"email": email})
        refused = client.post(reverse("requests:guest_email"), {"email": email})
        answers.append(
            (refused.status_code, "以降にもう一度お試しください" in refused.content.decode())
        )
    assert answers == [(429, True), (429, True)]


# --- the duplicate rule, only after the proof ---------------------------------------------


def _prove(client: Client, email: str, kind: str = "") -> None:
    suffix = f"?kind={kind}" if kind else ""
    client.post(reverse("requests:guest_email") + suffix, {"email": email, "kind": kind})
    mail = OutboundMail.objects.filter(to=email).order_by("-pk").first()
    response = client.post(
        reverse("requests:guest_code") + suffix, {"code": _code_of(mail), "kind": kind}
    )
    assert response.status_code == 302, response.content.decode()


INQUIRY_POST = {
    "requester_type": "customer",
    "requester_name": "田中 花子",
    "subject": "質問",
    "message": "どのようなデータをお持ちですか。",
}


@pytest.mark.clause("LW-6.1", "LW-10")
def test_a_duplicate_is_refused_with_its_link_only_after_the_proof():
    existing = _filed()
    client = Client()
    file_url = reverse("requests:guest_file", kwargs={"kind": Kind.INQUIRY})
    # Without the proof the form is not even shown, and nothing says a request exists.
    before = client.post(file_url, INQUIRY_POST)
    assert before.status_code == 302
    assert before["Location"].startswith(reverse("requests:guest_email"))
    _, code_page = _email_step(client, "hanako@example.jp")
    assert existing.reference not in code_page.content.decode()
    # Once proved, the same kind is refused with the link to the open request.
    _prove(client, "hanako@example.jp", Kind.INQUIRY)
    refused = client.post(file_url, INQUIRY_POST)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert existing.reference in page
    link = re.search(r'data-testid="duplicate">.*?<a href="([^"]+)"', page, re.S).group(1)
    assert client.get(link).status_code == 200
    assert links.request_for_token(link.split("/")[-2]) == existing
    assert DataRequest.objects.filter(requester_email="hanako@example.jp").count() == 1


@pytest.mark.clause("LW-6.1")
def test_another_kind_or_a_closed_request_is_no_duplicate(cast):
    first = _filed()
    _filed(kind=Kind.DELETION)
    workflow.request_verification_start(request_id=first.pk, actor=cast.agent)
    workflow.request_identity_confirm(request_id=first.pk, actor=cast.agent)
    workflow.request_close(request_id=first.pk, actor=cast.agent, outcome="fulfilled", reason="済")
    again = _filed()
    assert again.reference != first.reference


@pytest.mark.clause("LW-6.1")
def test_the_database_holds_one_open_request_per_kind_and_proved_address():
    req = _filed()
    with pytest.raises(IntegrityError), transaction.atomic():
        DataRequest.objects.create(
            reference="DR-2099-999999",
            kind=Kind.INQUIRY,
            requester_name="田中 花子",
            requester_email="HANAKO@example.jp",
            requester_email_verified_at=timezone.now(),
            received_at=req.received_at,
            sla_days=14,
            sla_day_mode="calendar",
            due_at=req.due_at,
        )


@pytest.mark.clause("LW-6.1")
def test_an_open_request_of_the_account_using_the_address_is_a_duplicate(cast):
    mine = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    with pytest.raises(DuplicateRequestError) as refused:
        _filed(email=cast.customer.email)
    assert refused.value.existing == mine
    assert intake.duplicate_link(mine) == reverse(
        "requests:detail", kwargs={"reference": mine.reference}
    )


# --- the model's rules ----------------------------------------------------------------------


@pytest.mark.clause("LW-6.1")
def test_a_request_needs_an_account_or_the_requesters_details():
    base = {
        "kind": Kind.INQUIRY,
        "received_at": timezone.now(),
        "sla_days": 14,
        "sla_day_mode": "calendar",
        "due_at": timezone.now() + timedelta(days=14),
    }
    rows = [
        # (what, fields) -> each must be refused by the database
        ("nobody", {"channel": Channel.POST}),
        ("online, address not proved", {"requester_name": "A", "requester_email": "a@x.jp"}),
        (
            "post without staff",
            {"channel": Channel.POST, "requester_name": "A", "requester_address": "東京都"},
        ),
        ("name only", {"channel": Channel.PHONE, "requester_name": "A"}),
    ]
    for n, (what, fields) in enumerate(rows):
        with pytest.raises(IntegrityError), transaction.atomic():
            DataRequest.objects.create(reference=f"DR-2099-9{n:05d}", **base, **fields)
            pytest.fail(what)


@pytest.mark.clause("LW-6.1")
def test_the_principal_addressee_and_link_of_an_account_less_request(cast):
    req = _filed()
    to = principals.addressee(req)
    assert (to.full_name, to.email, to.language, to.user, to.by_post) == (
        "田中 花子",
        "hanako@example.jp",
        "ja",
        None,
        False,
    )
    assert links.path_for(req, account=False).startswith("/requests/follow/")
    by_post = DataRequest.objects.create(
        reference="DR-2099-888888",
        kind=Kind.INQUIRY,
        channel=Channel.POST,
        filed_by=cast.agent,
        requester_name="郵便 太郎",
        requester_address="東京都千代田区1-1",
        received_at=timezone.now(),
        sla_days=14,
        sla_day_mode="calendar",
        due_at=timezone.now() + timedelta(days=14),
    )
    post = principals.addressee(by_post)
    assert (post.by_post, post.address) == (True, "東京都千代田区1-1")
    assert links.path_for(by_post, account=False) == ""


# --- the signed link ------------------------------------------------------------------------


@pytest.mark.clause("LW-6.1")
def test_the_receipt_carries_the_signed_link_and_it_opens_the_request():
    req = _filed()
    receipt = OutboundMail.objects.get(to="hanako@example.jp", subject__contains=req.reference)
    path = re.search(r"http://testserver(/requests/follow/[^\s]+/)", receipt.body).group(1)
    assert "田中 花子" in receipt.body
    response = Client().get(path)
    assert response.status_code == 200
    assert req.reference in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.clause("LW-6.1")
def test_a_link_for_one_request_never_opens_another():
    mine = _filed()
    theirs = _filed(email="jiro@example.jp")
    doc = intake.requester_document_upload(
        req=theirs, upload=SimpleUploadedFile("id.png", PNG, "image/png")
    )
    token = links.token_for(mine)
    client = Client()
    kwargs = {"token": token}
    assert client.get(reverse("requests:follow", kwargs=kwargs)).status_code == 200
    assert (
        client.get(
            reverse(
                "requests:follow_document_download", kwargs={**kwargs, "public_id": doc.public_id}
            )
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("requests:follow_package_download", kwargs={**kwargs, "fmt": "json"})
        ).status_code
        == 404
    )
    # An altered link, a link of another purpose, or one whose address changed: nothing.
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    from django.core import signing

    other_salt = signing.TimestampSigner(salt="something-else").sign_object(
        {"r": theirs.pk, "e": "jiro@example.jp"}
    )
    DataRequest.objects.filter(pk=theirs.pk).update(requester_email="jiro2@example.jp")
    stale = links.token_for(DataRequest(pk=theirs.pk, requester_email="jiro@example.jp"))
    for bad in (tampered, other_salt, stale):
        assert client.get(reverse("requests:follow", kwargs={"token": bad})).status_code == 404
    assert RequestDocument.objects.get(pk=doc.pk).request_id == theirs.pk


@pytest.mark.clause("LW-6.1")
def test_a_link_never_opens_a_request_filed_from_an_account(cast):
    req = data_request(customer=cast.customer)
    token = signing_token(req.pk, cast.customer.email)
    assert Client().get(reverse("requests:follow", kwargs={"token": token})).status_code == 404


def signing_token(pk: int, email: str) -> str:
    from django.core import signing

    return signing.TimestampSigner(salt=links.SALT).sign_object({"r": pk, "e": email})


@pytest.mark.clause("LW-6.1")
def test_an_old_link_offers_a_fresh_one_by_mail_to_the_address_on_record(settings):
    req = _filed()
    token = links.token_for(req)
    settings.REQUESTS_REQUESTER_LINK_DAYS = 0
    client = Client()
    old = client.get(reverse("requests:follow", kwargs={"token": token}))
    assert old.status_code == 410
    assert req.reference in old.content.decode()
    sent = client.post(reverse("requests:follow_resend", kwargs={"token": token}))
    assert sent.status_code == 200
    fresh = OutboundMail.objects.filter(to="hanako@example.jp").order_by("-pk").first()
    assert fresh.subject == f"ご請求（{req.reference}）への新しいリンク"  # noqa: RUF001
    settings.REQUESTS_REQUESTER_LINK_DAYS = 30
    path = re.search(r"http://testserver(/requests/follow/[^\s]+/)", fresh.body).group(1)
    assert client.get(path).status_code == 200


# --- following: messages, documents, the answer -------------------------------------------


@pytest.mark.clause("LW-6.1", "LW-6.2")
def test_the_requester_writes_uploads_and_the_clock_runs_again(cast):
    req = _filed()
    workflow.request_verification_start(request_id=req.pk, actor=cast.agent)
    workflow.request_customer_ask(request_id=req.pk, actor=cast.agent, note="身分証を")
    messages.message_post(request=req, author=cast.agent, body="身分証をお送りください。")
    to_requester = OutboundMail.objects.filter(to="hanako@example.jp").order_by("-pk").first()
    assert "/requests/follow/" in to_requester.body
    client = Client()
    kwargs = {"token": links.token_for(req)}
    posted = client.post(
        reverse("requests:follow_message_post", kwargs=kwargs), {"body": "送ります。"}
    )
    assert posted.status_code == 302
    uploaded = client.post(
        reverse("requests:follow_document_upload", kwargs=kwargs),
        {"purpose": "identity", "file": SimpleUploadedFile("id.png", PNG)},
    )
    assert uploaded.status_code == 302
    req.refresh_from_db()
    message = req.messages.get(from_staff=False)
    assert (message.author, message.body) == (None, "送ります。")
    doc = req.documents.get()
    assert doc.uploaded_by is None
    assert req.status == Status.VERIFYING and not req.is_paused
    download = client.get(
        reverse("requests:follow_document_download", kwargs={**kwargs, "public_id": doc.public_id})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


@pytest.mark.clause("LW-6.1")
def test_a_bad_upload_is_a_message_on_the_page():
    req = _filed()
    response = Client().post(
        reverse("requests:follow_document_upload", kwargs={"token": links.token_for(req)}),
        {"purpose": "identity", "file": SimpleUploadedFile("x.exe", b"MZ" + b"\0" * 64)},
    )
    assert response.status_code == 400
    assert "PDF、JPEG、PNG" in response.content.decode()


# --- staff: whose data is it -----------------------------------------------------------------


@pytest.mark.clause("LW-6.1", "APPI-36")
def test_with_no_data_held_the_request_closes_only_as_no_data(cast):
    req = _filed(kind=Kind.DISCLOSURE)
    workflow.request_verification_start(request_id=req.pk, actor=cast.agent)
    with pytest.raises(RequestError):
        principals.subject_of(DataRequest.objects.get(pk=req.pk))
    intake.requester_match(request_id=req.pk, actor=cast.agent, customer=None)
    workflow.request_identity_confirm(request_id=req.pk, actor=cast.agent)
    with pytest.raises(RequestError) as refused:
        workflow.request_close(
            request_id=req.pk, actor=cast.agent, outcome=Outcome.FULFILLED, reason="開示"
        )
    assert "保有していません" in str(refused.value)
    closed = workflow.request_close(
        request_id=req.pk, actor=cast.agent, outcome=Outcome.NO_DATA, reason="保有なし"
    )
    assert closed.outcome == Outcome.NO_DATA
    notice = OutboundMail.objects.filter(to="hanako@example.jp").order_by("-pk").first()
    assert "保有なし" in notice.body and "/requests/follow/" in notice.body


@pytest.mark.clause("LW-6.1")
def test_matched_to_an_account_the_answer_is_that_accounts_data(cast):
    req = _filed(kind=Kind.DISCLOSURE)
    assert intake.match_candidates(req) == []
    alice = cast.customer
    DataRequest.objects.filter(pk=req.pk).update(requester_email=alice.email)
    req.refresh_from_db()
    assert intake.match_candidates(req) == [alice]
    intake.requester_match(request_id=req.pk, actor=cast.agent, customer=alice)
    req.refresh_from_db()
    assert principals.subject_of(req) == alice
    with pytest.raises(RequestError):
        intake.requester_match(request_id=req.pk, actor=cast.customer, customer=None)


@pytest.mark.clause("LW-6.1")
def test_an_erased_account_is_found_by_an_earlier_reference(cast):
    old = data_request(customer=cast.other_customer, status=Status.CLOSED)
    assert intake.account_for_reference(old.reference.lower()) == cast.other_customer
    assert intake.account_for_reference("DR-0000-000000") is None


@pytest.mark.clause("LW-6.1")
def test_staff_match_on_the_request_page(cast):
    req = _filed(kind=Kind.DISCLOSURE)
    staff = Client()
    staff.force_login(cast.agent)
    page = staff.get(reverse("requests:staff_detail", kwargs={"pk": req.pk})).content.decode()
    assert "請求者（アカウントなし）" in page and "hanako@example.jp" in page  # noqa: RUF001
    url = reverse("requests:staff_action", kwargs={"pk": req.pk, "name": "requester_match"})
    rows = [
        # (posted, status, matched account, no data)
        ({"identity_checked": "on"}, 400, None, False),
        (
            {"no_data": "on", "account_email": cast.customer.email, "identity_checked": "on"},
            400,
            None,
            False,
        ),
        ({"account_email": "unknown@example.jp", "identity_checked": "on"}, 302, None, False),
        ({"account_email": cast.customer.email}, 400, None, False),
        (
            {"account_email": cast.customer.email, "identity_checked": "on"},
            302,
            cast.customer.pk,
            False,
        ),
    ]
    for posted, status, account, no_data in rows:
        response = staff.post(url, {"expected_status": "submitted", **posted})
        req.refresh_from_db()
        assert (response.status_code, req.matched_customer_id, req.matched_none) == (
            status,
            account,
            no_data,
        ), posted
    event = req.timeline.get(event="requester_match")
    assert event.actor == cast.agent
    customer = Client()
    customer.force_login(cast.customer)
    assert customer.post(url, {"no_data": "on", "identity_checked": "on"}).status_code == 403


@pytest.mark.clause("LW-6.2", "LW-10")
def test_the_queue_shows_and_finds_requesters_without_an_account(cast, agent_client):
    """The requester's name and address on the row, searchable, in the queue's one query."""
    agent_client.cookies["portal_cookies"] = "necessary"
    for n in range(30):
        _filed(email=f"person{n}@example.jp")
    data_request(customer=cast.customer)
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(reverse("requests:staff_queue"), {"q": "person7@"})
    rows = [(r.reference, r.requester_name, r.requester_email) for r in response.context["rows"]]
    assert rows == [
        (
            DataRequest.objects.get(requester_email="person7@example.jp").reference,
            "田中 花子",
            "person7@example.jp",
        )
    ]
    assert "person7@example.jp" in response.content.decode()
    reads = [q["sql"] for q in queries.captured_queries if '"requests_datarequest"' in q["sql"]]
    assert len(reads) == 1
