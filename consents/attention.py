"""What consents tells portal.attention: the purposes a policy revision asks the
customer to decide on again (LW-9). Registered in ConsentsConfig.ready()."""

from __future__ import annotations

from consents.selectors import purposes_awaiting_decision


def customer_items(user) -> list[dict]:
    """One item listing every purpose that waits for a fresh decision. One query."""
    if user is None or not user.is_authenticated:
        return []
    purposes = purposes_awaiting_decision(customer=user)
    if not purposes:
        return []
    return [
        {
            "template": "customer/consents/attention_reconsent.html",
            "context": {"purposes": purposes, "names": [p.name for p in purposes]},
        }
    ]
