from django.urls import path

from partners.api import customer_views as api_customer
from partners.api import staff_views as api_staff
from partners.views import customer, public, staff

app_name = "partners"

urlpatterns = [
    # public (LY-2, LY-4, LW-4.3)
    path("partners/group-companies/", public.group_companies, name="group_companies"),
    path("partners/countries/", public.countries, name="countries"),
    path("partners/joint-use/", public.joint_use, name="joint_use"),
    # customer
    path("partners/my-data/", customer.provisions, name="provisions"),
    path("partners/<int:pk>/confirm/", api_customer.subject_confirm, name="subject_confirm"),
    # staff
    path("staff/partners/", staff.registry, name="staff_registry"),
    path(
        "staff/partners/arrangements/<int:pk>/review/",
        staff.review_record,
        name="staff_review_record",
    ),
    path("staff/partners/records/", staff.records, name="staff_records"),
    path("staff/partners/provisions/new/", staff.provision_new, name="staff_provision_new"),
    path("staff/partners/exceptions/", staff.exceptions, name="staff_exceptions"),
    path("staff/partners/exceptions/<int:pk>/", staff.exception_detail, name="staff_exception"),
    path("staff/partners/exports/", staff.exports, name="staff_exports"),
    path("staff/partners/exports/<int:pk>/", staff.export_detail, name="staff_export"),
    path(
        "staff/partners/exports/<int:pk>/progress/",
        staff.export_progress,
        name="staff_export_progress",
    ),
    path(
        "staff/partners/exports/<int:pk>/download/",
        staff.export_download,
        name="staff_export_download",
    ),
    path(
        "staff/partners/exports/<int:pk>/resume/",
        staff.export_resume,
        name="staff_export_resume",
    ),
    # the partner API's staff page
    path("staff/partners/api/", api_staff.api_page, name="staff_api"),
    path(
        "staff/partners/api/keys/<int:pk>/revoke/",
        api_staff.key_revoke,
        name="staff_api_key_revoke",
    ),
    path("staff/partners/api/subjects/", api_staff.subject_link, name="staff_api_subject_link"),
]
