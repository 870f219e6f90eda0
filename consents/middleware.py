"""Global Privacy Control (LW-7): `Sec-GPC: 1` withdraws analytics and optional third-party
provision for a signed-in customer, in the ledger with source "gpc"."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from consents.cookies import gpc_signal
from consents.services import consent_gpc_apply


class GlobalPrivacyControlMiddleware:
    """Placed after authentication and `portal.middleware.RequestContextMiddleware`, so the
    ledger events carry the IP address and the device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.gpc = gpc_signal(request)
        request.gpc_withdrawn = []
        user = getattr(request, "user", None)
        if request.gpc and user is not None and user.is_authenticated:
            # Writes only when something is still granted: usually one read.
            request.gpc_withdrawn = consent_gpc_apply(customer=user)
        return self.get_response(request)
