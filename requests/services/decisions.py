"""Disclosure decisions, item by item (LW-6.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from requests import workflow
from requests.errors import RequestError
from requests.models import DataRequest, DecisionItem, Ground, Outcome
from requests.services import common


def decision_draft(
    *,
    request_id: int,
    actor: User,
    items: Mapping[str, Mapping[str, Any]],
    summary: str,
    no_data: bool = False,
    expected_status: str | None = None,
) -> DataRequest:
    """Record the decision on each data item of a disclosure: disclosed, or withheld on one or
    more grounds (1)-(4) with the reason the customer reads (LW-6.3). A partial or full
    refusal goes to a privacy administrator's approval at once; a full disclosure (or no
    data held) waits for staff to close it with the notice previewed."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    summary = summary.strip()
    with transaction.atomic():
        req = common.lock(request_id)
        if expected_status is not None and req.status != expected_status:
            raise RequestError(
                _("Request %(reference)s changed meanwhile; nothing was done.")
                % {"reference": req.reference}
            )
        if not req.is_disclosure:
            raise RequestError(_("Only disclosure requests take a decision per data item."))
        if not workflow.can_decide(req):
            raise RequestError(
                _("Request %(reference)s is “%(status)s”; this step is not possible now.")
                % {"reference": req.reference, "status": req.get_status_display()}
            )
        categories = workflow.requested_categories(req)
        rows = []
        for category in categories:
            item = items.get(category) or {}
            withheld = bool(item.get("withheld"))
            grounds = sorted({int(g) for g in item.get("grounds") or []})
            reason = str(item.get("reason") or "").strip()
            if any(g not in Ground.values for g in grounds):
                raise RequestError(_("Choose grounds (1) to (4) only."))
            if withheld and (not grounds or not reason):
                raise RequestError(
                    _("For every withheld item choose at least one ground and write the reason.")
                )
            rows.append(
                DecisionItem(
                    request=req,
                    category=category,
                    withheld=withheld,
                    grounds=grounds if withheld else [],
                    reason=reason if withheld else "",
                )
            )
        DecisionItem.objects.filter(request=req).delete()
        DecisionItem.objects.bulk_create(rows)
        withheld_count = sum(r.withheld for r in rows)
        audit_record(
            actor=actor,
            action="requests.decision.drafted",
            target=req,
            payload={
                "reference": req.reference,
                "withheld": [r.category for r in rows if r.withheld],
                "grounds": sorted({g for r in rows for g in r.grounds}),
            },
        )
        if withheld_count == 0:
            return req
        if not summary:
            raise RequestError(_("Give the reason the customer will read."))
        outcome = Outcome.REFUSED if withheld_count == len(rows) else Outcome.PARTIALLY_FULFILLED
        return workflow.request_approval_ask(
            request_id=req.pk, actor=actor, outcome=outcome, reason=summary
        )
