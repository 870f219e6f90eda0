"""Requests that reach us by post, phone, email or at the counter (LW-6.1, LW-6.2,
APPI-36): staff file them with the date they arrived, the clock starts then, the scan is checked
like any upload, they enter the queue, and notices go by mail or, without an address, by post."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import AuditEvent, OutboundMail
from requests import offline, workflow
from requests.errors import RequestError
from requests.models import (
    Channel,
    DataRequest,
    DayMode,
    DocumentPurpose,
    Kind,
    PostalNotice,
    SLAConfig,
    Status,
)
from tests.requests.conftest import EXE, PDF

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
ADDRESS = "〒150-0001 東京都渋谷区神宮前1-2-3"


@pytest.fixture(autouse=True)
def _english():
    """Service messages are read in English here; the pages choose their own language."""
    with translation.override("en"):
        yield


def _scan(data: bytes = PDF, name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/pdf")


def _file(cast, **overrides) -> DataRequest:
    values = {
        "staff": cast.agent,
        "kind": Kind.DISCLOSURE,
        "channel": Channel.POST,
        "received_on": datetime.date(2026, 11, 20),
        "requester_name": "郵便 太郎",
        "requester_address": ADDRESS,
        "details": {"scope": "all", "categories": []},
        "scan": _scan(),
        "now": NOW,
    }
    return offline.request_file_offline(**{**values, **overrides})


@pytest.mark.clause("LW-6.2", "LW-6.1")
def test_the_clock_of_a_postal_request_starts_on_the_day_the_letter_arrived(cast):
    req = _file(cast)
    # 2026-11-20 (Japan time, start of the day) + 14 calendar days, not typing time + 14.
    received = timezone.localtime(req.received_at)
    assert received == datetime.datetime(2026, 11, 20, 0, 0, tzinfo=TOKYO)
    assert timezone.localtime(req.due_at) == datetime.datetime(2026, 12, 4, 0, 0, tzinfo=TOKYO)
    assert (req.channel, req.filed_by, req.customer) == (Channel.POST, cast.agent, None)
    assert req.status == Status.SUBMITTED
    assert req.reference.startswith("DR-2026-")
    doc = req.documents.get()
    assert (doc.purpose, doc.content_type, doc.uploaded_by) == (
        DocumentPurpose.LETTER,
        "application/pdf",
        cast.agent,
    )
    event = AuditEvent.objects.get(action="requests.request.filed_by_staff")
    assert event.actor == cast.agent
    assert event.payload["received_at"] == "2026-11-20T00:00:00+09:00"


@pytest.mark.clause("LW-6.2")
def test_a_known_time_and_business_days_count_from_the_receipt(cast):
    SLAConfig.objects.create(kind=Kind.INQUIRY, days=10, day_mode=DayMode.BUSINESS)
    req = _file(
        cast,
        kind=Kind.INQUIRY,
        channel=Channel.PHONE,
        received_time=datetime.time(15, 30),
        details={"subject": "退会後のデータ", "message": "保存期間を知りたい"},
        scan=None,
        requester_email="taro@example.net",
        requester_address="",
    )
    # Fri 2026-11-20 15:30; ten business days: Mon 23 Nov is a holiday, so Mon 7 Dec.
    assert timezone.localtime(req.due_at) == datetime.datetime(2026, 12, 7, 15, 30, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("received_on", "received_time", "message"),
    [
        (datetime.date(2026, 12, 2), None, "cannot have reached us in the future"),
        (datetime.date(2026, 12, 1), datetime.time(10, 1), "cannot have reached us in the future"),
        (datetime.date(2026, 9, 1), None, "before 2026-09-02 is more than 90 days ago"),
        (datetime.date(1999, 1, 1), None, "before 2026-09-02 is more than 90 days ago"),
    ],
)
def test_a_receipt_date_in_the_future_or_absurdly_old_is_refused(
    cast, received_on, received_time, message
):
    with pytest.raises(RequestError, match=message):
        _file(cast, received_on=received_on, received_time=received_time)
    assert not DataRequest.objects.exists()


def test_the_oldest_accepted_receipt_date_is_the_bound_itself(cast):
    req = _file(cast, received_on=datetime.date(2026, 9, 2))
    assert timezone.localtime(req.due_at).date() == datetime.date(2026, 9, 16)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"requester_name": "  "}, "requester's name"),
        ({"requester_address": "", "requester_email": ""}, "email address or a postal address"),
        ({"scan": None}, "scan of the letter"),
        ({"channel": Channel.ONLINE}, "how the request reached us"),
        ({"scan": _scan(EXE, "letter.exe")}, "Upload a PDF, JPEG or PNG file"),
    ],
)
def test_incomplete_or_bad_filings_are_refused(cast, overrides, message):
    with pytest.raises(RequestError, match=message):
        _file(cast, **overrides)
    assert not DataRequest.objects.exists()


def test_only_privacy_staff_file_for_someone(cast):
    with pytest.raises(RequestError, match="Only privacy staff"):
        _file(cast, staff=cast.customer)


@pytest.mark.clause("APPI-36")
def test_without_an_email_address_every_notice_is_a_letter_staff_print_and_mark(cast, client):
    req = _file(cast)
    receipt = PostalNotice.objects.get(request=req)
    assert receipt.event == "submitted" and receipt.sent_at is None
    assert receipt.addressee_name == "郵便 太郎" and receipt.addressee_address == ADDRESS
    assert req.reference in receipt.subject
    assert "2026-12-04 00:00" in receipt.body  # the due date, in the requester's language
    assert "/privacy/contact/" in receipt.body  # where to ask, instead of a page link
    assert not OutboundMail.objects.exists()  # nothing is mailed to nobody
    workflow.request_verification_start(request_id=req.pk, actor=cast.agent)
    workflow.request_customer_ask(
        request_id=req.pk, actor=cast.agent, note="運転免許証の写しをお送りください。"
    )
    workflow.request_customer_respond(request_id=req.pk, actor=cast.agent)
    workflow.request_identity_fail(
        request_id=req.pk, actor=cast.agent, reason="本人確認ができませんでした。"
    )
    # The receipt, the request for documents and the closing notice; progress notes are not
    # posted (requests/letters.py POSTED_EVENTS).
    assert list(
        PostalNotice.objects.filter(request=req).order_by("id").values_list("event", flat=True)
    ) == ["submitted", "customer_ask", "identity_fail"]
    ask = PostalNotice.objects.get(request=req, event="customer_ask")
    assert "運転免許証の写しをお送りください。" in ask.body
    closing = PostalNotice.objects.get(request=req, event="identity_fail")
    assert "本人確認ができませんでした。" in closing.body
    assert not OutboundMail.objects.exists()

    client.force_login(cast.agent)
    detail = client.get(reverse("requests:staff_detail", kwargs={"pk": req.pk})).content.decode()
    assert detail.count('data-testid="postal-notice"') == 3
    printed = client.get(
        reverse("requests:staff_notice_print", kwargs={"pk": req.pk, "notice_pk": closing.pk})
    )
    page = printed.content.decode()
    assert printed.status_code == 200
    assert "本人確認ができませんでした。" in page and "東京都渋谷区神宮前1-2-3" in page
    sent_url = reverse("requests:staff_notice_sent", kwargs={"pk": req.pk, "notice_pk": closing.pk})
    assert client.post(sent_url).status_code == 302
    closing.refresh_from_db()
    assert closing.sent_by == cast.agent and closing.sent_at is not None
    again = client.post(sent_url, follow=True)
    assert "この通知はすでに発送済みとして記録されています。" in again.content.decode()
    assert req.timeline.filter(event="notice_posted").count() == 1
    assert AuditEvent.objects.filter(action="requests.notice.posted").count() == 1


def test_a_notice_of_another_request_is_not_found(cast, client):
    first, second = _file(cast), _file(cast, kind=Kind.CORRECTION, details={})
    notice = PostalNotice.objects.get(request=first)
    client.force_login(cast.agent)
    url = reverse("requests:staff_notice_print", kwargs={"pk": second.pk, "notice_pk": notice.pk})
    assert client.get(url).status_code == 404
    sent = reverse("requests:staff_notice_sent", kwargs={"pk": second.pk, "notice_pk": notice.pk})
    assert client.post(sent).status_code == 404
    assert PostalNotice.objects.get(pk=notice.pk).sent_at is None


@pytest.mark.clause("APPI-36")
def test_with_an_email_address_notices_go_by_mail(cast):
    req = _file(cast, channel=Channel.EMAIL, scan=None, requester_email="taro@example.net")
    assert not PostalNotice.objects.exists()
    receipt = OutboundMail.objects.get()
    assert receipt.to == "taro@example.net"
    assert req.reference in receipt.subject
    workflow.request_verification_start(request_id=req.pk, actor=cast.agent)
    assert OutboundMail.objects.count() == 2
    assert not PostalNotice.objects.exists()


# --- the staff page ----------------------------------------------------------------------


def _post_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "channel": "post",
        "received_on": (today - datetime.timedelta(days=3)).isoformat(),
        "received_time": "",
        "requester_name": "郵便 花子",
        "requester_address": ADDRESS,
        "requester_email": "",
        "requester_phone": "03-1111-2222",
        "requester_language": "ja",
        "delivery_method": "paper",
        "details-scope": "all",
        "scan": _scan(),
    }
    data.update(overrides)
    return data


@pytest.mark.clause("LW-6.1", "LW-6.2")
def test_staff_file_a_postal_request_on_the_page_and_find_it_in_the_queue(cast, client):
    client.force_login(cast.agent)
    url = reverse("requests:staff_file") + "?kind=disclosure"
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="received_on"' in form.content.decode()
    assert 'name="requester_type"' not in form.content.decode()  # not the customer's form
    response = client.post(url, _post_data())
    req = DataRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("requests:staff_detail", kwargs={"pk": req.pk})
    received = timezone.localdate() - datetime.timedelta(days=3)
    assert timezone.localtime(req.received_at).date() == received
    assert timezone.localtime(req.due_at) == datetime.datetime.combine(
        received + datetime.timedelta(days=14), datetime.time(0, 0), tzinfo=TOKYO
    )
    assert req.details["scope"] == "all"
    queue = client.get(reverse("requests:staff_queue")).content.decode()
    assert req.reference in queue and "郵便 花子" in queue
    found = client.get(reverse("requests:staff_queue"), {"q": "郵便 花子"}).content.decode()
    assert req.reference in found
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="requester"' in detail and "郵便 花子" in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"received_on": "2099-01-01"}, "cannot have reached us in the future"),
        ({"received_on": "1999-01-01"}, "more than 90 days ago"),
        ({"received_on": "not a date"}, "日付を正しく入力してください。"),
        ({"requester_address": ""}, "email address or a postal address"),
        ({"scan": ""}, "scan of the letter"),
        ({"scan": SimpleUploadedFile("x.pdf", EXE, "application/pdf")}, "PDF"),
    ],
)
def test_a_bad_filing_on_the_page_says_why(cast, client, overrides, message):
    client.force_login(cast.agent)
    client.cookies["portal_language"] = "ja" if message.endswith("。") else "en"
    response = client.post(
        reverse("requests:staff_file") + "?kind=disclosure", _post_data(**overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DataRequest.objects.exists()


def test_an_unknown_kind_shows_the_choice_again(cast, client):
    client.force_login(cast.agent)
    response = client.get(reverse("requests:staff_file") + "?kind=nonsense")
    assert response.status_code == 200
    assert 'name="kind"' in response.content.decode()
