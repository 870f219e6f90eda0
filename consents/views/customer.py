"""The customer's consent pages: purposes, history, receipts, connected applications, the
policy notice (LW-3, LW-7, LW-9, LY-1, LY-2, LY-4, LY-6, LY-7)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consents import selectors, services
from consents.context_processors import ANNOUNCEMENT_SESSION_KEY
from consents.cookies import gpc_signal
from consents.forms import ConsentForm
from consents.models import ANALYTICS_PURPOSE, PolicyVersion, Service, ServiceKind
from consents.receipts import receipt_build
from consents.sections import purpose_notes, purpose_uses, sections_for
from portal.redirects import safe_next

HISTORY_PAGE_SIZE = 50
LATEST_CHANGES = 5  # the consent page's short history; the full one is its own page


@login_required
def consent_page(request: HttpRequest) -> HttpResponse:
    customer = request.user
    gpc = gpc_signal(request)
    overview = selectors.consent_overview(customer=customer)
    rows = [row for group in overview["groups"] for row in group.rows]
    gpc_covered = services.gpc_purposes() if gpc else []
    locked = {p.code for p in gpc_covered}
    data = request.POST if request.method == "POST" else None
    form = ConsentForm(data, rows=rows, locked_codes=locked)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            events = services.consent_change(customer=customer, choices=changes, source="web")
        except services.ConsentError as exc:
            messages.error(request, str(exc))
        else:
            if events:
                messages.success(
                    request, _("Your choices are saved. A receipt is in your history.")
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("consents:consent_page")
    # Under each choice, what it decides: the recipients the gate asks it for (registered
    # by partners), the analytics cookies, or that it is informational (LY-1).
    uses = purpose_uses()
    # Next to a choice, what a higher app adds to it (the shared-use confirmation, LY-4).
    notes = purpose_notes(customer)
    groups = [
        {
            "category": group.category,
            "label": group.label,
            "necessary": any(row.purpose.necessary for row in group.rows),
            "items": [
                {
                    "row": row,
                    "field": form.bound_field_for(row.purpose.code),
                    "recipients": uses.get(row.purpose.code, []),
                    "analytics": row.purpose.code == ANALYTICS_PURPOSE,
                    "notes": notes.get(row.purpose.code, []),
                }
                for row in group.rows
            ],
        }
        for group in overview["groups"]
    ]
    return render(
        request,
        "customer/consents/consent_page.html",
        {
            **overview,
            "groups": groups,
            "form": form,
            "gpc": gpc,
            "gpc_covered": gpc_covered,
            # Set by consents.middleware when this very request withdrew something.
            "gpc_withdrawn": getattr(request, "gpc_withdrawn", []),
            "sections": sections_for(customer),
            "reconsent": [row for row in rows if row.decided_by == "reconsent"],
            "summary": _summary(rows, locked),
            "latest_changes": list(selectors.consent_history(customer=customer)[:LATEST_CHANGES]),
        },
    )


def _summary(rows, locked: set[str]) -> dict[str, list[str]]:
    """The page's first lines: the purposes by what holds for them now. A purpose
    the GPC signal refuses, one stopped at the customer's request and one waiting for a
    fresh decision are named there, not among the declined."""
    summary: dict[str, list[str]] = {
        key: [] for key in ("allowed", "declined", "gpc", "stopped", "reconsent", "necessary")
    }
    for row in rows:
        purpose = row.purpose
        if purpose.necessary:
            key = "necessary"
        elif row.decided_by == "restriction":
            key = "stopped"
        elif row.decided_by == "reconsent":
            key = "reconsent"
        elif purpose.code in locked:
            key = "gpc"
        else:
            key = "allowed" if row.granted else "declined"
        summary[key].append(purpose.name)
    return summary


@login_required
def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.consent_history(customer=request.user), HISTORY_PAGE_SIZE)
    return render(
        request,
        "customer/consents/history.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


@login_required
def receipt(request: HttpRequest, change_id) -> HttpResponse:
    """The consent receipt of one change, as a JSON download. Another customer's: 404."""
    events = selectors.consent_change_events(customer=request.user, change_id=change_id)
    if not events:
        raise Http404
    body = json.dumps(receipt_build(events=events), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consent-receipt-{change_id}.json"'
    return response


@login_required
@require_POST
def service_revoke(request: HttpRequest, code: str) -> HttpResponse:
    """Disconnect a connected application (LY-7)."""
    service = get_object_or_404(
        Service, code=code, kind=ServiceKind.CONNECTED_APPLICATION, is_active=True
    )
    try:
        services.service_revoke(customer=request.user, service=service)
    except services.ConsentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s is disconnected: it receives nothing more from us.")
            % {"name": service.name},
        )
    return redirect("consents:consent_page")


@login_required
@require_POST
def announcement_dismiss(request: HttpRequest, version: str) -> HttpResponse:
    policy = get_object_or_404(PolicyVersion, version=version, is_published=True)
    services.policy_announcement_dismiss(customer=request.user, version=policy)
    request.session.pop(ANNOUNCEMENT_SESSION_KEY, None)  # asked again on the next page
    return HttpResponseRedirect(safe_next(request, request.POST.get("next"), reverse("dashboard")))
