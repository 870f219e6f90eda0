"""The data inventory classifies every field of every model of our apps (LW-1)."""

import pytest
from django.apps import apps

from portal import inventory


@pytest.mark.clause("LW-1")
def test_every_field_is_classified():
    assert inventory.unclassified() == []


@pytest.mark.clause("LW-1")
def test_a_new_field_is_caught(monkeypatch):
    user_entry = inventory.INVENTORY["portal.User"]
    trimmed = {k: v for k, v in user_entry.fields.items() if k != "phone"}
    monkeypatch.setitem(
        inventory.INVENTORY,
        "portal.User",
        inventory.Entry(user_entry.category, user_entry.subject, trimmed),
    )
    assert inventory.unclassified() == ["portal.User.phone"]


@pytest.mark.clause("LW-1")
def test_direct_identifiers_of_the_user():
    user = apps.get_model("portal", "User")
    assert set(inventory.direct_identifiers(user)) == {
        "email",
        "full_name",
        "phone",
        "postal_code",
        "address",
    }
    assert "prefecture" in inventory.personal_fields(user)
