class PortalError(Exception):
    """A domain error of the portal app; its message is safe to show to the user."""
