"""Access table of the requests app (LW-5): anonymous -> sign-in, another customer's request
-> 404, staff pages -> 403 without the role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests import workflow
from requests.models import ApprovalKind, Kind, RequestDocument, Status
from requests.services import approvals, documents, packages
from tests.access import (
    Case,
    admin_only,
    cases_params,
    check_case,
    owner_only,
    signed_in,
    staff_only,
)
from tests.requests.conftest import PDF, PNG
from tests.requests.factories import data_request


def _request(cast):
    """The customer's open request (made once per test, reused by the kwargs callables)."""
    req = getattr(cast, "_request", None)
    if req is None:
        req = data_request(status=Status.VERIFYING, customer=cast.customer, kind=Kind.INQUIRY)
        cast._request = req
    return req


def _document(cast) -> RequestDocument:
    doc = getattr(cast, "_document", None)
    if doc is None:
        doc = documents.document_upload(
            request=_request(cast),
            uploaded_by=cast.customer,
            upload=SimpleUploadedFile("id.pdf", PDF, "application/pdf"),
        )
        cast._document = doc
    return doc


def ref(cast):
    return {"reference": _request(cast).reference}


def _disclosure(cast):
    """The customer's disclosure in review (for the decision and close pages)."""
    req = getattr(cast, "_disclosure", None)
    if req is None:
        req = data_request(
            status=Status.IN_REVIEW,
            customer=cast.customer,
            kind=Kind.DISCLOSURE,
            details={"scope": "all", "categories": ["profile"]},
        )
        cast._disclosure = req
    return req


def _packaged(cast):
    """A closed disclosure of the customer with its package built."""
    req = getattr(cast, "_packaged", None)
    if req is None:
        req = data_request(
            status=Status.IN_REVIEW,
            customer=cast.customer,
            kind=Kind.PROVISION_RECORDS,
            details={},
        )
        workflow.request_close(
            request_id=req.pk, actor=cast.agent, outcome="fulfilled", reason="Here it is."
        )
        packages.package_build(package_id=req.package.pk)
        cast._packaged = req
    return req


def _approval(cast):
    approval = getattr(cast, "_approval", None)
    if approval is None:
        req = data_request(
            status=Status.AWAITING_PAYMENT, customer=cast.customer, kind=Kind.DISCLOSURE
        )
        approval = approvals.approval_ask(
            request_id=req.pk, actor=cast.agent, kind=ApprovalKind.WAIVER, reason="Hardship"
        )
        cast._approval = approval
    return approval


def pk(cast):
    return {"pk": _request(cast).pk}


CASES = [
    Case("requests:list", signed_in(200)),
    Case("requests:start", signed_in(200)),
    Case(
        "requests:start",
        signed_in(302),
        method="post",
        data=lambda cast: {"requester_type": "customer", "kind": "inquiry"},
    ),
    Case("requests:file", signed_in(200), kwargs=lambda cast: {"kind": "disclosure"}),
    Case("requests:detail", owner_only(200), kwargs=ref),
    Case(
        "requests:message_post",
        owner_only(302),
        kwargs=ref,
        method="post",
        data=lambda cast: {"body": "こんにちは"},
    ),
    Case(
        "requests:message_post",
        signed_in(405),
        kwargs=ref,
        id="get:requests:message_post",
    ),
    Case(
        "requests:document_upload",
        owner_only(302),
        kwargs=ref,
        method="post",
        data=lambda cast: {
            "purpose": "identity",
            "file": SimpleUploadedFile("id.png", PNG),
        },
    ),
    Case(
        "requests:document_download",
        {**owner_only(200), "agent": 200, "administrator": 200},
        kwargs=lambda cast: {
            "reference": ref(cast)["reference"],
            "public_id": _document(cast).public_id,
        },
    ),
    Case("requests:withdraw", owner_only(200), kwargs=ref),
    Case(
        "requests:withdraw", owner_only(302), kwargs=ref, method="post", id="post:requests:withdraw"
    ),
    Case("requests:staff_detail", staff_only(200), kwargs=pk),
    Case(
        "requests:staff_message_post",
        staff_only(302),
        kwargs=pk,
        method="post",
        data=lambda cast: {"body": "ご連絡ありがとうございます。"},
    ),
    # The back-office (issue 5).
    Case("requests:staff_queue", staff_only(200)),
    Case("requests:staff_overview", staff_only(200)),
    Case("requests:staff_approvals", admin_only(200)),
    Case(
        "requests:staff_approval", admin_only(200), kwargs=lambda cast: {"pk": _approval(cast).pk}
    ),
    Case(
        "requests:staff_approval",
        admin_only(302),
        kwargs=lambda cast: {"pk": _approval(cast).pk},
        method="post",
        data=lambda cast: {"decision": "return", "comment": "Please add the evidence."},
    ),
    Case(
        "requests:staff_assign",
        staff_only(302),
        kwargs=pk,
        method="post",
        data=lambda cast: {"claim": "1", "expected": ""},
    ),
    Case(
        "requests:staff_assign",
        {**staff_only(405), "customer": 403, "other_customer": 403},
        kwargs=pk,
        id="get:requests:staff_assign",
    ),
    Case(
        "requests:staff_action",
        staff_only(302),
        kwargs=lambda cast: {**pk(cast), "name": "identity_confirm"},
        method="post",
        data=lambda cast: {"expected_status": "verifying"},
    ),
    Case(
        "requests:staff_action",
        {**staff_only(405), "customer": 403, "other_customer": 403},
        kwargs=lambda cast: {**pk(cast), "name": "identity_confirm"},
        id="get:requests:staff_action",
    ),
    Case(
        "requests:staff_decision",
        staff_only(200),
        kwargs=lambda cast: {"pk": _disclosure(cast).pk},
    ),
    Case("requests:staff_close", staff_only(200), kwargs=lambda cast: {"pk": _disclosure(cast).pk}),
    Case("requests:staff_package", staff_only(200), kwargs=lambda cast: {"pk": _packaged(cast).pk}),
    Case(
        "requests:package_download",
        owner_only(200),
        kwargs=lambda cast: {"reference": _packaged(cast).reference, "fmt": "json"},
    ),
    Case(
        "requests:package_download",
        owner_only(200),
        kwargs=lambda cast: {"reference": _packaged(cast).reference, "fmt": "html"},
        id="get:requests:package_download:html",
    ),
]

params, ids = cases_params(CASES)


@pytest.mark.clause("LW-5", "LW-6.1")
@pytest.mark.parametrize(("case", "role"), params, ids=ids)
def test_access(client, cast, case, role):
    check_case(client, cast, case, role)


def test_anonymous_file_page_sends_to_sign_in(client, db):
    response = client.get("/requests/new/disclosure/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
