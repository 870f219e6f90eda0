from django.urls import path

from requests.views import customer, public, staff

app_name = "requests"

urlpatterns = [
    # the public transparency report (issue 15)
    path("transparency/", public.report, name="transparency"),
    path("transparency/<int:year>/", public.report, name="transparency_year"),
    path("transparency/<int:year>.csv", public.report_csv, name="transparency_csv"),
    path("requests/", customer.request_list, name="list"),
    path("requests/new/", customer.request_start, name="start"),
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
    path("staff/requests/queue.csv", staff.queue_csv, name="staff_queue_csv"),
    path("staff/requests/assign/", staff.assign_many, name="staff_assign_many"),
    path("staff/requests/overview/", staff.overview, name="staff_overview"),
    path("staff/requests/approvals/", staff.approvals, name="staff_approvals"),
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
]
