"""Customer nudges and lapsing of requests waiting on the customer or on payment."""

# ruff: noqa: RUF001 (the mails' own Japanese punctuation)

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.models import AuditEvent, OutboundMail, ReminderClaim
from requests import jobs, workflow
from requests.models import DataRequest, JobSettings, Kind, Outcome, Status, TimelineEntry
from tests.requests.factories import data_request


def waiting(now, *, days, status=Status.AWAITING_CUSTOMER, **kwargs) -> DataRequest:
    return data_request(status=status, paused_since=now - timedelta(days=days), **kwargs)


@pytest.mark.clause("LW-6.2")
def test_the_customer_is_nudged_once_after_seven_days(cast, now):
    fresh = waiting(now, days=6, customer=cast.customer)
    due = waiting(now, days=7, customer=cast.other_customer, kind=Kind.DELETION)

    result = jobs.request_waiting_sweep(now=now)

    assert (result.nudges, result.lapsed) == (1, 0)
    mail = OutboundMail.objects.get()
    assert mail.to == cast.other_customer.email and mail.language == "en"
    assert mail.subject == f"We are still waiting for you: request {due.reference}"
    assert "identity documents or information we asked you for" in mail.body
    lapse_on = (due.paused_since + timedelta(days=37)).astimezone(jobs.clock.TOKYO)
    assert f"by {lapse_on:%Y-%m-%d} (Japan time), the request will be closed as lapsed" in mail.body
    assert f"http://testserver/requests/{due.reference}/" in mail.body
    assert not ReminderClaim.objects.filter(subject_id=fresh.pk).exists()

    assert jobs.request_waiting_sweep(now=now + timedelta(hours=1)).nudges == 0
    # A day later the other request has waited seven days as well.
    assert jobs.request_waiting_sweep(now=now + timedelta(days=1)).nudges == 1


@pytest.mark.clause("LW-6.4")
def test_a_request_waiting_for_payment_is_nudged_about_the_fee(cast, now):
    req = waiting(now, days=8, status=Status.AWAITING_PAYMENT, customer=cast.customer)

    jobs.request_waiting_sweep(now=now)

    mail = OutboundMail.objects.get(to=cast.customer.email)
    assert mail.subject == f"ご対応をお待ちしております：ご請求 {req.reference}"
    assert "手数料のお支払いをお待ちしております" in mail.body


@pytest.mark.clause("LW-6.2")
def test_a_new_wait_gets_its_own_nudge(cast, now):
    req = waiting(now, days=8, customer=cast.customer)
    jobs.request_waiting_sweep(now=now)
    DataRequest.objects.filter(pk=req.pk).update(paused_since=now - timedelta(days=7, hours=1))

    assert jobs.request_waiting_sweep(now=now).nudges == 1
    assert ReminderClaim.objects.filter(subject_id=req.pk, reminder="customer_nudge").count() == 2


@pytest.mark.clause("LW-6.2", "LW-6.4")
def test_after_a_further_thirty_days_the_request_lapses_through_the_workflow(
    cast, now, django_capture_on_commit_callbacks, mailoutbox
):
    still = waiting(now, days=36, customer=cast.customer, kind=Kind.DISCLOSURE)
    gone = waiting(now, days=37, customer=cast.other_customer, kind=Kind.INQUIRY)
    unpaid = waiting(
        now,
        days=40,
        status=Status.AWAITING_PAYMENT,
        customer=cast.customer,
        kind=Kind.PURPOSE_NOTICE,
    )
    OutboundMail.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        result = jobs.request_waiting_sweep(now=now)

    assert result.lapsed == 2
    for req in (gone, unpaid):
        req.refresh_from_db()
        assert (req.status, req.outcome) == (Status.CLOSED, Outcome.LAPSED)
        assert TimelineEntry.objects.filter(request=req, event="lapse").exists()
        assert AuditEvent.objects.filter(
            action="requests.request.lapsed", target_id=str(req.pk), actor=None
        ).exists()
    still.refresh_from_db()
    assert still.status == Status.AWAITING_CUSTOMER
    # The closing notice in the customer's language says why and how to file again.
    english = next(m for m in mailoutbox if m.to == [cast.other_customer.email])
    assert (
        "We did not receive the identity documents or information we asked for within 37 days"
        in (english.body)
    )
    assert "please file a new request: http://testserver/requests/new/" in english.body
    japanese = next(m for m in mailoutbox if unpaid.reference in m.body)
    assert (
        "手数料のお支払いをお願いしてから 37 日以内にお支払いが確認できなかったため"
        in japanese.body
    )
    assert "改めてご請求ください：http://testserver/requests/new/" in japanese.body
    # A second run finds nothing more to do.
    assert jobs.request_waiting_sweep(now=now).lapsed == 0


@pytest.mark.clause("LW-6.2")
def test_a_customer_who_answered_is_not_lapsed(cast, now):
    req = waiting(now, days=40, customer=cast.customer)
    workflow.request_customer_respond(request_id=req.pk, actor=cast.customer)

    assert jobs.request_waiting_sweep(now=now).lapsed == 0
    req.refresh_from_db()
    assert req.status == Status.VERIFYING


@pytest.mark.clause("LW-6.2")
def test_the_waits_are_configurable(cast, now):
    JobSettings.objects.create(nudge_after_days=2, lapse_after_days=3)
    nudged = waiting(now, days=2, customer=cast.customer)
    lapsed = waiting(now, days=5, customer=cast.other_customer)

    result = jobs.request_waiting_sweep(now=now)

    assert (result.nudges, result.lapsed) == (1, 1)
    assert ReminderClaim.objects.filter(subject_id=nudged.pk).exists()
    lapsed.refresh_from_db()
    assert lapsed.outcome == Outcome.LAPSED
    assert "5 days" in lapsed.outcome_reason


@pytest.mark.clause("LW-6.2")
def test_lapsing_in_one_run_is_bounded(cast, now):
    for i in range(3):
        waiting(now, days=50 + i, customer=cast.customer, kind=list(Kind.values)[i])

    assert jobs.request_waiting_sweep(now=now, lapse_batch=2).lapsed == 2
    assert jobs.request_waiting_sweep(now=now, lapse_batch=2).lapsed == 1
    assert jobs.request_waiting_sweep(now=now, lapse_batch=2).lapsed == 0
