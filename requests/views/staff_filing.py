"""Staff pages for requests that did not come online (LW-6.1, LW-6.2, APPI-36): file a
request that came by post, phone, email or at the counter, print a notice that goes by post,
and mark it as posted. Thin: check the role, validate, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.roles import staff_required
from requests import letters, offline, uploads
from requests.errors import RequestError
from requests.models import Kind, PostalNotice
from requests.offline_forms import OfflineFilingForm, OfflineKindForm, offline_details_form


@staff_required
@require_http_methods(["GET", "POST"])
def file_request(request: HttpRequest) -> HttpResponse:
    """First the kind (GET ?kind=), then who asked, how and when, and what they ask."""
    kind_form = OfflineKindForm(request.GET if "kind" in request.GET else None)
    if not kind_form.is_bound or not kind_form.is_valid():
        return render(request, "staff/requests/file_kind.html", {"kind_form": kind_form})
    kind = kind_form.cleaned_data["kind"]
    posted = request.method == "POST"
    form = OfflineFilingForm(request.POST if posted else None, request.FILES if posted else None)
    details = offline_details_form(kind, request.POST if posted else None, staff=request.user)
    refused = uploads.refusal(request) if posted else None
    if refused:
        form.add_error(None, refused)
    elif posted and form.is_valid() and details.is_valid():
        data = form.cleaned_data
        try:
            req = offline.request_file_offline(
                staff=request.user,
                kind=kind,
                channel=data["channel"],
                received_on=data["received_on"],
                received_time=data["received_time"],
                requester_name=data["requester_name"],
                requester_email=data["requester_email"],
                requester_address=data["requester_address"],
                requester_phone=data["requester_phone"],
                requester_language=data["requester_language"],
                details=details.details(),
                delivery_method=data["delivery_method"],
                scan=data.get("scan"),
            )
        except RequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Request %(reference)s was filed; it is in the queue.")
                % {"reference": req.reference},
            )
            return redirect("requests:staff_detail", pk=req.pk)
    return render(
        request,
        "staff/requests/file_offline.html",
        {"form": form, "details": details, "kind": kind, "kind_label": Kind(kind).label},
        status=400 if posted else 200,
    )


def _notice(pk: int, notice_pk: int) -> PostalNotice:
    try:
        return letters.postal_notice_for_staff(request_pk=pk, notice_pk=notice_pk)
    except PostalNotice.DoesNotExist:
        raise Http404 from None


@staff_required
def notice_print(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """The notice as a printable page: the addressee block and the text, nothing else."""
    notice = _notice(pk, notice_pk)
    return render(request, "staff/requests/notice_print.html", {"notice": notice})


@staff_required
@require_POST
def notice_sent(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    notice = _notice(pk, notice_pk)
    try:
        letters.postal_notice_mark_sent(notice=notice, actor=request.user)
    except RequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The notice was marked as posted."))
    return redirect("requests:staff_detail", pk=pk)
