"""The incidents app's audit actions in words (see portal/audit_names.py)."""

from django.utils.translation import gettext_lazy as _

# What the admin and the audit pages call each action, in the reader's language
# (portal/audit_names.py, `labels_register`).
LABELS = {
    "incidents.announcement.published": _("Incident announcement published"),
    "incidents.assessment.confirmed": _("Incident assessment confirmed"),
    "incidents.assessment.recorded": _("Incident assessment recorded"),
    "incidents.incident.changed": _("Incident changed"),
    "incidents.incident.closed": _("Incident closed"),
    "incidents.incident.recorded": _("Incident recorded"),
    "incidents.notices.queued": _("Notices to affected people queued"),
    "incidents.notices.requeued": _("Notices to affected people queued again"),
    "incidents.notices.sent": _("Notices to affected people sent"),
    "incidents.people.scoped": _("Affected people determined"),
    "incidents.people.viewed": _("Affected people viewed"),
    "incidents.report.approved": _("Incident report approved"),
    "incidents.report.drafted": _("Incident report drafted"),
    "incidents.report.submitted": _("Incident report submitted"),
}
