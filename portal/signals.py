"""Signals of the base app that feature apps send and receive without importing each other."""

from django.dispatch import Signal

# customer: the account was erased (sent by the erasure, inside its transaction)
account_erased = Signal()
