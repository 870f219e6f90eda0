"""Uploads are refused early, and by what they contain (LW-6.3 ground 4, LW-5).

- `UploadLimitMiddleware` puts `BoundedUploadHandler` first on every multipart request,
  before the CSRF check reads the body. The handler stops reading the body as soon as a file
  passes `document_max_bytes()` or the declared body is larger than that plus room for the
  other fields: a 50 MB upload is refused after its first chunk, not after it has arrived.
  The view asks `refusal(request)` and shows the message.
- `document_type(data)` tells the type from the content with libmagic (python-magic), then
  refuses a file that carries another type besides: data after the end of the image or
  document, markup a browser would run, or active PDF content.
"""

from __future__ import annotations

import re
import struct

import magic
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Room for the other fields of an upload form (names, the CSRF token, a reason...).
FIELDS_ALLOWANCE = 256 * 1024

ACCEPTED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

# Markup or script a browser or an interpreter would act on, anywhere in the file.
_MARKUP = re.compile(
    rb"<\s*(?:script|html|body|head|iframe|frame|svg|object|embed|meta|link|form|style|"
    rb"!doctype|\?xml|\?php)\b|javascript\s*:|vbscript\s*:",
    re.IGNORECASE,
)
# PDF features that run or carry something: scripts, launching programs, attached files.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")
_PDF_END = re.compile(rb"%%EOF[\r\n\t \x00]*\Z")


def document_max_bytes() -> int:
    return settings.REQUESTS_DOCUMENT_MAX_BYTES


def too_large_message() -> str:
    return _("The file is too large: at most %(limit)s.") % {
        "limit": filesizeformat(document_max_bytes())
    }


class BoundedUploadHandler(FileUploadHandler):
    """Counts the bytes of each file as they arrive and stops reading the request body past
    the limit (StopUpload with connection_reset: Django reads no further)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.file_limit = document_max_bytes()
        self.body_limit = self.file_limit + FIELDS_ALLOWANCE
        self.declared = 0
        self.file_bytes = 0
        self.refused = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared = content_length or 0
        return None  # the usual parser goes on

    def _refuse(self) -> None:
        self.refused = True
        if self.request is not None:
            self.request.upload_refused = too_large_message()
        raise StopUpload(connection_reset=True)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file_bytes = 0
        if self.declared > self.body_limit:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.file_bytes += len(raw_data)
        if self.file_bytes > self.file_limit:
            self._refuse()
        return raw_data  # on to the handler that keeps the file

    def file_complete(self, file_size):
        return None


class UploadLimitMiddleware:
    """Caps every multipart request body with `BoundedUploadHandler`. Must come before
    CsrfViewMiddleware, which reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == "multipart/form-data":
            request.upload_handlers.insert(0, BoundedUploadHandler(request))
        return self.get_response(request)


def refusal(request) -> str | None:
    """The message when the upload handler stopped reading this request's body, else None."""
    return getattr(request, "upload_refused", None)


# --- what the content is -------------------------------------------------------------------


def _png_end(data: bytes) -> int | None:
    """Where the PNG's IEND chunk ends, walking the chunks; None if they do not add up."""
    offset = 8
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        offset += 12 + length
        if kind == b"IEND":
            return offset if offset <= len(data) else None
    return None


def carries_another(data: bytes, content_type: str) -> bool:
    """The file of this (accepted) type carries another besides: markup anywhere, data after
    its end, or PDF scripts, launch actions or attachments."""
    if _MARKUP.search(data):
        return True
    if content_type == "application/pdf":
        return not _PDF_END.search(data[-1024:]) or bool(_PDF_ACTIVE.search(data))
    if content_type == "image/png":
        return _png_end(data) != len(data)
    if content_type == "image/jpeg":
        return not data.rstrip(b"\x00").endswith(b"\xff\xd9")
    return True


def accepted_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) that libmagic reads in the content, if PDF, JPEG or PNG."""
    content_type = magic.from_buffer(data, mime=True)
    if content_type not in ACCEPTED:
        return None
    return content_type, ACCEPTED[content_type]
