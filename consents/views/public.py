"""Public pages: the privacy policy, its history and changes (LW-9, LW-11, LW-12), and the
cookie settings (LW-2.2A, LW-7)."""

from __future__ import annotations

import difflib

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from consents import selectors, services
from consents.cookies import cookie_choice_set, cookie_state
from consents.forms import CookieChoiceForm, PolicyDiffForm
from portal.i18n import english_active
from portal.redirects import safe_next


def _version_or_404(version: str):
    found = selectors.published_versions().filter(version=version).first()
    if found is None:
        raise Http404
    return found


def policy(request: HttpRequest) -> HttpResponse:
    """The policy in force."""
    current = selectors.current_policy_version()
    return render(
        request,
        "public/consents/policy.html",
        {"version": current, "current": current, "versions": selectors.published_versions()},
    )


def policy_version(request: HttpRequest, version: str) -> HttpResponse:
    found = _version_or_404(version)
    return render(
        request,
        "public/consents/policy.html",
        {
            "version": found,
            "current": selectors.current_policy_version(),
            "versions": selectors.published_versions(),
        },
    )


def policy_history(request: HttpRequest) -> HttpResponse:
    """Every published version with its date and revision notes (LW-9, LW-12)."""
    versions = list(selectors.published_versions().prefetch_related("widened_purposes"))
    pairs = [
        (v, versions[i + 1] if i + 1 < len(versions) else None) for i, v in enumerate(versions)
    ]
    return render(request, "public/consents/history.html", {"pairs": pairs})


def policy_diff(request: HttpRequest) -> HttpResponse:
    """What changed between two versions, line by line (difflib), in the page's language."""
    versions = list(selectors.published_versions())
    form = PolicyDiffForm(request.GET or None, versions=versions)
    table = None
    old = new = None
    if form.is_bound and form.is_valid():
        by_name = {v.version: v for v in versions}
        old, new = by_name[form.cleaned_data["old"]], by_name[form.cleaned_data["new"]]
        if old.effective_date > new.effective_date:
            old, new = new, old
        english = english_active()
        old_text = (old.text_en or old.text_ja) if english else old.text_ja
        new_text = (new.text_en or new.text_ja) if english else new.text_ja
        table = difflib.HtmlDiff(wrapcolumn=60).make_table(
            old_text.splitlines(),
            new_text.splitlines(),
            fromdesc=old.version,
            todesc=new.version,
            context=True,
            numlines=2,
        )
    return render(
        request,
        "public/consents/diff.html",
        {"form": form, "table": table, "old": old, "new": new},
    )


@require_http_methods(["GET", "POST"])
def cookies(request: HttpRequest) -> HttpResponse:
    """Cookie settings and the banner's target (LW-2.2A). Anonymous visitors' choice lives in
    a cookie; a signed-in customer's also in the ledger (source "banner")."""
    state = cookie_state(request)
    if request.method == "POST":
        form = CookieChoiceForm(request.POST)
        if form.is_valid():
            choice = form.cleaned_data["choice"]
            if state.gpc:
                choice = "necessary"  # the signal refuses; GPC never grants (LW-7)
            if request.user.is_authenticated:
                services.cookie_choice_record(
                    customer=request.user, analytics=choice == "analytics"
                )
            next_url = safe_next(request, form.cleaned_data.get("next"), "/")
            response = HttpResponseRedirect(next_url)
            cookie_choice_set(response, request, choice)
            return response
    else:
        form = CookieChoiceForm(initial={"choice": state.choice or "necessary"})
    return render(request, "public/consents/cookies.html", {"form": form, "state": state})
