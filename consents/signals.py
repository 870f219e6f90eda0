"""Signals consents sends after a change, inside the transaction that made it, so that higher
apps (partners' event feed) can react in the same transaction without consents
knowing them."""

from django.dispatch import Signal

# customer, events (the ConsentEvent rows written), service (or None)
consent_changed = Signal()
# restriction (a Restriction, purposes set)
restriction_recorded = Signal()
restriction_lifted = Signal()
# customer, service, events
service_revoked = Signal()
