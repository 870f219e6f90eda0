"""The requests app's audit actions written under an older name, with today's name (see
portal/audit_names.py). Rows in the append-only log keep the name they were written with; the
admin shows them under today's name."""

from django.utils.translation import gettext_lazy as _

RENAMED = {
    "requests.request.verification_start": "requests.request.verification_started",
    "requests.request.customer_ask": "requests.request.customer_asked",
    "requests.request.customer_respond": "requests.request.customer_responded",
    "requests.request.identity_confirm": "requests.request.identity_confirmed",
    "requests.request.identity_fail": "requests.request.identity_failed",
    "requests.request.fee_quote": "requests.request.fee_quoted",
    "requests.request.payment_record": "requests.request.payment_recorded",
    "requests.request.fee_waive": "requests.request.fee_waived",
    "requests.request.approval_ask": "requests.request.approval_asked",
    "requests.request.approval_return": "requests.request.approval_returned",
    "requests.request.approve": "requests.request.approved",
    "requests.request.close": "requests.request.closed",
    "requests.request.lapse": "requests.request.lapsed",
    "requests.request.withdraw": "requests.request.withdrawn",
    "requests.request.assign": "requests.request.assigned",
    "requests.request.extension_grant": "requests.request.extension_granted",
}


# What the admin and the audit pages call each action, in the reader's language
# (portal/audit_names.py, `labels_register`).
LABELS = {
    "requests.account.erased": _("Account erased"),
    "requests.contact_point.published": _("Contact point published"),
    "requests.data.erased": _("Personal data erased"),
    "requests.decision.drafted": _("Decision drafted"),
    "requests.document.purged": _("Identity document purged"),
    "requests.document.viewed": _("Identity document viewed"),
    "requests.fee.refunded": _("Fee refunded"),
    "requests.message.sent": _("Message sent"),
    "requests.notice.posted": _("Notice sent by post"),
    "requests.package.mailed": _("Disclosure package mailed"),
    "requests.package.rebuilt": _("Disclosure package rebuilt"),
    "requests.package.requeued": _("Disclosure package queued again"),
    "requests.package.viewed": _("Disclosure package viewed"),
    "requests.principal.linked": _("Requester linked to an account"),
    "requests.queue.downloaded": _("Request queue downloaded"),
    "requests.queue.viewed": _("Request queue viewed"),
    "requests.request.assigned": _("Request assigned"),
    "requests.request.extension_granted": _("Deadline extended"),
    "requests.request.filed": _("Request filed"),
    "requests.request.filed_by_staff": _("Request filed by staff"),
    "requests.request.requester_matched": _("Requester matched to our data"),
    "requests.request.viewed": _("Request viewed"),
    "requests.request.verification_started": _("Identity verification started"),
    "requests.request.customer_asked": _("Requester asked for more"),
    "requests.request.customer_responded": _("Requester responded"),
    "requests.request.identity_confirmed": _("Identity confirmed"),
    "requests.request.identity_failed": _("Identity not confirmed"),
    "requests.request.fee_quoted": _("Fee quoted"),
    "requests.request.payment_recorded": _("Payment recorded"),
    "requests.request.fee_waived": _("Fee waived"),
    "requests.request.approval_asked": _("Approval of the decision asked for"),
    "requests.request.approval_returned": _("Decision returned for changes"),
    "requests.request.approved": _("Decision approved"),
    "requests.request.closed": _("Request closed"),
    "requests.request.lapsed": _("Request lapsed"),
    "requests.request.withdrawn": _("Request withdrawn"),
}
