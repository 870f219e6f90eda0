"""The one domain error of the incidents app; its message is safe to show to staff."""

from __future__ import annotations


class IncidentError(Exception):
    """An incident cannot be recorded, changed, reported or notified as asked."""
