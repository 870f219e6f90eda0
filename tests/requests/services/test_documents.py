"""Identity documents (LW-6.3 ground 4): content sniffing, size limit, random private file
names, and a permission-checked, audited download."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEvent
from requests.errors import RequestError
from requests.models import DataRequest, RequestDocument, Status
from requests.services import documents
from tests.requests.conftest import EXE, JPEG, PDF, PNG
from tests.requests.factories import data_request

pytestmark = pytest.mark.clause("LW-6.3")


@pytest.fixture(autouse=True)
def _english_messages():
    # Service messages are translated for the person reading them; match the English ones.
    with translation.override("en"):
        yield


def upload(req, name, data, content_type="application/pdf"):
    return documents.document_upload(
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


# --- a file that carries another type ------------------------------------------

SCRIPT = b"<script>fetch('/staff/').then(r => r.text()).then(alert)</script>"


@pytest.mark.clause("LW-6.3", "LW-5")
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.4\n<html><body>" + SCRIPT + b"</body></html>\n", id="pdf-then-html"),
        pytest.param(
            PDF.replace(b"trailer", b"<html>" + SCRIPT + b"</html>\ntrailer"), id="pdf-html-inside"
        ),
        pytest.param(PDF + b"<!DOCTYPE html><p>hello</p>", id="pdf-html-after-eof"),
        pytest.param(PDF + b"PK\x03\x04" + b"\x00" * 40, id="pdf-zip-after-eof"),
        pytest.param(
            PDF.replace(
                b"<<>> endobj", b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"
            ),
            id="pdf-javascript",
        ),
        pytest.param(
            PDF.replace(b"<<>> endobj", b"<< /Type /EmbeddedFile >> endobj"), id="pdf-attachment"
        ),
        pytest.param(PNG + SCRIPT, id="png-script-appended"),
        pytest.param(PNG + b"\x00" * 16, id="png-data-after-iend"),
        pytest.param(
            PNG[:-12] + b"\x00\x00\x00\x40tEXt" + SCRIPT[:64] + PNG[-12:],
            id="png-script-in-text-chunk",
        ),
        pytest.param(JPEG + SCRIPT, id="jpeg-script-appended"),
        pytest.param(JPEG[:-2] + SCRIPT + b"\xff\xd9", id="jpeg-script-before-eoi"),
        pytest.param(JPEG[:-2], id="jpeg-without-end"),
    ],
)
def test_a_file_carrying_another_type_is_refused(customer, private_root, data):
    req = data_request(status=Status.VERIFYING, customer=customer)
    with pytest.raises(RequestError, match="PDF, JPEG or PNG"):
        upload(req, "id.pdf", data)
    assert not RequestDocument.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            PDF.replace(b"%%EOF\n", b"%%EOF\r\n\r\n"), "application/pdf", id="pdf-eof-crlf"
        ),
        pytest.param(JPEG + b"\x00\x00", "image/jpeg", id="jpeg-zero-padding"),
        pytest.param(
            PDF.replace(b"<<>> endobj", b"<< /Font /JSBold /OpenAction [1 0 R /Fit] >> endobj"),
            "application/pdf",
            id="pdf-plain-names",
        ),
    ],
)
def test_plain_variants_are_accepted(customer, data, expected):
    req = data_request(status=Status.VERIFYING, customer=customer)
    assert upload(req, "id", data).content_type == expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", id="gif"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>", id="svg"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 40, id="zip"),
    ],
)
def test_other_types_are_refused(customer, data):
    req = data_request(status=Status.VERIFYING, customer=customer)
    with pytest.raises(RequestError, match="PDF, JPEG or PNG"):
        upload(req, "id.png", data, "image/png")


# --- the body is refused early -----------------------------------------------

BOUNDARY = "----portal-upload-test"


class StreamedBody:
    """A multipart body made as it is read: the form fields, a file part whose content is
    PDF + `size` filler bytes, and the closing boundary. Counts the bytes the server read."""

    def __init__(self, fields: dict[str, str], size: int):
        disposition = "Content-Disposition: form-data; name"
        head = b"".join(
            f'--{BOUNDARY}\r\n{disposition}="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode() + PDF
        self.parts = [head, size, f"\r\n--{BOUNDARY}--\r\n".encode()]
        self.length = len(head) + size + len(self.parts[2])
        self.position = 0
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        head, filler, tail = self.parts
        if size is None or size < 0:
            size = self.length - self.position
        out = bytearray()
        while size > 0 and self.position < self.length:
            pos = self.position
            if pos < len(head):
                piece = head[pos : pos + size]
            elif pos < len(head) + filler:
                piece = b"0" * min(size, len(head) + filler - pos)
            else:
                start = pos - len(head) - filler
                piece = tail[start : start + size]
            out += piece
            self.position += len(piece)
            size -= len(piece)
        self.read_bytes += len(out)
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        line = bytearray()
        while (size < 0 or len(line) < size) and (byte := self.read(1)):
            line += byte
            if byte == b"\n":
                break
        return bytes(line)


def _post_streamed(client, path: str, body: StreamedBody):
    import sys

    from django.test.client import ClientHandler

    cookies = "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items())
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookies,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    return ClientHandler(enforce_csrf_checks=True)(environ)


CSRF = "a" * 32  # an unmasked CSRF secret, sent as cookie and as field


@pytest.mark.clause("LW-6.3", "LW-5")
def test_a_50_mb_upload_is_refused_after_its_first_chunk(cast, customer_client):
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    customer_client.cookies["csrftoken"] = CSRF
    body = StreamedBody({"csrfmiddlewaretoken": CSRF, "purpose": "identity"}, 50 * 1024 * 1024)
    path = reverse("requests:document_upload", kwargs={"reference": req.reference})
    response = _post_streamed(customer_client, path, body)
    assert response.status_code == 400
    assert (
        "ファイルが大きすぎます。5.0\xa0MB以下のファイルをお送りください。"
        in response.content.decode()
    )
    assert "このフィールドは必須です。" not in response.content.decode()  # cut off, not missing
    # The handler stopped at the file's first chunk: far less than the limit was read.
    assert body.read_bytes < 1024 * 1024, body.read_bytes
    assert body.read_bytes < body.length // 50
    assert not RequestDocument.objects.exists()


@pytest.mark.clause("LW-6.3")
def test_a_file_past_the_limit_stops_the_reading_there(cast, customer_client, settings):
    """The declared body fits the allowance, the file does not: counted as it arrives."""
    settings.REQUESTS_DOCUMENT_MAX_BYTES = 512 * 1024
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    customer_client.cookies["csrftoken"] = CSRF
    body = StreamedBody({"csrfmiddlewaretoken": CSRF, "purpose": "identity"}, 700 * 1024)
    assert body.length < 512 * 1024 + 256 * 1024  # within the body allowance
    path = reverse("requests:document_upload", kwargs={"reference": req.reference})
    response = _post_streamed(customer_client, path, body)
    assert response.status_code == 400
    assert (
        "ファイルが大きすぎます。512.0\xa0KB以下のファイルをお送りください。"
        in response.content.decode()
    )
    assert 512 * 1024 < body.read_bytes < 700 * 1024, body.read_bytes
    assert not RequestDocument.objects.exists()


@pytest.mark.clause("LW-6.3")
def test_a_file_within_the_limit_streams_through_and_is_kept(cast, customer_client, settings):
    settings.REQUESTS_DOCUMENT_MAX_BYTES = 512 * 1024
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    customer_client.cookies["csrftoken"] = CSRF
    # Filler before the PDF's end would break it; a PDF comment line keeps it a PDF.
    body = StreamedBody({"csrfmiddlewaretoken": CSRF, "purpose": "identity"}, 0)
    path = reverse("requests:document_upload", kwargs={"reference": req.reference})
    response = _post_streamed(customer_client, path, body)
    assert response.status_code == 302
    assert body.read_bytes == body.length
    assert RequestDocument.objects.get().content_type == "application/pdf"


@pytest.mark.clause("LW-6.3")
def test_the_csrf_check_still_runs_on_uploads(cast, customer_client):
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    customer_client.cookies["csrftoken"] = CSRF
    body = StreamedBody({"csrfmiddlewaretoken": "b" * 32, "purpose": "identity"}, 0)
    path = reverse("requests:document_upload", kwargs={"reference": req.reference})
    assert _post_streamed(customer_client, path, body).status_code == 403
    assert not RequestDocument.objects.exists()


@pytest.mark.clause("LW-6.3")
def test_filing_with_a_50_mb_power_of_attorney_is_refused_early(cast, customer_client):
    customer_client.cookies["csrftoken"] = CSRF
    body = StreamedBody({"csrfmiddlewaretoken": CSRF}, 50 * 1024 * 1024)
    body.parts[0] = body.parts[0].replace(b'name="file"', b'name="power_of_attorney"')
    path = reverse("requests:file", kwargs={"kind": "disclosure"})
    response = _post_streamed(customer_client, path, body)
    assert response.status_code == 400  # the filing form again, with the error
    assert (
        "ファイルが大きすぎます。5.0\xa0MB以下のファイルをお送りください。"
        in response.content.decode()
    )
    assert body.read_bytes < 1024 * 1024
    assert not DataRequest.objects.exists()
