"""Filing and following a request without an account (LW-6.1, LW-10).

The visitor proves an email address with a mailed code, files with the form of the kind,
and follows the request through the signed link mailed to them. The pages say the same
thing for every address: whether an account uses it is never shown. Thin views: check the
proof or the link, call one function of `requests.intake`.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.middleware import client_ip
from requests import intake, links
from requests.errors import DuplicateRequestError, RequestError
from requests.forms import DocumentForm, MessageForm, RequesterType, StartForm
from requests.intake_forms import PUBLIC_FORMS, CodeForm, EmailForm
from requests.models import DataRequest, DeliveryMethod, Kind
from requests.views import posting
from requests.views.responses import document_response, package_response

SENT = "requests.intake.sent"  # the code sent: {"id": public id, "email": address}
PROOF = "requests.intake.proof"  # the address proved: {"id", "email", "at"}


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "ja"


def _proof(request: HttpRequest) -> dict | None:
    """The address this visitor proved, while the proof lasts."""
    proof = request.session.get(PROOF)
    if not proof:
        return None
    try:
        at = datetime.fromisoformat(proof["at"])
        valid = intake.proof_valid(email=proof["email"], public_id=proof["id"], verified_at=at)
    except (KeyError, TypeError, ValueError):
        valid = False
    if not valid:
        request.session.pop(PROOF, None)
        return None
    return proof


def _kind_param(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    return kind if kind in Kind.values else ""


@require_http_methods(["GET", "POST"])
def email_step(request: HttpRequest) -> HttpResponse:
    """Step 1: the address the code goes to."""
    if request.user.is_authenticated:
        return redirect("requests:start")
    kind = _kind_param(request)
    form = EmailForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            challenge = intake.code_send(
                email=form.cleaned_data["email"],
                ip_address=client_ip(request),
                language=_language(),
            )
        except RequestError as exc:
            form.add_error(None, str(exc))
            status = 429 if isinstance(exc, intake.TooManyCodes) else 400
        else:
            request.session[SENT] = {"id": str(challenge.public_id), "email": challenge.email}
            request.session.pop(PROOF, None)
            url = reverse("requests:guest_code")
            return redirect(f"{url}?kind={kind}" if kind else url)
    elif request.method == "POST":
        status = 400
    return render(
        request, "public/requests/email.html", {"form": form, "kind": kind}, status=status
    )


@require_http_methods(["GET", "POST"])
def code_step(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the mail."""
    sent = request.session.get(SENT)
    if not sent:
        return redirect("requests:guest_email")
    kind = _kind_param(request)
    form = CodeForm(_posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = intake.code_check(
                public_id=sent["id"], email=sent["email"], code=form.cleaned_data["code"]
            )
            if result.ok:
                request.session.cycle_key()  # a fresh session for the proved visitor
                request.session[PROOF] = {
                    "id": sent["id"],
                    "email": sent["email"],
                    "at": result.verified_at.isoformat(),
                }
                request.session.pop(SENT, None)
                if kind:
                    return redirect("requests:guest_file", kind=kind)
                return redirect("requests:guest_start")
            form.add_error("code", result.message)
    return render(
        request,
        "public/requests/code.html",
        {"form": form, "email": sent["email"], "kind": kind, "minutes": intake.code_minutes()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def start_step(request: HttpRequest) -> HttpResponse:
    """Step 3: who is asking (LW-8) and what about."""
    proof = _proof(request)
    if proof is None:
        return redirect("requests:guest_email")
    form = StartForm(_posted(request), initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["requester_type"] == RequesterType.MANAGED:
            return render(request, "customer/requests/managed_user.html")
        url = reverse("requests:guest_file", kwargs={"kind": form.cleaned_data["kind"]})
        return redirect(f"{url}?as={RequesterType.CUSTOMER}")
    return render(
        request,
        "public/requests/start.html",
        {"form": form, "email": proof["email"]},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def file_step(request: HttpRequest, kind: str) -> HttpResponse:
    """Step 4: the request itself. An open request of the same kind from the proved address
    is refused with its link, only now that the address is proved."""
    from requests.views.customer import _fees

    if kind not in PUBLIC_FORMS:
        raise Http404
    proof = _proof(request)
    if proof is None:
        url = reverse("requests:guest_email")
        return redirect(f"{url}?kind={kind}")
    fees = _fees(kind)
    initial = {}
    if request.GET.get("as") in (RequesterType.CUSTOMER, RequesterType.MANAGED):
        initial["requester_type"] = request.GET["as"]
    form = PUBLIC_FORMS[kind](_posted(request), fees=fees, initial=initial)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        if form.is_managed_user:
            return render(request, "customer/requests/managed_user.html")
        data = form.cleaned_data
        try:
            filed = intake.request_file_without_account(
                email=proof["email"],
                verified_at=datetime.fromisoformat(proof["at"]),
                kind=kind,
                details=form.details(),
                name=data["requester_name"],
                address=data.get("requester_address", ""),
                phone=data.get("requester_phone", ""),
                language=_language(),
                delivery_method=form.delivery_method(),
            )
        except DuplicateRequestError as exc:
            duplicate = exc.existing
        except RequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Your request %(reference)s was received. We mailed you a receipt with the "
                    "link to this page."
                )
                % {"reference": filed.reference},
            )
            return redirect(links.follow_path(filed))
    return render(
        request,
        "public/requests/file.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "email": proof["email"],
            "fees": [(DeliveryMethod(m).label, fee) for m, fee in fees.items()],
            "duplicate": duplicate,
            "duplicate_url": intake.duplicate_link(duplicate) if duplicate else "",
        },
        status=400 if request.method == "POST" else 200,
    )


# --- following the request through the signed link -----------------------------------------


def _linked(token: str) -> DataRequest:
    try:
        return intake.request_for_link(token)
    except DataRequest.DoesNotExist:
        raise Http404 from None


def _page(request: HttpRequest, req: DataRequest, token: str, status: int = 200, **forms):
    context = {
        "req": req,
        "follow_token": token,
        "message_form": MessageForm(),
        "document_form": DocumentForm(),
        "can_withdraw": False,
        **forms,
    }
    response = render(request, "customer/requests/detail.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    # The link must not travel to other sites: "same-origin" (not "no-referrer", under which
    # the browser sends `Origin: null` with the page's forms and CSRF refuses them).
    response["Referrer-Policy"] = "same-origin"
    return response


def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The request page of a requester without an account, opened by the signed link."""
    try:
        req = intake.request_for_link(token)
    except links.LinkExpired as exc:
        return render(
            request,
            "public/requests/link_expired.html",
            {"token": token, "reference": exc.request.reference, "days": links.link_days()},
            status=410,
        )
    except DataRequest.DoesNotExist:
        raise Http404 from None
    return _page(request, req, token)


@require_POST
def follow_link_resend(request: HttpRequest, token: str) -> HttpResponse:
    """An old link asks for a fresh one: mailed to the address on record, nowhere else."""
    try:
        intake.request_for_link(token)
    except links.LinkExpired as exc:
        req = exc.request
    except DataRequest.DoesNotExist:
        raise Http404 from None
    else:
        return redirect("requests:follow", token=token)  # still good: nothing to send
    sent, status = True, 200
    try:
        intake.link_resend(req=req)
    except RequestError as exc:
        messages.error(request, str(exc))
        sent, status = False, 429
    return render(
        request,
        "public/requests/link_expired.html",
        {"token": token, "reference": req.reference, "days": links.link_days(), "sent": sent},
        status=status,
    )


@require_POST
def follow_message_post(request: HttpRequest, token: str) -> HttpResponse:
    req = _linked(token)
    return posting.message_submit(
        request,
        post=lambda **posted: intake.requester_message_post(req=req, **posted),
        done=lambda: redirect("requests:follow", token=token),
        again=lambda form: _page(request, _linked(token), token, status=400, message_form=form),
    )


@require_POST
def follow_document_upload(request: HttpRequest, token: str) -> HttpResponse:
    req = _linked(token)
    return posting.document_submit(
        request,
        upload=lambda **posted: intake.requester_document_upload(req=req, **posted),
        done=lambda: redirect("requests:follow", token=token),
        again=lambda form: _page(request, _linked(token), token, status=400, document_form=form),
    )


def follow_document_download(request: HttpRequest, token: str, public_id) -> HttpResponse:
    req = _linked(token)
    document = req.documents.filter(public_id=public_id).first()
    if document is None:
        raise Http404
    try:
        handle = intake.requester_document_open(document=document)
    except (RequestError, FileNotFoundError):
        raise Http404 from None
    return document_response(handle, document=document)


def follow_package_download(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """The answer (LW-6.1, APPI Art. 33) of a request filed without an account."""
    if fmt not in ("json", "html"):
        raise Http404
    req = _linked(token)
    package = getattr(req, "package", None)
    if package is None:
        raise Http404
    try:
        handle = intake.requester_package_open(package=package, fmt=fmt)
    except RequestError as exc:
        messages.error(request, str(exc))
        return redirect("requests:follow", token=token)
    except FileNotFoundError:
        raise Http404 from None
    return package_response(handle, fmt=fmt, reference=req.reference)
