"""Reads of the portal app that the views and other apps share."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import AccessLogEntry, AuditEvent, User


def access_log_for(*, user: User, limit: int = 50) -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def audit_events_for(*, target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
