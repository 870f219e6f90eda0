"""Sections that higher apps add to the customer's consent page, without consents knowing them.

A provider is a callable `provider(customer) -> {"template": "...", "context": {...}} | None`;
`register(provider)` is called once, from the registering app's `AppConfig.ready()`. The page
renders each section after the purposes, in registration order. A provider reads through its
own app's selectors and should cost a fixed number of queries however much data there is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[[Any], dict | None]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a section provider (idempotent: registering the same callable twice keeps one)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(customer) -> list[dict]:
    """The sections to show this customer, each {"template": ..., "context": {...}}."""
    sections = []
    for provider in _providers:
        section = provider(customer)
        if section:
            context = section.get("context", {})
            sections.append({"template": section["template"], "context": context})
    return sections
