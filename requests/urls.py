from django.urls import path
from django.views.generic import RedirectView

from requests.views import contact, customer, public, staff, staff_filing, transparency

app_name = "requests"

urlpatterns = [
    # the public transparency report
    path("transparency/", transparency.report, name="transparency"),
    path("transparency/<int:year>/", transparency.report, name="transparency_year"),
    path("transparency/<int:year>.csv", transparency.report_csv, name="transparency_csv"),
    # The public contact point (APPI Art. 32(1)), beside the policy under /privacy/.
    path("privacy/contact/", contact.contact_point, name="contact"),
    path("privacy/contact/versions/", contact.contact_point_history, name="contact_history"),
    path(
        "privacy/contact/versions/<int:version>/",
        contact.contact_point_version,
        name="contact_version",
    ),
    path("requests/", customer.request_list, name="list"),
    path("requests/new/", customer.request_start, name="start"),
    # Filing and following without an account; before the reference routes.
    path("requests/without-account/", public.email_step, name="guest_email"),
    path("requests/without-account/code/", public.code_step, name="guest_code"),
    path("requests/without-account/new/", public.start_step, name="guest_start"),
    path("requests/without-account/new/<slug:kind>/", public.file_step, name="guest_file"),
    path("requests/follow/<str:token>/", public.follow, name="follow"),
    path("requests/follow/<str:token>/new-link/", public.follow_link_resend, name="follow_resend"),
    path(
        "requests/follow/<str:token>/messages/",
        public.follow_message_post,
        name="follow_message_post",
    ),
    path(
        "requests/follow/<str:token>/documents/",
        public.follow_document_upload,
        name="follow_document_upload",
    ),
    path(
        "requests/follow/<str:token>/documents/<uuid:public_id>/",
        public.follow_document_download,
        name="follow_document_download",
    ),
    path(
        "requests/follow/<str:token>/package.<str:fmt>",
        public.follow_package_download,
        name="follow_package_download",
    ),
    path("requests/new/<slug:kind>/", customer.request_file, name="file"),
    path("requests/<str:reference>/", customer.request_detail, name="detail"),
    path("requests/<str:reference>/messages/", customer.message_post, name="message_post"),
    path("requests/<str:reference>/documents/", customer.document_upload, name="document_upload"),
    path(
        "requests/<str:reference>/documents/<uuid:public_id>/",
        customer.document_download,
        name="document_download",
    ),
    path("requests/<str:reference>/withdraw/", customer.request_withdraw, name="withdraw"),
    path(
        "requests/<str:reference>/package/progress/",
        customer.package_progress,
        name="package_progress",
    ),
    path(
        "requests/<str:reference>/package.<str:fmt>",
        customer.package_download,
        name="package_download",
    ),
    path("staff/requests/", staff.queue, name="staff_queue"),
    # Requests that came by post, phone, email or at the counter.
    path("staff/requests/file/", staff_filing.file_request, name="staff_file"),
    path(
        "staff/requests/<int:pk>/notices/<int:notice_pk>/",
        staff_filing.notice_print,
        name="staff_notice_print",
    ),
    path(
        "staff/requests/<int:pk>/notices/<int:notice_pk>/posted/",
        staff_filing.notice_sent,
        name="staff_notice_sent",
    ),
    path("staff/requests/queue.csv", staff.queue_csv, name="staff_queue_csv"),
    path("staff/requests/assign/", staff.assign_many, name="staff_assign_many"),
    path("staff/requests/overview/", staff.overview, name="staff_overview"),
    # The old address of the approvals inbox, kept for bookmarks: one inbox now serves all.
    path(
        "staff/requests/approvals/",
        RedirectView.as_view(pattern_name="approvals", permanent=True),
    ),
    path("staff/requests/approvals/<int:pk>/", staff.approval_detail, name="staff_approval"),
    path("staff/requests/<int:pk>/", staff.request_detail, name="staff_detail"),
    path("staff/requests/<int:pk>/messages/", staff.message_post, name="staff_message_post"),
    path("staff/requests/<int:pk>/assign/", staff.assign, name="staff_assign"),
    path(
        "staff/requests/<int:pk>/package/progress/",
        staff.package_progress,
        name="staff_package_progress",
    ),
    path("staff/requests/<int:pk>/act/<slug:name>/", staff.action, name="staff_action"),
    path("staff/requests/<int:pk>/decision/", staff.decision, name="staff_decision"),
    path("staff/requests/<int:pk>/close/", staff.close, name="staff_close"),
    path("staff/requests/<int:pk>/package/", staff.package_view, name="staff_package"),
    path(
        "staff/requests/<int:pk>/package.pdf",
        staff.package_view,
        {"fmt": "pdf"},
        name="staff_package_pdf",
    ),
]
