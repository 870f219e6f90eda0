"""Access table of the partners pages (LW-5): public pages for everyone, the customer's own
page for the signed-in, staff pages for staff, exception decisions for administrators."""

from __future__ import annotations

import pytest

from partners.models import Basis, DataItem, ExceptionRequest, Export, ExportStatus
from partners.services import exports
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
        path = exports.export_path(export)
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


# --- the partner API (issue 14) ---------------------------------------------------------------


def _pay(cast):
    from consents.models import PurposeCategory
    from partners.models import DataItem, PartnerKind

    purpose = cf.PurposeFactory(
        code="group-phone-sharing", category=PurposeCategory.GROUP_SHARED_USE, default_granted=True
    )
    partner = pf.partner_with(
        kind=PartnerKind.GROUP_COMPANY, purpose=purpose, items=[DataItem.PHONE]
    )
    partner.arrangements.update(trigger_ja="開設時", trigger_en="On opening an account")
    return partner


def _api_key(cast):
    from partners.api.keys import api_key_create
    from partners.api.models import PartnerSystem

    system = PartnerSystem.objects.create(partner=_pay(cast), name="backend")
    row, _key = api_key_create(system=system, scopes="decide", actor=None)
    return row


def _system(cast):
    from partners.api.models import PartnerSystem

    return PartnerSystem.objects.create(partner=_pay(cast), name="backend")


ADMIN_POST_REDIRECT = {**staff_only(302), "agent": 403}
ADMIN_POST_ONLY = {**staff_only(405), "agent": 403}
API = everyone(401)  # a signed-in browser is no API key

CASES += [
    Case("partners:subject_confirm", signed_in(200), kwargs=lambda cast: {"pk": _pay(cast).pk}),
    Case(
        "partners:subject_confirm",
        signed_in(200),
        kwargs=lambda cast: {"pk": _pay(cast).pk},
        method="post",
    ),
    Case("partners:staff_api", staff_only()),
    Case(
        "partners:staff_api",
        {**staff_only(200), "agent": 403},
        method="post",
        data=lambda cast: {"system": _system(cast).pk, "scopes": ["decide"]},
    ),
    Case(
        "partners:staff_api_key_revoke",
        ADMIN_POST_REDIRECT,
        kwargs=lambda cast: {"pk": _api_key(cast).pk},
        method="post",
    ),
    Case(
        "partners:staff_api_key_revoke",
        ADMIN_POST_ONLY,
        kwargs=lambda cast: {"pk": _api_key(cast).pk},
        id="get:partners:staff_api_key_revoke",
    ),
    Case(
        "partners:staff_api_subject_link",
        staff_only(302),
        method="post",
        data=lambda cast: {"system": _system(cast).pk, "customer_email": cast.customer.email},
    ),
    Case(
        "partners:staff_api_subject_link", staff_only(405), id="get:partners:staff_api_subject_link"
    ),
    Case("api_docs", everyone(200)),
    Case("partners_api:openapi-json", everyone(200)),
    Case("partners_api:api-root", everyone(404)),
    Case("partners_api:decide", API, method="post"),
    Case("partners_api:provide", API, method="post"),
    Case("partners_api:subject_link", API, method="post"),
    Case("partners_api:events", API),
    Case("partners_api:consents", API, kwargs=lambda cast: {"subject": "sub_" + "0" * 40}),
]

params, ids = cases_params(CASES)


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(("case", "role"), params, ids=ids)
def test_access(client, cast, case, role):
    check_case(client, cast, case, role)
