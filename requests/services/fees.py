"""The fee a request carries (LW-6.4)."""

from __future__ import annotations

from requests.models import CHARGEABLE_KINDS, FeeSchedule


def fee_for(*, kind: str, delivery_method: str) -> int | None:
    """The fee in yen that applies to a new request, or None (LW-6.4)."""
    if kind not in CHARGEABLE_KINDS:
        return None
    fee = FeeSchedule.objects.filter(kind=kind, delivery_method=delivery_method).first()
    return fee.amount_yen if fee and fee.amount_yen > 0 else None
