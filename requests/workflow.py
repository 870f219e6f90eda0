"""The request lifecycle: the only code that writes `DataRequest.status` (docs/architecture.md).

Every transition is one function. Each locks the request row (SELECT ... FOR UPDATE), checks
the current state against TRANSITIONS, moves the clock (LW-6.2), writes a timeline entry and
an audit event, and queues the customer's notice in the customer's language; the mail leaves
only when the transaction commits. A move the table does not allow raises RequestError, so
of two people acting on one request at once, the second is told instead of silently winning.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import approvals, tasking
from portal.inventory import CATEGORIES
from portal.models import ApprovalStatus, User
from portal.services import audit_record, mail_queue
from requests import clock, letters, links, principals
from requests.errors import RequestError
from requests.models import (
    CHARGEABLE_KINDS,
    OPEN_STATUSES,
    PAUSED_STATUSES,
    ApprovalKind,
    DataRequest,
    DecisionItem,
    DisclosurePackage,
    FeePayment,
    FeeStatus,
    Ground,
    Kind,
    Outcome,
    PaymentKind,
    PaymentMethod,
    Status,
    TimelineEntry,
)

S = Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: decided by the function (back to where work resumes)


TRANSITIONS: dict[str, Transition] = {
    "verification_start": Transition(frozenset({S.SUBMITTED}), S.VERIFYING),
    "customer_ask": Transition(frozenset({S.VERIFYING, S.IN_REVIEW}), S.AWAITING_CUSTOMER),
    "customer_respond": Transition(frozenset({S.AWAITING_CUSTOMER}), None),
    "identity_confirm": Transition(frozenset({S.VERIFYING}), S.IN_REVIEW),
    "identity_fail": Transition(frozenset({S.VERIFYING}), S.CLOSED),
    "fee_quote": Transition(frozenset({S.IN_REVIEW}), S.AWAITING_PAYMENT),
    "payment_record": Transition(frozenset({S.AWAITING_PAYMENT}), S.IN_REVIEW),
    "fee_waive": Transition(frozenset({S.AWAITING_PAYMENT}), S.IN_REVIEW),
    "approval_ask": Transition(frozenset({S.IN_REVIEW}), S.AWAITING_APPROVAL),
    "approval_return": Transition(frozenset({S.AWAITING_APPROVAL}), S.IN_REVIEW),
    "approve": Transition(frozenset({S.AWAITING_APPROVAL}), S.CLOSED),
    "close": Transition(frozenset({S.IN_REVIEW}), S.CLOSED),
    "lapse": Transition(frozenset({S.AWAITING_CUSTOMER, S.AWAITING_PAYMENT}), S.CLOSED),
    "withdraw": Transition(frozenset(OPEN_STATUSES), S.CLOSED),
}

# The audit action each transition writes: the same subject, in the past tense
# (docs/architecture.md, "Who owns what"). The timeline keeps the transition's own name.
AUDIT_ACTIONS: dict[str, str] = {
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

# Closing outcomes staff may choose directly; the others need a privacy administrator's
# approval first (LW-6.3), and lapsed/withdrawn have their own transitions.
DIRECT_OUTCOMES = (Outcome.FULFILLED, Outcome.NO_DATA)
APPROVAL_OUTCOMES = (Outcome.PARTIALLY_FULFILLED, Outcome.REFUSED)


def allowed(name: str, status: str) -> bool:
    return status in TRANSITIONS[name].sources


# --- what may be done now ------------------------------------------------------------------
# Services, views and templates ask these instead of comparing statuses themselves; each is
# read off TRANSITIONS, so the table above stays the one statement of the lifecycle.
# Templates ask through the `can` filter: `{% if req|can:"close" %}` (requests/templatetags).


def _may(*names: str) -> Callable[[DataRequest], bool]:
    """The question whether every named transition may start from the request's state."""

    def may(req: DataRequest) -> bool:
        return all(allowed(name, req.status) for name in names)

    may.__name__ = f"can_{'_and_'.join(names)}"
    return may


can_start_verification = _may("verification_start")
# Confirm the requester's identity, or close because it could not be confirmed.
can_check_identity = _may("identity_confirm", "identity_fail")
can_ask_customer = _may("customer_ask")
# We wait for the customer: what they send (a message, a document) resumes the work.
can_respond = _may("customer_respond")
# We wait for the quoted fee: staff record its payment or ask for a waiver.
can_record_payment = _may("payment_record")
can_waive_fee = _may("fee_waive")
can_close = _may("close")
can_ask_approval = _may("approval_ask")
# A draft decision waits for a privacy administrator (approve or return it).
can_approve = _may("approve", "approval_return")
can_lapse = _may("lapse")
can_withdraw = _may("withdraw")


def can_quote_fee(req: DataRequest) -> bool:
    """A fee of the schedule waits to be quoted (the service checks the kind and identity)."""
    return (
        allowed("fee_quote", req.status) and bool(req.fee_yen) and req.fee_status == FeeStatus.NONE
    )


def can_decide(req: DataRequest) -> bool:
    """Staff work the request to its answer: a decision item by item, a fulfilment that
    closes, or an erasure for an administrator to approve. The answer either closes the
    request or goes to approval, so both moves must be open."""
    return can_close(req) and can_ask_approval(req)


# The identity check runs from filing until identity is confirmed, including a wait on the
# customer for documents: the states the identity moves start from.
IDENTITY_CHECK_STATUSES = (
    TRANSITIONS["verification_start"].sources
    | TRANSITIONS["identity_confirm"].sources
    | TRANSITIONS["customer_respond"].sources
)


def can_match_requester(req: DataRequest) -> bool:
    """A requester without an account is matched to the data we hold while their identity is
    checked, before anything is fulfilled."""
    return req.status in IDENTITY_CHECK_STATUSES


# The names templates use with the `can` filter.
ACTIONS: dict[str, Callable[[DataRequest], bool]] = {
    "start_verification": can_start_verification,
    "check_identity": can_check_identity,
    "ask_customer": can_ask_customer,
    "respond": can_respond,
    "quote_fee": can_quote_fee,
    "record_payment": can_record_payment,
    "waive_fee": can_waive_fee,
    "close": can_close,
    "ask_approval": can_ask_approval,
    "decide": can_decide,
    "approve": can_approve,
    "lapse": can_lapse,
    "withdraw": can_withdraw,
    "match_requester": can_match_requester,
}


def can(req: DataRequest, action: str) -> bool:
    """`ACTIONS[action](req)`; an unknown name is a programming error, not a quiet False."""
    return ACTIONS[action](req)


def _require_admin(actor: User | None) -> None:
    if actor is None or not actor.is_privacy_admin:
        raise RequestError(_("Only a privacy administrator can do this."))


def _require_staff(actor: User | None) -> None:
    if actor is None or not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))


def _move(
    name: str,
    *,
    request_id: int,
    actor: User | None,
    note: str = "",
    expected_status: str | None = None,
    check: Callable[[DataRequest], None] | None = None,
    change: Callable[[DataRequest], list[str]] | None = None,
    target: Callable[[DataRequest], str] | None = None,
    payload: dict | None = None,
) -> DataRequest:
    """Lock, check, move, record, notify: the one path every transition takes."""
    with transaction.atomic():
        req = (
            DataRequest.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=request_id)
        )
        if expected_status is not None and req.status != expected_status:
            raise RequestError(
                _(
                    "Request %(reference)s changed meanwhile (it is now “%(status)s”); "
                    "nothing was done. Please look at it again."
                )
                % {"reference": req.reference, "status": req.get_status_display()}
            )
        if not allowed(name, req.status):
            raise RequestError(
                _("Request %(reference)s is “%(status)s”; this step is not possible now.")
                % {"reference": req.reference, "status": req.get_status_display()}
            )
        if check is not None:
            check(req)
        old = req.status
        new = target(req) if target else TRANSITIONS[name].target
        now = timezone.now()
        fields = ["status", "updated_at"]
        # The clock (LW-6.2): it stops when we wait on the customer and runs again after.
        if new in PAUSED_STATUSES and req.paused_since is None:
            req.paused_since = now
            fields.append("paused_since")
        elif new not in PAUSED_STATUSES and req.paused_since is not None:
            req.paused_seconds += int((now - req.paused_since).total_seconds())
            req.paused_since = None
            req.due_at = clock.due_at(
                received_at=req.received_at,
                days=req.sla_days,
                mode=req.sla_day_mode,
                paused_seconds=req.paused_seconds,
                extension_days=req.extension_days,
            )
            fields += ["paused_since", "paused_seconds", "due_at"]
        if new == S.CLOSED:
            req.closed_at = now
            fields.append("closed_at")
        if change is not None:
            fields += change(req)
        req.status = new
        req.save(update_fields=sorted(set(fields)))
        TimelineEntry.objects.create(
            request=req, event=name, from_status=old, to_status=new, actor=actor, note=note
        )
        audit_record(
            actor=actor,
            action=AUDIT_ACTIONS[name],
            target=req,
            payload={"reference": req.reference, "from": old, "to": new, **(payload or {})},
        )
        _notify(req, name)
    return req


def _notice_context(
    req: DataRequest, event: str, recipient: principals.Addressee | None = None
) -> dict:
    recipient = recipient or principals.addressee(req)
    return {
        "request": req,
        "recipient": recipient,
        "event": event,
        "url": links.path_for(req, account=recipient.user is not None),
        "due_at": req.effective_due_at(),
        "package_days": settings.REQUESTS_PACKAGE_DAYS,
    }


def closing_notice_preview(req: DataRequest, *, outcome: str, reason: str) -> tuple[str, str]:
    """(subject, body) of the closing notice as the customer would receive it, in their
    language, for staff to read before they close (APPI-36). Nothing is saved."""
    draft = copy(req)
    draft.status, draft.outcome, draft.outcome_reason = S.CLOSED, outcome, reason.strip()
    recipient = principals.addressee(draft)
    ctx = {"site_url": settings.SITE_URL, **_notice_context(draft, "close", recipient)}
    with translation.override(recipient.language):
        subject = " ".join(render_to_string("emails/requests/closed_subject.txt", ctx).split())
        body = render_to_string("emails/requests/closed.txt", ctx)
    return subject, body


def _notify(req: DataRequest, event: str) -> None:
    """The customer's notice of a step, in their language; closing always says the outcome
    and the reason (APPI-36). Written in this transaction, sent after it commits. A
    requester we can only write to by post gets no mail here: staff send the letter."""
    recipient = principals.addressee(req)
    template = "requests/closed" if req.status == S.CLOSED else "requests/status"
    if not recipient.by_post:
        mail_queue(
            to=recipient.email,
            language=recipient.language,
            template=template,
            context=_notice_context(req, event, recipient),
        )
    elif req.status == S.CLOSED or event in letters.POSTED_EVENTS:
        # Kept for staff to print and post (requests/letters.py).
        letters.postal_notice_record(
            request=req,
            event=event,
            template=template,
            context=_notice_context(req, event, recipient),
            recipient=recipient,
        )
    if req.answered_to_principal:
        # The answer went to the person represented (LW-6.1): the agent is told so.
        filer = principals.filer_addressee(req)
        if not filer.by_post:
            mail_queue(
                to=filer.email,
                language=filer.language,
                template="requests/answer_sent",
                context=_notice_context(req, event, filer),
            )


# --- the transitions --------------------------------------------------------------------


def request_verification_start(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Staff start checking who filed the request (LW-6.3 ground 4 begins here)."""
    _require_staff(actor)
    return _move(
        "verification_start", request_id=request_id, actor=actor, expected_status=expected_status
    )


def request_customer_ask(
    *, request_id: int, actor: User, note: str, expected_status: str | None = None
) -> DataRequest:
    """Ask the customer for identity documents or details; the clock pauses (LW-6.2)."""
    _require_staff(actor)
    if not note.strip():
        raise RequestError(_("Say what the customer should send."))
    return _move(
        "customer_ask",
        request_id=request_id,
        actor=actor,
        note=note.strip(),
        expected_status=expected_status,
    )


def request_customer_respond(*, request_id: int, actor: User) -> DataRequest:
    """The customer sent what was asked; the clock runs again and work resumes where it
    stopped: identity checking, or review once identity is confirmed."""
    return _move(
        "customer_respond",
        request_id=request_id,
        actor=actor,
        target=lambda r: S.IN_REVIEW if r.identity_confirmed_at else S.VERIFYING,
    )


def request_identity_confirm(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """The requester is confirmed as the person (LW-6.3)."""
    _require_staff(actor)

    def change(req: DataRequest) -> list[str]:
        req.identity_confirmed_at = timezone.now()
        return ["identity_confirmed_at"]

    return _move(
        "identity_confirm",
        request_id=request_id,
        actor=actor,
        change=change,
        expected_status=expected_status,
    )


def request_identity_fail(
    *, request_id: int, actor: User, reason: str, expected_status: str | None = None
) -> DataRequest:
    """The requester could not be confirmed as the person: refused on ground (4) (LW-6.3)."""
    _require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise RequestError(_("Give the reason the customer will read."))

    def change(req: DataRequest) -> list[str]:
        req.outcome = Outcome.REFUSED
        req.outcome_reason = reason
        if req.is_disclosure:
            # A failed identity check refuses every item on ground (4) (LW-6.3).
            DecisionItem.objects.filter(request=req).delete()
            DecisionItem.objects.bulk_create(
                DecisionItem(
                    request=req,
                    category=category,
                    withheld=True,
                    grounds=[Ground.IDENTITY.value],
                    reason=reason,
                )
                for category in requested_categories(req)
            )
        return ["outcome", "outcome_reason"]

    return _move(
        "identity_fail",
        request_id=request_id,
        actor=actor,
        note=reason,
        change=change,
        expected_status=expected_status,
        payload={"ground": 4},
    )


def request_fee_quote(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Quote the fee of the schedule (copied at filing) once identity is confirmed; the clock
    waits for payment (LW-6.4)."""
    _require_staff(actor)

    def check(req: DataRequest) -> None:
        if req.kind not in CHARGEABLE_KINDS:
            # Say why, and which kinds can (LW-6.4), not only that there is no fee.
            raise RequestError(
                _(
                    "A fee can be charged only for disclosure, purpose notice and "
                    "provision-record requests (APPI Art. 38); %(kind)s cannot carry a fee."
                )
                % {"kind": req.get_kind_display()}
            )
        if not req.fee_yen:
            raise RequestError(_("This request carries no fee."))
        if req.identity_confirmed_at is None:
            raise RequestError(_("Confirm the requester's identity before quoting a fee."))

    def change(req: DataRequest) -> list[str]:
        req.fee_status = FeeStatus.QUOTED
        return ["fee_status"]

    return _move(
        "fee_quote",
        request_id=request_id,
        actor=actor,
        check=check,
        change=change,
        expected_status=expected_status,
    )


def request_payment_record(
    *,
    request_id: int,
    actor: User,
    method: str,
    amount_yen: int,
    paid_on: date,
    note: str = "",
    expected_status: str | None = None,
) -> DataRequest:
    """Record the customer's payment on the request (LW-2.3, LW-6.4); work resumes."""
    _require_staff(actor)
    if method not in PaymentMethod.values:
        raise RequestError(_("Choose how the fee was paid."))

    def check(req: DataRequest) -> None:
        if amount_yen != req.fee_yen:
            raise RequestError(
                _("The amount paid (¥%(paid)s) is not the fee quoted (¥%(fee)s).")
                % {"paid": f"{amount_yen:,}", "fee": f"{req.fee_yen or 0:,}"}
            )

    def change(req: DataRequest) -> list[str]:
        FeePayment.objects.create(
            request=req,
            kind=PaymentKind.PAYMENT,
            method=method,
            amount_yen=amount_yen,
            paid_on=paid_on,
            recorded_by=actor,
            note=note,
        )
        req.fee_status = FeeStatus.PAID
        return ["fee_status"]

    return _move(
        "payment_record",
        request_id=request_id,
        actor=actor,
        check=check,
        change=change,
        expected_status=expected_status,
        payload={"amount_yen": amount_yen, "method": method},
    )


def request_fee_waive(
    *, request_id: int, actor: User, reason: str, expected_status: str | None = None
) -> DataRequest:
    """A privacy administrator waives the fee with a reason (LW-6.4)."""
    _require_admin(actor)
    if not reason.strip():
        raise RequestError(_("Give a reason for the waiver."))

    def change(req: DataRequest) -> list[str]:
        req.fee_status = FeeStatus.WAIVED
        return ["fee_status"]

    return _move(
        "fee_waive",
        request_id=request_id,
        actor=actor,
        note=reason.strip(),
        change=change,
        expected_status=expected_status,
    )


def request_approval_ask(
    *,
    request_id: int,
    actor: User,
    outcome: str,
    reason: str,
    expected_status: str | None = None,
) -> DataRequest:
    """Send a partial or refused decision to a privacy administrator (LW-6.3). The draft
    outcome and reason wait on the request until approved or returned."""
    _require_staff(actor)
    if outcome not in APPROVAL_OUTCOMES:
        raise RequestError(_("Only a partial or refused decision needs approval."))
    if not reason.strip():
        raise RequestError(_("Give the reason the customer will read."))

    def check(req: DataRequest) -> None:
        principals.outcome_check(req, outcome)

    def change(req: DataRequest) -> list[str]:
        req.outcome, req.outcome_reason = outcome, reason.strip()
        req.decision_drafted_by = actor
        try:
            approvals.ask(
                kind=ApprovalKind.DECISION, subject=req, actor=actor, reason=reason.strip()
            )
        except approvals.ApprovalError as exc:
            raise RequestError(str(exc)) from None
        return ["outcome", "outcome_reason", "decision_drafted_by"]

    return _move(
        "approval_ask",
        request_id=request_id,
        actor=actor,
        check=check,
        change=change,
        expected_status=expected_status,
        payload={"outcome": outcome},
    )


def request_approval_return(
    *, request_id: int, actor: User, comment: str, expected_status: str | None = None
) -> DataRequest:
    """A privacy administrator returns the draft with a comment; the draft is cleared."""
    _require_admin(actor)
    comment = comment.strip()
    if not comment:
        raise RequestError(_("Write a comment for the staff member who drafted it."))

    def change(req: DataRequest) -> list[str]:
        _approval_decide(req, actor=actor, approve=False, comment=comment)
        req.outcome, req.outcome_reason = "", ""
        req.decision_drafted_by = None
        return ["outcome", "outcome_reason", "decision_drafted_by"]

    return _move(
        "approval_return",
        request_id=request_id,
        actor=actor,
        note=comment.strip(),
        change=change,
        expected_status=expected_status,
    )


def request_approve(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """A privacy administrator approves the draft decision; the request closes with it and
    the customer is told the outcome and the reason (LW-6.3, APPI-36)."""
    _require_admin(actor)

    def check(req: DataRequest) -> None:
        if req.decision_drafted_by_id is not None and req.decision_drafted_by_id == actor.pk:
            raise RequestError(
                _("You drafted this decision; another privacy administrator must approve it.")
            )
        principals.outcome_check(req, req.outcome)

    def change(req: DataRequest) -> list[str]:
        _approval_decide(req, actor=actor, approve=True, comment="")
        return _after_decision(req, actor=actor)

    return _move(
        "approve",
        request_id=request_id,
        actor=actor,
        check=check,
        change=change,
        expected_status=expected_status,
        payload={"approved": True},
    )


def _approval_decide(req: DataRequest, *, actor: User, approve: bool, comment: str) -> None:
    """Record the decision on the pending decision approval, when the request is decided here
    rather than from the inbox (where `approvals.decide` has recorded it already)."""
    try:
        approvals.settle(
            subject=req, kind=ApprovalKind.DECISION, actor=actor, approve=approve, comment=comment
        )
    except approvals.ApprovalError as exc:
        raise RequestError(str(exc)) from None


def requested_categories(req: DataRequest) -> list[str]:
    """The data items (inventory categories, LW-1) a disclosure covers."""
    if req.kind == Kind.PROVISION_RECORDS:
        return ["provisions"]
    chosen = (req.details or {}).get("categories") or list(CATEGORIES)
    return [c for c in CATEGORIES if c in chosen]


def refund_due(req: DataRequest) -> bool:
    """A full refusal on grounds (1)-(3) refunds a paid fee, unless the setting
    REQUESTS_REFUND_ON_REFUSAL is off (LW-6.4). Ground (4) and lapses refund nothing."""
    if not settings.REQUESTS_REFUND_ON_REFUSAL:
        return False
    if req.outcome != Outcome.REFUSED or req.fee_status != FeeStatus.PAID:
        return False
    withheld = list(DecisionItem.objects.filter(request=req, withheld=True))
    if not withheld:
        return False
    return all(g in (1, 2, 3) for item in withheld for g in item.grounds) and all(
        item.grounds for item in withheld
    )


def _after_decision(req: DataRequest, *, actor: User) -> list[str]:
    """What closing with a decision sets off: the refund rule and the disclosure package."""
    fields: list[str] = []
    if refund_due(req):
        paid = req.payments.filter(kind=PaymentKind.PAYMENT).order_by("-id").first()
        FeePayment.objects.create(
            request=req,
            kind=PaymentKind.REFUND,
            method=paid.method if paid else PaymentMethod.BANK_TRANSFER,
            amount_yen=req.fee_yen,
            paid_on=timezone.localdate(),
            recorded_by=actor,
            note="refund: refused on grounds (1)-(3)",
        )
        req.fee_status = FeeStatus.REFUNDED
        fields.append("fee_status")
        audit_record(
            actor=actor,
            action="requests.fee.refunded",
            target=req,
            payload={"reference": req.reference, "amount_yen": req.fee_yen},
        )
    if req.is_disclosure and req.outcome in (
        Outcome.FULFILLED,
        Outcome.PARTIALLY_FULFILLED,
    ):
        package_prepare(request=req)
    return fields


def package_prepare(*, request: DataRequest) -> DisclosurePackage:
    """Create the package row of a decided disclosure and have it built in the background
    once the decision commits (`requests.services.packages.package_build`). Called when a
    disclosure closes, and by a rebuild."""
    package, _created = DisclosurePackage.objects.get_or_create(request=request)
    # A dead broker: staff can start the build again from the page.
    tasking.enqueue_on_commit(
        "requests.tasks.package_build_task", package.pk, what=f"package {package.pk} (rebuild)"
    )
    return package


def whole_account_deletion(req: DataRequest) -> bool:
    return req.kind == Kind.DELETION and (req.details or {}).get("scope") == "account"


def erasure_approved(req: DataRequest) -> bool:
    """A privacy administrator other than the person who asked approved erasing this
    request's account (least privilege, LW-5)."""
    return any(
        a.decided_by is not None
        and a.decided_by_id != a.asked_by_id
        and a.decided_by.is_active
        and a.decided_by.is_privacy_admin
        for a in req.approvals.filter(
            kind=ApprovalKind.ERASURE, status=ApprovalStatus.APPROVED
        ).select_related("decided_by")
    )


def request_close(
    *,
    request_id: int,
    actor: User,
    outcome: str,
    reason: str,
    expected_status: str | None = None,
) -> DataRequest:
    """Close a request as fulfilled or with no data held; the notice carries the outcome and
    the reason (APPI-36). Partial and refused decisions go through approval instead."""
    _require_staff(actor)
    if outcome not in DIRECT_OUTCOMES:
        raise RequestError(
            _("A partial or refused decision needs a privacy administrator's approval.")
        )
    reason = reason.strip()
    if not reason:
        raise RequestError(_("Give the reason the customer will read."))

    def check(req: DataRequest) -> None:
        principals.outcome_check(req, outcome)
        if outcome == Outcome.FULFILLED and req.decision_items.filter(withheld=True).exists():
            raise RequestError(
                _("Items are withheld: this is a partial decision and needs approval.")
            )
        if (
            outcome == Outcome.FULFILLED
            and whole_account_deletion(req)
            and not erasure_approved(req)
        ):
            raise RequestError(
                _(
                    "Deleting a whole account needs a privacy administrator's approval "
                    "(someone other than who asked for it); nothing was deleted."
                )
            )

    def change(req: DataRequest) -> list[str]:
        req.outcome, req.outcome_reason = outcome, reason
        return ["outcome", "outcome_reason", *_after_decision(req, actor=actor)]

    return _move(
        "close",
        check=check,
        request_id=request_id,
        actor=actor,
        note=reason,
        change=change,
        expected_status=expected_status,
        payload={"outcome": outcome},
    )


def request_lapse(*, request_id: int, actor: User | None, reason: str) -> DataRequest:
    """Close a request that waited too long for the customer's documents or payment; nothing
    is refunded (LW-6.4). Run by the scheduled job or staff."""

    def change(req: DataRequest) -> list[str]:
        req.outcome, req.outcome_reason = Outcome.LAPSED, reason
        if req.fee_status in (FeeStatus.NONE, FeeStatus.QUOTED) and req.fee_yen:
            # Not "to be paid" any more: nothing is owed for a lapsed request (LW-6.4).
            req.fee_status = FeeStatus.LAPSED
            return ["outcome", "outcome_reason", "fee_status"]
        return ["outcome", "outcome_reason"]

    return _move("lapse", request_id=request_id, actor=actor, note=reason, change=change)


def request_withdraw(*, request_id: int, actor: User, reason: str = "") -> DataRequest:
    """The customer withdraws their own open request."""
    reason = reason.strip()

    def check(req: DataRequest) -> None:
        if req.customer_id != actor.pk:
            raise RequestError(_("Only the customer who filed a request can withdraw it."))

    def change(req: DataRequest) -> list[str]:
        req.outcome = Outcome.WITHDRAWN
        with translation.override(req.customer.preferred_language):
            req.outcome_reason = reason or _("Withdrawn at your request.")
        return ["outcome", "outcome_reason"]

    return _move(
        "withdraw", request_id=request_id, actor=actor, note=reason, check=check, change=change
    )


def request_extension_grant(*, request_id: int, actor: User, days: int, reason: str) -> DataRequest:
    """A privacy administrator extends the deadline of an open request (LW-6.2). Not a state
    change, but it moves the clock, so it lives here and is recorded the same way."""
    _require_admin(actor)
    if days < 1 or days > 60:
        raise RequestError(_("An extension is between 1 and 60 days."))
    if not reason.strip():
        raise RequestError(_("Give the reason the customer will read."))
    with transaction.atomic():
        req = (
            DataRequest.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=request_id)
        )
        if not req.is_open:
            raise RequestError(_("A closed request has no deadline to extend."))
        req.extension_days += days
        req.extension_reason = reason.strip()
        req.due_at = clock.due_at(
            received_at=req.received_at,
            days=req.sla_days,
            mode=req.sla_day_mode,
            paused_seconds=req.paused_seconds,
            extension_days=req.extension_days,
        )
        req.save(update_fields=["extension_days", "extension_reason", "due_at", "updated_at"])
        TimelineEntry.objects.create(
            request=req, event="extension_grant", actor=actor, note=reason.strip()
        )
        audit_record(
            actor=actor,
            action="requests.request.extension_granted",
            target=req,
            payload={"reference": req.reference, "days": days},
        )
        _notify(req, "extension_grant")
    return req


# name -> the service, for admin actions and the table test.
SERVICES: dict[str, Callable[..., DataRequest]] = {
    "verification_start": request_verification_start,
    "customer_ask": request_customer_ask,
    "customer_respond": request_customer_respond,
    "identity_confirm": request_identity_confirm,
    "identity_fail": request_identity_fail,
    "fee_quote": request_fee_quote,
    "payment_record": request_payment_record,
    "fee_waive": request_fee_waive,
    "approval_ask": request_approval_ask,
    "approval_return": request_approval_return,
    "approve": request_approve,
    "close": request_close,
    "lapse": request_lapse,
    "withdraw": request_withdraw,
}
