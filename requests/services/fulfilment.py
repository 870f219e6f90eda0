"""Carrying out correction, restriction, purpose notice and inquiry requests (LW-6.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from consents.selectors import purposes_for_customer, third_party_purposes
from consents.services import ConsentError, restriction_record
from portal.errors import PortalError
from portal.models import User
from portal.services import user_profile_update
from requests import principals, workflow
from requests.choices import PROFILE_FIELD_CHOICES
from requests.errors import RequestError
from requests.models import DataRequest, Kind, Outcome
from requests.services import common, messages


def _lock_to_close(request_id: int, *, kinds: tuple[str, ...], other_kind: str) -> DataRequest:
    """Lock a request this fulfilment is for (`other_kind` says why another kind is not) and
    that may close now."""
    req = common.lock(request_id)
    if req.kind not in kinds:
        raise RequestError(other_kind)
    if not workflow.can_close(req):
        raise RequestError(
            _("Request %(reference)s is “%(status)s”; this step is not possible now.")
            % {"reference": req.reference, "status": req.get_status_display()}
        )
    return req


def _close_fulfilled(
    req: DataRequest, *, actor: User, reason: Callable[[], str], expected_status: str | None
) -> DataRequest:
    """Close as fulfilled; `reason()` is written in the customer's language (the notice)."""
    return workflow.request_close(
        request_id=req.pk,
        actor=actor,
        outcome=Outcome.FULFILLED,
        reason=common.in_language(req, reason),
        expected_status=expected_status,
    )


def correction_apply(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Apply the value a correction or addition asked for through the profile service and
    close; the notice says what changed (LW-6.1, APPI-36)."""
    with transaction.atomic():
        req = _lock_to_close(
            request_id,
            kinds=(Kind.CORRECTION, Kind.ADDITION),
            other_kind=_("Only a correction or addition changes the profile."),
        )
        subject = principals.subject_of(req)
        field = (req.details or {}).get("field", "")
        value: Any = (req.details or {}).get("new_value", "")
        if field == "birth_year":
            value = int(value)
        try:
            diff = user_profile_update(user=subject, changes={field: value}, actor=actor)
        except PortalError as exc:
            raise RequestError(str(exc)) from None
        labels = dict(PROFILE_FIELD_CHOICES)

        def reason() -> str:
            if not diff:
                return _("%(field)s already was “%(value)s”; nothing needed changing.") % {
                    "field": labels.get(field, field),
                    "value": value,
                }
            old, new = diff[field]
            return _("We changed %(field)s from “%(old)s” to “%(new)s”.") % {
                "field": labels.get(field, field),
                "old": old if old not in (None, "") else "—",
                "new": new,
            }

        return _close_fulfilled(req, actor=actor, reason=reason, expected_status=expected_status)


def restriction_apply(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Suspension or third-party stop (LW-6.1): record the restriction in consents, which the
    consent state and the provision gate obey from now on, and close with the purposes named."""
    with transaction.atomic():
        req = _lock_to_close(
            request_id,
            kinds=(Kind.SUSPENSION, Kind.THIRD_PARTY_STOP),
            other_kind=_("Only a suspension or third-party stop records a restriction."),
        )
        subject = principals.subject_of(req)
        purposes = list(purposes_for_customer(customer=subject))
        if req.kind == Kind.SUSPENSION:
            codes = set((req.details or {}).get("purposes") or [])
            chosen = [p for p in purposes if p.code in codes]
        else:
            # A stop covers every purpose that provides data to a third party, in the one
            # meaning consents defines (the registry restricts by purpose, not by
            # recipient: docs/decisions.md).
            third_party = set(third_party_purposes().values_list("pk", flat=True))
            chosen = [p for p in purposes if p.pk in third_party]
        if not chosen:
            raise RequestError(_("No purpose of this request can be restricted."))
        try:
            restriction_record(
                customer=subject,
                kind=req.kind,
                purposes=chosen,
                reference=req.reference,
                actor=actor,
            )
        except ConsentError as exc:
            raise RequestError(str(exc)) from None

        def reason() -> str:
            names = "\n".join(f"- {p.name}" for p in chosen)
            return _("From now on we no longer use or provide your data for:") + "\n" + names

        return _close_fulfilled(req, actor=actor, reason=reason, expected_status=expected_status)


def purpose_notice_send(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Notification of the purposes of use (LW-3, APPI Art. 32(2)): the notice lists the
    purposes that apply to this customer."""
    with transaction.atomic():
        req = common.lock(request_id)
        if req.kind != Kind.PURPOSE_NOTICE:
            raise RequestError(_("Only a purpose notice request is answered this way."))
        purposes = list(purposes_for_customer(customer=principals.subject_of(req)))

        def reason() -> str:
            lines = [_("We use your personal data for these purposes:")]
            lines += [f"- {p.name}: {p.description}".rstrip(": ") for p in purposes]
            return "\n".join(lines)

        return _close_fulfilled(req, actor=actor, reason=reason, expected_status=expected_status)


def inquiry_answer(
    *, request_id: int, actor: User, answer: str, expected_status: str | None = None
) -> DataRequest:
    """Answer an inquiry (LW-10) by message and close it; the notice carries the answer."""
    with transaction.atomic():
        req = _lock_to_close(
            request_id, kinds=(Kind.INQUIRY,), other_kind=_("Only an inquiry is answered this way.")
        )
        messages.message_post(request=req, author=actor, body=answer)
        return workflow.request_close(
            request_id=req.pk,
            actor=actor,
            outcome=Outcome.FULFILLED,
            reason=answer,
            expected_status=expected_status,
        )
