"""Fixtures of the partner API tests: the group payment company (joint use of the phone
number, LY-4), a third party on consent (A), their systems and keys, and a caller."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from consents.models import PurposeCategory
from partners.api.keys import api_key_create
from partners.api.models import PartnerSystem, SubjectTrigger
from partners.api.subjects import subject_issue
from partners.models import DataItem, PartnerKind
from tests.consents import factories as cf
from tests.partners import factories as pf

ALL_SCOPES = "decide,provide,consents,events"


@pytest.fixture
def phone_purpose(db):
    return cf.PurposeFactory(
        code="group-phone-sharing",
        category=PurposeCategory.GROUP_SHARED_USE,
        default_granted=True,
        name_ja="グループ会社との電話番号の共同利用",
        name_en="Sharing your phone number within the group",
    )


@pytest.fixture
def quality_purpose(db):
    return cf.provision_purpose(
        code="ly5-quality", name_ja="品質向上のための提供", name_en="Provision to improve quality"
    )


@pytest.fixture
def pay(phone_purpose):
    """The group payment company: joint use of the phone number, on opening an account."""
    partner = pf.partner_with(
        kind=PartnerKind.GROUP_COMPANY,
        purpose=phone_purpose,
        items=[DataItem.PHONE],
        name_en="Example Pay Co., Ltd.",
    )
    partner.arrangements.update(
        trigger_ja="アカウントを開設されたとき", trigger_en="When you open an account"
    )
    return partner


@pytest.fixture
def lab(quality_purpose):
    """A third party that receives the prefecture and birth year on consent (A)."""
    return pf.partner_with(
        kind=PartnerKind.THIRD_PARTY,
        purpose=quality_purpose,
        items=[DataItem.PREFECTURE, DataItem.BIRTH_YEAR],
        name_en="Data Quality Lab Inc.",
    )


def make_key(partner, scopes=ALL_SCOPES, **kwargs) -> str:
    system, _created = PartnerSystem.objects.get_or_create(partner=partner, name="backend")
    _row, key = api_key_create(system=system, scopes=scopes, actor=None, **kwargs)
    return key


@pytest.fixture
def pay_key(pay) -> str:
    return make_key(pay)


@pytest.fixture
def lab_key(lab) -> str:
    return make_key(lab)


def subject_of(partner, customer) -> str:
    subject, _new = subject_issue(partner=partner, customer=customer, trigger=SubjectTrigger.STAFF)
    return subject.subject_id


@dataclass
class Api:
    client: object

    def call(self, method: str, path: str, key: str | None, body=None, **headers):
        if key is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        for name in list(headers):
            if not name.startswith("HTTP_"):
                headers["HTTP_" + name.upper().replace("-", "_")] = headers.pop(name)
        url = f"/api/v1{path}"
        if method == "get":
            return self.client.get(url, body or {}, **headers)
        return self.client.post(
            url, json.dumps(body or {}), content_type="application/json", **headers
        )


@pytest.fixture
def api(client) -> Api:
    return Api(client)
