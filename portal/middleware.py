"""Request metadata for services, without threading the request through every call."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""


_EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "portal_request_context", default=None
)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: behind a proxy, gunicorn's --forwarded-allow-ips sets it correctly.
    return request.META.get("REMOTE_ADDR") or None


def current_request_context() -> RequestContext:
    """Where the current change comes from: the IP and user agent of the web request, or
    nothing for work done by a worker or a command."""
    return _current.get() or _EMPTY


@contextmanager
def request_context_set(*, ip_address: str | None, user_agent: str = ""):
    """Act as if inside a web request from this address and device (commands, tests)."""
    token = _current.set(RequestContext(ip_address=ip_address, user_agent=user_agent))
    try:
        yield
    finally:
        _current.reset(token)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(
            RequestContext(
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
