"""The customer's side of a shared-use trigger (LY-4): on opening an account at a group
company, the customer makes a one-time code here and gives it to the company, whose system
presents it to the API and receives the customer's subject id."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from partners.api.subjects import shared_use_arrangements, subject_confirmation_create
from partners.errors import PartnerError
from partners.models import Partner


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
