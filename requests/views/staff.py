"""The minimal staff page of one request (the queue and staff actions come with issue 5):
what was asked, the timeline, messages both ways and the identity documents."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.roles import staff_required
from requests import selectors, services
from requests.errors import RequestError
from requests.forms import MessageForm
from requests.models import DataRequest


def _staff_request(pk: int) -> DataRequest:
    try:
        return selectors.request_for_staff(pk=pk)
    except DataRequest.DoesNotExist:
        raise Http404 from None


@staff_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _staff_request(pk)
    services.request_staff_view_record(request=req, viewer=request.user)
    return render(
        request, "staff/requests/detail.html", {"req": req, "message_form": MessageForm()}
    )


@staff_required
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
    req = _staff_request(pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_post(request=req, author=request.user, body=form.cleaned_data["body"])
        except RequestError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The message was sent to the customer."))
            return redirect("requests:staff_detail", pk=pk)
    return render(
        request,
        "staff/requests/detail.html",
        {"req": req, "message_form": form},
        status=400,
    )
