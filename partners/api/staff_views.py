"""Staff page of the partner API: systems and their keys (made and revoked by
privacy administrators; a new key is shown once), linking a customer to a partner, and the
latest webhook deliveries with each attempt's status and latency."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.api import keys, selectors
from partners.api.forms import ApiKeyCreateForm, SubjectLinkForm
from partners.api.models import ApiKey, SubjectTrigger
from partners.api.subjects import subject_issue
from partners.errors import PartnerError
from portal.roles import privacy_admin_required, staff_required


@staff_required
def api_page(request: HttpRequest) -> HttpResponse:
    form = ApiKeyCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST":
        if not request.user.is_privacy_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                _row, new_key = keys.api_key_create(
                    system=form.cleaned_data["system"],
                    scopes=form.cleaned_data["scopes"],
                    actor=request.user,
                    label=form.cleaned_data["label"],
                    expires_at=form.expires_at(),
                )
            except PartnerError as exc:
                form.add_error(None, str(exc))
            else:
                form = ApiKeyCreateForm()
    return render(
        request,
        "staff/partners/api.html",
        {
            "systems": selectors.systems_with_keys(),
            "deliveries": selectors.deliveries_recent(),
            "form": form,
            "link_form": SubjectLinkForm(),
            "new_key": new_key,
        },
    )


@privacy_admin_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    try:
        keys.api_key_revoke(key=key, actor=request.user)
    except PartnerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The key is revoked."))
    return redirect("partners:staff_api")


@staff_required
@require_POST
def subject_link(request: HttpRequest) -> HttpResponse:
    form = SubjectLinkForm(request.POST)
    if form.is_valid():
        system = form.cleaned_data["system"]
        subject, _new = subject_issue(
            partner=system.partner,
            customer=form.cleaned_data["customer_email"],
            trigger=SubjectTrigger.STAFF,
            actor=request.user,
        )
        messages.success(
            request,
            _("%(partner)s knows the customer as %(subject)s.")
            % {"partner": system.partner.name, "subject": subject.subject_id},
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("partners:staff_api")
