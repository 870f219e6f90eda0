"""Site pages: home, the customer's dashboard, the staff home, the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from portal import attention, navigation, sections, services
from portal.forms import LanguageForm
from portal.redirects import safe_next
from portal.roles import staff_required


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "customer/dashboard.html",
        {
            # What waits on the customer comes first.
            "attention": attention.items_for(request.user),
            "cards": navigation.cards("dashboard"),
            "sections": sections.sections_for("dashboard", request.user),
        },
    )


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/home.html",
        {"counts": attention.counts_for(request.user), "cards": navigation.cards("staff_home")},
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the language for this browser and, when signed in, for the customer's mail."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next"), "/"))
    if form.is_valid() and check_for_language(form.cleaned_data["language"]):
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_language_set(user=request.user, language=language)
        set_language_cookie(response, language)
    return response


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
