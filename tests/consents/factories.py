"""Factories of the consents app."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from consents.models import PolicyVersion, Purpose, PurposeCategory, Service, ServiceKind


class PurposeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purpose
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"purpose-{n}")
    name_ja = factory.Sequence(lambda n: f"目的{n}")
    name_en = factory.Sequence(lambda n: f"Purpose {n}")
    description_ja = "説明"
    description_en = "Description"
    category = PurposeCategory.MARKETING
    necessary = False
    default_granted = False
    data_items_ja = "氏名、メールアドレス"
    data_items_en = "name, email address"


def necessary_purpose(**kwargs) -> Purpose:
    return PurposeFactory(category=PurposeCategory.SERVICE, necessary=True, **kwargs)


def opt_in_purpose(**kwargs) -> Purpose:
    return PurposeFactory(**kwargs)


def opt_out_purpose(**kwargs) -> Purpose:
    return PurposeFactory(default_granted=True, **kwargs)


def analytics_purpose(**kwargs) -> Purpose:
    kwargs.setdefault("code", "analytics")
    return PurposeFactory(category=PurposeCategory.ANALYTICS, **kwargs)


def provision_purpose(**kwargs) -> Purpose:
    kwargs.setdefault("category", PurposeCategory.PARTNER_PROVISION)
    kwargs.setdefault("recipients_en", "Partners")
    kwargs.setdefault("recipients_ja", "提携先")
    return PurposeFactory(**kwargs)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"service-{n}")
    name_ja = factory.Sequence(lambda n: f"サービス{n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    kind = ServiceKind.SERVICE
    receives_ja = "氏名"
    receives_en = "Name"

    @factory.post_generation
    def purposes(self, create, extracted, **kwargs):
        if create and extracted:
            self.purposes.set(extracted)


def connected_application(**kwargs) -> Service:
    return ServiceFactory(kind=ServiceKind.CONNECTED_APPLICATION, **kwargs)


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyVersion
        django_get_or_create = ("version",)
        skip_postgeneration_save = True

    version = factory.Sequence(lambda n: f"v{n}")
    effective_date = factory.LazyFunction(lambda: timezone.localdate())
    text_ja = "第1条 個人情報を大切に扱います。\n第2条 目的の範囲内で利用します。"
    text_en = "Article 1 We take care of personal information.\nArticle 2 Within the purposes."
    revision_notes_ja = "改定"
    revision_notes_en = "Revised"
    is_published = False

    @factory.post_generation
    def widened(self, create, extracted, **kwargs):
        if create and extracted:
            self.widened_purposes.set(extracted)


def published_version(**kwargs) -> PolicyVersion:
    kwargs.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    return PolicyVersionFactory(is_published=True, **kwargs)
