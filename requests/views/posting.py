"""The message and document forms of a request page, posted by the customer, the requester
who follows the signed link, and staff: one form handling for all three. Each page says
which service posts (`post`, `upload`), where to go after (`done`) and how to show the page
again with the form's errors (`again`)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from requests import uploads
from requests.errors import RequestError
from requests.forms import DocumentForm, MessageForm


def message_submit(
    request: HttpRequest,
    *,
    post: Callable[..., object],
    done: Callable[[], HttpResponse],
    again: Callable[[MessageForm], HttpResponse],
    sent: str | None = None,
) -> HttpResponse:
    """`post(body=..., client_token=...)` calls the service; a refusal is told as a message."""
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            post(body=form.cleaned_data["body"], client_token=form.cleaned_data["token"])
        except RequestError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, sent or _("Your message was sent to our privacy team."))
            return done()
    return again(form)


def document_submit(
    request: HttpRequest,
    *,
    upload: Callable[..., object],
    done: Callable[[], HttpResponse],
    again: Callable[[DocumentForm], HttpResponse],
) -> HttpResponse:
    """`upload(upload=..., purpose=...)` calls the service; a refusal, or a body cut off
    past the size limit, is told at the file field."""
    form = DocumentForm(request.POST, request.FILES)
    refused = uploads.refusal(request)  # the body was cut off past the size limit
    if form.is_valid() and not refused:
        try:
            upload(upload=form.cleaned_data["file"], purpose=form.cleaned_data["purpose"])
        except RequestError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Thank you. Your document was uploaded."))
            return done()
    if refused:
        form.errors.pop("file", None)  # not missing: cut off
        form.add_error("file", refused)
    return again(form)
