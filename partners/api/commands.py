"""Shared by the api_key_create command and the demo: find a partner and its system."""

from __future__ import annotations

from django.db.models import Q

from partners.api.models import PartnerSystem
from partners.errors import PartnerError
from partners.models import Partner


def partner_find(code: str) -> Partner:
    """A partner by its id or its name (English or Japanese, any case)."""
    code = code.strip()
    query = Q(name_en__iexact=code) | Q(name_ja=code)
    if code.isdigit():
        query |= Q(pk=int(code))
    found = list(Partner.objects.filter(query)[:2])
    if len(found) != 1:
        raise PartnerError(f"No single partner is called {code!r} (give its id or exact name).")
    return found[0]


def system_for(partner: Partner, name: str | None = None) -> PartnerSystem:
    """The partner's system of that name, made when missing; without a name, its first
    active system, or one called "default"."""
    if name:
        system, _created = PartnerSystem.objects.get_or_create(partner=partner, name=name)
        return system
    system = PartnerSystem.objects.filter(partner=partner, is_active=True).order_by("pk").first()
    return system or PartnerSystem.objects.create(partner=partner, name="default")
