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
