"""Assigning a request (LW-5): claim, assign and reassign with the assignee the page showed,
two staff claiming at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from portal.models import AuditEvent
from requests.errors import RequestError
from requests.models import Kind
from requests.services import assignment
from tests.requests.factories import data_request


@pytest.mark.clause("LW-5")
def test_claim_assign_and_reassign(cast, agent_client):
    req = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    url = reverse("requests:staff_assign", kwargs={"pk": req.pk})
    agent_client.post(url, {"claim": "1", "expected": ""})
    req.refresh_from_db()
    assert req.assignee == cast.agent
    agent_client.post(url, {"assignee": cast.administrator.pk, "expected": cast.agent.pk})
    req.refresh_from_db()
    assert req.assignee == cast.administrator
    # A stale page (it still shows the agent as assignee) changes nothing and says why.
    response = agent_client.post(url, {"assignee": "", "expected": cast.agent.pk}, follow=True)
    req.refresh_from_db()
    assert req.assignee == cast.administrator
    assert "担当者が先に変更された" in response.content.decode()  # the page is Japanese
    # Only privacy staff can be assigned.
    agent_client.post(url, {"assignee": cast.customer.pk, "expected": cast.administrator.pk})
    req.refresh_from_db()
    assert req.assignee == cast.administrator
    assert AuditEvent.objects.filter(action="requests.request.assigned").count() == 2


@pytest.mark.clause("LW-5")
@pytest.mark.django_db(transaction=True)
def test_two_staff_claiming_at_once_one_wins_the_other_is_told(cast):
    req = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def claim(who):
        try:
            barrier.wait()
            assignment.request_assign(
                request_id=req.pk, actor=who, assignee=who, expected_assignee_id=None
            )
            results[who.email] = "won"
        except RequestError as exc:
            results[who.email] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (cast.agent, cast.administrator)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(v == "won" for v in results.values()) == [False, True]
    req.refresh_from_db()
    winner = next(email for email, v in results.items() if v == "won")
    assert req.assignee.email == winner
