"""Where a form may send the browser back to (`next`): a path on this site, nothing else."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, value: object, default: str) -> str:
    """`value` if it is a path on this site ("/..."), else `default`. A bare word is not a
    path: given to `redirect()` it would be reversed as a URL name and fail."""
    if not isinstance(value, str) or not value.startswith("/") or "\x00" in value:
        return default
    if len(value) > 2000 or not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return value
