"""Roles (LW-5) and the checks every view uses.

Two groups, created by migration 0003: privacy staff work the back-office; privacy
administrators also approve refusals, waivers and extensions and configure the portal.
Anonymous visitors are sent to sign in; a signed-in user without the role gets a 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

STAFF_GROUP = "Privacy staff"
ADMIN_GROUP = "Privacy administrators"

STAFF_PERMISSION = "portal.staff_portal"
ADMIN_PERMISSION = "portal.privacy_admin"


def _role_required(permission: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_active or not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _role_required(STAFF_PERMISSION)
"""For views under /staff/: privacy staff and administrators."""

privacy_admin_required = _role_required(ADMIN_PERMISSION)
"""For approvals and other administrator-only actions."""
