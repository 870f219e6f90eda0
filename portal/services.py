"""Every write of the portal app. Keyword-only, typed, each in one transaction."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal import tasking
from portal.appendonly import erased_write
from portal.errors import PortalError
from portal.middleware import current_request_context
from portal.models import (
    AccessAction,
    AccessLogEntry,
    AuditEvent,
    OutboundMail,
    ReminderClaim,
    User,
)

logger = logging.getLogger(__name__)

# Fields a customer edits on the profile page (LW-2.1); also what a correction or an addition
# may change through `user_profile_update`.
PROFILE_FIELDS = (
    "full_name",
    "email",
    "phone",
    "postal_code",
    "prefecture",
    "address",
    "birth_year",
    "preferred_language",
)


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    payload: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log (LW-5). `action` is a dotted name, `<app>.<subject>.
    <past participle>` such as `portal.user.email_changed` (docs/architecture.md, "Audit
    actions"); the IP comes from the current web request, if any."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        payload=dict(payload or {}),
        ip_address=current_request_context().ip_address,
    )


@transaction.atomic
def audit_addresses_erase(*, customer: User) -> int:
    """Blank the IP address of the erased account's own audit events (LW-5, LW-6.1); the
    events stay. Refused for an account that is not erased. Returns how many were blanked."""
    return erased_write(
        function="portal_auditevent_erase",
        customer=customer,
        fallback=lambda: AuditEvent.objects.filter(actor=customer).erase(),
    )


def access_log_record(*, user: User, action: AccessAction | str) -> AccessLogEntry:
    """Log a sign-in or sensitive action with the IP and device it came from (LW-2.2B)."""
    ctx = current_request_context()
    return AccessLogEntry.objects.create(
        user=user, action=action, ip_address=ctx.ip_address, user_agent=ctx.user_agent
    )


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    full_name: str = "",
    preferred_language: str = "ja",
) -> User:
    """Create a customer account (LW-2.1)."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise PortalError(translation.gettext("An account with this email address exists."))
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        preferred_language=preferred_language,
    )
    access_log_record(user=user, action=AccessAction.SIGN_UP)
    return user


@transaction.atomic
def user_profile_update(
    *, user: User, changes: Mapping[str, Any], actor: User | None = None
) -> dict[str, tuple[Any, Any]]:
    """Change profile fields and return {field: (old, new)} for what really changed.

    Used by the profile page and by staff applying a correction or addition request
    (LW-6.1); the audit event names the fields, not their values.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise PortalError(f"Not a profile field: {', '.join(sorted(unknown))}")
    locked = User.objects.select_for_update().get(pk=user.pk)
    diff: dict[str, tuple[Any, Any]] = {}
    for field, value in changes.items():
        if field == "email":
            value = User.objects.normalize_email(value).lower()
            if User.objects.filter(email=value).exclude(pk=locked.pk).exists():
                raise PortalError(translation.gettext("An account with this email address exists."))
        old = getattr(locked, field)
        if old != value:
            diff[field] = (old, value)
            setattr(locked, field, value)
    if diff:
        locked.full_clean(exclude=["password"])
        locked.save(update_fields=list(diff))
        for field, (_old, new) in diff.items():
            setattr(user, field, new)
        access_log_record(user=locked, action=AccessAction.PROFILE_CHANGE)
        audit_record(
            actor=actor or locked,
            action="portal.user.profile_changed",
            target=locked,
            payload={"fields": sorted(diff)},
        )
    return diff


def user_language_set(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise PortalError(f"Unknown language: {language}")
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language


def mail_queue(
    *,
    to: str,
    language: str,
    template: str,
    context: Mapping[str, Any] | None = None,
) -> OutboundMail:
    """Render a mail in the recipient's language and put it in the outbox.

    `template` names a pair under templates/emails/: `<template>_subject.txt` and
    `<template>.txt`. The mail is written in the caller's transaction and handed to a
    worker only when that transaction commits, so a rolled-back change sends nothing.
    """
    (mail,) = mail_queue_many(
        mails=[MailSpec(to=to, language=language, template=template, context=context or {})]
    )
    return mail


class TemporaryMailError(Exception):
    """A failure worth retrying (connection refused, 4xx from the SMTP server)."""


MAIL_MAX_ATTEMPTS = 5


def mail_send(*, mail_id: int) -> bool:
    """Send one queued mail; return True when it was sent by this call.

    The row is claimed (pending -> sending) with a conditional update so that two workers
    never send it twice.
    A temporary error leaves it pending (the task retries with backoff); after
    MAIL_MAX_ATTEMPTS the mail is marked failed and shown to staff.
    """
    claimed = OutboundMail.objects.filter(
        pk=mail_id, status=OutboundMail.Status.PENDING, attempts__lt=MAIL_MAX_ATTEMPTS
    ).update(
        status=OutboundMail.Status.SENDING,
        attempts=models.F("attempts") + 1,
        claimed_at=timezone.now(),
    )
    if not claimed:
        return False
    mail = OutboundMail.objects.get(pk=mail_id)
    try:
        EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[mail.to],
        ).send()
    except (OSError, ConnectionError) as exc:
        final = mail.attempts >= MAIL_MAX_ATTEMPTS
        OutboundMail.objects.filter(pk=mail_id).update(
            last_error=str(exc)[:2000],
            status=OutboundMail.Status.FAILED if final else OutboundMail.Status.PENDING,
        )
        if final:
            logger.error("mail %s failed for good: %s", mail_id, exc)
            return False
        raise TemporaryMailError(str(exc)) from exc
    OutboundMail.objects.filter(pk=mail_id).update(
        status=OutboundMail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def mail_outbox_flush(*, stale_after_minutes: int = 15) -> int:
    """Hand every pending mail to a worker again, and release mail stuck in `sending` by a
    worker that died. Run periodically so that mail queued while the broker was down, or
    lost with a worker, still goes out. Returns how many mails were handed on."""
    mail_send_task = tasking.task_named("portal.tasks.mail_send_task")
    stale = timezone.now() - datetime.timedelta(minutes=stale_after_minutes)
    OutboundMail.objects.filter(status=OutboundMail.Status.SENDING, claimed_at__lt=stale).update(
        status=OutboundMail.Status.PENDING
    )
    ids = list(
        OutboundMail.objects.filter(
            status=OutboundMail.Status.PENDING, attempts__lt=MAIL_MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:1000]
    )
    for mail_id in ids:
        mail_send_task.delay(mail_id)
    return len(ids)


@transaction.atomic
def access_log_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete access-log rows older than ACCESS_LOG_RETENTION_DAYS (LW-2.2B) and write one
    audit event with the count."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _ = AccessLogEntry.objects.filter(created_at__lt=cutoff).delete()
    audit_record(
        actor=None,
        action="portal.access_log.purged",
        payload={"deleted": deleted, "before": cutoff.isoformat()},
    )
    return deleted


# --- scheduled jobs ----------------------------------------------------------------


class ClaimKey(NamedTuple):
    """What a reminder is: its subject (model label and id), its kind, the due date it was
    computed for and, when it is one person's mail, the recipient's id."""

    subject_type: str
    subject_id: int
    reminder: str
    due_at: datetime.datetime
    recipient_id: int | None = None


_CLAIM_COLUMNS = "subject_type, subject_id, reminder, due_at, recipient_id, claimed_at"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _micros(at: datetime.datetime) -> int:
    return (at - _EPOCH) // datetime.timedelta(microseconds=1)


def reminder_claim_many(
    *, keys: Sequence[ClaimKey], now: datetime.datetime | None = None
) -> set[ClaimKey]:
    """Claim reminders; return the keys claimed by this call (docs/architecture.md).

    One INSERT ... ON CONFLICT DO NOTHING RETURNING for any number of keys on PostgreSQL: a
    key someone already holds comes back missing, and a key another transaction is inserting
    waits for it and then comes back missing too, so of two concurrent sweeps exactly one gets
    each reminder. Run it in the transaction that queues the mail: if that rolls back, the
    claim goes with it and the next sweep tries again. Keys are sorted so that concurrent
    sweeps take the index locks in the same order (no deadlock)."""
    unique = sorted(set(keys), key=lambda k: (*k[:4], k.recipient_id or 0))
    if not unique:
        return set()
    claimed_at = now or timezone.now()
    table = ReminderClaim._meta.db_table
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Due dates travel as whole microseconds since the epoch, both ways: exact, and a
            # fraction of the cost of dumping and parsing thousands of timestamps.
            cursor.execute(
                f"INSERT INTO {table} ({_CLAIM_COLUMNS}) "  # noqa: S608 (names are ours)
                "SELECT t.subject_type, t.subject_id, t.reminder, "
                "'epoch'::timestamptz + t.due_us * interval '1 microsecond', t.recipient_id, %s "
                "FROM unnest(%s::varchar[], %s::bigint[], %s::varchar[], %s::bigint[], "
                "%s::bigint[]) AS t (subject_type, subject_id, reminder, due_us, recipient_id) "
                "ON CONFLICT DO NOTHING RETURNING subject_type, subject_id, reminder, "
                "(extract(epoch FROM due_at) * 1000000)::bigint, recipient_id",
                [
                    claimed_at,
                    [k.subject_type for k in unique],
                    [k.subject_id for k in unique],
                    [k.reminder for k in unique],
                    [_micros(k.due_at) for k in unique],
                    [k.recipient_id for k in unique],
                ],
            )
            by_micros = {(*k[:3], _micros(k.due_at), k.recipient_id): k for k in unique}
            return {by_micros[row] for row in cursor.fetchall()}
        else:  # SQLite, the embedded default: the same statement in chunks of its limits
            size = max(1, (connection.features.max_query_params or 999) // 6)
            for start in range(0, len(unique), size):
                chunk = unique[start : start + size]
                values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
                params: list[Any] = []
                for k in chunk:
                    params += [
                        k.subject_type,
                        k.subject_id,
                        k.reminder,
                        connection.ops.adapt_datetimefield_value(k.due_at),
                        k.recipient_id,
                        connection.ops.adapt_datetimefield_value(claimed_at),
                    ]
                cursor.execute(
                    f"INSERT INTO {table} ({_CLAIM_COLUMNS}) VALUES {values} "  # noqa: S608
                    "ON CONFLICT DO NOTHING "
                    "RETURNING subject_type, subject_id, reminder, due_at, recipient_id",
                    params,
                )
                rows += cursor.fetchall()
    by_row = {
        (k.subject_type, k.subject_id, k.reminder, k.due_at, k.recipient_id): k for k in unique
    }
    claimed: set[ClaimKey] = set()
    for subject_type, subject_id, reminder, due_at, recipient_id in rows:
        if not isinstance(due_at, datetime.datetime):
            due_at = ReminderClaim._meta.get_field("due_at").to_python(due_at)
        if timezone.is_naive(due_at):
            due_at = timezone.make_aware(due_at, datetime.UTC)
        claimed.add(by_row[(subject_type, subject_id, reminder, due_at, recipient_id)])
    return claimed


class MailSpec(NamedTuple):
    """One mail for `mail_queue_many`: like the arguments of `mail_queue`."""

    to: str
    language: str
    template: str
    context: Mapping[str, Any]


def _mail_render(spec: MailSpec) -> OutboundMail:
    """An unsaved outbox row: the mail rendered in its recipient's language."""
    ctx = {"site_url": settings.SITE_URL, **spec.context}
    with translation.override(spec.language):
        subject = " ".join(render_to_string(f"emails/{spec.template}_subject.txt", ctx).split())
        body = render_to_string(f"emails/{spec.template}.txt", ctx)
    return OutboundMail(to=spec.to, subject=subject, body=body, language=spec.language)


def mail_queue_many(*, mails: Sequence[MailSpec]) -> list[OutboundMail]:
    """Render many mails, each in its recipient's language, and put them in the outbox with one
    INSERT; they are handed to a worker when the transaction commits. For scheduled jobs that
    may write thousands of mails in one run with a bounded number of queries. If the broker
    refuses the first hand-over, the rest are left to the outbox sweep instead of waiting on
    a dead broker once per mail."""
    rows = [_mail_render(spec) for spec in mails]
    if not rows:
        return []
    created = OutboundMail.objects.bulk_create(rows)

    # A dead broker must not break the job; the outbox sweep resends.
    tasking.enqueue_many_on_commit(
        "portal.tasks.mail_send_task",
        [mail.pk for mail in created],
        what=f"{len(created)} mails (the outbox sweep)",
    )
    return created
