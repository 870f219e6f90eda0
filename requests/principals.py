"""Whose data a request acts on (LW-6.1, APPI Art. 37).

A customer files for themselves, or for another person as their agent (with a power of
attorney) or legal representative (of a minor or an adult ward, with proof of the
relationship). An agent's request acts on the person represented, never on the agent: staff
link it to that person's account, or record that they have no account, after checking the
document (`services.principal_link`). Until then nothing can be fulfilled.

Only models are imported here, so that both `workflow` and `services` can use it.
"""

from __future__ import annotations

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


def subject_of(req: DataRequest) -> User:
    """The person whose data the request reads and changes: the customer, or the linked
    person represented. Raises RequestError naming what is missing otherwise."""
    if not req.on_behalf:
        return req.customer
    if req.principal_id is not None:
        return req.principal
    if req.principal_no_account:
        raise RequestError(no_account_message(req))
    raise RequestError(not_linked_message(req))


def outcome_check(req: DataRequest, outcome: str) -> None:
    """May the request close (or go to approval) with this outcome? A refusal may always be
    given (for example when the power of attorney does not hold); an answer about the
    person's data needs the person linked; "no data held" needs at least the record that
    the person has no account. Inquiries are answered to whoever asked."""
    if not req.on_behalf or req.kind == Kind.INQUIRY or outcome == Outcome.REFUSED:
        return
    if outcome == Outcome.NO_DATA:
        if not req.principal_linked:
            raise RequestError(not_linked_message(req))
        return
    subject_of(req)


def notice_recipient(req: DataRequest) -> User:
    """Who receives a notice about the request: the person represented for the answer
    (package and closing notice, to their registered account), the filer for the rest."""
    if req.answered_to_principal:
        return req.principal
    return req.customer
