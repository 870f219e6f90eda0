"""The public contact point (LW-6.1, LW-10; APPI Art. 32(1), Cabinet Order Art. 10): its versions,
publishing a new one, and what the page reads beside it (the purposes of use and the fees).

Every edit is a new version: `contact_point_revise` writes version n + 1 and leaves the earlier
ones as they were, so that anyone can read what the business published at any time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from consents.models import Purpose
from portal.i18n import join_list
from portal.models import User
from portal.services import audit_record
from requests.errors import RequestError
from requests.models import (
    CHARGEABLE_KINDS,
    ContactPoint,
    DeliveryMethod,
    FeeSchedule,
    Kind,
    PaymentMethod,
)

# --- reads -----------------------------------------------------------------------------------


def contact_point_current() -> ContactPoint | None:
    """The version in force: the newest."""
    return ContactPoint.objects.order_by("-version").first()


def contact_point_versions() -> QuerySet[ContactPoint]:
    return ContactPoint.objects.order_by("-version")


def contact_point_version(*, version: int) -> ContactPoint:
    """One version; ContactPoint.DoesNotExist when there is none of that number."""
    return ContactPoint.objects.get(version=version)


def purposes_of_use() -> QuerySet[Purpose]:
    """The purposes of use the portal applies (LW-3), as the consent pages show them."""
    return Purpose.objects.filter(is_active=True).order_by("position", "code")


@dataclass(frozen=True)
class KindFee:
    """What one kind of request costs: None where the schedule has no fee (free)."""

    kind: str
    label: str
    chargeable: bool
    electronic_yen: int | None
    paper_yen: int | None

    @property
    def free(self) -> bool:
        return self.electronic_yen is None and self.paper_yen is None


def fees_by_kind() -> list[KindFee]:
    """Every kind of request with its fee per delivery method, from the fee schedule (LW-6.4),
    in one query. Kinds the law does not let us charge (APPI Art. 38) are always free."""
    amounts = {
        (fee.kind, fee.delivery_method): fee.amount_yen
        for fee in FeeSchedule.objects.filter(amount_yen__gt=0)
    }
    rows = []
    for kind in Kind:
        chargeable = kind in CHARGEABLE_KINDS
        rows.append(
            KindFee(
                kind=kind.value,
                label=str(kind.label),
                chargeable=chargeable,
                electronic_yen=amounts.get((kind.value, DeliveryMethod.ELECTRONIC))
                if chargeable
                else None,
                paper_yen=amounts.get((kind.value, DeliveryMethod.PAPER)) if chargeable else None,
            )
        )
    return rows


def payment_methods() -> str:
    """The ways a fee can be paid, as the staff record them, joined the way the language does."""
    return join_list(PaymentMethod.labels)


# --- writes ----------------------------------------------------------------------------------


def contact_point_revise(*, actor: User | None, values: Mapping[str, Any]) -> ContactPoint:
    """Publish a new version of the contact point with these values (LW-6.1, LW-10): the
    earlier versions stay as they were. Refuses a version identical to the current one, and
    tells the second of two administrators publishing at once to look again."""
    unknown = set(values) - set(ContactPoint.EDITABLE)
    if unknown:
        raise RequestError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    try:
        with transaction.atomic():
            latest = ContactPoint.objects.select_for_update().order_by("-version").first()
            fresh = ContactPoint(
                version=(latest.version + 1) if latest else 1,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
            for name in ContactPoint.EDITABLE:
                setattr(fresh, name, values.get(name, "") or "")
            if latest is not None and all(
                getattr(fresh, name) == getattr(latest, name)
                for name in ContactPoint.EDITABLE
                if not name.startswith("revision_notes")
            ):
                raise RequestError(
                    _("Nothing changed since version %(v)d; no new version was published.")
                    % {"v": latest.version}
                )
            try:
                fresh.full_clean(exclude=["version"])
            except ValidationError as exc:
                raise RequestError(" ".join(exc.messages)) from exc
            fresh.save()
            audit_record(
                actor=actor,
                action="requests.contact_point.published",
                target=fresh,
                payload={
                    "version": fresh.version,
                    "changed": sorted(
                        name
                        for name in ContactPoint.EDITABLE
                        if latest is None or getattr(fresh, name) != getattr(latest, name)
                    ),
                },
            )
    except IntegrityError as exc:
        # Two first versions at once: there was no row to lock, the unique version refused one.
        raise RequestError(
            _("Another administrator published a version at the same time; please look again.")
        ) from exc
    return fresh
