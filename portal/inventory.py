"""The data inventory (LW-1): every field of every model that holds data about a person.

Each field is a direct identifier (it names or reaches the person by itself: name, email,
phone, address, detailed location, message text), other personal data (about the person,
identifying only in combination), or not personal. The disclosure package, erasure and
de-identified exports are driven by this table, and `tests/portal/test_inventory.py` fails
when a model of the project's apps gains a field that is not classified.

The table is a registry: this module holds the base's own rows, and every feature app keeps
the rows of its models in its own `inventory.py`, registered from its `AppConfig.ready()`
with `register()` and `category_register()` (docs/architecture.md). Models are named by
label, so that the base imports nothing above it. Each entry also says which disclosure
category the model belongs to and how to reach the person it is about (`subject`: a field
path to the user, or "" for the user model itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    DIRECT = "direct"  # direct identifier
    PERSONAL = "personal"  # other personal data
    NONE = "none"  # not personal


D, P, N = Kind.DIRECT, Kind.PERSONAL, Kind.NONE

# Disclosure categories a customer can choose from, in the order a form lists them. The
# base's own two are here; feature apps add theirs with `category_register`. The dict is
# changed in place, so a module that imported it sees every registered category.
CATEGORIES: dict[str, object] = {
    "profile": _("Profile (name, contact details, address)"),
    "access_log": _("Access log (sign-ins, IP addresses, devices)"),
}
_CATEGORY_ORDER: dict[str, int] = {"profile": 10, "access_log": 20}


@dataclass(frozen=True)
class Entry:
    category: str | None  # disclosure category; None for records not about one person
    subject: str | None  # path to the user ("" = the user itself; None = no one person)
    fields: dict[str, Kind] = field(default_factory=dict)


INVENTORY: dict[str, Entry] = {
    # The base's own models; feature apps register theirs (register() below).
    "portal.User": Entry(
        "profile",
        "",
        {
            "id": N,
            "password": P,
            "last_login": P,
            "is_superuser": N,
            "groups": N,
            "user_permissions": N,
            "email": D,
            "full_name": D,
            "phone": D,
            "postal_code": D,
            "prefecture": P,
            "address": D,
            "birth_year": P,
            "preferred_language": P,
            "is_staff": N,
            "is_active": N,
            "date_joined": P,
            "email_confirmed_at": P,
        },
    ),
    "portal.AccessLogEntry": Entry(
        "access_log",
        "user",
        {
            "id": N,
            "user": P,
            "action": P,
            "ip_address": P,
            "user_agent": P,
            "created_at": P,
        },
    ),
    # Staff actions: about the staff member acting (actor) and, through the target, maybe a
    # customer; kept as the LW-5 security record and not part of a customer's package.
    "portal.AuditEvent": Entry(
        None,
        None,
        {
            "id": N,
            "actor": P,
            "action": N,
            "target_type": N,
            "target_id": P,
            "payload": P,
            "ip_address": P,
            "created_at": N,
        },
    ),
    "portal.OutboundMail": Entry(
        None,
        None,
        {
            "id": N,
            "to": D,
            "subject": P,
            "body": D,
            "language": P,
            "status": N,
            "attempts": N,
            "last_error": N,
            "created_at": N,
            "claimed_at": N,
            "sent_at": N,
            "scrub_after_send": N,
        },
    ),
    # Scheduled jobs: which reminder went out for which subject, and to whom.
    "portal.ReminderClaim": Entry(
        None,
        None,
        {
            "id": N,
            "subject_type": N,
            "subject_id": P,
            "reminder": N,
            "due_at": N,
            "recipient": P,
            "claimed_at": N,
        },
    ),
}


def register(entries: dict[str, Entry]) -> None:
    """Add a feature app's rows (model label -> Entry); called from its AppConfig.ready().
    A label registered twice with a different entry is a programming error."""
    for label, entry in entries.items():
        known = INVENTORY.get(label)
        if known is not None and known != entry:
            raise ValueError(f"{label} is already in the data inventory")
        INVENTORY[label] = entry


def category_register(key: str, label, *, order: int) -> None:
    """Add a disclosure category; `order` places it among the others on the forms."""
    _CATEGORY_ORDER[key] = order
    merged = {**CATEGORIES, key: label}
    CATEGORIES.clear()
    CATEGORIES.update(sorted(merged.items(), key=lambda item: _CATEGORY_ORDER[item[0]]))


def project_app_labels() -> list[str]:
    """The labels of the project's own apps (those whose code lives in this repository), so
    that a new app's models are checked without anyone listing the app here."""
    from django.conf import settings

    root = Path(settings.BASE_DIR).resolve()
    labels = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if root in path.parents and ".venv" not in path.parts:
            labels.append(config.label)
    return labels


def own_fields(model: type[models.Model]) -> list[str]:
    """The fields a model stores itself: concrete columns and its own many-to-many."""
    names = []
    for f in model._meta.get_fields():
        if f.auto_created and not f.concrete:
            continue  # reverse relations belong to the other model
        if f.concrete or f.many_to_many:
            names.append(f.name)
    return names


def entry_for(model: type[models.Model]) -> Entry | None:
    return INVENTORY.get(model._meta.label)


def fields_of_kind(model: type[models.Model], *kinds: Kind) -> list[str]:
    entry = entry_for(model)
    if entry is None:
        return []
    return [name for name, kind in entry.fields.items() if kind in kinds]


def direct_identifiers(model: type[models.Model]) -> list[str]:
    return fields_of_kind(model, Kind.DIRECT)


def personal_fields(model: type[models.Model]) -> list[str]:
    """Direct identifiers and other personal data."""
    return fields_of_kind(model, Kind.DIRECT, Kind.PERSONAL)


def unclassified() -> list[str]:
    """`app.Model.field` for every field of our apps that the inventory does not classify,
    and every classified name that is no longer a field."""
    problems: list[str] = []
    ours = set(project_app_labels())
    for model in apps.get_models():
        if model._meta.app_label not in ours:
            continue
        entry = entry_for(model)
        names = set(own_fields(model))
        known = set(entry.fields) if entry else set()
        problems += [f"{model._meta.label}.{n}" for n in sorted(names - known)]
        problems += [f"{model._meta.label}.{n} (gone)" for n in sorted(known - names)]
    return problems


def models_about_people() -> list[tuple[type[models.Model], Entry]]:
    """Every model with a path to the person it is about, for packages and erasure."""
    found = []
    for label, entry in INVENTORY.items():
        if entry.subject is not None:
            found.append((apps.get_model(label), entry))
    return found
