"""The partners demo: a believable group, every arrangement active, the gate's records."""

import pytest
from django.core.management import call_command

from partners.models import Arrangement, ArrangementStatus, Partner, PartnerKind, ProvisionRecord


@pytest.mark.django_db
@pytest.mark.clause("LY-4", "LW-4.2")
def test_demo_builds_the_group_once(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "partners: 8 partners" in out
    kinds = set(Partner.objects.values_list("kind", flat=True))
    assert kinds >= {
        PartnerKind.GROUP_COMPANY,
        PartnerKind.ENTRUSTED_PROCESSOR,
        PartnerKind.RESEARCH_INSTITUTION,
        PartnerKind.THIRD_PARTY,
        PartnerKind.CONNECTED_APPLICATION,
    }
    assert not Arrangement.objects.exclude(status=ArrangementStatus.ACTIVE).exists()
    pay = Partner.objects.get(name_en="Example Pay Co., Ltd.")
    assert pay.arrangements.get().data_items == ["phone"]
    assert Partner.objects.get(country__code="KR").arrangements.get().basis == "entrustment"
    records = ProvisionRecord.objects.count()
    assert records >= 3
    counts = (Partner.objects.count(), Arrangement.objects.count(), records)
    call_command("demo")
    assert (
        Partner.objects.count(),
        Arrangement.objects.count(),
        ProvisionRecord.objects.count(),
    ) == counts


@pytest.mark.django_db
@pytest.mark.clause("LY-2", "LW-4.3")
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_renders_the_demo(client, language, capsys):
    from django.urls import reverse

    from portal.models import User

    call_command("demo")
    client.post(reverse("language_set"), {"language": language})
    for name in ("group_companies", "countries", "joint_use"):
        page = client.get(reverse(f"partners:{name}")).content.decode()
        assert "Example Pay" in page or "エグザンプル" in page or name == "countries"
    countries = client.get(reverse("partners:countries")).content.decode()
    assert ("Republic of Korea" if language == "en" else "大韓民国") in countries
    client.force_login(User.objects.get(email="staff@example.jp"))
    for name in (
        "staff_registry",
        "staff_records",
        "staff_exports",
        "staff_exceptions",
        "staff_provision_new",
    ):
        assert client.get(reverse(f"partners:{name}")).status_code == 200
    client.force_login(User.objects.get(email="hanako@example.jp"))
    page = client.get(reverse("partners:provisions")).content.decode()
    assert ("Example Pay" if language == "en" else "エグザンプル・ペイ株式会社") in page
