"""The requests app's audit actions written under an older name, with today's name (see
portal/audit_names.py). Rows in the append-only log keep the name they were written with; the
admin shows them under today's name."""

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
