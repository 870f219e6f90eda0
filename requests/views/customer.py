"""The customer's pages: file a request, follow it, write to staff, upload an identity
document, withdraw. Thin: check access, fetch through a selector, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from requests import selectors, uploads, workflow
from requests.errors import DuplicateRequestError, RequestError
from requests.forms import FORMS, DocumentForm, MessageForm, RequesterType, StartForm, WithdrawForm
from requests.models import (
    CHARGEABLE_KINDS,
    DataRequest,
    DeliveryMethod,
    DisclosurePackage,
    Kind,
    RequestDocument,
)
from requests.services import documents, filing, packages
from requests.services import fees as request_fees
from requests.services import messages as request_messages
from requests.views import posting
from requests.views.responses import document_response, package_response


def _posted(request: HttpRequest):
    """The POST data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _own_request(request: HttpRequest, reference: str) -> DataRequest:
    try:
        return selectors.request_for_customer(customer=request.user, reference=reference)
    except DataRequest.DoesNotExist:
        raise Http404 from None


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.requests_for_customer(customer=request.user)
    for_me = list(selectors.requests_for_principal(principal=request.user))
    return render(request, "customer/requests/list.html", {"rows": rows, "for_me": for_me})


@require_http_methods(["GET", "POST"])
def request_start(request: HttpRequest) -> HttpResponse:
    """The LW-8 question first: a user managed by a customer organization files nothing. A
    visitor who is not signed in chooses: sign in, or go on without an account."""
    if not request.user.is_authenticated:
        kind = request.GET.get("kind")
        return render(
            request,
            "public/requests/choose.html",
            {"kind": kind if kind in Kind.values else ""},
        )
    form = StartForm(_posted(request), initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["requester_type"] == RequesterType.MANAGED:
            return render(request, "customer/requests/managed_user.html")
        return redirect(f"{_file_url(form.cleaned_data['kind'])}?as={RequesterType.CUSTOMER}")
    return render(request, "customer/requests/start.html", {"form": form})


def _file_url(kind: str) -> str:
    return reverse("requests:file", kwargs={"kind": kind})


def _fees(kind: str) -> dict[str, int]:
    if kind not in CHARGEABLE_KINDS:
        return {}
    found = {}
    for method in DeliveryMethod.values:
        fee = request_fees.fee_for(kind=kind, delivery_method=method)
        if fee:
            found[method] = fee
    return found


@login_required
@require_http_methods(["GET", "POST"])
def request_file(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in FORMS:
        raise Http404
    if not request.user.email_confirmed:
        # Sign-up confirms the address before anything is filed.
        return render(request, "customer/email_required.html", status=403)
    form_class = FORMS[kind]
    fees = _fees(kind)
    initial = {}
    if request.GET.get("as") in (RequesterType.CUSTOMER, RequesterType.MANAGED):
        initial["requester_type"] = request.GET["as"]
    form = form_class(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        customer=request.user,
        fees=fees,
        initial=initial,
    )
    duplicate = None
    refused = uploads.refusal(request)  # the body was cut off past the size limit
    if refused:
        form.is_valid()  # the errors of the fields that arrived, then the file's
        field = "power_of_attorney" if "power_of_attorney" in form.fields else None
        form.errors.pop(field, None)  # not missing: cut off
        form.add_error(field, refused)
    if request.method == "POST" and not refused and form.is_valid():
        if form.is_managed_user:
            return render(request, "customer/requests/managed_user.html")
        try:
            filed = filing.request_file(
                customer=request.user,
                kind=kind,
                details=form.details(),
                delivery_method=form.delivery_method(),
                on_behalf=form.cleaned_data.get("on_behalf", False),
                principal_name=form.cleaned_data.get("principal_name", ""),
                principal_relationship=form.cleaned_data.get("principal_relationship", ""),
                power_of_attorney=form.cleaned_data.get("power_of_attorney"),
                representation=form.cleaned_data.get("representation") or "agent",
            )
        except DuplicateRequestError as exc:
            duplicate = exc.existing  # shown with a link to it above the form
        except RequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your request %(reference)s was received. We sent you a receipt by mail.")
                % {"reference": filed.reference},
            )
            return redirect("requests:detail", reference=filed.reference)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "customer/requests/file.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "fees": [(DeliveryMethod(m).label, fee) for m, fee in fees.items()],
            "duplicate": duplicate,
        },
        status=status,
    )


@login_required
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        req = selectors.request_for_customer(customer=request.user, reference=reference)
    except DataRequest.DoesNotExist:
        # A request an agent filed for this person: they read it and its answer; the agent
        # follows it (messages, documents, withdrawal) on their own page.
        try:
            req = selectors.request_for_principal(principal=request.user, reference=reference)
        except DataRequest.DoesNotExist:
            raise Http404 from None
        return render(request, "customer/requests/for_me.html", {"req": req})
    return render(
        request,
        "customer/requests/detail.html",
        {
            "req": req,
            "message_form": MessageForm(),
            "document_form": DocumentForm(),
            "can_withdraw": workflow.can_withdraw(req),
        },
    )


@login_required
@require_POST
def message_post(request: HttpRequest, reference: str) -> HttpResponse:
    req = _own_request(request, reference)
    return posting.message_submit(
        request,
        post=lambda **posted: request_messages.message_post(
            request=req, author=request.user, **posted
        ),
        done=lambda: redirect("requests:detail", reference=reference),
        again=lambda form: _detail_with_errors(request, req, message_form=form),
    )


@login_required
@require_POST
def document_upload(request: HttpRequest, reference: str) -> HttpResponse:
    req = _own_request(request, reference)
    return posting.document_submit(
        request,
        upload=lambda **posted: documents.document_upload(
            request=req, uploaded_by=request.user, **posted
        ),
        done=lambda: redirect("requests:detail", reference=reference),
        again=lambda form: _detail_with_errors(request, req, document_form=form),
    )


def _detail_with_errors(request, req, **forms) -> HttpResponse:
    req = selectors.request_for_customer(customer=request.user, reference=req.reference)
    context = {
        "req": req,
        "message_form": MessageForm(),
        "document_form": DocumentForm(),
        "can_withdraw": workflow.can_withdraw(req),
        **forms,
    }
    return render(request, "customer/requests/detail.html", context, status=400)


@login_required
def document_download(request: HttpRequest, reference: str, public_id) -> HttpResponse:
    """The owner or privacy staff open a stored document; every opening is audited."""
    try:
        document = selectors.document_for_viewer(
            viewer=request.user, reference=reference, public_id=public_id
        )
    except RequestDocument.DoesNotExist:
        raise Http404 from None
    try:
        handle = documents.document_open(document=document, viewer=request.user)
    except (RequestError, FileNotFoundError):
        raise Http404 from None
    return document_response(handle, document=document)


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    req = _own_request(request, reference)
    form = WithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            workflow.request_withdraw(
                request_id=req.pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except RequestError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your request was withdrawn."))
        return redirect("requests:detail", reference=reference)
    return render(request, "customer/requests/withdraw.html", {"req": req, "form": form})


@login_required
def package_progress(request: HttpRequest, reference: str) -> HttpResponse:
    """The package's part of the request page, asked again by htmx while it builds (issue
    16): the page updates in place and nothing else on it is reloaded."""
    try:
        req = selectors.request_with_package_for(person=request.user, reference=reference)
    except DataRequest.DoesNotExist:
        raise Http404 from None
    return render(request, "customer/requests/_package.html", {"req": req})


@login_required
def package_download(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    """The customer's disclosure package (LW-6.1): the JSON file or the readable page, while
    the download period lasts. Another customer's reference is a 404."""
    if fmt not in ("json", "html"):
        raise Http404
    try:
        package = selectors.package_for_customer(customer=request.user, reference=reference)
    except DisclosurePackage.DoesNotExist:
        raise Http404 from None
    try:
        handle = packages.package_open(package=package, viewer=request.user, fmt=fmt)
    except RequestError as exc:
        messages.error(request, str(exc))
        return redirect("requests:detail", reference=reference)
    except FileNotFoundError:
        raise Http404 from None
    return package_response(handle, fmt=fmt, reference=reference)
