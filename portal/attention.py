"""What needs a person now, shown first on their home page, without the portal
knowing the feature apps that know it (docs/architecture.md).

Two kinds of provider, registered once from the feature app's `AppConfig.ready()`:

- an items provider `provider(user) -> list[dict]` names what waits for a customer (a fee to
  pay, documents asked for, a decision to make again, an answer to download), each item
  {"template": "...", "context": {...}, "by": datetime | None}; `by` is the date it must be
  done by, and the home page lists the items soonest first, undated ones last;
- a counts provider `provider(user) -> list[dict]` gives the staff home its figures, each
  {"key": "...", "label": "...", "count": int, "url": "...", "tone": "danger" | "warn" | ""},
  shown in registration order; a provider returns nothing for a user its figures are not for.

Like portal.sections, a provider reads through its own app's selectors at a fixed number of
queries however much data there is; the page pins the total.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

Provider = Callable[[Any], list[dict]]

_item_providers: list[Provider] = []
_count_providers: list[Provider] = []


def register_items(provider: Provider) -> Provider:
    """Add a provider of what needs a customer (idempotent)."""
    if provider not in _item_providers:
        _item_providers.append(provider)
    return provider


def register_counts(provider: Provider) -> Provider:
    """Add a provider of staff figures (idempotent)."""
    if provider not in _count_providers:
        _count_providers.append(provider)
    return provider


def items_for(user) -> list[dict]:
    """What needs this user, soonest `by` first (the order of registration among equals)."""
    found = []
    for provider in _item_providers:
        for item in provider(user) or []:
            found.append(
                {
                    "template": item["template"],
                    "context": item.get("context", {}),
                    "by": item.get("by"),
                }
            )
    # sorted() is stable: items due on the same date keep their providers' order.
    return sorted(found, key=lambda i: (i["by"] is None, i["by"] or datetime.min))


def counts_for(user) -> list[dict]:
    """The staff figures for this user, in registration order."""
    found = []
    for provider in _count_providers:
        for count in provider(user) or []:
            found.append(
                {
                    "key": count["key"],
                    "label": count["label"],
                    "count": int(count["count"]),
                    "url": count["url"],
                    "tone": count.get("tone", ""),
                }
            )
    return found
