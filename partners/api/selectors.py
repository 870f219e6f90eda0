"""Reads of the partner API's staff page; they own their select_related/prefetch."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from partners.api.models import ApiKey, PartnerSystem, WebhookAttempt, WebhookDelivery
from partners.models import Arrangement, ArrangementStatus, Basis


def systems_with_keys() -> QuerySet[PartnerSystem]:
    return PartnerSystem.objects.select_related("partner").prefetch_related(
        Prefetch("keys", queryset=ApiKey.objects.order_by("-created_at"))
    )


def deliveries_recent(limit: int = 50) -> list[WebhookDelivery]:
    return list(
        WebhookDelivery.objects.select_related("event", "endpoint__system")
        .prefetch_related(
            Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
        )
        .order_by("-created_at", "-id")[:limit]
    )


def shared_use_confirmations() -> QuerySet[Arrangement]:
    """Active joint-use arrangements of active partners that start with the customer's
    confirmation (a trigger is named; LY-4), the same ones `subject_confirm` offers, with
    their partner and purposes: two queries however many there are."""
    return (
        Arrangement.objects.filter(
            partner__is_active=True, status=ArrangementStatus.ACTIVE, basis=Basis.JOINT_USE
        )
        .exclude(trigger_en="")
        .select_related("partner")
        .prefetch_related("purposes")
        .order_by("partner__name_en", "pk")
    )
