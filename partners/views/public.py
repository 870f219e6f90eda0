"""Public pages: the Group Companies List (LY-4), countries and regions (LY-2, APPI Art. 28)
and joint-use announcements (LW-4.3). Linked from every page's footer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners import selectors


def group_companies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/partners/group_companies.html",
        {"companies": selectors.group_companies()},
    )


def countries(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/partners/countries.html",
        {"countries": selectors.countries_provided_to()},
    )


def joint_use(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/partners/joint_use.html",
        {"arrangements": selectors.joint_use_announcements()},
    )
