"""The partners app's audit actions in words (see portal/audit_names.py)."""

from django.utils.translation import gettext_lazy as _

# What the admin and the audit pages call each action, in the reader's language
# (portal/audit_names.py, `labels_register`).
LABELS = {
    "partners.api.called": _("Partner API called"),
    "partners.api_key.created": _("API key created"),
    "partners.api_key.revoked": _("API key revoked"),
    "partners.arrangement.activated": _("Provision arrangement activated"),
    "partners.arrangement.reviewed": _("Provision arrangement reviewed"),
    "partners.exception.requested": _("Provision exception asked for"),
    "partners.exception.viewed": _("Provision exception viewed"),
    "partners.export.completed": _("Export completed"),
    "partners.export.downloaded": _("Export downloaded"),
    "partners.export.failed": _("Export failed"),
    "partners.export.requeued": _("Export queued again"),
    "partners.export.resumed": _("Export resumed"),
    "partners.export.started": _("Export started"),
    "partners.export_files.purged": _("Export files purged"),
    "partners.provision.recorded": _("Provision recorded"),
    "partners.records.purged": _("Provision records purged"),
    "partners.records.viewed": _("Provision records viewed"),
    "partners.subject.issued": _("Partner subject identifier issued"),
    "partners.subject_confirmation.created": _("Subject confirmation created"),
    "partners.webhook_delivery.replayed": _("Webhook delivery sent again"),
    "partners.webhook_endpoint.registered": _("Webhook endpoint registered"),
    "partners.webhook_secret.rotated": _("Webhook secret rotated"),
}
