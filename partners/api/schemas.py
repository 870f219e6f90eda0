"""Typed request and response bodies of the partner API (pydantic, via django-ninja); the
OpenAPI 3.1 document at /api/v1/openapi.json is generated from them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from ninja import Field, Schema

from partners.models import Basis, DataItem

Item = Enum("Item", {item.value.upper(): item.value for item in DataItem}, type=str)
BasisCode = Enum("BasisCode", {b.value.upper(): b.value for b in Basis}, type=str)


class ErrorOut(Schema):
    detail: str | list[dict[str, Any]] = Field(
        description="What went wrong, for the developer of the partner system."
    )


class Texts(Schema):
    ja: str
    en: str


class GateIn(Schema):
    subject: str = Field(min_length=1, max_length=64, description="The pairwise subject id.")
    purpose: str = Field(min_length=1, max_length=64, description="A purpose code.")
    items: list[Item] = Field(min_length=1, max_length=20, description="Data items asked for.")


class DecisionOut(Schema):
    allowed: bool
    basis: BasisCode | None = Field(description="consent (A), entrustment, joint_use, ...")
    reason: str = Field(description="A short code: allowed, no_consent, restricted, ...")
    decided_by: str | None = Field(
        description="Which consent decided: service (the service-specific one, LY-6), "
        "general, default, restriction, none, reconsent."
    )
    items: list[str]
    messages: Texts = Field(description="The reason, in Japanese and English.")


class ProvideOut(DecisionOut):
    values: dict[str, str | int | None] | None = Field(
        description="The values of the items, when allowed."
    )
    replayed: bool = Field(description="True when this answers an earlier Idempotency-Key.")


class PurposeState(Schema):
    purpose: str
    name: Texts
    granted: bool
    decided_by: str
    since: datetime | None


class ConsentsOut(Schema):
    subject: str
    purposes: list[PurposeState]


class EventOut(Schema):
    id: str
    type: str
    created_at: datetime
    data: dict[str, Any]


class EventsOut(Schema):
    events: list[EventOut]
    next_cursor: str = Field(description="Ask with ?after=<this> for what follows.")


class SubjectLinkIn(Schema):
    confirmation: str = Field(
        min_length=1, max_length=64, description="The code the customer made on the portal."
    )


class SubjectOut(Schema):
    subject: str
