"""Consents: purposes of use, (issue 3 adds) policy versions, the ledger and current state."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class PurposeCategory(models.TextChoices):
    SERVICE = "service", _("Necessary for the service")
    MARKETING = "marketing", _("Marketing and advertising")
    ANALYTICS = "analytics", _("Analytics")
    GROUP_SHARED_USE = "group_shared_use", _("Shared use within the group")
    PARTNER_PROVISION = "partner_provision", _("Provision to partners")
    OVERSEAS_PROVISION = "overseas_provision", _("Provision overseas")
    RESEARCH = "research", _("Research")
    CONNECTED_APPLICATION = "connected_application", _("Connected applications")


class Purpose(models.Model):
    """A purpose of use (LW-3) or of provision (LY-4, LY-5), as the policy names it."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.CharField(_("category"), max_length=32, choices=PurposeCategory.choices)
    necessary = models.BooleanField(
        _("necessary"),
        default=False,
        help_text=_("Necessary for the service: cannot be withdrawn on the consent page."),
    )
    default_granted = models.BooleanField(
        _("opt-out (granted until withdrawn)"),
        default=False,
        help_text=_("Off: opt-in, not granted until the customer agrees."),
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ja").startswith("en") else self.name_ja

    @property
    def description(self) -> str:
        if (get_language() or "ja").startswith("en"):
            return self.description_en
        return self.description_ja
