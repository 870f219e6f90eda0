"""Identity documents (LW-6.3 ground 4): content sniffing, size limit, random private file
names, and a permission-checked, audited download."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEvent
from requests import services
from requests.errors import RequestError
from requests.models import RequestDocument, Status
from tests.requests.conftest import EXE, JPEG, PDF, PNG
from tests.requests.factories import data_request

pytestmark = pytest.mark.clause("LW-6.3")


@pytest.fixture(autouse=True)
def _english_messages():
    # Service messages are translated for the person reading them; match the English ones.
    with translation.override("en"):
        yield


def upload(req, name, data, content_type="application/pdf"):
    return services.document_upload(
        request=req,
        uploaded_by=req.customer,
        upload=SimpleUploadedFile(name, data, content_type),
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")],
)
def test_accepted_types_are_told_by_their_content(customer, data, expected, private_root):
    req = data_request(status=Status.VERIFYING, customer=customer)
    # The name says .txt: the content decides.
    doc = upload(req, "scan.txt", data, "text/plain")
    assert doc.content_type == expected
    stored = private_root / "requests" / doc.stored_name
    assert stored.read_bytes() == data


def test_a_program_renamed_to_pdf_is_refused(customer, private_root):
    req = data_request(status=Status.VERIFYING, customer=customer)
    with pytest.raises(RequestError, match="PDF, JPEG or PNG"):
        upload(req, "passport.pdf", EXE, "application/pdf")
    assert not RequestDocument.objects.exists()
    assert not (private_root / "requests").exists() or not any(
        (private_root / "requests").iterdir()
    )


def test_html_pretending_to_be_png_is_refused(customer):
    req = data_request(status=Status.VERIFYING, customer=customer)
    with pytest.raises(RequestError):
        upload(req, "id.png", b"<html><script>alert(1)</script></html>", "image/png")


def test_an_oversize_file_is_refused(customer, settings):
    settings.REQUESTS_DOCUMENT_MAX_BYTES = 1024
    req = data_request(status=Status.VERIFYING, customer=customer)
    with pytest.raises(RequestError, match="too large"):
        upload(req, "big.pdf", PDF + b"0" * 2048)
    assert not RequestDocument.objects.exists()


def test_an_empty_file_is_refused(customer):
    req = data_request(status=Status.VERIFYING, customer=customer)
    with pytest.raises(RequestError):
        upload(req, "empty.pdf", b"")


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.pdf", "..\\..\\windows\\system.ini.pdf", "/tmp/evil.pdf", "a\x00b.pdf"],
)
def test_path_tricks_in_the_name_never_reach_the_file_system(customer, private_root, name):
    req = data_request(status=Status.VERIFYING, customer=customer)
    doc = upload(req, name, PDF)
    files = list((private_root / "requests").iterdir())
    assert [f.name for f in files] == [doc.stored_name]
    assert doc.stored_name.endswith(".pdf") and len(doc.stored_name) == 36
    assert "/" not in doc.display_name and "\\" not in doc.display_name
    assert ".." not in doc.display_name.replace("...", "")
    assert not (private_root.parent / "etc").exists()


def test_files_live_outside_any_public_root(customer, private_root):
    req = data_request(status=Status.VERIFYING, customer=customer)
    doc = upload(req, "id.pdf", PDF)
    path = (private_root / "requests" / doc.stored_name).resolve()
    assert str(settings.STATIC_ROOT) not in str(path)
    assert "id.pdf" not in doc.stored_name


def test_upload_while_we_wait_starts_the_clock_again(customer):
    req = data_request(status=Status.AWAITING_CUSTOMER, customer=customer)
    upload(req, "id.jpg", JPEG)
    req.refresh_from_db()
    assert req.status == Status.VERIFYING
    assert not req.is_paused


def test_nothing_can_be_added_to_a_closed_request(customer):
    req = data_request(status=Status.CLOSED, customer=customer)
    with pytest.raises(RequestError):
        upload(req, "id.pdf", PDF)


def test_only_the_owner_and_staff_download_and_each_download_is_audited(cast, client):
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    doc = upload(req, "id.pdf", PDF)
    url = reverse(
        "requests:document_download",
        kwargs={"reference": req.reference, "public_id": doc.public_id},
    )
    client.force_login(cast.other_customer)
    assert client.get(url).status_code == 404
    client.force_login(cast.customer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    client.force_login(cast.agent)
    assert client.get(url).status_code == 200
    events = AuditEvent.objects.filter(action="requests.document.viewed").order_by("id")
    assert [(e.actor_id, e.payload["by_owner"]) for e in events] == [
        (cast.customer.pk, True),
        (cast.agent.pk, False),
    ]


def test_upload_page_shows_the_error_and_saves_nothing(cast, customer_client):
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    response = customer_client.post(
        reverse("requests:document_upload", kwargs={"reference": req.reference}),
        {"purpose": "identity", "file": SimpleUploadedFile("x.pdf", EXE, "application/pdf")},
    )
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    assert not RequestDocument.objects.exists()
