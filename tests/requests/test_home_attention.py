"""What the customer's home and the staff home say needs doing (portal.attention):
the customer sees a fee to pay and how, what staff asked for, an answer to download and until
when, soonest first, before anything else; staff see the queue's figures, each linking to the
queue filtered the same way, in a pinned number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Approval
from requests.models import (
    ApprovalKind,
    DeliveryMethod,
    DisclosurePackage,
    Kind,
    PackageStatus,
    Status,
    TimelineEntry,
)
from tests.requests.factories import data_request

pytestmark = pytest.mark.django_db

TOKYO = timezone.get_fixed_timezone(9 * 60)
HOME = reverse("dashboard")


def _waiting_for_alice(cast, now):
    """A fee to pay (waiting since 30 days), documents asked for (since 1 day), an answer
    to download (expires in 2 days), and what must not show."""
    fee = data_request(
        status=Status.AWAITING_PAYMENT,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        fee_yen=1440,
        paused_since=datetime(2026, 11, 1, 10, 0, tzinfo=TOKYO),
        reference="DR-2026-000101",
    )
    documents = data_request(
        status=Status.AWAITING_CUSTOMER,
        customer=cast.customer,
        kind=Kind.CORRECTION,
        paused_since=datetime(2026, 11, 30, 10, 0, tzinfo=TOKYO),
        reference="DR-2026-000102",
    )
    TimelineEntry.objects.create(
        request=documents,
        event="customer_ask",
        note="古いお願い",
        created_at=now - timedelta(days=1),
    )
    TimelineEntry.objects.create(
        request=documents,
        event="customer_ask",
        note="運転免許証の写しをお送りください。",
        created_at=now,
    )
    answered = data_request(
        status=Status.CLOSED,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        reference="DR-2026-000103",
    )
    DisclosurePackage.objects.create(
        request=answered,
        status=PackageStatus.READY,
        expires_at=datetime(2026, 12, 3, 18, 30, tzinfo=TOKYO),
    )
    # Not for alice's home: an expired answer, a paper answer, another customer's fee.
    expired = data_request(status=Status.CLOSED, customer=cast.customer, kind=Kind.PURPOSE_NOTICE)
    DisclosurePackage.objects.create(
        request=expired, status=PackageStatus.READY, expires_at=now - timedelta(minutes=1)
    )
    paper = data_request(
        status=Status.CLOSED,
        customer=cast.customer,
        kind=Kind.PROVISION_RECORDS,
        delivery_method=DeliveryMethod.PAPER,
    )
    DisclosurePackage.objects.create(
        request=paper, status=PackageStatus.READY, expires_at=now + timedelta(days=5)
    )
    data_request(
        status=Status.AWAITING_PAYMENT,
        customer=cast.other_customer,
        kind=Kind.DISCLOSURE,
        reference="DR-2026-000199",
    )
    return fee, documents, answered


def _attention(page: str) -> str:
    start = page.index('data-testid="attention"')
    return page[start : page.index("</section>", start)]


def _flat(html: str) -> str:
    return " ".join(html.split())


@pytest.fixture
def december_first(monkeypatch):
    now = datetime(2026, 12, 1, 12, 0, tzinfo=TOKYO)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def test_the_customer_home_lists_what_waits_on_them_soonest_first_in_japanese(
    cast, customer_client, december_first, django_assert_num_queries
):
    _waiting_for_alice(cast, december_first)
    # session, user; attention: the requests waiting on alice, the job settings (for the
    # lapse date), the ready answers (requests); the incidents' home section; base.html: the
    # analytics consent (cookie banner), the published policy versions (then kept by the
    # process). No purpose to decide again (no version widened one), no permission query
    # (no second factor, so no staff link).
    with django_assert_num_queries(8):
        page = customer_client.get(HOME).content.decode()
    box = _flat(_attention(page))
    assert page.index('data-testid="attention"') < page.index('class="cards"')
    expected = [
        "受付番号 DR-2026-000103 の回答をご用意しました",
        "2026-12-03 18:30（日本時間）までにダウンロードしてください。"  # noqa: RUF001
        "それ以降はファイルを削除します。",
        "受付番号 DR-2026-000101 の手数料 1,440円 をお支払いください",
        "振込の際は、ご依頼人名の前に受付番号 DR-2026-000101 をご記入ください。",
        # waiting since 2026-11-01, nudged after 7 days, lapsed 30 days later
        "2026-12-08 までにお支払いください。",
        "受付番号 DR-2026-000102 について、お願いした書類や情報をお送りください",
        "運転免許証の写しをお送りください。",
        "2027-01-06 までにご対応ください。"
        "期日を過ぎるとご請求は失効し、改めてご請求いただくことになります。",
    ]
    positions = [box.index(text) for text in expected]
    assert positions == sorted(positions)
    assert "古いお願い" not in box
    assert "DR-2026-000199" not in page
    assert box.count('class="attention-item"') == 3
    assert 'href="/requests/DR-2026-000101/#fee-heading"' in box


def test_the_customer_home_in_english_and_with_nothing_to_do(cast, client, december_first):
    _waiting_for_alice(cast, december_first)
    client.force_login(cast.customer)
    client.cookies["portal_language"] = "en"
    box = _flat(_attention(client.get(HOME).content.decode()))
    assert "Your answer to request DR-2026-000103 is ready" in box
    assert "Download it by 2026-12-03 18:30 (Japan time); after that the file is deleted." in box
    assert "Pay the fee of ¥1,440 for request DR-2026-000101" in box
    assert "Please reply by 2027-01-06; otherwise the request lapses" in box
    client.force_login(cast.other_customer)
    box = _flat(_attention(client.get(HOME).content.decode()))
    assert "Pay the fee of ¥1,000 for request DR-2026-000199" in box
    data_request(status=Status.CLOSED, customer=cast.agent, kind=Kind.INQUIRY)
    client.force_login(cast.agent)
    assert "Nothing needs you at the moment." in client.get(HOME).content.decode()


def test_an_answer_for_the_person_represented_shows_on_their_home_not_the_agents(
    cast, client, december_first
):
    agents_request = data_request(
        status=Status.CLOSED,
        customer=cast.other_customer,
        kind=Kind.DISCLOSURE,
        on_behalf=True,
        principal=cast.customer,
        principal_name="山田 アリス",
        representation="agent",
        reference="DR-2026-000150",
    )
    DisclosurePackage.objects.create(
        request=agents_request,
        status=PackageStatus.READY,
        expires_at=december_first + timedelta(days=3),
    )
    client.force_login(cast.customer)
    assert "DR-2026-000150" in _attention(client.get(HOME).content.decode())
    client.force_login(cast.other_customer)
    assert "DR-2026-000150" not in _attention(client.get(HOME).content.decode())


def _queue_for_counts(cast, now):
    data_request(status=Status.IN_REVIEW, customer=cast.customer, due_at=now - timedelta(days=1))
    data_request(
        status=Status.AWAITING_CUSTOMER,
        customer=cast.other_customer,
        assignee=cast.agent,
        due_at=now - timedelta(days=2),  # paused: never overdue, but due within 3 days
    )
    data_request(
        customer=cast.customer,
        kind=Kind.CORRECTION,
        assignee=cast.agent,
        due_at=now + timedelta(days=2),
    )
    later = data_request(
        status=Status.IN_REVIEW,
        customer=cast.other_customer,
        kind=Kind.DISCLOSURE,
        assignee=cast.administrator,
        due_at=now + timedelta(days=10),
    )
    waiver = data_request(
        status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DISCLOSURE, assignee=cast.agent
    )
    data_request(status=Status.CLOSED, customer=cast.customer, due_at=now - timedelta(days=5))
    Approval.objects.create(
        subject=later, kind=ApprovalKind.EXTENSION, asked_by=cast.agent, reason="r", days=7
    )
    # Asked by the administrator: they cannot approve it themselves.
    Approval.objects.create(
        subject=waiver, kind=ApprovalKind.WAIVER, asked_by=cast.administrator, reason="r"
    )


def _counts(page: str) -> dict[str, tuple[int, str]]:
    import re

    found = re.findall(
        r'href="([^"]+)" data-count="(\w+)">\s*<span class="count-number">(\d+)</span>', page
    )
    return {key: (int(n), url.replace("&amp;", "&")) for url, key, n in found}


@pytest.mark.clause("LW-6.2")
def test_the_staff_home_counts_link_to_the_queue_showing_as_many(
    cast, client, django_assert_num_queries
):
    now = timezone.now()
    _queue_for_counts(cast, now)
    client.force_login(cast.agent)
    client.cookies["portal_language"] = "en"
    # session, user, OTP device, the staff role check; the one aggregate of the queue's
    # figures (no approvals: charlie is not an administrator); the analytics consent
    # (cookie banner), the failed mail of the mail card.
    with django_assert_num_queries(7):
        page = client.get(reverse("staff_home")).content.decode()
    counts = _counts(page)
    assert counts == {
        "overdue": (1, "/staff/requests/?overdue=1"),
        "due_soon": (3, "/staff/requests/?due_within=3"),
        "unassigned": (1, "/staff/requests/?unassigned=1"),
        "mine": (3, "/staff/requests/?mine=1"),
    }
    assert "Due within 3 days" in page and 'class="count count-danger"' in page
    for number, url in counts.values():
        assert len(client.get(url).context["rows"]) == number


def test_an_administrator_also_sees_what_waits_for_their_approval(
    cast, client, django_assert_num_queries
):
    _queue_for_counts(cast, timezone.now())
    client.force_login(cast.administrator)
    # as for staff, and one count of the approvals this administrator may decide
    with django_assert_num_queries(8):
        page = client.get(reverse("staff_home")).content.decode()
    counts = _counts(page)
    assert counts["mine"] == (1, "/staff/requests/?mine=1")
    assert counts["approvals"] == (1, "/staff/approvals/")
    assert "自分の承認待ち" in page
