"""The staff back-office of requests (LW-5, LW-6): the queue, the overview, one request with
its actions, disclosure decisions, the approval queue. Thin: check the role, fetch through a
selector, validate a form, call one service, turn a RequestError into a message."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal import selectors as portal_selectors
from portal.i18n import join_list
from portal.models import Approval, User
from portal.roles import privacy_admin_required, staff_required
from requests import intake, letters, overview_display, selectors, timeleft, workflow
from requests.errors import RequestError
from requests.filters import SORTS, QueueFilterSet, sort_order
from requests.forms import (
    AnswerForm,
    ApprovalDecideForm,
    AssignForm,
    BulkAssignForm,
    CloseForm,
    DecisionForm,
    ErasureAskForm,
    ExtensionAskForm,
    MessageForm,
    NoteForm,
    PaymentForm,
    PrincipalLinkForm,
    ReasonForm,
)
from requests.intake_forms import RequesterMatchForm
from requests.models import (
    ApprovalKind,
    DataRequest,
    DisclosurePackage,
    Kind,
    Status,
)
from requests.services import approvals as request_approvals
from requests.services import assignment, decisions, erasure, fulfilment, packages
from requests.services import messages as request_messages
from requests.views import posting

PAGE_SIZE = 50


def _staff_request(pk: int) -> DataRequest:
    try:
        return selectors.request_for_staff(pk=pk)
    except DataRequest.DoesNotExist:
        raise Http404 from None


def _staff_list() -> list[User]:
    return list(portal_selectors.privacy_staff().only("id", "email", "full_name"))


# --- the queue --------------------------------------------------------------------------------


def _queue_filterset(request: HttpRequest, *, now) -> QueueFilterSet:
    return QueueFilterSet(
        request.GET or None, queryset=selectors.queue_open(), viewer=request.user, now=now
    )


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict]:
    """Each sortable column's link (the other filters kept, back to page 1) and its state for
    aria-sort: a column sorted ascending links to descending and the other way round."""
    query = request.GET.copy()
    query.pop("page", None)
    links = {}
    for name in SORTS:
        if current == name:
            target, state = f"-{name}", "ascending"
        elif current == f"-{name}":
            target, state = name, "descending"
        else:
            target, state = name, "none"
        query["sort"] = target
        links[name] = {"url": "?" + query.urlencode(), "state": state}
    return links


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """Open requests, soonest due first unless sorted otherwise, filtered, searched and
    paginated (LW-6.2); the rows shown are audited (LW-5). Six queries: session,
    user, second factor, permissions, the page (rows, total and staff list in one
    statement), the audit event."""
    now = timezone.now()
    filterset = _queue_filterset(request, now=now)
    sort = filterset.chosen_sort()
    result = selectors.queue_page(
        queryset=filterset.qs,
        order=sort_order(sort),
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    page, rows, staff = result.page, result.rows, result.staff
    filterset.set_staff(staff)
    if rows:  # an empty page shows no one's data
        assignment.queue_view_record(
            viewer=request.user, request_ids=[r.pk for r in rows], page=page.number
        )
    # The rows' links from one reverse() rather than {% url %} per row. Labels
    # translated once per page rather than twice per row (`get_FOO_display` builds the
    # choices each call), and the due date formatted here.
    stem = reverse("requests:staff_detail", kwargs={"pk": 1})[: -len("1/")]
    kinds = {k: str(v) for k, v in Kind.choices}
    states = {k: str(v) for k, v in Status.choices}
    for r in rows:
        r.staff_url = f"{stem}{r.pk}/"
        r.kind_label, r.status_label = kinds[r.kind], states[r.status]
        r.due_local = timezone.localtime(r.due_at).strftime("%Y-%m-%d %H:%M")
        r.urgency = timeleft.urgency(due_at=r.due_at, paused=bool(r.paused_since), now=now)
        r.left_text = timeleft.time_left_text(r.due_at, now)
        r.pick = f"{r.pk}:{r.assignee_id or ''}"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/requests/queue.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "rows": rows,
            "now": now,
            "query": query.urlencode(),
            "sorts": _sort_links(request, sort),
            "assign_form": BulkAssignForm(staff=staff, viewer=request.user),
            "next": request.get_full_path(),
            "soon_days": timeleft.SOON_DAYS,
        },
    )


def _csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (a formula) is quoted away."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_required
def queue_csv(request: HttpRequest) -> HttpResponse:
    """The filtered queue, every matching row in the page's order, as CSV. The
    download is audited with every request it holds (LW-5)."""
    now = timezone.now()
    filterset = _queue_filterset(request, now=now)
    rows = list(
        filterset.qs.select_related("customer", "assignee")
        .only(*selectors.QUEUE_COLUMNS)
        .order_by(*sort_order(filterset.chosen_sort()))
    )
    assignment.queue_download_record(
        viewer=request.user,
        request_ids=[r.pk for r in rows],
        filters={k: v for k, v in request.GET.items() if k != "page"},
    )
    kinds = {k: str(v) for k, v in Kind.choices}
    states = {k: str(v) for k, v in Status.choices}
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark, so that spreadsheet programs read UTF-8
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Reference"),
            _("Kind"),
            _("Customer"),
            _("Email"),
            _("State"),
            _("Assignee"),
            _("Received (Asia/Tokyo)"),
            _("Due (Asia/Tokyo)"),
            _("Time left"),
        ]
    )
    for r in rows:
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    r.reference,
                    kinds[r.kind],
                    # A requester without an account (intake, post) has their own details.
                    r.customer.full_name if r.customer_id else r.requester_name,
                    r.customer.email if r.customer_id else r.requester_email,
                    states[r.status],
                    r.assignee or "",
                    timezone.localtime(r.received_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(r.due_at).strftime("%Y-%m-%d %H:%M"),
                    _("paused") if r.paused_since else timeleft.time_left_text(r.due_at, now),
                )
            ]
        )
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="queue-{stamp}.csv"'
    return response


@staff_required
@require_POST
def assign_many(request: HttpRequest) -> HttpResponse:
    """The queue's assignment control: the ticked rows to one person, each with
    the single assign's "changed meanwhile" check."""
    target = request.POST.get("next") or ""
    if not target.startswith(reverse("requests:staff_queue")):
        target = reverse("requests:staff_queue")
    form = BulkAssignForm(request.POST, staff=_staff_list(), viewer=request.user)
    if not form.is_valid():
        for error in form.errors.get("__all__", []) or [_("Choose who should work on them.")]:
            messages.error(request, error)
        return redirect(target)
    assignee = form.chosen()
    outcome = assignment.request_assign_many(
        actor=request.user, assignee=assignee, picks=form.cleaned_data["picks"]
    )
    if outcome.assigned:
        messages.success(
            request,
            ngettext(
                "%(count)d request is now assigned to %(who)s: %(references)s.",
                "%(count)d requests are now assigned to %(who)s: %(references)s.",
                len(outcome.assigned),
            )
            % {
                "count": len(outcome.assigned),
                "who": assignee or _("nobody"),
                "references": join_list(outcome.assigned),
            },
        )
    for reason in outcome.refused:
        messages.error(request, reason)
    return redirect(target)


@staff_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Claim (assign to me), assign or reassign; the form says who the page showed."""
    staff = _staff_list()
    form = AssignForm(request.POST, staff=staff)
    target = request.POST.get("next") or reverse("requests:staff_detail", kwargs={"pk": pk})
    if not target.startswith("/staff/"):
        target = reverse("requests:staff_queue")
    if request.POST.get("claim"):
        assignee = request.user
    elif form.is_valid():
        chosen = form.cleaned_data["assignee"]
        assignee = next((u for u in staff if u.pk == chosen), None)
        if chosen is not None and assignee is None:
            messages.error(request, _("Requests can be assigned to privacy staff only."))
            return redirect(target)
    else:
        messages.error(request, _("Choose who should work on it."))
        return redirect(target)
    expected = request.POST.get("expected") or None
    try:
        req = assignment.request_assign(
            request_id=pk,
            actor=request.user,
            assignee=assignee,
            expected_assignee_id=int(expected) if expected else None,
        )
    except DataRequest.DoesNotExist:
        raise Http404 from None
    except (RequestError, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(reference)s is now assigned to %(who)s.")
            % {"reference": req.reference, "who": assignee or _("nobody")},
        )
    return redirect(target)


# --- the overview -------------------------------------------------------------------------------


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """Counts per state and kind and two server-drawn charts with axes and a scale, each with
    its data table beside it (LW-6.2); no personal data."""
    return render(
        request,
        "staff/requests/overview.html",
        overview_display.overview_context(selectors.overview()),
    )


# --- one request --------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, req: DataRequest, **forms) -> dict:
    preview = None
    if workflow.can_approve(req):
        preview = workflow.closing_notice_preview(
            req, outcome=req.outcome, reason=req.outcome_reason
        )
    package = getattr(req, "package", None)
    return {
        "req": req,
        "staff": _staff_list(),
        "message_form": forms.get("message_form") or MessageForm(),
        "ask_form": forms.get("ask_form") or NoteForm(),
        "fail_form": forms.get("fail_form") or ReasonForm(prefix="fail"),
        "payment_form": forms.get("payment_form")
        or PaymentForm(initial={"amount_yen": req.fee_yen, "paid_on": timezone.localdate()}),
        "waiver_form": forms.get("waiver_form") or ReasonForm(prefix="waiver"),
        "extension_form": forms.get("extension_form") or ExtensionAskForm(),
        "erasure_form": forms.get("erasure_form") or ErasureAskForm(prefix="erasure"),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "principal_form": forms.get("principal_form")
        or PrincipalLinkForm(initial={"principal_email": getattr(req.principal, "email", "")}),
        "match_form": forms.get("match_form") or RequesterMatchForm(),
        "match_candidates": intake.match_candidates(req),
        "pending_kinds": {a.kind for a in req.approvals.all() if a.status == "pending"},
        "preview": preview,
        "package": package,
        "is_disclosure": req.is_disclosure,
        "next": request.get_full_path(),
        "postal_notices": list(letters.postal_notices_for(request=req)),
    }


@staff_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _staff_request(pk)
    assignment.request_staff_view_record(request=req, viewer=request.user)
    return render(request, "staff/requests/detail.html", _detail_context(request, req))


@staff_required
def package_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The package's part of the staff request page, asked again by htmx while it builds.
    Once a paper package is ready it shows the postal address: that answer is a
    staff view of personal data and is audited like the page (LW-5)."""
    try:
        req = selectors.request_with_package_for_staff(pk=pk)
    except DataRequest.DoesNotExist:
        raise Http404 from None
    package = getattr(req, "package", None)
    if package and package.status == "ready" and req.delivery_method == "paper":
        assignment.request_staff_view_record(request=req, viewer=request.user)
    return render(request, "staff/requests/_package.html", {"req": req, "package": package})


@staff_required
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
    req = _staff_request(pk)
    return posting.message_submit(
        request,
        post=lambda **posted: request_messages.message_post(
            request=req, author=request.user, **posted
        ),
        done=lambda: redirect("requests:staff_detail", pk=pk),
        again=lambda form: render(
            request,
            "staff/requests/detail.html",
            _detail_context(request, req, message_form=form),
            status=400,
        ),
        sent=_("The message was sent to the customer."),
    )


def _simple(call):
    return lambda request, req, expected: call(
        request_id=req.pk, actor=request.user, expected_status=expected
    )


def _with_form(form_class, key, call, **form_kwargs):
    def run(request, req, expected):
        form = form_class(request.POST, **form_kwargs)
        if not form.is_valid():
            return key, form
        call(request, req, expected, form.cleaned_data)
        return None

    return run


ACTIONS = {
    "verification_start": (
        _simple(workflow.request_verification_start),
        _("Identity check started."),
    ),
    "identity_confirm": (_simple(workflow.request_identity_confirm), _("Identity confirmed.")),
    "fee_quote": (_simple(workflow.request_fee_quote), _("The fee was quoted to the customer.")),
    "correction_apply": (
        _simple(fulfilment.correction_apply),
        _("The profile was changed and the request closed."),
    ),
    "restriction_apply": (
        _simple(fulfilment.restriction_apply),
        _("The restriction was recorded and the request closed."),
    ),
    "purpose_notice": (
        _simple(fulfilment.purpose_notice_send),
        _("The purposes were sent and the request closed."),
    ),
    "deletion": (
        _simple(erasure.deletion_carry_out),
        _("The data was deleted and the request closed."),
    ),
    "customer_ask": (
        _with_form(
            NoteForm,
            "ask_form",
            lambda request, req, expected, data: workflow.request_customer_ask(
                request_id=req.pk, actor=request.user, note=data["note"], expected_status=expected
            ),
        ),
        _("The customer was asked; the clock is paused."),
    ),
    "identity_fail": (
        _with_form(
            ReasonForm,
            "fail_form",
            lambda request, req, expected, data: workflow.request_identity_fail(
                request_id=req.pk,
                actor=request.user,
                reason=data["reason"],
                expected_status=expected,
            ),
            prefix="fail",
        ),
        _("The request was closed: identity not confirmed."),
    ),
    "payment_record": (
        _with_form(
            PaymentForm,
            "payment_form",
            lambda request, req, expected, data: workflow.request_payment_record(
                request_id=req.pk,
                actor=request.user,
                method=data["method"],
                amount_yen=data["amount_yen"],
                paid_on=data["paid_on"],
                note=data.get("note") or "",
                expected_status=expected,
            ),
        ),
        _("The payment was recorded."),
    ),
    "waiver_ask": (
        _with_form(
            ReasonForm,
            "waiver_form",
            lambda request, req, expected, data: request_approvals.approval_ask(
                request_id=req.pk,
                actor=request.user,
                kind=ApprovalKind.WAIVER,
                reason=data["reason"],
            ),
            prefix="waiver",
        ),
        _("The waiver was sent to a privacy administrator."),
    ),
    "erasure_ask": (
        _with_form(
            ErasureAskForm,
            "erasure_form",
            lambda request, req, expected, data: request_approvals.approval_ask(
                request_id=req.pk,
                actor=request.user,
                kind=ApprovalKind.ERASURE,
                reason=data["reason"],
            ),
            prefix="erasure",
        ),
        _("The erasure of the whole account was sent to a privacy administrator."),
    ),
    "extension_ask": (
        _with_form(
            ExtensionAskForm,
            "extension_form",
            lambda request, req, expected, data: request_approvals.approval_ask(
                request_id=req.pk,
                actor=request.user,
                kind=ApprovalKind.EXTENSION,
                reason=data["reason"],
                days=data["days"],
            ),
        ),
        _("The extension was sent to a privacy administrator."),
    ),
    "inquiry_answer": (
        _with_form(
            AnswerForm,
            "answer_form",
            lambda request, req, expected, data: fulfilment.inquiry_answer(
                request_id=req.pk,
                actor=request.user,
                answer=data["answer"],
                expected_status=expected,
            ),
        ),
        _("The answer was sent and the inquiry closed."),
    ),
    "principal_link": (
        _with_form(
            PrincipalLinkForm,
            "principal_form",
            lambda request, req, expected, data: assignment.principal_link(
                request_id=req.pk,
                actor=request.user,
                principal_email=data.get("principal_email") or "",
                no_account=bool(data.get("no_account")),
                expected_status=expected,
            ),
        ),
        _("The person represented is linked and the authority recorded as checked."),
    ),
    # A request filed without an account: whose data is it?
    "requester_match": (
        _with_form(
            RequesterMatchForm,
            "match_form",
            lambda request, req, expected, data: intake.requester_match(
                request_id=req.pk,
                actor=request.user,
                customer=None
                if data.get("no_data")
                else intake.match_target(
                    account_email=data.get("account_email") or "",
                    earlier_reference=data.get("earlier_reference") or "",
                ),
                expected_status=expected,
            ),
        ),
        _("The requester was matched to the data we hold."),
    ),
    "package_rebuild": (
        lambda request, req, expected: packages.package_rebuild(
            request_id=req.pk, actor=request.user
        ),
        _("The package is being built again."),
    ),
    "package_mailed": (
        lambda request, req, expected: packages.package_mailed_record(
            request_id=req.pk, actor=request.user
        ),
        _("Marked as mailed."),
    ),
}


@staff_required
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One staff action on one request: each is one service call. The form carries the state
    the page showed, so a change by someone else meanwhile is refused with a message."""
    if name not in ACTIONS:
        raise Http404
    req = _staff_request(pk)
    run, done = ACTIONS[name]
    expected = request.POST.get("expected_status") or None
    try:
        invalid = run(request, req, expected)
    except (RequestError, DisclosurePackage.DoesNotExist) as exc:
        messages.error(request, str(exc) if isinstance(exc, RequestError) else _("No package."))
        return redirect("requests:staff_detail", pk=pk)
    if isinstance(invalid, tuple):  # (form name, form with errors); a service returns a model
        key, form = invalid
        messages.error(request, _("Please correct the form below."))
        return render(
            request,
            "staff/requests/detail.html",
            _detail_context(request, req, **{key: form}),
            status=400,
        )
    messages.success(request, done)
    return redirect("requests:staff_detail", pk=pk)


@staff_required
@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft a disclosure decision item by item (LW-6.3)."""
    req = _staff_request(pk)
    if not req.is_disclosure:
        raise Http404
    categories = workflow.requested_categories(req)
    items = {i.category: i for i in req.decision_items.all()}
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        categories=categories,
        initial_items=items,
        initial={"summary": req.outcome_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = decisions.decision_draft(
                request_id=req.pk,
                actor=request.user,
                items=form.items(),
                summary=form.cleaned_data["summary"],
                expected_status=request.POST.get("expected_status") or None,
            )
        except RequestError as exc:
            form.add_error(None, str(exc))
        else:
            if workflow.can_approve(result):  # the decision waits for an administrator
                messages.success(request, _("The decision was sent to a privacy administrator."))
                return redirect("requests:staff_detail", pk=pk)
            messages.success(request, _("Nothing is withheld: close the request to disclose."))
            return redirect("requests:staff_close", pk=pk)
    else:
        assignment.request_staff_view_record(request=req, viewer=request.user)
    return render(
        request,
        "staff/requests/decision.html",
        {"req": req, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close as fulfilled or no data, after reading the notice the customer will get
    (APPI-36): the first POST shows the preview, the second (with `confirm`) closes."""
    req = _staff_request(pk)
    if not workflow.can_close(req):
        # No "fulfilled" form or preview for a request that cannot close that way now: a
        # decision waiting for approval closes with its own notice when approved (APPI-36).
        expected = request.POST.get("expected_status") if request.method == "POST" else None
        if expected and expected != req.status:
            blocked = _(
                "Request %(reference)s changed meanwhile (it is now “%(status)s”); "
                "nothing was done. Please look at it again."
            ) % {"reference": req.reference, "status": req.get_status_display()}
        elif workflow.can_approve(req):
            blocked = _(
                "The decision waits for a privacy administrator's approval. The request "
                "closes with that decision and its notice once approved, so it cannot be "
                "closed here as fulfilled."
            )
        else:
            blocked = _(
                "Request %(reference)s is “%(status)s”; it cannot be closed from here now."
            ) % {"reference": req.reference, "status": req.get_status_display()}
        return render(
            request,
            "staff/requests/close.html",
            {"req": req, "form": None, "preview": None, "blocked": blocked},
            status=400 if request.method == "POST" else 200,
        )
    form = CloseForm(request.POST if request.method == "POST" else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm"):
            try:
                workflow.request_close(
                    request_id=req.pk,
                    actor=request.user,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    expected_status=request.POST.get("expected_status") or None,
                )
            except RequestError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The request was closed and the customer notified."))
                return redirect("requests:staff_detail", pk=pk)
        else:
            preview = workflow.closing_notice_preview(
                req, outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"]
            )
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(
        request,
        "staff/requests/close.html",
        {"req": req, "form": form, "preview": preview},
        status=status,
    )


@staff_required
def package_view(request: HttpRequest, pk: int, fmt: str = "html") -> HttpResponse:
    """The readable package, for staff to check it, or its PDF to print for paper delivery
    (audited)."""
    req = _staff_request(pk)
    package = getattr(req, "package", None)
    if package is None:
        raise Http404
    try:
        handle = packages.package_open(package=package, viewer=request.user, fmt=fmt)
    except (RequestError, FileNotFoundError):
        raise Http404 from None
    if fmt == "pdf":
        response = FileResponse(
            handle, content_type="application/pdf", filename=f"{req.reference}-data.pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response
    response = FileResponse(handle, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# --- approvals ----------------------------------------------------------------------------------


@privacy_admin_required
@require_http_methods(["GET", "POST"])
def approval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        approval = selectors.approval_for_admin(pk=pk)
    except Approval.DoesNotExist:
        raise Http404 from None
    form = ApprovalDecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            with transaction.atomic():
                request_approvals.approval_decide(
                    approval_id=approval.pk,
                    actor=request.user,
                    approve=approve,
                    comment=form.cleaned_data["comment"],
                )
        except RequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Approved.") if approve else _("Returned with your comment.")
            )
            return redirect("approvals")
    else:
        assignment.request_staff_view_record(request=approval.subject, viewer=request.user)
    req = approval.subject
    preview = None
    if approval.kind == ApprovalKind.DECISION and approval.status == "pending":
        preview = workflow.closing_notice_preview(
            req, outcome=req.outcome, reason=req.outcome_reason
        )
    return render(
        request,
        "staff/requests/approval.html",
        {
            "approval": approval,
            "req": req,
            "form": form,
            "preview": preview,
            "own": approval.asked_by_id == request.user.pk,
        },
        status=400 if request.method == "POST" else 200,
    )
