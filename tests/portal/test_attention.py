"""portal.attention, the registry of what needs someone now: items sorted by the
date they must be done by, counts in registration order, nothing for a provider that returns
nothing, one registration per provider."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal import attention


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(attention, "_item_providers", [])
    monkeypatch.setattr(attention, "_count_providers", [])


def test_items_come_soonest_first_and_undated_last(empty_registry):
    def first(user):
        return [
            {"template": "a.html", "context": {"n": 1}, "by": datetime(2026, 12, 9, tzinfo=UTC)},
            {"template": "b.html", "context": {"n": 2}},
        ]

    def second(user):
        return [{"template": "c.html", "by": datetime(2026, 12, 3, tzinfo=UTC)}]

    attention.register_items(first)
    attention.register_items(second)
    attention.register_items(first)  # a second registration changes nothing
    assert [(i["template"], i["context"]) for i in attention.items_for(object())] == [
        ("c.html", {}),
        ("a.html", {"n": 1}),
        ("b.html", {"n": 2}),
    ]


def test_counts_keep_the_registration_order_and_skip_empty_providers(empty_registry):
    attention.register_counts(lambda user: [{"key": "b", "label": "B", "count": 2, "url": "/b"}])
    attention.register_counts(lambda user: [])
    attention.register_counts(
        lambda user: [{"key": "a", "label": "A", "count": 0, "url": "/a", "tone": "warn"}]
    )
    assert attention.counts_for(object()) == [
        {"key": "b", "label": "B", "count": 2, "url": "/b", "tone": ""},
        {"key": "a", "label": "A", "count": 0, "url": "/a", "tone": "warn"},
    ]
