"""A double submit of a message form posts the message once, on the customer's and on the
staff side: the form carries a fresh token, the service posts once per token, and
the database refuses a second row with the same token."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from portal.models import OutboundMail
from requests.models import RequestMessage, Status, TimelineEntry
from tests.requests.factories import data_request

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="token" value="([0-9a-f-]{36})"')


def _token(page) -> str:
    found = TOKEN.findall(page.content.decode())
    assert len(found) == 1, "the message form carries exactly one token"
    return found[0]


def test_a_double_submit_from_the_customer_posts_once(cast, customer_client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, assignee=cast.agent)
    page = customer_client.get(reverse("requests:detail", kwargs={"reference": req.reference}))
    token = _token(page)
    url = reverse("requests:message_post", kwargs={"reference": req.reference})
    mails_before = OutboundMail.objects.count()
    first = customer_client.post(url, {"body": "住所の件です。", "token": token})
    second = customer_client.post(url, {"body": "住所の件です。", "token": token})
    assert first.status_code == second.status_code == 302
    assert list(RequestMessage.objects.filter(request=req).values_list("body", flat=True)) == [
        "住所の件です。"
    ]
    assert TimelineEntry.objects.filter(request=req, event="message_from_customer").count() == 1
    assert OutboundMail.objects.count() == mails_before + 1  # one notice to the assignee
    # A new page is a new form: the next message is posted.
    again = _token(
        customer_client.get(reverse("requests:detail", kwargs={"reference": req.reference}))
    )
    assert again != token
    customer_client.post(url, {"body": "もう一つ。", "token": again})
    assert RequestMessage.objects.filter(request=req).count() == 2


def test_a_double_submit_from_staff_posts_once(cast, agent_client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    token = _token(agent_client.get(reverse("requests:staff_detail", kwargs={"pk": req.pk})))
    url = reverse("requests:staff_message_post", kwargs={"pk": req.pk})
    for _ in range(3):
        response = agent_client.post(url, {"body": "ご確認ください。", "token": token})
        assert response.status_code == 302
    assert RequestMessage.objects.filter(request=req, from_staff=True).count() == 1
    assert OutboundMail.objects.filter(to=cast.customer.email).count() == 1


@pytest.mark.parametrize("token", ["", "not-a-uuid", "\x00", "x" * 10_000])
def test_a_missing_or_tampered_token_still_posts(cast, customer_client, token):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    url = reverse("requests:message_post", kwargs={"reference": req.reference})
    response = customer_client.post(url, {"body": "よろしくお願いします。", "token": token})
    assert response.status_code == 302
    assert RequestMessage.objects.get(request=req).client_token is None


def test_the_database_refuses_a_second_message_with_the_same_token(cast):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    token = uuid.uuid4()
    RequestMessage.objects.create(request=req, author=cast.customer, body="a", client_token=token)
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestMessage.objects.create(
            request=req, author=cast.customer, body="b", client_token=token
        )
    assert RequestMessage.objects.filter(request=req).count() == 1
