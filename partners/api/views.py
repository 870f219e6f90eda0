"""The partner API under /api/v1/, written with django-ninja. Thin: authenticate
the key, check the scope, resolve the subject, call one service, audit the call."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from partners.api import events as feed
from partners.api import services
from partners.api.keys import api_key_find, api_key_use
from partners.api.models import ApiKey, Scope
from partners.api.schemas import (
    ConsentsOut,
    DecisionOut,
    ErrorOut,
    EventsOut,
    GateIn,
    ProvideOut,
    SubjectLinkIn,
    SubjectOut,
)
from partners.api.services import ApiRefusal
from partners.api.subjects import subject_confirmation_redeem
from partners.errors import PartnerError


class RateLimited(Exception):
    def __init__(self, key: ApiKey, retry_after: int, limit: int):
        self.key, self.retry_after, self.limit = key, retry_after, limit


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer ppk_...`: a valid, unexpired, unrevoked key of an active system;
    each call counts against the key's rate limit."""

    openapi_description = "An API key of your partner system (ppk_...)."

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = api_key_find(token)
        if key is None:
            return None
        rate = api_key_use(key=key)
        if not rate.allowed:
            raise RateLimited(key, rate.retry_after, rate.limit)
        return key


api = NinjaAPI(
    title="Privacy portal partner API",
    version="1",
    description=(
        "Ask the provision gate, receive allowed data with its APPI Art. 29 record, read a "
        "customer's consent state and the event feed. Customers are named by pairwise subject "
        "ids only. Events are also pushed as Standard Webhooks."
    ),
    urls_namespace="partners_api",
    auth=ApiKeyAuth(),
    docs_url=None,
)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    services.api_call_record(key=exc.key, operation=request.path, status=429)
    response = api.create_response(
        request, {"detail": _("Too many requests; try again later.")}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": _("A valid API key is needed (Authorization: Bearer ...).")}, status=401
    )


@api.exception_handler(ApiRefusal)
def _refused(request, exc: ApiRefusal):
    key = getattr(request, "auth", None)
    if isinstance(key, ApiKey):
        services.api_call_record(
            key=key, operation=request.path, status=exc.status, subject=exc.subject
        )
    return api.create_response(request, {"detail": str(exc)}, status=exc.status)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    key = getattr(request, "auth", None)
    if isinstance(key, ApiKey):
        services.api_call_record(key=key, operation=request.path, status=422)
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.post(
    "/decide",
    response={200: DecisionOut, **ERRORS},
    url_name="decide",
    summary="Ask the gate (nothing is recorded)",
)
def decide(request, body: GateIn):
    key: ApiKey = request.auth
    services.require_scope(key, Scope.DECIDE)
    subject = services.subject_resolve(key, body.subject)
    purpose = services.purpose_resolve(body.purpose)
    items = [i.value for i in body.items]
    answer = services.gate_ask(key=key, subject=subject, purpose=purpose, items=items)
    decision = answer.decision
    services.api_call_record(
        key=key,
        operation="decide",
        status=200,
        subject=subject,
        decision=decision.reason,
        extra={"purpose": purpose.code, "items": items},
    )
    return Status(
        200,
        {
            "allowed": decision.allowed,
            "basis": decision.basis,
            "reason": decision.reason,
            "decided_by": decision.decided_by or None,
            "items": list(decision.items),
            "messages": answer.messages,
        },
    )


@api.post(
    "/provide",
    response={200: ProvideOut, 409: ErrorOut, **ERRORS},
    url_name="provide",
    summary="Receive the allowed items, recorded (APPI Art. 29); idempotent",
)
def provide(
    request,
    body: GateIn,
    idempotency_key: str = Header(
        ...,
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Any unique string per provision; a retry with it gets the same answer.",
    ),
):
    key: ApiKey = request.auth
    services.require_scope(key, Scope.PROVIDE)
    subject = services.subject_resolve(key, body.subject)
    purpose = services.purpose_resolve(body.purpose)
    items = [i.value for i in body.items]
    result = services.provide(
        key=key, subject=subject, purpose=purpose, items=items, idempotency_key=idempotency_key
    )
    services.api_call_record(
        key=key,
        operation="provide",
        status=200,
        subject=subject,
        decision=result.answer["reason"],
        extra={"purpose": purpose.code, "items": items, "replayed": result.replayed},
    )
    return Status(200, {**result.answer, "values": result.values, "replayed": result.replayed})


@api.get(
    "/subjects/{subject}/consents",
    response={200: ConsentsOut, **ERRORS},
    url_name="consents",
    summary="The subject's consent state, as far as it concerns you",
)
def consents(request, subject: str):
    key: ApiKey = request.auth
    services.require_scope(key, Scope.CONSENTS)
    found = services.subject_resolve(key, subject)
    rows = services.consent_state(partner=key.system.partner, subject=found)
    services.api_call_record(key=key, operation="consents", status=200, subject=found)
    return Status(200, {"subject": found.subject_id, "purposes": rows})


@api.get(
    "/events",
    response={200: EventsOut, **ERRORS},
    url_name="events",
    summary="Events after a cursor (consent, restriction, application, erasure)",
)
def events(
    request,
    after: str | None = Query(
        None, pattern=feed.CURSOR_PATTERN, description="A next_cursor you were given."
    ),
    limit: int = Query(100, ge=1, le=feed.FEED_MAX),
):
    key: ApiKey = request.auth
    services.require_scope(key, Scope.EVENTS)
    try:
        page, cursor = feed.events_page(partner=key.system.partner, after=after, limit=limit)
    except PartnerError as exc:
        raise ApiRefusal(422, str(exc)) from None
    services.api_call_record(key=key, operation="events", status=200, extra={"count": len(page)})
    return Status(
        200,
        {
            "events": [
                {"id": e.event_id, "type": e.type, "created_at": e.created_at, "data": e.data}
                for e in page
            ],
            "next_cursor": cursor,
        },
    )


@api.post(
    "/subjects",
    response={201: SubjectOut, **ERRORS},
    url_name="subject_link",
    summary="Get a subject id from the customer's confirmation (LY-4 shared use)",
)
def subject_link(request, body: SubjectLinkIn):
    key: ApiKey = request.auth
    if not {Scope.DECIDE, Scope.PROVIDE} & set(key.scopes):
        raise ApiRefusal(403, _("This key may not do this (scope “decide” or “provide” needed)."))
    with transaction.atomic():
        subject = subject_confirmation_redeem(partner=key.system.partner, code=body.confirmation)
    if subject is None:
        raise ApiRefusal(404, _("No such confirmation, or it has expired."))
    services.api_call_record(key=key, operation="subject_link", status=201, subject=subject)
    return Status(201, {"subject": subject.subject_id})
