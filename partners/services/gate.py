"""The provision gate: whether personal data may go to a partner (LW-4.1, LY-1, LY-6)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import ConsentEvent, Purpose, PurposeCategory
from consents.selectors import ConsentDecision, consent_decide
from partners.models import (
    Arrangement,
    ArrangementStatus,
    Basis,
    Country,
    DataItem,
    ExceptionRequest,
    ExceptionStatus,
    Partner,
    ProvisionRecord,
)
from portal.models import User


@dataclass(frozen=True)
class ProvisionDecision:
    """The gate's answer for one customer, partner, purpose and set of data items."""

    allowed: bool
    basis: str | None  # a partners.models.Basis value when allowed
    reason: str  # a short code: allowed, no_arrangement, items_outside, restricted, ...
    message: str  # for staff and logs, in the active language
    arrangement: Arrangement | None = None
    consent_event: ConsentEvent | None = None  # the consent relied on (basis consent)
    decided_by: str = ""  # which consent decided (service, general, default ...; LY-6)
    overseas_consent_event: ConsentEvent | None = None
    items: tuple[str, ...] = field(default_factory=tuple)


def _deny(reason: str, message: str, **extra) -> ProvisionDecision:
    return ProvisionDecision(allowed=False, basis=None, reason=reason, message=message, **extra)


def service_code(partner: Partner) -> str | None:
    service = partner.service if partner.service_id else None
    return service.code if service is not None else None


def overseas_purpose_for(country: Country) -> Purpose | None:
    """The consent item for provision to this country (LY-2, APPI Art. 28): the country's
    configured purpose, else an active overseas-provision purpose that lists the country."""
    if country.consent_purpose_id:
        return country.consent_purpose
    for purpose in Purpose.objects.filter(
        category=PurposeCategory.OVERSEAS_PROVISION, is_active=True
    ):
        if country.code.upper() in purpose.country_list:
            return purpose
    return None


def needs_overseas_consent(partner: Partner, basis: str) -> bool:
    """APPI Art. 28: provision abroad needs its own consent, except to a country recognised
    as equivalent; an entrusted processor abroad is exempt when it keeps measures
    equivalent to APPI (Rule 16)."""
    country = partner.country
    if not country.is_overseas or country.equivalent_protection:
        return False
    return not (basis in (Basis.ENTRUSTMENT, Basis.JOINT_USE) and partner.equivalent_measures)


_BASIS_PREFERENCE = {Basis.ENTRUSTMENT: 0, Basis.JOINT_USE: 1, Basis.CONSENT: 2}


def provision_decide(
    *,
    customer: User,
    partner: Partner,
    purpose: Purpose,
    items: Iterable[str],
    exception: ExceptionRequest | None = None,
    on: datetime.date | None = None,
) -> ProvisionDecision:
    """Decide one provision (LW-4.1, LY-1, LY-6; APPI Art. 27-28).

    - Exceptions B-F only through an `ExceptionRequest` a privacy administrator other than
      the requester approved, for exactly that customer, partner, purpose and items, once.
    - Otherwise an active arrangement in force must cover the purpose and every item.
    - An active suspension or third-party stop (the consent ledger answers "restriction")
      denies on every basis but an approved exception.
    - Entrustment and joint use need no consent, unless the arrangement is marked as
      needing it (basis "with consent", LY-1, LY-4); consent (A) needs the customer's consent
      for the purpose, the service-specific one first (LY-6), and for an overseas recipient
      also the consent for that country (LY-2).
    """
    items_t = tuple(sorted(set(items)))
    unknown = set(items_t) - set(DataItem.values)
    if not items_t or unknown:
        return _deny("unknown_items", _("Name one or more known data items."), items=items_t)
    if exception is not None:
        return _decide_exception(
            customer=customer, partner=partner, purpose=purpose, items=items_t, exc=exception
        )
    if not partner.is_active:
        return _deny("partner_inactive", _("The partner is not active."), items=items_t)
    on = on or timezone.localdate()
    arrangements = [
        a
        for a in partner.arrangements.filter(status=ArrangementStatus.ACTIVE, purposes=purpose)
        if a.in_force(on)
    ]
    if not arrangements:
        return _deny(
            "no_arrangement",
            _("No active arrangement with this partner covers this purpose."),
            items=items_t,
        )
    covering = sorted(
        (a for a in arrangements if set(items_t) <= set(a.data_items)),
        key=lambda a: (_BASIS_PREFERENCE[a.basis], a.pk),
    )
    if not covering:
        return _deny(
            "items_outside",
            _("The arrangement does not cover every data item asked for."),
            items=items_t,
        )
    arrangement = covering[0]
    consent: ConsentDecision = consent_decide(
        customer=customer, purpose_code=purpose.code, service_code=service_code(partner)
    )
    if consent.decided_by == "restriction":
        return _deny(
            "restricted",
            _("The customer asked to stop this use or provision (suspension or third-party stop)."),
            arrangement=arrangement,
            decided_by=consent.decided_by,
            items=items_t,
        )
    overseas_event = None
    if needs_overseas_consent(partner, arrangement.basis):
        overseas = overseas_purpose_for(partner.country)
        if overseas is None:
            return _deny(
                "no_overseas_consent",
                _("No consent item exists for provision to %(country)s.")
                % {"country": partner.country.name},
                arrangement=arrangement,
                items=items_t,
            )
        overseas_consent = consent_decide(customer=customer, purpose_code=overseas.code)
        if not overseas_consent.granted:
            return _deny(
                "no_overseas_consent",
                _("The customer has not agreed to provision to %(country)s.")
                % {"country": partner.country.name},
                arrangement=arrangement,
                decided_by=overseas_consent.decided_by,
                items=items_t,
            )
        overseas_event = overseas_consent.event
    if not arrangement.consults_consent:
        return ProvisionDecision(
            allowed=True,
            basis=arrangement.basis,
            reason="allowed",
            message=_("Allowed: %(basis)s within the recorded items and purposes.")
            % {"basis": arrangement.get_basis_display()},
            arrangement=arrangement,
            overseas_consent_event=overseas_event,
            items=items_t,
        )
    if not consent.granted:
        return _deny(
            "no_consent",
            _("The customer has not agreed to this purpose."),
            arrangement=arrangement,
            decided_by=consent.decided_by,
            items=items_t,
        )
    if arrangement.basis == Basis.CONSENT:
        message = _("Allowed: the customer agreed (decided by the %(which)s consent).") % {
            "which": consent.decided_by
        }
    else:
        # An entrustment or joint use marked as needing consent (LY-1, LY-4).
        message = _("Allowed: %(basis)s (decided by the %(which)s consent).") % {
            "basis": arrangement.get_provision_basis_display(),
            "which": consent.decided_by,
        }
    return ProvisionDecision(
        allowed=True,
        basis=arrangement.provision_basis,
        reason="allowed",
        message=message,
        arrangement=arrangement,
        consent_event=consent.event,
        decided_by=consent.decided_by,
        overseas_consent_event=overseas_event,
        items=items_t,
    )


def _decide_exception(
    *, customer: User, partner: Partner, purpose: Purpose, items: tuple[str, ...], exc
) -> ProvisionDecision:
    approved = (
        exc.status == ExceptionStatus.PROVIDED
        and exc.decided_by_id is not None
        and exc.decided_by_id != exc.requested_by_id
        and exc.decided_by.is_privacy_admin
        and bool(exc.justification.strip())
    )
    if not approved:
        return _deny(
            "exception_not_approved",
            _("An exception needs a written justification and another administrator's approval."),
            items=items,
        )
    # Exactly the provision it describes (LW-4.1): same customer, recipient, purpose and
    # the same data items, no fewer and no more.
    same = (
        exc.customer_id == customer.pk
        and exc.partner_id == partner.pk
        and exc.purpose_id == purpose.pk
        and set(items) == set(exc.data_items)
    )
    if not same:
        return _deny(
            "exception_mismatch",
            _("The approval covers a different customer, recipient, purpose or data."),
            items=items,
        )
    if exc.pk is not None and ProvisionRecord.objects.filter(exception_id=exc.pk).exists():
        return _deny(
            "exception_used",
            _(
                "This approval has already been used for its provision; another provision "
                "needs a new exception and a new approval."
            ),
            items=items,
        )
    return ProvisionDecision(
        allowed=True,
        basis=exc.basis,
        reason="allowed",
        message=_("Allowed: %(basis)s, approved by an administrator.")
        % {"basis": exc.get_basis_display()},
        items=items,
    )
