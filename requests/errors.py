"""The one domain error of the requests app; its message is safe to show to the user."""

from __future__ import annotations


class RequestError(Exception):
    """A request cannot be filed, moved or changed as asked."""


class DuplicateRequestError(RequestError):
    """The customer already has an open request of this kind; `existing` is that request."""

    def __init__(self, message: str, *, existing):
        super().__init__(message)
        self.existing = existing
