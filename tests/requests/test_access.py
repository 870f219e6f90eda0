"""Access table of the requests app (LW-5): anonymous -> sign-in, another customer's request
-> 404, staff pages -> 403 without the role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from requests import intake, links, transparency, workflow
from requests.models import ApprovalKind, Kind, RequestDocument, Status
from requests.services import approvals, documents, packages
from tests.access import (
    Case,
    admin_only,
    cases_params,
    check_case,
    everyone,
    owner_only,
    signed_in,
    staff_only,
)
from tests.requests.conftest import PDF, PNG
from tests.requests.factories import data_request


def _report_year(cast):
    return {"year": transparency.last_ended_quarter()[0]}


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


def _account_less(cast):
    """An open request filed without an account from a proved address."""
    req = getattr(cast, "_account_less", None)
    if req is None:
        req = data_request(
            status=Status.VERIFYING,
            customer=None,
            kind=Kind.INQUIRY,
            requester_name="田中 花子",
            requester_email="hanako@example.jp",
            requester_email_verified_at=timezone.now(),
        )
        cast._account_less = req
    return req


def link(cast):
    return {"token": links.token_for(_account_less(cast))}


def _link_document(cast) -> RequestDocument:
    doc = getattr(cast, "_link_document", None)
    if doc is None:
        doc = intake.requester_document_upload(
            req=_account_less(cast), upload=SimpleUploadedFile("id.pdf", PDF, "application/pdf")
        )
        cast._link_document = doc
    return doc


def _contact_version(cast):
    from requests import contact, demo

    if contact.contact_point_current() is None:
        contact.contact_point_revise(actor=None, values=demo.CONTACT_POINT)
    return {"version": 1}


def _notice(cast):
    """A letter to post for a request typed in by staff (the kwargs of the notice pages)."""
    import datetime

    from django.utils import timezone

    from requests import offline
    from requests.models import PostalNotice

    notice = PostalNotice.objects.first()
    if notice is None:
        offline.request_file_offline(
            staff=cast.agent,
            kind=Kind.INQUIRY,
            channel="phone",
            received_on=timezone.localdate() - datetime.timedelta(days=1),
            requester_name="電話 次郎",
            requester_address="東京都港区1-1",
            details={"subject": "質問", "message": "保存期間を教えてください。"},
        )
        notice = PostalNotice.objects.get()
    return {"pk": notice.request_id, "notice_pk": notice.pk}


def pk(cast):
    return {"pk": _request(cast).pk}


CASES = [
    # the public transparency report; a year with no data is the latest one
    Case("requests:transparency", everyone(200)),
    Case("requests:transparency_year", everyone(200), kwargs=_report_year),
    Case("requests:transparency_csv", everyone(200), kwargs=_report_year),
    # The public contact point (APPI Art. 32(1)): everyone reads it, nobody needs to sign in.
    Case("requests:contact", everyone(200)),
    Case("requests:contact_history", everyone(200)),
    Case("requests:contact_version", everyone(200), kwargs=lambda cast: _contact_version(cast)),
    Case("requests:list", signed_in(200)),
    # Not signed in, the start page offers signing in or going on without an account.
    Case("requests:start", everyone(200)),
    Case(
        "requests:start",
        signed_in(302, anonymous=200),
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
    # Filing without an account: signed-in people file from their account; the
    # later steps need the proved address first (kept in the session), else back to step 1.
    Case("requests:guest_email", signed_in(302, anonymous=200)),
    Case("requests:guest_code", everyone(302), anonymous_to="/requests/without-account/"),
    Case("requests:guest_start", everyone(302), anonymous_to="/requests/without-account/"),
    Case(
        "requests:guest_file",
        everyone(302),
        kwargs=lambda cast: {"kind": "inquiry"},
        anonymous_to="/requests/without-account/?kind=inquiry",
    ),
    # The signed link is the requester's key: it opens its own request for whoever holds it.
    Case("requests:follow", everyone(200), kwargs=link),
    Case("requests:follow_resend", everyone(302), kwargs=link, method="post"),
    Case(
        "requests:follow_message_post",
        everyone(302),
        kwargs=link,
        method="post",
        data=lambda cast: {"body": "こんにちは"},
    ),
    Case(
        "requests:follow_document_upload",
        everyone(302),
        kwargs=link,
        method="post",
        data=lambda cast: {"purpose": "identity", "file": SimpleUploadedFile("id.png", PNG)},
    ),
    Case(
        "requests:follow_document_download",
        everyone(200),
        kwargs=lambda cast: {**link(cast), "public_id": _link_document(cast).public_id},
    ),
    # No answer yet: nothing to download.
    Case(
        "requests:follow_package_download",
        everyone(404),
        kwargs=lambda cast: {**link(cast), "fmt": "json"},
    ),
    Case("requests:staff_detail", staff_only(200), kwargs=pk),
    Case(
        "requests:staff_message_post",
        staff_only(302),
        kwargs=pk,
        method="post",
        data=lambda cast: {"body": "ご連絡ありがとうございます。"},
    ),
    # The back-office.
    Case("requests:staff_queue", staff_only(200)),
    # Requests received by post, phone, email or at the counter.
    Case("requests:staff_file", staff_only(200)),
    Case(
        "requests:staff_file",
        # Without ?kind= the page asks for the kind first.
        staff_only(200),
        method="post",
        data=lambda cast: {"channel": "post"},
        id="post:requests:staff_file",
    ),
    Case("requests:staff_notice_print", staff_only(200), kwargs=lambda cast: _notice(cast)),
    Case(
        "requests:staff_notice_sent",
        staff_only(302),
        kwargs=lambda cast: _notice(cast),
        method="post",
    ),
    Case("requests:staff_overview", staff_only(200)),
    Case("approvals", admin_only(200)),
    # The queue people can work: its download and its one assignment control.
    Case("requests:staff_queue_csv", staff_only(200)),
    Case(
        "requests:staff_assign_many",
        staff_only(302),
        method="post",
        data=lambda cast: {"pick": [f"{_request(cast).pk}:"], "assignee": "none"},
    ),
    Case(
        "requests:staff_assign_many",
        {**staff_only(405), "customer": 403, "other_customer": 403},
        id="get:requests:staff_assign_many",
    ),
    # The package's part of the request pages, asked again while it builds.
    Case(
        "requests:package_progress",
        owner_only(200),
        kwargs=lambda cast: {"reference": _packaged(cast).reference},
    ),
    Case(
        "requests:staff_package_progress",
        staff_only(200),
        kwargs=lambda cast: {"pk": _packaged(cast).pk},
    ),
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
    # The PDF exists for paper delivery only: an electronic package has none.
    Case(
        "requests:staff_package_pdf",
        staff_only(404),
        kwargs=lambda cast: {"pk": _packaged(cast).pk},
    ),
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
