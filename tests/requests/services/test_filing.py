"""Filing through the service (LW-6.1): references, the copied SLA, the receipt, duplicates,
agent filing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from portal.models import OutboundMail
from requests.errors import DuplicateRequestError, RequestError
from requests.models import DataRequest, Kind, RequestDocument, Status
from requests.services import filing
from tests.requests.conftest import PDF

INQUIRY = {"subject": "件名", "message": "本文"}


@pytest.mark.clause("LW-6.1", "LW-10")
def test_filing_gives_a_reference_a_deadline_and_a_receipt(customer):
    req = filing.request_file(customer=customer, kind=Kind.INQUIRY, details=INQUIRY)
    assert req.reference.startswith("DR-20") and len(req.reference) == len("DR-2026-000001")
    assert req.status == Status.SUBMITTED
    assert req.due_at == req.received_at + timedelta(days=14)
    mail = OutboundMail.objects.get(to=customer.email)
    assert req.reference in mail.subject and req.reference in mail.body
    assert mail.language == "ja"
    assert req.timeline.get().event == "submitted"


@pytest.mark.clause("LW-6.1")
def test_references_are_sequential_per_year(customer, other_customer):
    a = filing.request_file(customer=customer, kind=Kind.INQUIRY, details=INQUIRY)
    b = filing.request_file(customer=other_customer, kind=Kind.INQUIRY, details=INQUIRY)
    assert int(b.reference[-6:]) == int(a.reference[-6:]) + 1


@pytest.mark.clause("LW-6.1")
def test_a_duplicate_open_request_of_the_same_kind_is_refused(customer):
    first = filing.request_file(customer=customer, kind=Kind.INQUIRY, details=INQUIRY)
    with pytest.raises(DuplicateRequestError) as info:
        filing.request_file(customer=customer, kind=Kind.INQUIRY, details=INQUIRY)
    assert info.value.existing == first
    assert DataRequest.objects.count() == 1
    # Another kind is fine, and so is the same kind once the first is closed.
    filing.request_file(
        customer=customer, kind=Kind.DELETION, details={"scope": "account", "data_items": []}
    )


@pytest.mark.clause("LW-6.1")
def test_agent_filing_needs_a_power_of_attorney(customer, private_root):
    with pytest.raises(RequestError):
        filing.request_file(
            customer=customer,
            kind=Kind.INQUIRY,
            details=INQUIRY,
            on_behalf=True,
            principal_name="山田 太郎",
        )
    req = filing.request_file(
        customer=customer,
        kind=Kind.INQUIRY,
        details=INQUIRY,
        on_behalf=True,
        principal_name="山田 太郎",
        principal_relationship="父",
        power_of_attorney=SimpleUploadedFile("委任状.pdf", PDF, "application/pdf"),
    )
    doc = RequestDocument.objects.get(request=req)
    assert doc.purpose == "power_of_attorney"
    assert (private_root / "requests" / doc.stored_name).read_bytes() == PDF
    # The agent's own inquiry is a different person's request: not a duplicate.
    filing.request_file(customer=customer, kind=Kind.INQUIRY, details=INQUIRY)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_references_stay_unique_when_filed_at_once(cast):
    people = [cast.customer, cast.other_customer, cast.agent, cast.administrator]
    barrier = threading.Barrier(len(people))
    refs: list[str] = []
    errors: list[Exception] = []

    def file(person):
        try:
            barrier.wait(timeout=10)
            refs.append(
                filing.request_file(customer=person, kind=Kind.INQUIRY, details=INQUIRY).reference
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(set(refs)) == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_customer_filing_twice_at_once_gets_one_request(cast):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def file():
        try:
            barrier.wait(timeout=10)
            filing.request_file(customer=cast.customer, kind=Kind.INQUIRY, details=INQUIRY)
            outcomes.append("filed")
        except DuplicateRequestError:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=file) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["duplicate", "filed"]
    assert DataRequest.objects.filter(customer=cast.customer).count() == 1


def test_filing_takes_a_fixed_number_of_queries_with_many_requests_present(
    customer, other_customer
):
    from django.test.utils import CaptureQueriesContext

    from tests import factories as people
    from tests.requests.factories import data_request

    first = filing.request_file(customer=other_customer, kind=Kind.INQUIRY, details=INQUIRY)
    for _ in range(30):
        data_request(customer=people.customer(), kind=Kind.DELETION)
    with CaptureQueriesContext(connection) as queries:
        req = filing.request_file(customer=customer, kind=Kind.INQUIRY, details=INQUIRY)
    statements = [q["sql"] for q in queries.captured_queries]
    # The lock on the customer, the duplicate check, the SLA; the reference in one statement;
    # the request (in its savepoint), its timeline entry, the audit row and the receipt mail;
    # and the savepoints of the filing's own transaction (inside the test's).
    counter = [s for s in statements if "requests_referencecounter" in s]
    assert len(counter) == 1 and counter[0].startswith("INSERT")
    writes = [s.split(" ")[2].strip('"') for s in statements if s.startswith("INSERT")]
    assert writes == [
        "requests_referencecounter",
        "requests_datarequest",
        "requests_timelineentry",
        "portal_auditevent",
        "portal_outboundmail",
    ]
    assert len(statements) == 12
    assert int(req.reference[-6:]) == int(first.reference[-6:]) + 1
