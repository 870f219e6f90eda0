"""The customer's side of a shared-use trigger (LY-4): on opening an account at a group
company, the customer makes a one-time code here and gives it to the company, whose system
presents it to the API and receives the customer's subject id."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from partners.api import selectors
from partners.api.subjects import shared_use_arrangements, subject_confirmation_create
from partners.errors import PartnerError
from partners.models import Partner


def confirmation_notes(customer) -> dict[str, list[dict]]:
    """Notes provider for the consent page (consents.sections.register_purpose_notes): under
    each purpose of a shared use that starts with the customer's confirmation (LY-4), what
    the code is for and the link to make it, once per group company."""
    if customer is None or not customer.is_authenticated:
        return {}
    notes: dict[str, list[dict]] = {}
    seen: set[tuple[str, int]] = set()
    for arrangement in selectors.shared_use_confirmations():
        for purpose in arrangement.purposes.all():
            if (purpose.code, arrangement.partner_id) in seen:
                continue
            seen.add((purpose.code, arrangement.partner_id))
            notes.setdefault(purpose.code, []).append(
                {
                    "template": "customer/partners/confirm_note.html",
                    "context": {"partner": arrangement.partner, "arrangement": arrangement},
                }
            )
    return notes


@login_required
def subject_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk, is_active=True)
    arrangements = list(shared_use_arrangements(partner))
    if not arrangements:
        return render(request, "customer/partners/confirm.html", {"partner": partner}, status=404)
    code = expires_at = error = None
    if request.method == "POST":
        try:
            code, expires_at = subject_confirmation_create(partner=partner, customer=request.user)
        except PartnerError as exc:
            error = str(exc)
    return render(
        request,
        "customer/partners/confirm.html",
        {
            "partner": partner,
            "arrangements": arrangements,
            "code": code,
            "expires_at": expires_at,
            "error": error,
        },
    )
