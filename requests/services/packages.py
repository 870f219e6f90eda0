"""The disclosure package (LW-6.1): built, opened, rebuilt, recorded as mailed and
purged when it expires.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.inventory import CATEGORIES, personal_fields
from portal.models import User
from portal.services import audit_record, mail_queue
from requests import links, package_display, principals, selectors, workflow
from requests.errors import RequestError
from requests.models import (
    DataRequest,
    DeliveryMethod,
    DisclosurePackage,
    PackageStatus,
    TimelineEntry,
)


def package_days() -> int:
    return settings.REQUESTS_PACKAGE_DAYS


def package_storage() -> FileSystemStorage:
    return FileSystemStorage(location=str(settings.PRIVATE_STORAGE_ROOT / "requests" / "packages"))


def _value(obj, name: str, customer: User):
    """One field of one row, as the customer reads it."""
    f = obj._meta.get_field(name)
    if f.many_to_many:
        return [str(x) for x in getattr(obj, name).all()]
    if f.is_relation:
        if f.related_model is User:
            return package_display.person_label(obj, name, customer)
        rel = getattr(obj, name)
        if rel is None:
            return None
        if isinstance(rel, DataRequest):
            return rel.reference
        if rel._meta.label == "consents.ConsentEvent":
            # The change's receipt id, as the ledger's own rows show it: the
            # event's text is an internal summary.
            return str(rel.change_id)
        return str(rel)
    value = f.value_from_object(obj)
    if f.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


# Personal fields that are never handed out: the password hash is a credential, not data
# about the person.
PACKAGE_EXCLUDED = {"portal.User": {"password"}}


def package_build(*, package_id: int) -> DisclosurePackage:
    """Build the package (LW-1, LW-6.1): for every model of the data inventory about a person
    and every disclosed category, the customer's rows with their personal fields; withheld
    items are left out and listed with their grounds and reasons. Safe to run twice: a ready
    package is left as it is. Progress is saved after each part so that the pages can show it."""
    claimed = DisclosurePackage.objects.filter(
        pk=package_id, status__in=[PackageStatus.QUEUED, PackageStatus.FAILED]
    ).update(status=PackageStatus.BUILDING, done=0, error="", progress_at=timezone.now())
    package = DisclosurePackage.objects.select_related(
        "request__customer", "request__principal"
    ).get(pk=package_id)
    if not claimed:
        return package
    req = package.request
    try:
        # The person the request is about: the principal of an agent's request (LW-6.1).
        customer = principals.subject_of(req)
    except RequestError as exc:
        DisclosurePackage.objects.filter(pk=package_id).update(
            status=PackageStatus.FAILED, error=str(exc)[:200]
        )
        raise
    items = {i.category: i for i in req.decision_items.all()}
    wanted = workflow.requested_categories(req)
    disclosed = [c for c in wanted if not (items.get(c) and items[c].withheld)]
    parts = selectors.package_parts(customer=customer, categories=disclosed)
    DisclosurePackage.objects.filter(pk=package_id).update(total=len(parts) + 1)
    try:
        with translation.override(customer.preferred_language):
            sections, readable = [], []
            for done, (category, label, rows) in enumerate(parts, start=1):
                model = rows.model
                names = [
                    n for n in personal_fields(model) if n not in PACKAGE_EXCLUDED.get(label, ())
                ]
                # Related rows come joined (or prefetched), one or two queries per model.
                joins = [
                    n
                    for n in names
                    if model._meta.get_field(n).many_to_one
                    and model._meta.get_field(n).related_model is not User
                ]
                many = [n for n in names if model._meta.get_field(n).many_to_many]
                objects = list(rows.select_related(*joins).prefetch_related(*many))
                sections.append(
                    {
                        "category": category,
                        "category_label": str(CATEGORIES[category]),
                        "model": label,
                        "title": str(model._meta.verbose_name_plural),
                        "fields": names,
                        "labels": [str(model._meta.get_field(n).verbose_name) for n in names],
                        "rows": [{n: _value(obj, n, customer) for n in names} for obj in objects],
                    }
                )
                # The readable page: each row's values as the customer reads them.
                readable.append(
                    [[package_display.cell(obj, n, customer) for n in names] for obj in objects]
                )
                DisclosurePackage.objects.filter(pk=package_id).update(
                    done=done, progress_at=timezone.now()
                )
            withheld = [
                {
                    "category": i.category,
                    "category_label": i.category_label,
                    "grounds": i.grounds,
                    "ground_labels": i.ground_labels,
                    "reason": i.reason,
                }
                for c, i in items.items()
                if i.withheld
            ]
            generated_at = timezone.now()
            document = {
                **package_display.json_preamble(),
                "reference": req.reference,
                "generated_at": timezone.localtime(generated_at).isoformat(),
                "sections": sections,
                "withheld": withheld,
            }
            html = render_to_string(
                "customer/requests/package.html",
                package_display.page_context(
                    req=req,
                    sections=sections,
                    readable=readable,
                    withheld=withheld,
                    generated_at=generated_at,
                ),
            )
        token = secrets.token_hex(16)
        storage = package_storage()
        json_name = storage.save(
            f"{token}.json",
            ContentFile(json.dumps(document, ensure_ascii=False, indent=2).encode()),
        )
        html_name = storage.save(f"{token}.html", ContentFile(html.encode()))
        if req.delivery_method == DeliveryMethod.PAPER:
            # The printable PDF for paper delivery (LW-6.1), made here in the background:
            # WeasyPrint takes seconds per page. It sits beside the page under the same name.
            from portal.pdf import pdf_from_html

            storage.save(package_pdf_name(html_name), ContentFile(pdf_from_html(html)))
    except Exception as exc:
        DisclosurePackage.objects.filter(pk=package_id).update(
            status=PackageStatus.FAILED, error=str(exc)[:200]
        )
        raise
    with transaction.atomic():
        DisclosurePackage.objects.filter(pk=package_id).update(
            status=PackageStatus.READY,
            done=len(parts) + 1,
            json_name=json_name,
            html_name=html_name,
            built_at=generated_at,
            expires_at=generated_at + timedelta(days=package_days()),
        )
        package.refresh_from_db()
        TimelineEntry.objects.create(request=req, event="package_ready")
        recipient = principals.answer_addressee(req)
        if req.delivery_method == DeliveryMethod.ELECTRONIC and not recipient.by_post:
            mail_queue(
                to=recipient.email,
                language=recipient.language,
                template="requests/package_ready",
                context={
                    "request": req,
                    "recipient": recipient,
                    "package": package,
                    "url": links.path_for(req, account=recipient.user is not None),
                },
            )
    return package


def package_open(*, package: DisclosurePackage, viewer: User, fmt: str):
    """Open the package file, `fmt` json, html or pdf, for the customer (while it may be
    downloaded) or for privacy staff (to print it for paper delivery, audited, LW-5)."""
    req = package.request
    # The package is the answer: only the person it is about opens it, never their agent.
    owner_id = req.principal_id if req.on_behalf else req.customer_id
    if owner_id is not None and viewer.pk == owner_id:
        package_owner_take(package=package)
    elif viewer.is_privacy_staff:
        if package.status != PackageStatus.READY:
            raise RequestError(_("The package is not ready."))
        audit_record(
            actor=viewer,
            action="requests.package.viewed",
            target=package.request,
            payload={"reference": package.request.reference, "format": fmt},
        )
    else:
        raise RequestError(_("You cannot open this package."))
    if fmt == "json":
        name = package.json_name
    elif fmt == "pdf":
        name = package_pdf_name(package.html_name)  # paper delivery only: FileNotFoundError
    else:
        name = package.html_name
    return package_storage().open(name, "rb")


def package_owner_take(*, package: DisclosurePackage) -> None:
    """The person the package is about takes it: only an electronic answer, once built and
    while the download period lasts; the first download is recorded."""
    if package.request.delivery_method != DeliveryMethod.ELECTRONIC:
        raise RequestError(_("This answer is sent to you on paper."))
    if package.status in (PackageStatus.QUEUED, PackageStatus.BUILDING):
        raise RequestError(_("The package is not ready."))
    if not package.downloadable():
        raise RequestError(_("The download period of this package has ended."))
    if package.downloaded_at is None:
        DisclosurePackage.objects.filter(pk=package.pk, downloaded_at__isnull=True).update(
            downloaded_at=timezone.now()
        )


def package_pdf_name(html_name: str) -> str:
    """The stored name of a paper package's PDF: its page's name ending in .pdf."""
    return html_name.removesuffix(".html") + ".pdf"


def package_rebuild(*, request_id: int, actor: User) -> DisclosurePackage:
    """Staff start a failed or stuck build again."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    with transaction.atomic():
        package = DisclosurePackage.objects.select_for_update().get(request_id=request_id)
        if package.status == PackageStatus.READY:
            raise RequestError(_("The package is ready already."))
        DisclosurePackage.objects.filter(pk=package.pk).update(
            status=PackageStatus.QUEUED, progress_at=timezone.now()
        )
        audit_record(actor=actor, action="requests.package.rebuilt", target=package.request)
        workflow.package_prepare(request=package.request)
    return package


def package_mailed_record(*, request_id: int, actor: User) -> DisclosurePackage:
    """Paper delivery: staff printed the package and mailed it (APPI Art. 33)."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    with transaction.atomic():
        package = (
            DisclosurePackage.objects.select_for_update()
            .select_related("request")
            .get(request_id=request_id)
        )
        if package.status != PackageStatus.READY:
            raise RequestError(_("The package is not ready."))
        if package.mailed_at is not None:
            raise RequestError(_("It was marked as mailed already."))
        package.mailed_at = timezone.now()
        package.save(update_fields=["mailed_at"])
        TimelineEntry.objects.create(request=package.request, event="package_mailed", actor=actor)
        audit_record(
            actor=actor,
            action="requests.package.mailed",
            target=package.request,
            payload={"reference": package.request.reference},
        )
    return package


def package_expired_purge(*, now: datetime | None = None) -> int:
    """Delete the files of packages past their download period (docs/architecture.md);
    the row stays as the record that a package was made. Returns how many were purged."""
    now = now or timezone.now()
    storage = package_storage()
    purged = 0
    for package in DisclosurePackage.objects.filter(
        status=PackageStatus.READY, expires_at__lte=now
    ):
        with transaction.atomic():
            changed = DisclosurePackage.objects.filter(
                pk=package.pk, status=PackageStatus.READY
            ).update(status=PackageStatus.EXPIRED, json_name="", html_name="")
            if changed:
                pdf_name = package_pdf_name(package.html_name) if package.html_name else ""
                for name in (package.json_name, package.html_name, pdf_name):
                    if name and storage.exists(name):
                        transaction.on_commit(lambda n=name: storage.delete(n))
                purged += 1
    return purged
