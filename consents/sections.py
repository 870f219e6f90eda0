"""Sections that higher apps add to the customer's consent page, without consents knowing them,
and what each choice decides (`register_purpose_uses`).

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


# --- what each choice decides ---------------------------------------------------------------

# A uses provider is a callable `provider() -> {purpose code: [recipient name, ...]}` naming,
# per purpose, the recipients whose provision the gate decides on the customer's consent to it.
# The consent page shows it under each choice, and marks a choice nobody reads as
# informational, so no toggle is dead without saying so (LY-1).
UsesProvider = Callable[[], dict[str, list[str]]]

_uses_providers: list[UsesProvider] = []


def register_purpose_uses(provider: UsesProvider) -> UsesProvider:
    """Add a uses provider (idempotent), from the registering app's `AppConfig.ready()`."""
    if provider not in _uses_providers:
        _uses_providers.append(provider)
    return provider


def purpose_uses() -> dict[str, list[str]]:
    """{purpose code: recipients} merged over every registered provider."""
    merged: dict[str, list[str]] = {}
    for provider in _uses_providers:
        for code, names in provider().items():
            bucket = merged.setdefault(code, [])
            bucket.extend(name for name in names if name not in bucket)
    return merged


# --- notes under a purpose --------------------------------------------------------------------

# A notes provider is a callable `provider(customer) -> {purpose code: [note, ...]}`, each note
# {"template": "...", "context": {...}} rendered like a section, inside the purpose's row: what
# a higher app has to say next to that choice (the way to confirm a shared-use trigger, LY-4).
# Like a section provider it should cost a fixed number of queries.
NotesProvider = Callable[[Any], dict[str, list[dict]]]

_notes_providers: list[NotesProvider] = []


def register_purpose_notes(provider: NotesProvider) -> NotesProvider:
    """Add a notes provider (idempotent), from the registering app's `AppConfig.ready()`."""
    if provider not in _notes_providers:
        _notes_providers.append(provider)
    return provider


def purpose_notes(customer) -> dict[str, list[dict]]:
    """{purpose code: notes} merged over every registered provider, in registration order."""
    merged: dict[str, list[dict]] = {}
    for provider in _notes_providers:
        for code, notes in (provider(customer) or {}).items():
            merged.setdefault(code, []).extend(notes)
    return merged
