"""Reads of the portal app that the views and other apps share."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.models import AccessLogEntry, AuditEvent, User


def access_log_for(*, user: User, limit: int = 50) -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def audit_events_for(*, target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def _holding(codename: str) -> QuerySet[User]:
    """Active users who hold a portal permission through a group, directly, or as superuser
    (what User.has_perm answers), in one query."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(
                groups__permissions__content_type__app_label="portal",
                groups__permissions__codename=codename,
            )
            | Q(
                user_permissions__content_type__app_label="portal",
                user_permissions__codename=codename,
            )
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("id")
    )


def privacy_staff() -> QuerySet[User]:
    """Everyone who works the back-office (LW-5), administrators included: who is told when
    work has no assignee."""
    return _holding("staff_portal")


def privacy_administrators() -> QuerySet[User]:
    """Everyone who may approve as privacy administrator (LW-5)."""
    return _holding("privacy_admin")
