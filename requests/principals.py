"""Whose data a request acts on (LW-6.1, APPI Art. 37).

A customer files for themselves, or for another person as their agent (with a power of
attorney) or legal representative (of a minor or an adult ward, with proof of the
relationship). An agent's request acts on the person represented, never on the agent: staff
link it to that person's account, or record that they have no account, after checking the
document (`services.principal_link`). Until then nothing can be fulfilled.

A person without an account files for themselves (online after proving control of an email
address, or by post, phone, email or in person through staff): staff match them to the data
we hold, an account (also an erased account's pseudonymous record) or nothing at all
(`DataRequest.matched_customer` / `matched_none`), while checking their identity.

`addressee` is the one answer to "who do we write to about this request": every notice and
mail of the requests app asks it.

Only models are imported here, so that both `workflow` and `services` can use it.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext as _

from portal.models import User
from requests.errors import RequestError
from requests.models import DataRequest, DocumentPurpose, Kind, Outcome, Representation


def authority_document(req: DataRequest) -> str:
    """The document that proves an agent's authority for this request."""
    if req.representation == Representation.LEGAL_REPRESENTATIVE:
        return DocumentPurpose.RELATIONSHIP_PROOF
    return DocumentPurpose.POWER_OF_ATTORNEY


def authority_document_label(req: DataRequest) -> str:
    if req.representation == Representation.LEGAL_REPRESENTATIVE:
        return _("proof of the relationship")
    return _("power of attorney")


def not_linked_message(req: DataRequest) -> str:
    return _(
        "Request %(reference)s was filed by an agent for %(name)s. Link it to %(name)s's "
        "account, or record that they have no account, after checking the %(document)s; "
        "nothing was done."
    ) % {
        "reference": req.reference,
        "name": req.principal_name,
        "document": authority_document_label(req),
    }


def no_account_message(req: DataRequest) -> str:
    return _(
        "%(name)s has no account with us, so we hold no data about them: request "
        "%(reference)s can only be closed as “no data held”; nothing was done."
    ) % {"reference": req.reference, "name": req.principal_name}


def not_matched_message(req: DataRequest) -> str:
    return _(
        "Request %(reference)s was filed by %(name)s, who has no account. Match them to the "
        "data we hold, or record that we hold none, while checking their identity; nothing "
        "was done."
    ) % {"reference": req.reference, "name": req.requester_name}


def no_data_message(req: DataRequest) -> str:
    return _(
        "We hold no data about %(name)s: request %(reference)s can only be closed as "
        "“no data held”; nothing was done."
    ) % {"reference": req.reference, "name": req.requester_name}


def subject_of(req: DataRequest) -> User:
    """The person whose data the request reads and changes: the customer, the account staff
    matched an account-less requester to, or the linked person represented. Raises
    RequestError naming what is missing otherwise."""
    if not req.on_behalf:
        if req.customer_id is not None:
            return req.customer
        if req.matched_customer_id is not None:
            return req.matched_customer
        if req.matched_none:
            raise RequestError(no_data_message(req))
        raise RequestError(not_matched_message(req))
    if req.principal_id is not None:
        return req.principal
    if req.principal_no_account:
        raise RequestError(no_account_message(req))
    raise RequestError(not_linked_message(req))


def outcome_check(req: DataRequest, outcome: str) -> None:
    """May the request close (or go to approval) with this outcome? A refusal may always be
    given (for example when the power of attorney does not hold); an answer about the
    person's data needs the person linked; "no data held" needs at least the record that
    the person has no account (for a requester without an account: that staff matched them,
    to an account or to nothing). Inquiries are answered to whoever asked."""
    if req.kind == Kind.INQUIRY or outcome == Outcome.REFUSED:
        return
    if not req.on_behalf and req.customer_id is not None:
        return
    if outcome == Outcome.NO_DATA:
        if req.on_behalf and not req.principal_linked:
            raise RequestError(not_linked_message(req))
        if not req.on_behalf and not req.requester_matched:
            raise RequestError(not_matched_message(req))
        return
    subject_of(req)


class Addressee(NamedTuple):
    """Someone we write to about a request. No email address means by post, to `address`
    (which staff may still have to find out)."""

    full_name: str
    email: str
    language: str
    address: str = ""
    user: User | None = None  # the account, when they have one

    @property
    def by_post(self) -> bool:
        return not self.email

    def __str__(self) -> str:
        return self.full_name or self.email


def filer_addressee(req: DataRequest) -> Addressee:
    """Whoever filed the request: the account, or the person without one at the email
    address they proved (or gave staff), or by post when they gave none."""
    if req.customer_id is not None:
        return _account(req.customer)
    return Addressee(
        full_name=req.requester_name,
        email=req.requester_email,
        language=req.requester_language,
        address=req.requester_address,
    )


def addressee(req: DataRequest) -> Addressee:
    """Who receives a notice about the request: the person represented for the answer
    (package and closing notice, to their registered account), the filer for the rest."""
    if req.answered_to_principal:
        return _account(req.principal)
    return filer_addressee(req)


def _account(user: User) -> Addressee:
    lines = [user.postal_code, user.get_prefecture_display() + user.address]
    return Addressee(
        full_name=user.full_name,
        email=user.email,
        language=user.preferred_language,
        address="\n".join(line for line in lines if line),
        user=user,
    )
