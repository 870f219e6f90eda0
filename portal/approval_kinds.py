"""The registry of approval kinds (`portal.approvals`): what each feature app needs a privacy
administrator to approve. Kept apart from the service so that the model can name a kind
without importing the service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.errors import PortalError

if TYPE_CHECKING:
    from portal.models import Approval, User


class ApprovalError(PortalError):
    """An approval cannot be asked or decided; the message is for the person who tried."""


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any
    # "app_label.Model" of what is approved.
    subject: str
    # (approval, actor) -> None, called after the decision is recorded, in its transaction.
    on_decided: Callable[[Approval, User], None] | None = None
    # approval -> {"reference": str, "customer": str, "url": str}: its row in the inbox.
    describe: Callable[[Any], dict] | None = None
    # The queryset the inbox prefetches subjects with (select_related what describe reads).
    subjects: Callable[[], QuerySet] | None = None

    def subject_model(self) -> type[models.Model]:
        return apps.get_model(self.subject)


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (idempotent for the same code and subject)."""
    known = _kinds.get(kind.code)
    if known is not None and known.subject != kind.subject:
        raise ValueError(f"approval kind {kind.code!r} is already registered for {known.subject}")
    _kinds[kind.code] = kind
    return kind


def kind_of(code: str) -> Kind:
    try:
        return _kinds[code]
    except KeyError:
        raise ApprovalError(_("This kind of approval is unknown.")) from None


def kinds() -> list[Kind]:
    return list(_kinds.values())


def label_of(code: str) -> str:
    kind = _kinds.get(code)
    return str(kind.label) if kind else code


def registered() -> dict[str, Kind]:
    return _kinds
