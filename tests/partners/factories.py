"""Factories of the partners app."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from partners.models import (
    Arrangement,
    ArrangementStatus,
    Basis,
    Country,
    DataItem,
    Partner,
    PartnerKind,
)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "JP"
    name_ja = "日本"
    name_en = "Japan"
    protection_system_ja = "個人情報保護法"
    protection_system_en = "Act on the Protection of Personal Information"


def japan() -> Country:
    return CountryFactory(code="JP")


def singapore(**kwargs) -> Country:
    return CountryFactory(
        code="SG",
        name_ja="シンガポール",
        name_en="Singapore",
        protection_system_ja="個人データ保護法 (PDPA)",
        protection_system_en="Personal Data Protection Act 2012 (PDPA)",
        **kwargs,
    )


def ireland(**kwargs) -> Country:
    return CountryFactory(
        code="IE",
        name_ja="アイルランド",
        name_en="Ireland",
        protection_system_ja="GDPR (十分性認定あり)",
        protection_system_en="GDPR (recognised as equivalent)",
        equivalent_protection=True,
        **kwargs,
    )


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    kind = PartnerKind.THIRD_PARTY
    name_ja = factory.Sequence(lambda n: f"提携先{n}株式会社")
    name_en = factory.Sequence(lambda n: f"Partner {n} Inc.")
    address_ja = "東京都千代田区1-1"
    address_en = "1-1 Chiyoda, Tokyo"
    country = factory.LazyFunction(japan)
    measures_ja = "安全管理措置を講じています。"
    measures_en = "Keeps security measures."


class ArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrangement
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    basis = Basis.CONSENT
    title_ja = "提供"
    title_en = "Provision"
    data_items = factory.LazyFunction(
        lambda: [
            DataItem.ACCOUNT_PSEUDONYM,
            DataItem.PREFECTURE,
            DataItem.BIRTH_YEAR,
            DataItem.LANGUAGE,
            DataItem.USAGE,
        ]
    )
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    status = ArrangementStatus.ACTIVE
    activated_at = factory.LazyFunction(timezone.now)
    contract_date = factory.LazyAttribute(
        lambda a: a.starts_on if a.basis == Basis.ENTRUSTMENT else None
    )
    instructions_ja = factory.LazyAttribute(
        lambda a: "問い合わせ対応のみ" if a.basis == Basis.ENTRUSTMENT else ""
    )
    instructions_en = factory.LazyAttribute(
        lambda a: "Answer inquiries only" if a.basis == Basis.ENTRUSTMENT else ""
    )
    review_due_on = factory.LazyAttribute(
        lambda a: (
            a.starts_on + datetime.timedelta(days=365) if a.basis == Basis.ENTRUSTMENT else None
        )
    )
    joint_users_ja = factory.LazyAttribute(lambda a: _joint(a, "当社グループ各社"))
    joint_users_en = factory.LazyAttribute(lambda a: _joint(a, "Our group companies"))
    joint_purpose_ja = factory.LazyAttribute(lambda a: _joint(a, "入力の省略"))
    joint_purpose_en = factory.LazyAttribute(lambda a: _joint(a, "Saving input"))
    administrator_name_ja = factory.LazyAttribute(lambda a: _joint(a, "当社"))
    administrator_name_en = factory.LazyAttribute(lambda a: _joint(a, "Us"))
    administrator_address_ja = factory.LazyAttribute(lambda a: _joint(a, "東京都千代田区"))
    administrator_address_en = factory.LazyAttribute(lambda a: _joint(a, "Chiyoda, Tokyo"))

    @factory.post_generation
    def purposes(self, create, extracted, **kwargs):
        if create and extracted:
            self.purposes.set(extracted)


def _joint(arrangement, value: str) -> str:
    return value if arrangement.basis == Basis.JOINT_USE else ""


KIND_DEFAULT_BASIS = {
    PartnerKind.GROUP_COMPANY: Basis.JOINT_USE,
    PartnerKind.ENTRUSTED_PROCESSOR: Basis.ENTRUSTMENT,
    PartnerKind.JOINT_USE_PARTNER: Basis.JOINT_USE,
    PartnerKind.THIRD_PARTY: Basis.CONSENT,
    PartnerKind.RESEARCH_INSTITUTION: Basis.CONSENT,
    PartnerKind.CONNECTED_APPLICATION: Basis.CONSENT,
}


def partner_with(*, kind=PartnerKind.THIRD_PARTY, purpose, items=None, basis=None, **kwargs):
    """A partner of `kind` with one active arrangement covering `purpose` and `items`."""
    partner = PartnerFactory(kind=kind, **kwargs)
    extra = {"data_items": list(items)} if items is not None else {}
    ArrangementFactory(
        partner=partner, basis=basis or KIND_DEFAULT_BASIS[kind], purposes=[purpose], **extra
    )
    return partner
