"""Roles (LW-5) and the checks every view uses.

Two groups, created by migration 0003: privacy staff work the back-office; privacy
administrators also approve refusals, waivers and extensions and configure the portal.
Anonymous visitors are sent to sign in; a signed-in user without the role gets a 403; one
with the role but without this session's second factor is sent to that step.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.management import create_permissions
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import migrations
from django.shortcuts import redirect

from portal.mfa import second_factor_url

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
            # Staff pages need this session's second factor; is_verified comes
            # from django-otp's middleware, and without it nobody passes.
            is_verified = getattr(request.user, "is_verified", None)
            if is_verified is None or not is_verified():
                return redirect(second_factor_url(request, request.user))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _role_required(STAFF_PERMISSION)
"""For views under /staff/: privacy staff and administrators."""

privacy_admin_required = _role_required(ADMIN_PERMISSION)
"""For approvals and other administrator-only actions."""


def grant_permissions(app_label: str, *, staff: list[str], admins: list[str]):
    """A migration operation giving an app's model permissions to the two roles: `staff`
    codenames to both groups, `admins` codenames to administrators only."""

    def forward(apps, schema_editor):
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        in_app = Permission.objects.filter(content_type__app_label=app_label)
        staff_group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
        admin_group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
        staff_group.permissions.add(*in_app.filter(codename__in=staff))
        admin_group.permissions.add(*in_app.filter(codename__in=[*staff, *admins]))

    def backward(apps, schema_editor):
        Permission = apps.get_model("auth", "Permission")
        granted = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=[*staff, *admins]
        )
        for group in apps.get_model("auth", "Group").objects.filter(
            name__in=[STAFF_GROUP, ADMIN_GROUP]
        ):
            group.permissions.remove(*granted)

    return migrations.RunPython(forward, backward)
