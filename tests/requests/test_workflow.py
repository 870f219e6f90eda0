"""The request lifecycle (docs/architecture.md): every allowed and every forbidden move, what
each move records, the clock, and two moves at once on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.utils import timezone, translation

from portal.models import AuditEvent, OutboundMail
from requests import workflow
from requests.errors import RequestError
from requests.models import (
    DataRequest,
    FeePayment,
    FeeStatus,
    Kind,
    Outcome,
    Status,
    TimelineEntry,
)
from tests.requests.factories import data_request


@pytest.fixture(autouse=True)
def _english_messages():
    # Service messages are translated for the person reading them; match the English ones.
    with translation.override("en"):
        yield


# The arguments each transition needs besides request_id and actor.
# The audit action each move writes: the subject in the past tense.
AUDITED = {
    "verification_start": "requests.request.verification_started",
    "customer_ask": "requests.request.customer_asked",
    "customer_respond": "requests.request.customer_responded",
    "identity_confirm": "requests.request.identity_confirmed",
    "identity_fail": "requests.request.identity_failed",
    "fee_quote": "requests.request.fee_quoted",
    "payment_record": "requests.request.payment_recorded",
    "fee_waive": "requests.request.fee_waived",
    "approval_ask": "requests.request.approval_asked",
    "approval_return": "requests.request.approval_returned",
    "approve": "requests.request.approved",
    "close": "requests.request.closed",
    "lapse": "requests.request.lapsed",
    "withdraw": "requests.request.withdrawn",
}

ARGS = {
    "verification_start": {},
    "customer_ask": {"note": "運転免許証の写しをお送りください。"},
    "customer_respond": {},
    "identity_confirm": {},
    "identity_fail": {"reason": "ご本人であることを確認できませんでした。"},
    "fee_quote": {},
    "payment_record": {"method": "bank_transfer", "amount_yen": 1000, "paid_on": date(2026, 5, 1)},
    "fee_waive": {"reason": "Hardship"},
    "approval_ask": {"outcome": Outcome.PARTIALLY_FULFILLED, "reason": "Ground (1)"},
    "approval_return": {"comment": "Please reconsider"},
    "approve": {},
    "close": {"outcome": Outcome.FULFILLED, "reason": "We sent you your data."},
    "lapse": {"reason": "No payment within 30 days."},
    "withdraw": {},
}

# The expected lifecycle, written out here and never read from `workflow.TRANSITIONS`: for
# every action (row) and state (column), the state the request moves to, or "-" where the
# action is not allowed. `customer_respond` returns to identity checking here because the
# request in the test has no confirmed identity (the other branch is tested below).
# Short names for the table below, so that a row fits on a line.
STATES = {
    "sub": "submitted",
    "ver": "verifying",
    "cust": "awaiting_customer",
    "pay": "awaiting_payment",
    "rev": "in_review",
    "appr": "awaiting_approval",
    "clo": "closed",
}
TABLE_TEXT = """
action             sub   ver   cust  pay   rev   appr  clo
verification_start ver   -     -     -     -     -     -
customer_ask       -     cust  -     -     cust  -     -
customer_respond   -     -     ver   -     -     -     -
identity_confirm   -     rev   -     -     -     -     -
identity_fail      -     clo   -     -     -     -     -
fee_quote          -     -     -     -     pay   -     -
payment_record     -     -     -     rev   -     -     -
fee_waive          -     -     -     rev   -     -     -
approval_ask       -     -     -     -     appr  -     -
approval_return    -     -     -     -     -     rev   -
approve            -     -     -     -     -     clo   -
close              -     -     -     -     clo   -     -
lapse              -     -     clo   clo   -     -     -
withdraw           clo   clo   clo   clo   clo   clo   -
"""


def _cells(text: str) -> dict[tuple[str, str], str]:
    """A table written as text: (action, state) -> the cell as written."""
    lines = [line.split() for line in text.strip().splitlines()]
    columns = lines[0][1:]
    assert columns == list(STATES)
    table = {}
    for action, *cells in lines[1:]:
        assert len(cells) == len(columns), action
        for column, cell in zip(columns, cells, strict=True):
            table[(action, STATES[column])] = cell
    return table


def _table() -> dict[tuple[str, str], str | None]:
    return {key: None if cell == "-" else STATES[cell] for key, cell in _cells(TABLE_TEXT).items()}


EXPECTED = _table()
ACTIONS = sorted({action for action, _state in EXPECTED})


def _actor(name, cast):
    if name == "withdraw":
        return cast.customer
    if name in ("fee_waive", "approval_return", "approve"):
        return cast.administrator
    if name == "customer_respond":
        return cast.customer
    if name == "lapse":
        return None
    return cast.agent


CELLS = [(name, status) for name in ACTIONS for status in STATES.values()]


def test_the_table_names_every_service_and_every_state():
    assert set(workflow.TRANSITIONS) == set(workflow.SERVICES) == set(ARGS) == set(ACTIONS)
    assert set(Status.values) == set(STATES.values())


@pytest.mark.clause("LW-6.1", "LW-6.2")
@pytest.mark.parametrize(("name", "status"), CELLS, ids=[f"{n}-from-{s}" for n, s in CELLS])
def test_transition_table(cast, name, status):
    """Every (transition, state) pair: allowed ones move and leave a record, the others raise
    RequestError and change nothing."""
    req = data_request(status=status, kind=Kind.DISCLOSURE, customer=cast.customer)
    before = (
        TimelineEntry.objects.count(),
        AuditEvent.objects.count(),
        OutboundMail.objects.count(),
    )
    call = workflow.SERVICES[name]
    target = EXPECTED[(name, status)]
    assert workflow.allowed(name, status) == (target is not None)
    if target is not None:
        result = call(request_id=req.pk, actor=_actor(name, cast), **ARGS[name])
        req.refresh_from_db()
        assert result.status == req.status == target
        entry = req.timeline.get()
        assert (entry.event, entry.from_status, entry.to_status) == (name, status, req.status)
        audit = AuditEvent.objects.get(action=AUDITED[name])
        assert audit.target_id == str(req.pk)
        assert audit.payload["from"] == status
        assert OutboundMail.objects.filter(to=cast.customer.email).count() == 1
        if req.status == Status.CLOSED:
            assert req.closed_at is not None and req.outcome
        assert req.paused_since is None or req.status in (
            Status.AWAITING_CUSTOMER,
            Status.AWAITING_PAYMENT,
        )
    else:
        with pytest.raises(RequestError):
            call(request_id=req.pk, actor=_actor(name, cast), **ARGS[name])
        assert DataRequest.objects.get(pk=req.pk).status == status
        after = (
            TimelineEntry.objects.count(),
            AuditEvent.objects.count(),
            OutboundMail.objects.count(),
        )
        assert after == before


@pytest.mark.clause("LW-6.2")
def test_customer_respond_returns_to_where_work_stopped(cast):
    unverified = data_request(status=Status.AWAITING_CUSTOMER, customer=cast.customer)
    workflow.request_customer_respond(request_id=unverified.pk, actor=cast.customer)
    unverified.refresh_from_db()
    assert unverified.status == Status.VERIFYING
    verified = data_request(
        status=Status.AWAITING_CUSTOMER,
        customer=cast.customer,
        kind=Kind.CORRECTION,
        identity_confirmed_at=timezone.now(),
    )
    workflow.request_customer_respond(request_id=verified.pk, actor=cast.customer)
    verified.refresh_from_db()
    assert verified.status == Status.IN_REVIEW


@pytest.mark.clause("LW-6.2")
def test_waiting_on_the_customer_pushes_the_due_date_by_the_time_paused(cast):
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    original_due = req.due_at
    workflow.request_customer_ask(request_id=req.pk, actor=cast.agent, note="Send ID")
    req.refresh_from_db()
    assert req.is_paused and req.status == Status.AWAITING_CUSTOMER
    # Pretend the customer took three days to answer.
    paused_since = req.paused_since - timedelta(days=3)
    DataRequest.objects.filter(pk=req.pk).update(paused_since=paused_since)
    before = timezone.now()
    workflow.request_customer_respond(request_id=req.pk, actor=cast.customer)
    after = timezone.now()
    req.refresh_from_db()
    assert not req.is_paused
    # The pause ended during the call: between the moments taken before and after it.
    assert (
        int((before - paused_since).total_seconds())
        <= req.paused_seconds
        <= int((after - paused_since).total_seconds())
    )
    assert req.paused_seconds >= 3 * 86400
    assert req.due_at == original_due + timedelta(seconds=req.paused_seconds)


@pytest.mark.clause("LW-6.2")
def test_an_extension_moves_the_due_date_and_tells_the_customer(cast):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    due = req.due_at
    with pytest.raises(RequestError):
        workflow.request_extension_grant(
            request_id=req.pk, actor=cast.agent, days=7, reason="Large request"
        )
    workflow.request_extension_grant(
        request_id=req.pk, actor=cast.administrator, days=7, reason="Large request"
    )
    req.refresh_from_db()
    assert req.due_at == due + timedelta(days=7)
    assert req.extension_days == 7
    assert AuditEvent.objects.filter(action="requests.request.extension_granted").exists()
    assert OutboundMail.objects.filter(to=cast.customer.email).count() == 1


@pytest.mark.clause("LW-6.4", "LW-2.3")
def test_payment_is_recorded_on_the_request(cast):
    req = data_request(status=Status.AWAITING_PAYMENT, customer=cast.customer, fee_yen=1000)
    with pytest.raises(RequestError, match="not the fee"):
        workflow.request_payment_record(
            request_id=req.pk,
            actor=cast.agent,
            method="card",
            amount_yen=999,
            paid_on=date(2026, 5, 1),
        )
    workflow.request_payment_record(
        request_id=req.pk,
        actor=cast.agent,
        method="card",
        amount_yen=1000,
        paid_on=date(2026, 5, 1),
    )
    req.refresh_from_db()
    assert req.fee_status == FeeStatus.PAID
    payment = FeePayment.objects.get(request=req)
    assert (payment.amount_yen, payment.method, payment.recorded_by) == (1000, "card", cast.agent)


@pytest.mark.clause("LW-6.4")
def test_fee_is_quoted_only_after_identity_and_only_if_the_request_carries_one(cast):
    no_fee = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.INQUIRY)
    with pytest.raises(RequestError, match=r"APPI Art\. 38"):  # says why
        workflow.request_fee_quote(request_id=no_fee.pk, actor=cast.agent)
    unconfirmed = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        identity_confirmed_at=None,
    )
    with pytest.raises(RequestError, match="identity"):
        workflow.request_fee_quote(request_id=unconfirmed.pk, actor=cast.agent)


@pytest.mark.clause("LW-6.3", "APPI-36")
def test_refusal_needs_an_administrator_and_the_notice_gives_the_reason(cast):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DISCLOSURE)
    with pytest.raises(RequestError, match="approval"):
        workflow.request_close(
            request_id=req.pk, actor=cast.agent, outcome=Outcome.REFUSED, reason="no"
        )
    workflow.request_approval_ask(
        request_id=req.pk,
        actor=cast.agent,
        outcome=Outcome.REFUSED,
        reason="開示により第三者の権利を害するおそれがあるため。",
    )
    with pytest.raises(RequestError, match="administrator"):
        workflow.request_approve(request_id=req.pk, actor=cast.agent)
    workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.REFUSED)
    notice = OutboundMail.objects.filter(to=cast.customer.email).latest("id")
    assert "開示により第三者の権利を害するおそれがあるため。" in notice.body
    assert req.reference in notice.subject
    assert "対応不可" in notice.body  # the outcome, in the customer's language (Japanese)


@pytest.mark.clause("LW-6.3")
def test_failed_identity_closes_as_refused_on_ground_four(cast):
    req = data_request(status=Status.VERIFYING, customer=cast.customer, kind=Kind.DISCLOSURE)
    workflow.request_identity_fail(
        request_id=req.pk, actor=cast.agent, reason="Documents did not match."
    )
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.REFUSED)
    assert AuditEvent.objects.get(action="requests.request.identity_failed").payload["ground"] == 4


def test_only_the_customer_withdraws_their_request(cast):
    req = data_request(status=Status.SUBMITTED, customer=cast.customer)
    with pytest.raises(RequestError):
        workflow.request_withdraw(request_id=req.pk, actor=cast.other_customer)
    workflow.request_withdraw(request_id=req.pk, actor=cast.customer)
    req.refresh_from_db()
    assert req.outcome == Outcome.WITHDRAWN


def test_stale_page_is_told_the_request_changed(cast):
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    with pytest.raises(RequestError, match="changed meanwhile"):
        workflow.request_identity_confirm(
            request_id=req.pk, actor=cast.agent, expected_status=Status.SUBMITTED
        )


def test_the_notice_leaves_only_when_the_transaction_commits(
    cast, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    req = data_request(status=Status.SUBMITTED, customer=cast.customer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.request_verification_start(request_id=req.pk, actor=cast.agent)
    mail = OutboundMail.objects.get(to=cast.customer.email)
    assert mail.status == OutboundMail.Status.PENDING
    assert len(callbacks) == 1  # handed to the worker on commit, not before
    callbacks[0]()
    mail.refresh_from_db()
    assert mail.status == OutboundMail.Status.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_closing_at_once_one_wins_and_the_other_is_told(cast):
    """Two threads, two connections, one row lock: exactly one close succeeds; the other gets
    a RequestError (not a second timeline entry, audit event or notice)."""
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def close(actor):
        try:
            barrier.wait(timeout=10)
            workflow.request_close(
                request_id=req.pk, actor=actor, outcome=Outcome.FULFILLED, reason="Done."
            )
            results.append("ok")
        except RequestError:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=close, args=(cast.agent,)),
        threading.Thread(target=close, args=(cast.administrator,)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["ok", "refused"]
    assert TimelineEntry.objects.filter(request=req, event="close").count() == 1
    assert AuditEvent.objects.filter(action="requests.request.closed").count() == 1
    assert OutboundMail.objects.filter(to=cast.customer.email).count() == 1


# What pages and services ask the workflow (`workflow.can(req, action)` and the `can`
# template filter), written out from the lifecycle in the design: for every action (row) and
# state (column), "y" where the page offers it and the service lets it through, "-" where not.
# The request carries a fee of the schedule not yet quoted.
CAN_TEXT = """
action             sub ver cust pay rev appr clo
start_verification y   -   -    -   -   -    -
check_identity     -   y   -    -   -   -    -
ask_customer       -   y   -    -   y   -    -
respond            -   -   y    -   -   -    -
quote_fee          -   -   -    -   y   -    -
record_payment     -   -   -    y   -   -    -
waive_fee          -   -   -    y   -   -    -
close              -   -   -    -   y   -    -
ask_approval       -   -   -    -   y   -    -
decide             -   -   -    -   y   -    -
approve            -   -   -    -   -   y    -
lapse              -   -   y    y   -   -    -
withdraw           y   y   y    y   y   y    -
match_requester    y   y   y    -   -   -    -
"""


def _can_table() -> dict[tuple[str, str], bool]:
    cells = _cells(CAN_TEXT)
    assert set(cells.values()) == {"y", "-"}
    return {key: cell == "y" for key, cell in cells.items()}


CAN = _can_table()


def test_the_questions_are_the_ones_the_pages_ask():
    assert sorted(workflow.ACTIONS) == sorted({action for action, _state in CAN})


@pytest.mark.parametrize(("action", "status"), sorted(CAN))
def test_what_may_be_done_in_each_state(action, status):
    req = DataRequest(status=status, fee_yen=1000, fee_status=FeeStatus.NONE)
    assert workflow.can(req, action) is CAN[(action, status)]


@pytest.mark.parametrize(
    ("fee_yen", "fee_status", "expected"),
    [
        (1000, FeeStatus.NONE, True),
        (0, FeeStatus.NONE, False),
        (1000, FeeStatus.QUOTED, False),
        (1000, FeeStatus.PAID, False),
        (1000, FeeStatus.WAIVED, False),
    ],
)
def test_a_fee_is_offered_for_quoting_once_and_only_if_there_is_one(fee_yen, fee_status, expected):
    req = DataRequest(status=Status.IN_REVIEW, fee_yen=fee_yen, fee_status=fee_status)
    assert workflow.can_quote_fee(req) is expected


def test_templates_ask_through_the_can_filter():
    page = Template('{% load request_tags %}{% if req|can:"close" %}close{% else %}no{% endif %}')
    assert page.render(Context({"req": DataRequest(status=Status.IN_REVIEW)})) == "close"
    assert page.render(Context({"req": DataRequest(status=Status.VERIFYING)})) == "no"


def test_an_unknown_question_is_an_error_not_a_quiet_no():
    with pytest.raises(KeyError):
        workflow.can(DataRequest(status=Status.IN_REVIEW), "clsoe")
