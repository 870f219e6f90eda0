"""Choices that forms, services and templates share, so that services need not import forms."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Profile fields a correction or addition may name (portal.services.PROFILE_FIELDS).
PROFILE_FIELD_CHOICES = [
    ("full_name", _("Name")),
    ("email", _("Email address")),
    ("phone", _("Phone number")),
    ("postal_code", _("Postal code")),
    ("prefecture", _("Prefecture")),
    ("address", _("Postal address")),
    ("birth_year", _("Birth year")),
]

DELETION_ITEM_CHOICES = [
    ("phone", _("Phone number")),
    ("postal_address", _("Postal code, prefecture and address")),
    ("birth_year", _("Birth year")),
    ("access_log", _("Access log (sign-ins, IP addresses, devices)")),
    ("messages", _("Messages of my closed requests")),
]
