from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partners.services import gate


class PartnerError(Exception):
    """A domain error of the partners app; its message is safe to show to the user.

    A refused provision carries the gate's decision, so callers can show or log why.
    """

    def __init__(self, message: str, *, decision: gate.ProvisionDecision | None = None):
        super().__init__(message)
        self.decision = decision
