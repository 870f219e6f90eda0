"""Retention: identity documents are deleted a configured number of days after their request
closes, and each purge writes one audit event with the counts."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from portal.models import AuditEvent, JobSettings
from requests import jobs
from requests.models import DocumentPurpose, RequestDocument, Status
from requests.services import documents
from tests.requests.conftest import PDF
from tests.requests.factories import data_request


def document(req, *, purpose=DocumentPurpose.IDENTITY, stored=True) -> RequestDocument:
    name = f"{secrets.token_hex(16)}.pdf"
    if stored:
        name = documents.private_storage().save(name, ContentFile(PDF))
    return RequestDocument.objects.create(
        request=req,
        purpose=purpose,
        uploaded_by=req.customer,
        stored_name=name,
        display_name="免許証.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )


@pytest.mark.clause("APPI-29", "LW-5")
def test_documents_are_deleted_thirty_days_after_closing(cast, now):
    old = data_request(
        status=Status.CLOSED, customer=cast.customer, closed_at=now - timedelta(days=31)
    )
    recent = data_request(
        status=Status.CLOSED, customer=cast.other_customer, closed_at=now - timedelta(days=29)
    )
    still_open = data_request(status=Status.VERIFYING, customer=cast.customer, kind="deletion")
    gone = [document(old), document(old, purpose=DocumentPurpose.POWER_OF_ATTORNEY)]
    already_missing = document(old, stored=False)
    kept = [document(recent), document(still_open)]

    counts = jobs.document_retention_purge(now=now)

    assert counts == {"deleted": 2, "missing": 1}
    storage = documents.private_storage()
    for doc in [*gone, already_missing]:
        doc.refresh_from_db()
        assert doc.deleted_at == now
        assert not storage.exists(doc.stored_name)
    for doc in kept:
        doc.refresh_from_db()
        assert doc.deleted_at is None
        assert storage.exists(doc.stored_name)
    event = AuditEvent.objects.get(action="requests.document.purged")
    assert event.actor is None
    assert event.payload["deleted"] == 2 and event.payload["missing"] == 1

    # A second run deletes nothing and says so in its own event.
    assert jobs.document_retention_purge(now=now) == {"deleted": 0, "missing": 0}
    assert AuditEvent.objects.filter(action="requests.document.purged").count() == 2


@pytest.mark.clause("APPI-29")
def test_the_retention_period_is_configurable(cast, now):
    JobSettings.objects.create(document_retention_days=7)
    req = data_request(
        status=Status.CLOSED, customer=cast.customer, closed_at=now - timedelta(days=8)
    )
    doc = document(req)

    assert jobs.document_retention_purge(now=now)["deleted"] == 1
    doc.refresh_from_db()
    assert doc.deleted_at is not None


@pytest.mark.clause("APPI-29")
def test_a_purged_document_cannot_be_opened(cast, now, agent_client):
    req = data_request(
        status=Status.CLOSED, customer=cast.customer, closed_at=now - timedelta(days=40)
    )
    doc = document(req)
    jobs.document_retention_purge(now=now)

    from requests.errors import RequestError
    from requests.services import documents

    doc.refresh_from_db()
    with pytest.raises(RequestError):
        documents.document_open(document=doc, viewer=cast.agent)
