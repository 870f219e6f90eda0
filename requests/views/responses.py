"""Responses the customer's and the requester's pages share."""

from __future__ import annotations

from django.http import FileResponse


def package_response(handle, *, fmt: str, reference: str) -> FileResponse:
    """A disclosure package file: the JSON as a download, the readable page inline with a
    policy that lets it run nothing; never cached."""
    if fmt == "json":
        response = FileResponse(
            handle,
            content_type="application/json",
            as_attachment=True,
            filename=f"{reference}-data.json",
        )
    else:
        response = FileResponse(handle, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


DOCUMENT_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def document_response(handle, *, document) -> FileResponse:
    """A stored identity document as a download under a name of our own (never the
    uploader's), never sniffed, never cached."""
    ext = DOCUMENT_EXTENSIONS[document.content_type]
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=True,
        filename=f"{document.request.reference}-{document.purpose}-{document.pk}.{ext}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
