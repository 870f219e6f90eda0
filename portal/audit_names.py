"""Audit action names: one grammar, `<app>.<subject>.<past participle>` (docs/architecture.md,
"Who owns what"), such as `portal.user.email_changed`.

The audit log is append-only (the database refuses UPDATE), so rows written before a name was
changed keep the name they were written with. Each app registers its old names with the name
that replaced them, from its `AppConfig.ready()`; the admin shows and filters every row by the
current name through this one table. This module and the apps' `audit_names.py` are the only
places the old names appear.
"""

from __future__ import annotations

_renamed: dict[str, str] = {}

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
