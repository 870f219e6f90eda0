"""The consents app's audit actions in words (see portal/audit_names.py)."""

from django.utils.translation import gettext_lazy as _

# What the admin and the audit pages call each action, in the reader's language
# (portal/audit_names.py, `labels_register`).
LABELS = {
    "consents.consent.changed": _("Consent changed"),
    "consents.policy.published": _("Privacy policy published"),
    "consents.restriction.lifted": _("Restriction of use lifted"),
    "consents.restriction.recorded": _("Restriction of use recorded"),
    "consents.service.revoked": _("Service consent revoked"),
}
