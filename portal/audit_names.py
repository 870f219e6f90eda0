"""Audit action names: one grammar, `<app>.<subject>.<past participle>` (docs/architecture.md,
"Who owns what"), such as `portal.user.email_changed`.

The audit log is append-only (the database refuses UPDATE), so rows written before a name was
changed keep the name they were written with. Each app registers its old names with the name
that replaced them, from its `AppConfig.ready()`; the admin shows and filters every row by the
current name through this one table. This module and the apps' `audit_names.py` are the only
places the old names appear.

Each app also registers its actions in words (`labels_register`, from its `audit_names.py`):
the admin shows the words in the reader's language with the name beside them, for staff who
search the log by name.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_renamed: dict[str, str] = {}
_labels: dict[str, str] = {}

# The base's own renamed actions.
RENAMED = {
    "portal.worker.ping": "portal.worker.pinged",
}


def renamed_register(table: dict[str, str]) -> None:
    """Add `{old name: current name}` pairs (an app's renamed audit actions)."""
    for old, new in table.items():
        if _renamed.get(old, new) != new:
            raise ValueError(f"{old} already renamed to {_renamed[old]}")
        _renamed[old] = new


def current_name(action: str) -> str:
    """The name an action has today, for a row written under any of its names."""
    return _renamed.get(action, action)


def names_for(action: str) -> list[str]:
    """Every name rows of this action may carry: today's and the old ones, sorted."""
    current = current_name(action)
    return sorted({current, *(old for old, new in _renamed.items() if new == current)})


renamed_register(RENAMED)


def labels_register(table: dict[str, str]) -> None:
    """Add `{current name: words}` pairs: what the admin calls an app's audit actions."""
    for name, words in table.items():
        if name in _labels:
            raise ValueError(f"{name} already has words")
        _labels[name] = words


def label(action: str) -> str:
    """The action in the reader's language (any of its names), or its name when it has no words."""
    current = current_name(action)
    return str(_labels.get(current, current))


def labelled() -> dict[str, str]:
    """Every action with words: {current name: words}."""
    return dict(_labels)


# The base's own actions in words.
LABELS = {
    "portal.access_log.purged": _("Access log purged"),
    "portal.approval.approved": _("Approval given"),
    "portal.approval.asked": _("Approval asked for"),
    "portal.approval.returned": _("Approval request returned"),
    "portal.approvals.viewed": _("Approvals inbox viewed"),
    "portal.recovery_codes.generated": _("Recovery codes generated"),
    "portal.second_factor.enrolled": _("Second factor set up"),
    "portal.second_factor.removed": _("Second factor removed"),
    "portal.user.email_change_requested": _("Email address change asked for"),
    "portal.user.email_changed": _("Email address changed"),
    "portal.user.email_confirmed": _("Email address confirmed"),
    "portal.user.profile_changed": _("Profile changed"),
    "portal.user.sign_up_repeated": _("Sign-up repeated for an existing address"),
    "portal.worker.pinged": _("Worker health check"),
}
labels_register(LABELS)
