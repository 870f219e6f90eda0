"""The demo loader is idempotent."""

from portal import demo as portal_demo
from requests import demo
from requests.models import DataRequest, FeeSchedule, SLAConfig


def test_demo_twice_duplicates_nothing(db):
    portal_demo.load(out=lambda line: None)
    demo.load(out=lambda line: None)
    counts = (DataRequest.objects.count(), FeeSchedule.objects.count(), SLAConfig.objects.count())
    demo.load(out=lambda line: None)
    assert counts == (6, 6, 9)  # four customers' requests, two typed in by staff
    assert (
        DataRequest.objects.count(),
        FeeSchedule.objects.count(),
        SLAConfig.objects.count(),
    ) == counts
