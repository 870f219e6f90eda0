"""The incident back-office (APPI-26, LW-5): the list by deadline, recording and changing an
incident, the assessment, scoping the people affected, the reports and the notices. Thin:
check the role, fetch through a selector, validate a form, call one service, turn an
IncidentError into a message."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from incidents import notices as notice_services
from incidents import reports as report_services
from incidents import selectors, services
from incidents.errors import IncidentError
from incidents.forms import (
    AssessmentForm,
    CloseForm,
    ConfirmCountForm,
    IncidentForm,
    ListFilterForm,
    ScopeForm,
    SubmittedForm,
)
from incidents.models import Incident, ReportKind
from incidents.notices import notice_progress_text
from portal.roles import privacy_admin_required, staff_required

PAGE_SIZE = 50


def _incident(pk: int) -> Incident:
    try:
        return selectors.incident_for_staff(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None


def _kind(kind: str) -> str:
    if kind not in ReportKind.values:
        raise Http404
    return kind


def _detail(pk: int):
    return redirect("incidents:staff_detail", pk=pk)


@staff_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents by the nearest report deadline, with time left; overdue in red."""
    form = ListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "open"
    filters = selectors.ListFilters(
        status="" if status == "all" else status,
        overdue=bool(data.get("overdue")),
        search=data.get("q") or "",
    )
    now = timezone.now()
    page = Paginator(selectors.incident_list(filters=filters, now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for incident in page.object_list:
        reports = {r.kind: r for r in incident.reports.all()}
        rows.append((incident, reports.get("preliminary"), reports.get("final")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/incidents/list.html",
        {"form": form, "page": page, "rows": rows, "now": now, "query": query.urlencode()},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_record(
                actor=request.user,
                values=form.register_values(),
                partners=form.cleaned_data["partners"],
            )
        except IncidentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("%(reference)s is in the register.") % {"reference": incident.reference}
            )
            return _detail(incident.pk)
    return render(request, "staff/incidents/form.html", {"form": form, "incident": None})


@staff_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    form = IncidentForm(request.POST or None, instance=incident)
    if request.method == "POST" and form.is_valid():
        try:
            diff = services.incident_update(
                incident_id=incident.pk,
                actor=request.user,
                values=form.register_values(),
                partners=form.cleaned_data["partners"],
            )
        except IncidentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved.") if diff else _("Nothing changed."))
            return _detail(incident.pk)
    return render(request, "staff/incidents/form.html", {"form": form, "incident": incident})


@staff_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    reports = {r.kind: r for r in incident.reports.all()}
    latest = selectors.latest_assessment(incident)
    return render(
        request,
        "staff/incidents/detail.html",
        {
            "incident": incident,
            "latest": latest,
            "assessments": sorted(
                incident.assessments.all(), key=lambda a: (a.assessed_at, a.pk), reverse=True
            ),
            "assess_form": AssessmentForm(initial={"unauthorised_purpose": incident.deliberate}),
            "preliminary": reports.get("preliminary"),
            "final": reports.get("final"),
            "counts": selectors.people_counts(incident=incident),
            "events": list(incident.events.all()),
            "close_form": CloseForm(),
            "notice_missing": notice_services.notice_texts_missing(incident),
            "now": timezone.now(),
        },
    )


@staff_required
@require_POST
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the assessment."))
        return _detail(incident.pk)
    try:
        services.assessment_record(
            incident_id=incident.pk,
            actor=request.user,
            answers=form.answers(),
            reasons=form.reasons(),
            may_exceed_thousand=form.cleaned_data["may_exceed_thousand"],
            note=form.cleaned_data["note"],
        )
    except IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The assessment is recorded; a privacy administrator confirms it.")
        )
    return _detail(incident.pk)


@privacy_admin_required
@require_POST
def assessment_confirm(request: HttpRequest, pk: int, assessment_id: int) -> HttpResponse:
    incident = _incident(pk)
    if not any(a.pk == assessment_id for a in incident.assessments.all()):
        raise Http404
    try:
        services.assessment_confirm(assessment_id=assessment_id, actor=request.user)
    except IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The assessment is confirmed."))
    return _detail(incident.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def scope(request: HttpRequest, pk: int) -> HttpResponse:
    """Find the people affected: the first POST shows how many a rule finds; the second,
    carrying that count, adds them."""
    incident = _incident(pk)
    form = ScopeForm(request.POST or None, request.FILES or None)
    found = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        rule = services.ScopeRule(
            source=d["source"],
            partner=d.get("partner"),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            created_before=d.get("created_before"),
            references=d.get("reference_list", ()),
        )
        if request.POST.get("confirm") and d.get("expected") is not None:
            try:
                added = services.scope_add(
                    incident_id=incident.pk,
                    actor=request.user,
                    rule=rule,
                    expected_new=d["expected"],
                )
            except IncidentError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("%(count)s people were added to %(reference)s.")
                    % {"count": added, "reference": incident.reference},
                )
                return _detail(incident.pk)
        found = selectors.scope_find(incident=incident, rule=rule)
    sample = list(selectors.people_sample(incident=incident))
    services.people_view_record(
        viewer=request.user,
        incident=incident,
        customer_ids=[p.customer_id for p in sample if p.customer_id],
    )
    return render(
        request,
        "staff/incidents/scope.html",
        {
            "incident": incident,
            "form": form,
            "found": found,
            "counts": selectors.people_counts(incident=incident),
            "sample": sample,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest, pk: int) -> HttpResponse:
    """How many people will be told, and in which language; the POST sends them."""
    incident = _incident(pk)
    counts = selectors.people_counts(incident=incident)
    if request.method == "POST":
        form = ConfirmCountForm(request.POST)
        if form.is_valid():
            try:
                sent = notice_services.notices_send(
                    incident_id=incident.pk,
                    actor=request.user,
                    expected=form.cleaned_data["expected"],
                )
            except IncidentError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Sending the notice to %(count)s person; this page shows how far it got.",
                        "Sending the notice to %(count)s people; this page shows how far it got.",
                        sent,
                    )
                    % {"count": sent},
                )
                return redirect("incidents:staff_notices", pk=incident.pk)
        else:
            messages.error(request, _("Confirm the number of people first."))
    return render(
        request,
        "staff/incidents/notices.html",
        {
            "incident": incident,
            "counts": counts,
            "missing": notice_services.notice_texts_missing(incident),
            "progress_text": notice_progress_text(incident),
        },
    )


@staff_required
def notices_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """How far the send job got, for the page's poll (incidents/notice_progress.js)."""
    incident = _incident(pk)
    return JsonResponse(
        {
            "status": incident.notices_status,
            "status_display": incident.get_notices_status_display(),
            "done": incident.notices_done,
            "total": incident.notices_total,
            "text": notice_progress_text(incident),
            "finished": not incident.notices_in_flight,
        }
    )


@staff_required
@require_POST
def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    try:
        notice_services.announcement_publish(incident_id=incident.pk, actor=request.user)
    except IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The announcement is on the public pages."))
    return _detail(incident.pk)


@staff_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the incident is closed."))
        return _detail(incident.pk)
    try:
        services.incident_close(
            incident_id=incident.pk, actor=request.user, note=form.cleaned_data["note"]
        )
    except IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The incident is closed."))
    return _detail(incident.pk)


# --- reports ---------------------------------------------------------------------------------


@staff_required
def report(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The preview: the report as the Commission will read it, with its actions."""
    incident = _incident(pk)
    found = selectors.report_for_staff(incident_id=incident.pk, kind=_kind(kind))
    return render(
        request,
        "staff/incidents/report.html",
        {
            "incident": incident,
            "kind": kind,
            "kind_label": ReportKind(kind).label,
            "report": found,
            "document": report_services.report_document_context(found) if found else None,
            "submitted_form": SubmittedForm(initial={"submitted_on": timezone.localdate()}),
        },
    )


@staff_required
@require_POST
def report_draft(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    incident = _incident(pk)
    try:
        report_services.report_draft(incident_id=incident.pk, kind=_kind(kind), actor=request.user)
    except IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Drafted from the register. A privacy administrator who did not draft it "
                "approves it."
            ),
        )
    return redirect("incidents:staff_report", pk=incident.pk, kind=kind)


@privacy_admin_required
@require_POST
def report_approve(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    found = selectors.report_for_staff(incident_id=pk, kind=_kind(kind))
    if found is None:
        raise Http404
    try:
        report_services.report_approve(report_id=found.pk, actor=request.user)
    except IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Approved. The PDF is kept with the incident."))
    return redirect("incidents:staff_report", pk=pk, kind=kind)


@staff_required
@require_POST
def report_submitted(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    found = selectors.report_for_staff(incident_id=pk, kind=_kind(kind))
    if found is None:
        raise Http404
    form = SubmittedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date it was submitted."))
    else:
        try:
            report_services.report_submission_record(
                report_id=found.pk,
                actor=request.user,
                submitted_on=form.cleaned_data["submitted_on"],
            )
        except IncidentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The submission date is recorded."))
    return redirect("incidents:staff_report", pk=pk, kind=kind)


@staff_required
def report_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The approved report as kept (PDF). A draft has none: it is previewed as a page."""
    found = selectors.report_for_staff(incident_id=pk, kind=_kind(kind))
    if found is None or not found.pdf:
        raise Http404
    response = HttpResponse(bytes(found.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{found.incident.reference}-{found.kind}.pdf"'
    )
    return response
