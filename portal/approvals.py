"""The one "someone else must approve" mechanism (LW-5).

A feature app registers each kind of thing it needs approved from its `AppConfig.ready()`
(`portal.approval_kinds`):

    approval_kinds.register(approval_kinds.Kind(
        code="waiver", label=_("Fee waiver"), subject="<app>.<Model>",
        on_decided=_waiver_decided, describe=_describe, subjects=_requests,
    ))

and then asks with `ask()`; a privacy administrator other than the person who asked decides
with `decide()`, which records the decision and hands it to the kind's `on_decided` in the
same transaction (so a refused effect rolls the decision back). The base knows no kind: the
administrators' inbox (`portal.views.approvals`) lists every pending approval through the
registry. One status set (`ApprovalStatus`), one audit vocabulary
(`portal.approval.asked`, `.approved`, `.returned`), and the database refuses a decision by
the person who asked (`portal_approval_not_own`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.approval_kinds import ApprovalError, kind_of, registered
from portal.models import Approval, ApprovalStatus, User
from portal.services import audit_record


def of(subject: models.Model, *, kind: str | None = None) -> QuerySet[Approval]:
    """The approvals about one subject (optionally of one kind), oldest first."""
    qs = Approval.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    )
    return qs.filter(kind=kind) if kind else qs


def ask(
    *, kind: str, subject: models.Model, actor: User, reason: str, days: int | None = None
) -> Approval:
    """Ask a privacy administrator to approve; one pending approval per kind and subject."""
    registered = kind_of(kind)
    if not isinstance(subject, registered.subject_model()):
        raise ApprovalError(_("This kind of approval is unknown."))
    reason = reason.strip()
    if not reason:
        raise ApprovalError(_("Give a reason."))
    try:
        with transaction.atomic():
            approval = Approval.objects.create(
                kind=kind,
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=subject.pk,
                asked_by=actor,
                reason=reason,
                days=days,
            )
    except IntegrityError:
        raise ApprovalError(_("This is already waiting for approval.")) from None
    audit_record(
        actor=actor,
        action="portal.approval.asked",
        target=approval,
        payload=_payload(approval),
    )
    return approval


def decide(*, approval_id: int, actor: User, approve: bool, comment: str = "") -> Approval:
    """A privacy administrator other than the person who asked approves or returns it. The
    decision is recorded first and then handed to the kind, in one transaction."""
    if not actor.is_privacy_admin:
        raise ApprovalError(_("Only a privacy administrator can do this."))
    comment = comment.strip()
    if not approve and not comment:
        raise ApprovalError(_("Write a comment for the staff member who asked."))
    with transaction.atomic():
        try:
            approval = Approval.objects.select_for_update().get(pk=approval_id)
        except Approval.DoesNotExist:
            raise ApprovalError(_("This approval does not exist.")) from None
        if approval.status != ApprovalStatus.PENDING:
            raise ApprovalError(_("This was already decided by someone else."))
        if approval.asked_by_id == actor.pk:
            raise ApprovalError(
                _("You asked for this yourself; another privacy administrator must decide.")
            )
        _record(approval, actor=actor, approve=approve, comment=comment)
        kind = kind_of(approval.kind)
        if kind.on_decided is not None:
            kind.on_decided(approval, actor)
    return approval


def settle(
    *, subject: models.Model, kind: str, actor: User, approve: bool, comment: str = ""
) -> int:
    """Record the decision of whatever approval of `kind` waits on `subject`, for a feature
    app that decides through its own service (the kind's effect is that service). Returns how
    many were settled (0 or 1). The database still refuses the asker's own decision."""
    settled = 0
    for approval in (
        of(subject, kind=kind).filter(status=ApprovalStatus.PENDING).select_for_update()
    ):
        if approval.asked_by_id == actor.pk:
            raise ApprovalError(
                _("You asked for this yourself; another privacy administrator must decide.")
            )
        _record(approval, actor=actor, approve=approve, comment=comment.strip())
        settled += 1
    return settled


def _record(approval: Approval, *, actor: User, approve: bool, comment: str) -> None:
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.RETURNED
    approval.decided_by, approval.decided_at = actor, timezone.now()
    approval.comment = comment
    approval.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    audit_record(
        actor=actor,
        action="portal.approval.approved" if approve else "portal.approval.returned",
        target=approval,
        payload=_payload(approval),
    )


def _payload(approval: Approval) -> dict:
    return {
        "kind": approval.kind,
        "subject": f"{approval.subject_type.app_label}.{approval.subject_type.model}",
        "subject_id": approval.subject_id,
        **({"days": approval.days} if approval.days is not None else {}),
    }


def pending() -> list[Approval]:
    """The inbox: every pending approval, oldest first, with its subject and what the inbox
    shows of it (`row`), in a fixed number of queries (two, plus one per subject model)."""
    rows = list(
        Approval.objects.filter(status=ApprovalStatus.PENDING)
        .select_related("asked_by", "subject_type")
        .prefetch_related(GenericPrefetch("subject", list(_subject_querysets())))
        .order_by("asked_at", "id")
    )
    for approval in rows:
        kind = registered().get(approval.kind)
        approval.row = (
            kind.describe(approval) if kind and kind.describe and approval.subject else {}
        )
    return rows


def pending_count() -> int:
    return Approval.objects.filter(status=ApprovalStatus.PENDING).count()


def inbox_view_record(viewer: User, rows: Iterable[Approval]) -> None:
    """The inbox names customers: one audit event for what `viewer` saw (LW-5), naming each
    approval and its subject, whatever the number of rows."""
    audit_record(
        actor=viewer,
        action="portal.approvals.viewed",
        payload={
            "approvals": [a.pk for a in rows],
            "subjects": [
                [f"{a.subject_type.app_label}.{a.subject_type.model}", a.subject_id] for a in rows
            ],
        },
    )


def _subject_querysets() -> Iterable[QuerySet]:
    seen = set()
    for kind in registered().values():
        if kind.subject in seen:
            continue
        seen.add(kind.subject)
        yield kind.subjects() if kind.subjects else kind.subject_model()._default_manager.all()


def scrub(*, subjects: QuerySet, text: str = "[erased]") -> int:
    """Blank what people wrote in the approvals about these subjects (an erased customer's
    requests); who asked and decided, and when, stay. Returns the rows changed."""
    model = subjects.model
    return Approval.objects.filter(
        subject_type=ContentType.objects.get_for_model(model),
        subject_id__in=subjects.values("pk"),
    ).update(reason=text, comment="")
