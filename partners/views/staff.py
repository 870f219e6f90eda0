"""Staff pages of the partners app, under /staff/partners/ (LW-4, LY-5, APPI-29).

Thin: check the role, read through a selector, validate a form, call one service, turn a
domain error into a message. Every view of customer data writes an audit event (LW-5).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners import selectors
from partners.errors import PartnerError
from partners.forms import (
    GATE,
    ExceptionDecisionForm,
    ExportStartForm,
    ProvisionForm,
    RecordFilterForm,
    ReviewForm,
)
from partners.models import Arrangement, ExceptionStatus, Export
from partners.services import exceptions as partner_exceptions
from partners.services import exports as partner_exports
from partners.services import records as partner_records
from partners.services import registry as partner_registry
from portal.roles import staff_required

RECORDS_PER_PAGE = 50


@staff_required
def registry(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/partners/registry.html",
        {
            "partners": selectors.partner_registry(),
            "reviews_due": selectors.reviews_due(),
            "review_form": ReviewForm(),
            "pending_exceptions": selectors.exceptions_pending_count(),
        },
    )


@staff_required
@require_POST
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = get_object_or_404(Arrangement, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            partner_registry.arrangement_review_record(
                arrangement=arrangement,
                actor=request.user,
                reviewed_on=form.cleaned_data["reviewed_on"],
                next_due=form.cleaned_data["next_due"],
            )
        except PartnerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The supervision review is recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("partners:staff_registry")


@staff_required
def records(request: HttpRequest) -> HttpResponse:
    form = RecordFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.records_list(filters=filters), RECORDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    partner_records.records_view_record(
        viewer=request.user,
        filters=form.audit_values(),
        page=page.number,
        record_ids=[r.pk for r in page.object_list],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/partners/records.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@staff_required
def provision_new(request: HttpRequest) -> HttpResponse:
    form = ProvisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["basis"] == GATE:
                record = partner_records.provision_record(
                    customer=data["customer_email"],
                    partner=data["partner"],
                    purpose=data["purpose"],
                    items=data["items"],
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("Provided and recorded on the basis: %(basis)s.")
                    % {"basis": record.get_basis_display()},
                )
                return redirect("partners:staff_records")
            exception = partner_exceptions.exception_request(
                customer=data["customer_email"],
                partner=data["partner"],
                purpose=data["purpose"],
                items=data["items"],
                basis=data["basis"],
                justification=data["justification"],
                actor=request.user,
            )
        except PartnerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The exception waits for another privacy administrator's approval.")
            )
            return redirect("partners:staff_exception", pk=exception.pk)
    return render(request, "staff/partners/provision_new.html", {"form": form})


@staff_required
def exceptions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/partners/exceptions.html",
        {"exceptions": selectors.exceptions_list()[:200]},
    )


@staff_required
def exception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exception = get_object_or_404(selectors.exceptions_list(), pk=pk)
    form = ExceptionDecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_privacy_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    partner_exceptions.exception_approve(
                        exception=exception, actor=request.user, note=form.cleaned_data["note"]
                    )
                    messages.success(request, _("Approved: the provision is recorded."))
                else:
                    partner_exceptions.exception_reject(
                        exception=exception, actor=request.user, note=form.cleaned_data["note"]
                    )
                    messages.success(request, _("Rejected: nothing was provided."))
            except PartnerError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("partners:staff_exception", pk=exception.pk)
    else:
        partner_exceptions.exception_view_record(viewer=request.user, exception=exception)
    can_decide = (
        request.user.is_privacy_admin
        and exception.status == ExceptionStatus.PENDING
        and exception.requested_by_id != request.user.pk
    )
    return render(
        request,
        "staff/partners/exception_detail.html",
        {"exception": exception, "form": form, "can_decide": can_decide},
    )


@staff_required
def exports(request: HttpRequest) -> HttpResponse:
    form = ExportStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = partner_exports.export_start(
                partner=form.cleaned_data["partner"],
                purpose=form.cleaned_data["purpose"],
                actor=request.user,
            )
        except PartnerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The export has started."))
            return redirect("partners:staff_export", pk=export.pk)
    return render(
        request,
        "staff/partners/exports.html",
        {"form": form, "exports": selectors.exports_list()[:100]},
    )


@staff_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(selectors.exports_list(), pk=pk)
    return render(request, "staff/partners/export_detail.html", {"export": export})


@staff_required
def export_progress(request: HttpRequest, pk: int) -> JsonResponse:
    export = get_object_or_404(Export, pk=pk)
    return JsonResponse(
        {
            "status": export.status,
            "status_display": export.get_status_display(),
            "percent": export.percent,
            "processed": export.processed,
            "total": export.total,
            "rows": export.rows,
            "finished": export.is_finished,
            "download_url": reverse("partners:staff_export_download", args=[export.pk])
            if export.status == "completed"
            else "",
        }
    )


@staff_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(Export, pk=pk)
    try:
        path = partner_exports.export_download_record(export=export, actor=request.user)
    except PartnerError as exc:
        messages.error(request, str(exc))
        return redirect("partners:staff_export", pk=export.pk)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"deidentified-export-{export.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def export_resume(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(Export, pk=pk)
    try:
        partner_exports.export_resume(export=export, actor=request.user)
    except PartnerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The export continues where it stopped."))
    return redirect("partners:staff_export", pk=export.pk)
