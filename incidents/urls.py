from django.urls import path

from incidents.views import customer, public, staff

app_name = "incidents"

urlpatterns = [
    path("incidents/", public.announcement_list, name="announcements"),
    path("incidents/<int:pk>/", public.announcement_detail, name="announcement"),
    path("incidents/<int:pk>/notice/", customer.notice_detail, name="notice"),
    path("staff/incidents/", staff.incident_list, name="staff_list"),
    path("staff/incidents/new/", staff.incident_new, name="staff_new"),
    path("staff/incidents/<int:pk>/", staff.incident_detail, name="staff_detail"),
    path("staff/incidents/<int:pk>/edit/", staff.incident_edit, name="staff_edit"),
    path("staff/incidents/<int:pk>/assess/", staff.assess, name="staff_assess"),
    path(
        "staff/incidents/<int:pk>/assess/<int:assessment_id>/confirm/",
        staff.assessment_confirm,
        name="staff_assessment_confirm",
    ),
    path("staff/incidents/<int:pk>/scope/", staff.scope, name="staff_scope"),
    path("staff/incidents/<int:pk>/close/", staff.close, name="staff_close"),
    path("staff/incidents/<int:pk>/notices/", staff.notices, name="staff_notices"),
    path(
        "staff/incidents/<int:pk>/notices/progress/",
        staff.notices_progress,
        name="staff_notices_progress",
    ),
    path("staff/incidents/<int:pk>/announcement/", staff.announcement, name="staff_announcement"),
    path("staff/incidents/<int:pk>/reports/<slug:kind>/", staff.report, name="staff_report"),
    path(
        "staff/incidents/<int:pk>/reports/<slug:kind>/draft/",
        staff.report_draft,
        name="staff_report_draft",
    ),
    path(
        "staff/incidents/<int:pk>/reports/<slug:kind>/approve/",
        staff.report_approve,
        name="staff_report_approve",
    ),
    path(
        "staff/incidents/<int:pk>/reports/<slug:kind>/submitted/",
        staff.report_submitted,
        name="staff_report_submitted",
    ),
    path(
        "staff/incidents/<int:pk>/reports/<slug:kind>/report.pdf",
        staff.report_pdf,
        name="staff_report_pdf",
    ),
]
