from django.urls import path

from consents.views import customer, public

app_name = "consents"

urlpatterns = [
    path("privacy/", public.policy, name="policy"),
    path("privacy/history/", public.policy_history, name="policy_history"),
    path("privacy/changes/", public.policy_diff, name="policy_diff"),
    path("privacy/versions/<str:version>/", public.policy_version, name="policy_version"),
    path("cookies/", public.cookies, name="cookies"),
    path("consents/", customer.consent_page, name="consent_page"),
    path("consents/history/", customer.history, name="history"),
    path("consents/receipts/<uuid:change_id>/", customer.receipt, name="receipt"),
    path(
        "consents/applications/<slug:code>/revoke/",
        customer.service_revoke,
        name="service_revoke",
    ),
    path(
        "consents/notices/<str:version>/dismiss/",
        customer.announcement_dismiss,
        name="announcement_dismiss",
    ),
]
