"""A user's permissions in one query.

Django's ModelBackend reads a user's own permissions and their groups' permissions in two
queries, on every staff page. This backend reads both in one and leaves the set where
ModelBackend keeps it (`_perm_cache`), so ModelBackend, which stays in AUTHENTICATION_BACKENDS
for signing in, finds it there and asks nothing more. It authenticates nobody.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q


class PermissionsBackend:
    """Not a BaseBackend on purpose: without `get_user` it is never the backend a session is
    signed in with, so sessions keep naming ModelBackend."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj=obj)

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                ).order_by()
            }
        return user_obj._perm_cache
