"""The partners app's kind of approval (portal.approvals): a provision under an exception B-F
of LW-4.1, registered at start-up from partners/apps.py. Approving it makes and records the
provision (`services.exceptions.exception_decided`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.models import EXCEPTION_APPROVAL, ExceptionRequest
from partners.services import exceptions
from portal import approval_kinds
from portal.models import Approval


def _describe(approval: Approval) -> dict:
    exception: ExceptionRequest = approval.subject
    return {
        "reference": f"{exception.get_basis_display()} → {exception.partner}",
        "customer": str(exception.customer) if exception.customer_id else "",
        "detail": "",
        "url": reverse("partners:staff_exception", kwargs={"pk": exception.pk}),
    }


def _subjects():
    return ExceptionRequest.objects.select_related("customer", "partner")


def register() -> None:
    approval_kinds.register(
        approval_kinds.Kind(
            code=EXCEPTION_APPROVAL,
            label=_("Provision under an exception (B-F)"),
            subject="partners.ExceptionRequest",
            on_decided=exceptions.exception_decided,
            describe=_describe,
            subjects=_subjects,
        )
    )
