"""The pages the browser walks (tests/browser/test_walk.py): every GET-able named URL of the
URL conf, with its arguments taken from the demo data (`manage.py demo`), and the Django admin
built from its registry. A URL pattern that is neither walked nor excluded here with a reason
fails tests/browser/test_walk.py::test_every_url_is_walked_or_excluded, so pages added later
are walked too."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from django.contrib import admin
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

DEMO_PASSWORD = "demo-pass-2026"
# The demo cast (portal/demo.py), one per role; the visitor is nobody signed in.
ROLES = {
    "visitor": None,
    "customer": "hanako@example.jp",
    "staff": "staff@example.jp",
    "admin": "admin@example.jp",
}


def _hanako():
    from portal.models import User

    return User.objects.get(email="hanako@example.jp")


def _request(**filters):
    from requests.models import DataRequest

    return DataRequest.objects.filter(**filters).order_by("pk").first()


def _first(model_path: str, **filters):
    from django.apps import apps

    app_label, model_name = model_path.split(".")
    return apps.get_model(app_label, model_name).objects.filter(**filters).order_by("pk").first()


def _pk(model_path: str, **filters) -> Callable[[], dict | None]:
    def kwargs():
        obj = _first(model_path, **filters)
        return {"pk": obj.pk} if obj else None

    return kwargs


def _reference() -> dict | None:
    found = _request(customer=_hanako())
    return {"reference": found.reference} if found else None


def _request_pk() -> dict | None:
    found = _request()
    return {"pk": found.pk} if found else None


def _receipt() -> dict | None:
    event = _first("consents.ConsentEvent", customer=_hanako())
    return {"change_id": event.change_id} if event else None


def _policy_version() -> dict | None:
    policy = _first("consents.PolicyVersion", is_published=True)
    return {"version": policy.version} if policy else None


def _incident_report() -> dict | None:
    incident = _first("incidents.Incident")
    return {"pk": incident.pk, "kind": "preliminary"} if incident else None


def _notice() -> dict | None:
    person = _first("incidents.AffectedPerson", customer=_hanako())
    return {"pk": person.incident_id} if person else None


def _follow() -> dict | None:
    from requests import links

    found = _request(customer=None, requester_email__gt="")
    return {"token": links.token_for(found)} if found else None


def _postal_notice() -> dict | None:
    notice = _first("requests.PostalNotice")
    return {"pk": notice.request_id, "notice_pk": notice.pk} if notice else None


def _contact_version() -> dict | None:
    point = _first("requests.ContactPoint")
    return {"version": point.version} if point else None


def _this_year() -> dict:
    from django.utils import timezone

    return {"year": timezone.localdate().year}


def demo_supplement() -> None:
    """What the demo does not hold but a page shows: an exception provision asked for and an
    export, made on the demo's own partner, purpose and people."""
    from partners.models import Arrangement, Basis, DataItem, ExceptionRequest, Export
    from portal.models import User

    arrangement = Arrangement.objects.select_related("partner").order_by("pk").first()
    purpose = arrangement.purposes.order_by("pk").first()
    staff = User.objects.get(email="staff@example.jp")
    ExceptionRequest.objects.create(
        customer=_hanako(),
        partner=arrangement.partner,
        purpose=purpose,
        data_items=[DataItem.PREFECTURE],
        basis=Basis.EXCEPTION_C,
        justification="救急隊が本人を探すため、都道府県が今すぐ必要です。",
        requested_by=staff,
    )
    Export.objects.create(
        partner=arrangement.partner, purpose=purpose, requested_by=staff, file_name="walk.csv"
    )


# Named URLs walked with GET, and how their arguments are found in the demo data (a page
# whose object the demo does not hold is reported, not silently dropped).
NO_ARGS = None
WALKED: dict[str, Callable[[], dict | None] | None] = {
    "home": NO_ARGS,
    "dashboard": NO_ARGS,
    "sign_up": NO_ARGS,
    "sign_up_done": NO_ARGS,
    "email_confirm": lambda: {"token": "not-a-token"},
    "email_change": NO_ARGS,
    "login": NO_ARGS,
    "profile": NO_ARGS,
    "password_change": NO_ARGS,
    "password_reset": NO_ARGS,
    "password_reset_done": NO_ARGS,
    "password_reset_confirm": lambda: {"uidb64": "MQ", "token": "set-password"},
    "password_reset_complete": NO_ARGS,
    "mfa_setup": NO_ARGS,
    "security": NO_ARGS,
    "staff_home": NO_ARGS,
    "consents:policy": NO_ARGS,
    "consents:policy_history": NO_ARGS,
    "consents:policy_diff": NO_ARGS,
    "consents:policy_version": _policy_version,
    "consents:cookies": NO_ARGS,
    "consents:consent_page": NO_ARGS,
    "consents:history": NO_ARGS,
    "partners:group_companies": NO_ARGS,
    "partners:countries": NO_ARGS,
    "partners:joint_use": NO_ARGS,
    "partners:provisions": NO_ARGS,
    "partners:subject_confirm": _pk("partners.Partner"),
    "partners:staff_registry": NO_ARGS,
    "partners:staff_records": NO_ARGS,
    "partners:staff_provision_new": NO_ARGS,
    "partners:staff_exceptions": NO_ARGS,
    "partners:staff_exception": _pk("partners.ExceptionRequest"),
    "partners:staff_exports": NO_ARGS,
    "partners:staff_export": _pk("partners.Export"),
    "partners:staff_api": NO_ARGS,
    "requests:contact": NO_ARGS,
    "requests:contact_history": NO_ARGS,
    "requests:contact_version": _contact_version,
    "requests:transparency": NO_ARGS,
    "requests:transparency_year": _this_year,
    "requests:guest_email": NO_ARGS,
    "requests:guest_code": NO_ARGS,
    "requests:guest_start": NO_ARGS,
    "requests:guest_file": lambda: {"kind": "disclosure"},
    "requests:follow": _follow,
    "requests:list": NO_ARGS,
    "requests:start": NO_ARGS,
    "requests:file": lambda: {"kind": "disclosure"},
    "requests:detail": _reference,
    "requests:staff_queue": NO_ARGS,
    "requests:staff_file": NO_ARGS,
    "requests:staff_notice_print": _postal_notice,
    "requests:staff_overview": NO_ARGS,
    "approvals": NO_ARGS,
    "requests:staff_approval": _pk("portal.Approval"),
    "requests:staff_detail": _request_pk,
    "requests:staff_decision": _request_pk,
    "requests:staff_close": _request_pk,
    "requests:staff_package": _request_pk,
    "incidents:announcements": NO_ARGS,
    "incidents:announcement": _pk("incidents.Incident"),
    "incidents:notice": _notice,
    "incidents:staff_list": NO_ARGS,
    "incidents:staff_new": NO_ARGS,
    "incidents:staff_detail": _pk("incidents.Incident"),
    "incidents:staff_edit": _pk("incidents.Incident"),
    "incidents:staff_scope": _pk("incidents.Incident"),
    "incidents:staff_notices": _pk("incidents.Incident"),
    "incidents:staff_report": _incident_report,
    "api_docs": NO_ARGS,
}

# Pages that are one URL with a query: walked as well as the URL without it.
WALKED_QUERIES: dict[str, str] = {
    "requests:staff_file": "kind=disclosure",  # the filing form, after the kind is chosen
}

POST_ONLY = "answers POST only (GET is 405 or a redirect)"
NOT_HTML = "not an HTML page (JSON, a file or a PDF)"
FRAGMENT = "a part of a page that htmx asks for again while a package builds, walked in its page"

EXCLUDED: dict[str, str] = {
    "requests:follow_resend": POST_ONLY,
    "requests:follow_message_post": POST_ONLY,
    "requests:follow_document_upload": POST_ONLY,
    "requests:follow_document_download": NOT_HTML,
    "requests:follow_package_download": NOT_HTML,
    "requests:package_progress": FRAGMENT,
    "requests:staff_package_progress": FRAGMENT,
    "requests:staff_assign_many": POST_ONLY,
    "requests:staff_notice_sent": POST_ONLY,
    "requests:staff_package_pdf": NOT_HTML,
    "requests:staff_queue_csv": NOT_HTML,
    "requests:transparency_csv": NOT_HTML,
    "healthz": NOT_HTML,
    "readyz": NOT_HTML,
    "language_set": POST_ONLY,
    "logout": POST_ONLY,
    "email_confirmation_resend": POST_ONLY,
    "email_change_confirm": "needs a live token from a mail; its bad-token page is a 400 "
    "in the layout, walked as part of the error pages (tests/portal)",
    "mfa_verify": "redirects every walked role on (staff are verified, customers set up)",
    "mfa_recovery_codes": "GET redirects to the security page; codes show only after a POST",
    "mfa_remove": POST_ONLY,
    "consents:service_revoke": POST_ONLY,
    "consents:receipt": "a download (the receipt as a file)",
    "partners:staff_review_record": POST_ONLY,
    "consents:announcement_dismiss": POST_ONLY,
    "partners:staff_export_progress": NOT_HTML,
    "partners:staff_export_download": NOT_HTML,
    "partners:staff_export_resume": POST_ONLY,
    "partners:staff_api_key_revoke": POST_ONLY,
    "partners:staff_api_subject_link": POST_ONLY,
    "requests:message_post": POST_ONLY,
    "requests:document_upload": POST_ONLY,
    "requests:document_download": NOT_HTML,
    "requests:withdraw": POST_ONLY,
    "requests:package_download": NOT_HTML,
    "requests:staff_message_post": POST_ONLY,
    "requests:staff_assign": POST_ONLY,
    "requests:staff_action": POST_ONLY,
    "incidents:staff_notices_progress": NOT_HTML,
    "incidents:staff_report_approve": POST_ONLY,
    "incidents:staff_assess": POST_ONLY,
    "incidents:staff_assessment_confirm": POST_ONLY,
    "incidents:staff_close": POST_ONLY,
    "incidents:staff_announcement": POST_ONLY,
    "incidents:staff_report_draft": POST_ONLY,
    "incidents:staff_report_submitted": POST_ONLY,
    "incidents:staff_report_pdf": NOT_HTML,
    "otp_webauthn:credential-registration-begin": NOT_HTML,
    "otp_webauthn:credential-registration-complete": NOT_HTML,
    "otp_webauthn:credential-authentication-begin": NOT_HTML,
    "otp_webauthn:credential-authentication-complete": NOT_HTML,
    "otp_webauthn:js-i18n-catalog": NOT_HTML,
    "partners_api:openapi-json": NOT_HTML,
    "partners_api:decide": NOT_HTML,
    "partners_api:provide": NOT_HTML,
    "partners_api:consents": NOT_HTML,
    "partners_api:events": NOT_HTML,
    "partners_api:subject_link": NOT_HTML,
    "partners_api:api-root": NOT_HTML,
}

# The Django admin: index, app indexes, changelists, add and change forms are built from the
# registry (admin_pages below); these other admin URLs are not pages to walk.
ADMIN_GENERATED = ("index", "app_list", "_changelist", "_add", "_change")
ADMIN_EXCLUDED: dict[str, str] = {
    "logout": POST_ONLY,
    "password_change": "the portal's own password page is walked (admin users change it there)",
    "password_change_done": "reached only after a password change",
    "jsi18n": NOT_HTML,
    "autocomplete": NOT_HTML,
    "view_on_site": "a redirect to the object's own page",
    "login": "walked signed out as the portal's sign-in (the admin redirects there)",
    "_delete": "a confirmation reached from a change form; deletes are refused on audit models",
    "_history": "the object's history, reached from a change form",
    "otp_totp_totpdevice_qrcode": "an SVG image shown on the device's config page",
}
# Admin pages a third-party app adds to a model's admin, walked with the model's first row.
ADMIN_CUSTOM = {"otp_totp_totpdevice_config": "otp_totp.TOTPDevice"}


# Admin pages that third-party apps render with their own words (django-celery-beat and
# django-axes have no Japanese catalogue, and some of their labels are fixed in English): walked
# for overflow and axe, but not read by the Japanese scan. The portal's catalogue still names
# their models for the admin's index (portal/third_party_texts.py). The portal's own pages have
# no such exception: the API documentation (/api/v1/docs/) is rendered by the portal, scanned.
JAPANESE_SCAN_SKIPPED = {
    "admin:django_celery_beat_": "django-celery-beat's admin, without a Japanese catalogue",
    "admin:axes_": "django-axes's admin, without a Japanese catalogue",
}


def japanese_scanned(name: str) -> bool:
    return not any(name.startswith(prefix) for prefix in JAPANESE_SCAN_SKIPPED)


def url_names(patterns=None, namespace: str | None = None) -> Iterator[str]:
    """Every named URL of the URL conf, namespaced as `reverse` wants it."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if namespace and entry.namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from url_names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def admin_name_covered(name: str) -> bool:
    short = name.removeprefix("admin:")
    keys = (*ADMIN_GENERATED, *ADMIN_EXCLUDED, *ADMIN_CUSTOM)
    return any(short == key or short.endswith(key) for key in keys)


def portal_pages() -> tuple[list[tuple[str, str]], list[str]]:
    """(name, path) of every walked page, and the names the demo data could not fill."""
    pages, missing = [], []
    for name, kwargs in WALKED.items():
        found = kwargs() if kwargs else {}
        if found is None:
            missing.append(name)
            continue
        pages.append((name, reverse(name, kwargs=found)))
        if name in WALKED_QUERIES:
            pages.append((name, f"{reverse(name, kwargs=found)}?{WALKED_QUERIES[name]}"))
    return pages, missing


def admin_pages() -> list[tuple[str, str]]:
    """The admin index, each app's index, and every registered model's changelist, add form
    and the change form of its first row."""
    pages = [("admin:index", reverse("admin:index"))]
    app_labels = []
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in app_labels:
            app_labels.append(meta.app_label)
        base = f"admin:{meta.app_label}_{meta.model_name}"
        pages.append((f"{base}_changelist", reverse(f"{base}_changelist")))
        with contextlib.suppress(NoReverseMatch):
            pages.append((f"{base}_add", reverse(f"{base}_add")))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append((f"{base}_change", reverse(f"{base}_change", args=[first.pk])))
    for name, model_path in ADMIN_CUSTOM.items():
        first = _first(model_path)
        if first is not None:
            pages.append((f"admin:{name}", reverse(f"admin:{name}", args=[first.pk])))
    for label in app_labels:
        pages.append(("admin:app_list", reverse("admin:app_list", kwargs={"app_label": label})))
    return pages
