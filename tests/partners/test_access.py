"""Access table of the partners pages (LW-5): public pages for everyone, the customer's own
page for the signed-in, staff pages for staff, exception decisions for administrators."""

from __future__ import annotations

import pytest

from partners import services
from partners.models import Basis, DataItem, ExceptionRequest, Export, ExportStatus
from tests.access import Case, cases_params, check_case, everyone, signed_in, staff_only
from tests.consents import factories as cf
from tests.partners import factories as pf


def _purpose():
    return cf.provision_purpose(code="ly5-quality")


def _arrangement(cast):
    return {
        "pk": pf.partner_with(kind="entrusted_processor", purpose=_purpose()).arrangements.get().pk
    }


def _exception(cast):
    request = ExceptionRequest.objects.create(
        customer=cast.customer,
        partner=pf.partner_with(purpose=_purpose()),
        purpose=_purpose(),
        data_items=[DataItem.PREFECTURE],
        basis=Basis.EXCEPTION_C,
        justification="An ambulance crew needs the prefecture to find the person now.",
        requested_by=cast.agent,
    )
    return {"pk": request.pk}


def _export(cast, status=ExportStatus.QUEUED):
    export = Export.objects.create(
        partner=pf.partner_with(purpose=_purpose()),
        purpose=_purpose(),
        requested_by=cast.agent,
        status=status,
        file_name=f"export-test-{status}.csv",
    )
    if status == ExportStatus.COMPLETED:
        path = services.export_path(export)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("pseudonym,prefecture\n", encoding="utf-8")
    return {"pk": export.pk}


def _review(cast):
    return {"reviewed_on": "2026-01-10", "next_due": "2027-01-10"}


POST_REDIRECT = staff_only(302)
ADMIN_DECIDES = {**staff_only(302), "agent": 403}

CASES = [
    Case("partners:group_companies", everyone(200)),
    Case("partners:countries", everyone(200)),
    Case("partners:joint_use", everyone(200)),
    Case("partners:provisions", signed_in(200)),
    Case("partners:staff_registry", staff_only()),
    Case(
        "partners:staff_review_record",
        POST_REDIRECT,
        kwargs=_arrangement,
        method="post",
        data=_review,
    ),
    Case(
        "partners:staff_review_record",
        staff_only(405),
        kwargs=_arrangement,
        id="get:partners:staff_review_record",
    ),
    Case("partners:staff_records", staff_only()),
    Case("partners:staff_provision_new", staff_only()),
    Case("partners:staff_exceptions", staff_only()),
    Case("partners:staff_exception", staff_only(), kwargs=_exception),
    Case(
        "partners:staff_exception",
        ADMIN_DECIDES,
        kwargs=_exception,
        method="post",
        data=lambda cast: {"decision": "reject", "note": "No legal ground."},
    ),
    Case("partners:staff_exports", staff_only()),
    Case("partners:staff_export", staff_only(), kwargs=_export),
    Case("partners:staff_export_progress", staff_only(), kwargs=_export),
    Case(
        "partners:staff_export_download",
        staff_only(),
        kwargs=lambda cast: _export(cast, ExportStatus.COMPLETED),
    ),
    Case(
        "partners:staff_export_resume",
        POST_REDIRECT,
        kwargs=lambda cast: _export(cast, ExportStatus.FAILED),
        method="post",
    ),
]

params, ids = cases_params(CASES)


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(("case", "role"), params, ids=ids)
def test_access(client, cast, case, role):
    check_case(client, cast, case, role)
