"""Sections that feature apps add to portal pages (the customer's home page), without the
portal knowing them (docs/architecture.md).

A provider is a callable `provider(user) -> {"template": "...", "context": {...}} | None`,
registered once per page from the app's `AppConfig.ready()`. A page renders its sections in
registration order; a provider reads through its own app's selectors at a fixed query cost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Provider = Callable[[Any], dict | None]

_providers: dict[str, list[Provider]] = defaultdict(list)


def register(page: str, provider: Provider) -> Provider:
    """Add a section provider to `page` (idempotent)."""
    if provider not in _providers[page]:
        _providers[page].append(provider)
    return provider


def sections_for(page: str, user) -> list[dict]:
    """The sections of `page` for this user, each {"template": ..., "context": {...}}."""
    found = []
    for provider in _providers.get(page, []):
        section = provider(user)
        if section:
            found.append({"template": section["template"], "context": section.get("context", {})})
    return found
