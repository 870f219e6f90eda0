"""The public contact point (LW-6.1, LW-10; APPI Art. 32(1)): the version in force, the list of
versions and any earlier version. Open to everyone, signed in or not."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from requests import contact
from requests.models import ContactPoint


def _page(request: HttpRequest, shown: ContactPoint | None, current: ContactPoint | None):
    return render(
        request,
        "public/requests/contact.html",
        {
            "contact": shown,
            "current": current,
            "purposes": list(contact.purposes_of_use()),
            "fees": contact.fees_by_kind(),
            "payment_methods": contact.payment_methods(),
        },
    )


def contact_point(request: HttpRequest) -> HttpResponse:
    current = contact.contact_point_current()
    return _page(request, current, current)


def contact_point_version(request: HttpRequest, version: int) -> HttpResponse:
    try:
        shown = contact.contact_point_version(version=version)
    except ContactPoint.DoesNotExist:
        raise Http404 from None
    return _page(request, shown, contact.contact_point_current())


def contact_point_history(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/requests/contact_history.html",
        {"versions": list(contact.contact_point_versions())},
    )
