"""An agent's request acts on the person represented, never on the agent (LW-6.1, APPI
Art. 37): staff link the request to that person's account (or record that they have none)
after checking the power of attorney or, for a legal representative, the proof of the
relationship; every fulfilment step then reads and changes that person's data, the answer
goes to them, and the agent is told that it was sent. Unlinked, nothing can be fulfilled.

The cast: Alice (Japanese) is the person represented, Bob (English) her agent, Charlie
privacy staff. Both Alice and Bob hold data in every category of the inventory."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from consents.models import Purpose, Restriction
from consents.selectors import consent_decide
from consents.services import consent_change
from partners.models import ProvisionRecord
from partners.services import gate
from portal.models import AccessLogEntry, AuditEvent, OutboundMail, User
from requests import workflow
from requests.errors import RequestError
from requests.models import (
    DataRequest,
    DisclosurePackage,
    Kind,
    Outcome,
    PackageStatus,
    RequestMessage,
    Status,
)
from requests.services import assignment, documents, erasure, fulfilment, packages
from tests.consents.factories import opt_in_purpose
from tests.requests.conftest import PDF
from tests.requests.factories import data_request, erasure_approved, footprint

pytestmark = pytest.mark.clause("LW-6.1")

PRINCIPAL_NAME = "山田 アリス"


@pytest.fixture
def people(cast):
    """Alice and Bob with data everywhere; their own open requests answered first."""
    ads = opt_in_purpose(code="ads", name_ja="広告の配信", name_en="Advertising")
    found = {}
    for user, tag in ((cast.customer, "alice"), (cast.other_customer, "bob")):
        found[tag] = footprint(user, tag=tag, staff=cast.agent)
        consent_change(customer=user, choices={ads.code: True}, source="web")
        workflow.request_close(
            request_id=found[tag]["request"].pk,
            actor=cast.agent,
            outcome=Outcome.FULFILLED,
            reason="Done.",
        )
    return {
        "principal": cast.customer,
        "agent": cast.other_customer,
        "staff": cast.agent,
        "administrator": cast.administrator,
        "partner": found["alice"]["partner"],
        "agent_partner": found["bob"]["partner"],
    }


def snapshot(user: User) -> dict:
    """Everything the portal holds about a person that a fulfilment step could change."""
    fresh = User.objects.get(pk=user.pk)
    profile = (
        "email",
        "full_name",
        "phone",
        "postal_code",
        "prefecture",
        "address",
        "birth_year",
        "is_active",
        "password",
    )
    return {
        "profile": {name: getattr(fresh, name) for name in profile},
        "access_log": AccessLogEntry.objects.filter(user=fresh).count(),
        "consents": {
            p.code: consent_decide(customer=fresh, purpose_code=p.code).granted
            for p in Purpose.objects.order_by("code")
        },
        "restrictions": sorted(
            Restriction.objects.filter(customer=fresh).values_list("pk", flat=True)
        ),
        "messages": sorted(
            RequestMessage.objects.filter(request__customer=fresh).values_list("body", flat=True)
        ),
        "provision_records": ProvisionRecord.objects.filter(customer=fresh).count(),
    }


def agent_request(people, *, kind: str, details: dict, link: bool = True, **kwargs) -> DataRequest:
    """An agent's request in review, with the power of attorney the agent uploaded, linked
    by staff to Alice's account (unless `link` is False)."""
    req = data_request(
        status=kwargs.pop("status", Status.IN_REVIEW),
        customer=people["agent"],
        kind=kind,
        details=details,
        on_behalf=True,
        representation=kwargs.pop("representation", "agent"),
        principal_name=PRINCIPAL_NAME,
        principal_relationship="母",
        **kwargs,
    )
    documents.document_upload(
        request=req,
        uploaded_by=people["agent"],
        upload=SimpleUploadedFile("委任状.pdf", PDF, "application/pdf"),
        purpose=(
            "relationship_proof"
            if req.representation == "legal_representative"
            else "power_of_attorney"
        ),
    )
    if link:
        assignment.principal_link(
            request_id=req.pk, actor=people["staff"], principal_email=people["principal"].email
        )
    req.refresh_from_db()
    return req


def assert_answered_to_principal(people, req: DataRequest, *, expect_in_notice: str) -> None:
    """The closing notice went to Alice, in her language; Bob was told only that it went."""
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.FULFILLED)
    assert req.answered_to_principal
    notices = OutboundMail.objects.filter(subject__contains=req.reference)
    to_principal = notices.get(to=people["principal"].email, subject__contains="完了")
    assert to_principal.language == "ja"
    assert expect_in_notice in to_principal.body
    assert "代理" in to_principal.body  # it says an agent filed it for her
    to_agent = notices.get(to=people["agent"].email, subject__startswith="We sent our answer")
    assert to_agent.language == "en"
    assert PRINCIPAL_NAME in to_agent.body
    assert expect_in_notice not in to_agent.body
    assert req.outcome_reason not in to_agent.body


# --- every kind, fulfilled through an agent ---------------------------------------------------


@pytest.mark.clause("LW-6.1", "APPI-36")
@pytest.mark.parametrize("kind", [Kind.CORRECTION, Kind.ADDITION])
def test_a_correction_or_addition_changes_the_principals_profile(people, kind):
    agent_before = snapshot(people["agent"])
    req = agent_request(people, kind=kind, details={"field": "phone", "new_value": "080-7777-0000"})
    fulfilment.correction_apply(request_id=req.pk, actor=people["staff"])
    people["principal"].refresh_from_db()
    assert people["principal"].phone == "080-7777-0000"
    assert snapshot(people["agent"]) == agent_before
    assert_answered_to_principal(people, req, expect_in_notice="080-7777-0000")
    audit = AuditEvent.objects.filter(action="portal.user.profile_changed").latest("id")
    assert audit.target_id == str(people["principal"].pk)


def test_deleting_items_erases_the_principals_items(people):
    agent_before = snapshot(people["agent"])
    req = agent_request(
        people,
        kind=Kind.DELETION,
        details={"scope": "items", "data_items": ["phone", "access_log"]},
    )
    erasure.deletion_carry_out(request_id=req.pk, actor=people["staff"])
    people["principal"].refresh_from_db()
    assert people["principal"].phone == ""
    assert not AccessLogEntry.objects.filter(user=people["principal"]).exists()
    assert snapshot(people["agent"]) == agent_before
    assert_answered_to_principal(people, req, expect_in_notice="電話番号")


def test_deleting_the_whole_account_erases_the_principal_and_not_the_agent(people):
    agent_before = snapshot(people["agent"])
    req = agent_request(people, kind=Kind.DELETION, details={"scope": "account", "data_items": []})
    # a whole account goes only with a privacy administrator's approval (LW-5)
    erasure_approved(req, asked_by=people["staff"], decided_by=people["administrator"])
    erasure.deletion_carry_out(request_id=req.pk, actor=people["staff"])
    erased = User.objects.get(pk=people["principal"].pk)
    assert erased.email.endswith("@erased.invalid") and not erased.is_active
    assert erased.full_name == "" and erased.phone == ""
    assert snapshot(people["agent"]) == agent_before
    assert User.objects.get(pk=people["agent"].pk).has_usable_password()
    # The notice went to her address while it was still on file; the agent was told.
    notice = OutboundMail.objects.filter(to="alice@example.jp").latest("id")
    assert "アカウント" in notice.body
    assert OutboundMail.objects.filter(
        to=people["agent"].email, subject__startswith="We sent our answer"
    ).exists()
    # The agent's record of the request stays, without her name.
    req.refresh_from_db()
    assert (req.customer_id, req.status, req.principal_name) == (
        people["agent"].pk,
        Status.CLOSED,
        "",
    )


def test_the_whole_account_waits_for_other_open_requests_about_the_principal(people):
    other = agent_request(
        people, kind=Kind.INQUIRY, details={"subject": "s", "message": "m"}, status="verifying"
    )
    req = agent_request(people, kind=Kind.DELETION, details={"scope": "account", "data_items": []})
    with translation.override("en"), pytest.raises(RequestError, match=other.reference):
        erasure.deletion_carry_out(request_id=req.pk, actor=people["staff"])
    assert User.objects.get(pk=people["principal"].pk).is_active


def test_a_suspension_restricts_the_principal(people):
    agent_before = snapshot(people["agent"])
    req = agent_request(
        people, kind=Kind.SUSPENSION, details={"purposes": ["ads"], "explanation": ""}
    )
    fulfilment.restriction_apply(request_id=req.pk, actor=people["staff"])
    decision = consent_decide(customer=people["principal"], purpose_code="ads")
    assert (decision.granted, decision.decided_by) == (False, "restriction")
    assert consent_decide(customer=people["agent"], purpose_code="ads").granted
    assert snapshot(people["agent"]) == agent_before
    assert_answered_to_principal(people, req, expect_in_notice="広告の配信")


def test_a_third_party_stop_closes_the_gate_for_the_principal_only(people):
    partner = people["partner"]
    purpose = Purpose.objects.get(code="partner-quality")
    for person in (people["principal"], people["agent"]):
        assert gate.provision_decide(
            customer=person, partner=partner, purpose=purpose, items=["email"]
        ).allowed
    agent_before = snapshot(people["agent"])
    req = agent_request(
        people,
        kind=Kind.THIRD_PARTY_STOP,
        details={"scope": "all", "recipient": "", "explanation": ""},
    )
    fulfilment.restriction_apply(request_id=req.pk, actor=people["staff"])
    assert not gate.provision_decide(
        customer=people["principal"], partner=partner, purpose=purpose, items=["email"]
    ).allowed
    assert gate.provision_decide(
        customer=people["agent"], partner=partner, purpose=purpose, items=["email"]
    ).allowed
    assert snapshot(people["agent"]) == agent_before
    assert_answered_to_principal(people, req, expect_in_notice=purpose.name_ja)


@pytest.mark.clause("LW-6.1", "APPI-36")
def test_the_purpose_notice_lists_the_principals_purposes_in_her_language(people):
    agent_before = snapshot(people["agent"])
    req = agent_request(people, kind=Kind.PURPOSE_NOTICE, details={})
    fulfilment.purpose_notice_send(request_id=req.pk, actor=people["staff"])
    assert snapshot(people["agent"]) == agent_before
    assert_answered_to_principal(people, req, expect_in_notice="広告の配信")


def _disclose(people, kind: str) -> tuple[DataRequest, DisclosurePackage]:
    from portal.inventory import CATEGORIES

    details = {"scope": "all", "categories": sorted(CATEGORIES)} if kind == Kind.DISCLOSURE else {}
    req = agent_request(people, kind=kind, details=details)
    workflow.request_close(
        request_id=req.pk, actor=people["staff"], outcome=Outcome.FULFILLED, reason="開示します。"
    )
    package = DisclosurePackage.objects.get(request=req)
    return req, packages.package_build(package_id=package.pk)


def _package_text(package) -> str:
    with packages.package_storage().open(package.json_name) as handle:
        return json.dumps(json.loads(handle.read())["sections"], ensure_ascii=False)


def test_the_disclosure_package_holds_the_principals_data_and_goes_to_her(people, client):
    agent_before = snapshot(people["agent"])
    req, package = _disclose(people, Kind.DISCLOSURE)
    assert package.status == PackageStatus.READY
    text = _package_text(package)
    assert "090-alice-0001" in text and "alice@example.jp" in text
    assert "090-bob-0001" not in text and "bob@example.com" not in text
    assert snapshot(people["agent"]) == agent_before
    assert_answered_to_principal(people, req, expect_in_notice="開示します。")
    # The principal got the closing notice and the package-ready mail; the agent only the
    # mail that the answer was sent.
    assert (
        OutboundMail.objects.filter(
            to=people["principal"].email, subject__contains=req.reference
        ).count()
        == 2
    )
    assert (
        OutboundMail.objects.filter(
            to=people["agent"].email, subject__contains=req.reference
        ).count()
        == 1
    )
    url = reverse("requests:package_download", kwargs={"reference": req.reference, "fmt": "json"})
    client.force_login(people["agent"])
    assert client.get(url).status_code == 404
    client.force_login(people["principal"])
    assert client.get(url).status_code == 200


def test_the_provision_records_are_the_principals(people):
    agent_before = snapshot(people["agent"])
    req, package = _disclose(people, Kind.PROVISION_RECORDS)
    assert ProvisionRecord.objects.filter(customer=people["agent"]).count() == 1
    with packages.package_storage().open(package.json_name) as handle:
        document = json.loads(handle.read())
    rows = [json.dumps(row, ensure_ascii=False) for s in document["sections"] for row in s["rows"]]
    assert len(rows) == 1  # her one record, not the agent's
    assert str(people["partner"]) in rows[0]
    assert str(people["agent_partner"]) not in rows[0]
    assert snapshot(people["agent"]) == agent_before
    assert_answered_to_principal(people, req, expect_in_notice="開示します。")


# --- nothing is fulfilled while the principal is not linked ------------------------------------


def _steps():
    def close(req, staff):
        return workflow.request_close(
            request_id=req.pk, actor=staff, outcome=Outcome.FULFILLED, reason="Done."
        )

    def partial(req, staff):
        return workflow.request_approval_ask(
            request_id=req.pk, actor=staff, outcome=Outcome.PARTIALLY_FULFILLED, reason="Part."
        )

    def no_data(req, staff):
        return workflow.request_close(
            request_id=req.pk, actor=staff, outcome=Outcome.NO_DATA, reason="Nothing held."
        )

    def fulfil(function):
        return lambda req, staff: function(request_id=req.pk, actor=staff)

    return {
        "correction": (
            Kind.CORRECTION,
            {"field": "phone", "new_value": "080-1"},
            fulfil(fulfilment.correction_apply),
        ),
        "addition": (
            Kind.ADDITION,
            {"field": "phone", "new_value": "080-1"},
            fulfil(fulfilment.correction_apply),
        ),
        "deletion": (
            Kind.DELETION,
            {"scope": "items", "data_items": ["phone"]},
            fulfil(erasure.deletion_carry_out),
        ),
        "account": (
            Kind.DELETION,
            {"scope": "account", "data_items": []},
            fulfil(erasure.deletion_carry_out),
        ),
        "suspension": (
            Kind.SUSPENSION,
            {"purposes": ["ads"]},
            fulfil(fulfilment.restriction_apply),
        ),
        "third_party_stop": (
            Kind.THIRD_PARTY_STOP,
            {"scope": "all"},
            fulfil(fulfilment.restriction_apply),
        ),
        "purpose_notice": (Kind.PURPOSE_NOTICE, {}, fulfil(fulfilment.purpose_notice_send)),
        "disclosure": (Kind.DISCLOSURE, {"scope": "all", "categories": ["profile"]}, close),
        "disclosure_partial": (
            Kind.DISCLOSURE,
            {"scope": "all", "categories": ["profile"]},
            partial,
        ),
        "provision_records": (Kind.PROVISION_RECORDS, {}, close),
        "no_data": (Kind.DISCLOSURE, {"scope": "all", "categories": ["profile"]}, no_data),
    }


STEPS = _steps()


@pytest.mark.parametrize("step", list(STEPS))
def test_an_unlinked_request_fulfils_nothing_and_says_what_is_missing(people, step):
    kind, details, run = STEPS[step]
    before = (snapshot(people["principal"]), snapshot(people["agent"]))
    req = agent_request(people, kind=kind, details=details, link=False)
    with translation.override("en"), pytest.raises(RequestError) as info:
        run(req, people["staff"])
    message = str(info.value)
    assert PRINCIPAL_NAME in message and "Link it" in message and "power of attorney" in message
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW
    assert (snapshot(people["principal"]), snapshot(people["agent"])) == before


def test_a_refusal_needs_no_link(people, cast):
    """When the power of attorney does not hold, the agent is told so: a refusal is possible
    before anything is linked, and it goes to the agent who filed."""
    req = agent_request(people, kind=Kind.DELETION, details={"scope": "account"}, link=False)
    workflow.request_approval_ask(
        request_id=req.pk,
        actor=people["staff"],
        outcome=Outcome.REFUSED,
        reason="The power of attorney does not cover deletion.",
    )
    workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.REFUSED)
    assert not req.answered_to_principal
    notice = OutboundMail.objects.filter(subject__contains=req.reference).latest("id")
    assert notice.to == people["agent"].email
    assert "does not cover deletion" in notice.body
    assert User.objects.get(pk=people["principal"].pk).is_active


def test_a_principal_without_an_account_gets_no_data_held_and_nothing_else(people):
    req = agent_request(people, kind=Kind.DISCLOSURE, details={"scope": "all"}, link=False)
    assignment.principal_link(request_id=req.pk, actor=people["staff"], no_account=True)
    with translation.override("en"), pytest.raises(RequestError, match="no account"):
        workflow.request_close(
            request_id=req.pk, actor=people["staff"], outcome=Outcome.FULFILLED, reason="x"
        )
    workflow.request_close(
        request_id=req.pk, actor=people["staff"], outcome=Outcome.NO_DATA, reason="該当なし"
    )
    req.refresh_from_db()
    assert req.outcome == Outcome.NO_DATA and not req.answered_to_principal
    assert OutboundMail.objects.filter(subject__contains=req.reference).latest("id").to == (
        people["agent"].email
    )


# --- the link step ---------------------------------------------------------------------------


def test_linking_needs_staff_the_document_and_a_real_other_account(people, cast):
    req = agent_request(people, kind=Kind.PURPOSE_NOTICE, details={}, link=False)
    with translation.override("en"):
        with pytest.raises(RequestError, match="privacy staff"):
            assignment.principal_link(
                request_id=req.pk, actor=people["agent"], principal_email="alice@example.jp"
            )
        with pytest.raises(RequestError, match="agent's own account"):
            assignment.principal_link(
                request_id=req.pk, actor=people["staff"], principal_email="BOB@example.com"
            )
        with pytest.raises(RequestError, match="No active account"):
            assignment.principal_link(
                request_id=req.pk, actor=people["staff"], principal_email="nobody@example.jp"
            )
        with pytest.raises(RequestError, match="or record"):
            assignment.principal_link(request_id=req.pk, actor=people["staff"])
    req.refresh_from_db()
    assert req.principal_id is None and req.authority_confirmed_at is None
    assignment.principal_link(
        request_id=req.pk, actor=people["staff"], principal_email="Alice@Example.jp"
    )
    req.refresh_from_db()
    assert req.principal_id == people["principal"].pk and req.authority_confirmed_at
    audit = AuditEvent.objects.get(action="requests.principal.linked")
    assert audit.payload["principal"] == people["principal"].pk
    assert audit.actor == people["staff"]
    assert req.timeline.filter(event="principal_link").exists()


def test_an_agent_request_without_the_document_cannot_be_linked(people):
    req = data_request(
        status=Status.VERIFYING,
        customer=people["agent"],
        kind=Kind.PURPOSE_NOTICE,
        on_behalf=True,
        representation="agent",
        principal_name=PRINCIPAL_NAME,
    )
    with translation.override("en"), pytest.raises(RequestError, match="power of attorney"):
        assignment.principal_link(
            request_id=req.pk, actor=people["staff"], principal_email="alice@example.jp"
        )


@pytest.mark.clause("LW-6.1")
def test_a_legal_representative_is_the_same_flow_with_proof_of_the_relationship(people):
    req = agent_request(
        people,
        kind=Kind.CORRECTION,
        details={"field": "phone", "new_value": "080-2222-3333"},
        representation="legal_representative",
    )
    assert req.documents.get().purpose == "relationship_proof"
    fulfilment.correction_apply(request_id=req.pk, actor=people["staff"])
    people["principal"].refresh_from_db()
    assert people["principal"].phone == "080-2222-3333"
    # A power of attorney is not the proof a legal representative needs.
    other = data_request(
        status=Status.VERIFYING,
        customer=people["agent"],
        kind=Kind.PURPOSE_NOTICE,
        on_behalf=True,
        representation="legal_representative",
        principal_name=PRINCIPAL_NAME,
    )
    documents.document_upload(
        request=other,
        uploaded_by=people["agent"],
        upload=SimpleUploadedFile("委任状.pdf", PDF, "application/pdf"),
        purpose="power_of_attorney",
    )
    with translation.override("en"), pytest.raises(RequestError, match="proof of the relationship"):
        assignment.principal_link(
            request_id=other.pk, actor=people["staff"], principal_email="alice@example.jp"
        )


def test_the_database_refuses_the_agent_as_their_own_principal(people):
    req = agent_request(people, kind=Kind.PURPOSE_NOTICE, details={}, link=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataRequest.objects.filter(pk=req.pk).update(principal=people["agent"])
    with pytest.raises(IntegrityError), transaction.atomic():
        DataRequest.objects.filter(pk=req.pk).update(
            principal=people["principal"], principal_no_account=True
        )
    mine = data_request(status=Status.VERIFYING, customer=people["agent"], kind=Kind.DELETION)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataRequest.objects.filter(pk=mine.pk).update(principal=people["principal"])


# --- the pages ------------------------------------------------------------------------------------


def test_staff_link_the_principal_from_the_request_page(people, client):
    req = agent_request(people, kind=Kind.PURPOSE_NOTICE, details={}, link=False)
    client.force_login(people["staff"])
    page = client.get(reverse("requests:staff_detail", kwargs={"pk": req.pk})).content.decode()
    assert 'data-testid="principal-link"' in page and "principal_email" in page
    url = reverse("requests:staff_action", kwargs={"pk": req.pk, "name": "principal_link"})
    # Without the tick that the document was checked: a message, nothing linked.
    response = client.post(url, {"principal_email": "alice@example.jp"})
    assert response.status_code == 400
    req.refresh_from_db()
    assert req.principal_id is None
    response = client.post(
        url,
        {
            "principal_email": "alice@example.jp",
            "authority_checked": "on",
            "expected_status": req.status,
        },
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.principal_id == people["principal"].pk
    page = client.get(reverse("requests:staff_detail", kwargs={"pk": req.pk})).content.decode()
    assert "alice@example.jp" in page


def test_the_agent_follows_the_request_and_the_principal_reads_the_answer(people, client):
    req = agent_request(
        people, kind=Kind.CORRECTION, details={"field": "phone", "new_value": "080-5555-6666"}
    )
    fulfilment.correction_apply(request_id=req.pk, actor=people["staff"])
    url = reverse("requests:detail", kwargs={"reference": req.reference})
    client.force_login(people["agent"])
    agent_page = client.get(url).content.decode()
    assert 'data-testid="answer-sent"' in agent_page
    assert (
        "080-5555-6666"
        not in agent_page.split('data-testid="answer-sent"')[1].split("</section>")[0]
    )
    assert 'data-testid="outcome"' not in agent_page
    client.force_login(people["principal"])
    listing = client.get(reverse("requests:list")).content.decode()
    assert 'data-testid="for-me"' in listing and req.reference in listing
    principal_page = client.get(url).content.decode()
    assert 'data-testid="filed-for-you"' in principal_page
    assert "080-5555-6666" in principal_page  # the answer, with what changed
    assert "委任状.pdf" not in principal_page  # the agent's documents are not hers to see
    # She reads it; the agent follows it: her messages and withdrawals are not on it.
    message = client.post(
        reverse("requests:message_post", kwargs={"reference": req.reference}), {"body": "hi"}
    )
    assert message.status_code == 404
    # Another customer sees nothing of it.
    client.force_login(User.objects.get(email="dana@example.jp"))
    assert client.get(url).status_code == 404


def test_a_legal_representative_files_with_proof_of_the_relationship(people, client):
    client.force_login(people["agent"])
    response = client.post(
        reverse("requests:file", kwargs={"kind": Kind.INQUIRY}),
        {
            "requester_type": "customer",
            "subject": "子どものデータ",
            "message": "娘のデータについて",
            "on_behalf": "on",
            "representation": "legal_representative",
            "principal_name": "山田 花子",
            "principal_relationship": "親権者",
            "power_of_attorney": SimpleUploadedFile("戸籍.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    req = DataRequest.objects.get(principal_name="山田 花子")
    assert req.representation == "legal_representative"
    assert req.documents.get().purpose == "relationship_proof"


def test_a_paper_package_is_mailed_to_the_principals_registered_address(people, client):
    req = agent_request(
        people,
        kind=Kind.PROVISION_RECORDS,
        details={},
        delivery_method="paper",
    )
    workflow.request_close(
        request_id=req.pk, actor=people["staff"], outcome=Outcome.FULFILLED, reason="郵送します。"
    )
    packages.package_build(package_id=DisclosurePackage.objects.get(request=req).pk)
    client.force_login(people["staff"])
    page = client.get(reverse("requests:staff_detail", kwargs={"pk": req.pk})).content.decode()
    mail_to = page.split('data-testid="mail-to">')[1].split("</p>")[0]
    assert "千代田区 alice 1-1" in mail_to and PRINCIPAL_NAME in mail_to
    assert "bob" not in mail_to.lower()


def test_an_inquiry_is_answered_to_the_agent_who_asked(people, client):
    req = agent_request(people, kind=Kind.INQUIRY, details={"subject": "件名", "message": "質問"})
    fulfilment.inquiry_answer(request_id=req.pk, actor=people["staff"], answer="ご回答です。")
    req.refresh_from_db()
    assert req.status == Status.CLOSED and not req.answered_to_principal
    notice = OutboundMail.objects.filter(subject__contains=req.reference).latest("id")
    assert notice.to == people["agent"].email and "ご回答です。" in notice.body
    client.force_login(people["principal"])
    assert req.reference not in client.get(reverse("requests:list")).content.decode()
    url = reverse("requests:detail", kwargs={"reference": req.reference})
    assert client.get(url).status_code == 404
