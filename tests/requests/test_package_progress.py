"""The disclosure package's progress updates in place: the request pages carry a
part that htmx asks for again while the package builds, never a meta refresh; the part's
own URL answers only to who may see the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from requests.models import DisclosurePackage, Kind, PackageStatus, Status
from tests.requests.factories import data_request


def _closed_with_package(customer, *, status=PackageStatus.BUILDING, **extra):
    req = data_request(status=Status.CLOSED, customer=customer, kind=Kind.DISCLOSURE, **extra)
    DisclosurePackage.objects.create(request=req, status=status, total=4, done=2)
    return req


@pytest.mark.clause("LW-6.1")
def test_the_customer_page_polls_the_package_part_while_it_builds(cast, client):
    req = _closed_with_package(cast.customer, delivery_method="electronic")
    client.force_login(cast.customer)
    page = client.get(reverse("requests:detail", kwargs={"reference": req.reference}))
    html = page.content.decode()
    url = f"/requests/{req.reference}/package/progress/"
    assert 'http-equiv="refresh"' not in html
    assert f'hx-get="{url}" hx-trigger="every 3s" hx-swap="outerHTML"' in html
    assert "/static/django_htmx/htmx-2" in html
    assert '"includeIndicatorStyles": false' in html  # no inline <style> under the CSP
    part = client.get(url).content.decode()
    assert part.lstrip().startswith('<section class="notice" id="package-section"')
    assert "50%" in part and 'hx-trigger="every 3s"' in part
    assert "<html" not in part and "textarea" not in part  # the part alone

    DisclosurePackage.objects.filter(request=req).update(
        status=PackageStatus.READY, expires_at=timezone.now() + timedelta(days=14)
    )
    part = client.get(url).content.decode()
    assert "hx-trigger" not in part  # ready: it stops asking
    assert f"/requests/{req.reference}/package.html" in part
    page = client.get(reverse("requests:detail", kwargs={"reference": req.reference}))
    assert "htmx" not in page.content.decode()


def test_the_package_part_is_only_for_the_person_it_is_about(cast, client):
    req = _closed_with_package(cast.customer, delivery_method="electronic")
    url = f"/requests/{req.reference}/package/progress/"
    client.force_login(cast.other_customer)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    # An agent's own filing for someone else: the package is the person's answer.
    filed = _closed_with_package(
        cast.other_customer, delivery_method="electronic", on_behalf=True, principal=cast.customer
    )
    client.force_login(cast.other_customer)
    assert client.get(f"/requests/{filed.reference}/package/progress/").status_code == 404
    client.force_login(cast.customer)
    assert client.get(f"/requests/{filed.reference}/package/progress/").status_code == 200


@pytest.mark.clause("LW-5")
def test_the_staff_page_polls_and_a_ready_paper_package_part_is_audited(cast, agent_client):
    type(cast.customer).objects.filter(pk=cast.customer.pk).update(address="千代田1-1-1")
    req = _closed_with_package(cast.customer, delivery_method="paper")
    page = agent_client.get(reverse("requests:staff_detail", kwargs={"pk": req.pk}))
    html = page.content.decode()
    url = f"/staff/requests/{req.pk}/package/progress/"
    assert 'http-equiv="refresh"' not in html
    assert f'hx-get="{url}" hx-trigger="every 3s"' in html
    viewed = AuditEvent.objects.filter(action="requests.request.viewed").count()
    assert "50%" in agent_client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="requests.request.viewed").count() == viewed

    DisclosurePackage.objects.filter(request=req).update(status=PackageStatus.READY)
    part = agent_client.get(url).content.decode()
    assert "hx-trigger" not in part
    assert "千代田1-1-1" in part  # where to mail it: personal data, so audited
    assert AuditEvent.objects.filter(action="requests.request.viewed").count() == viewed + 1


def test_the_staff_package_part_is_staff_only(cast, client):
    req = _closed_with_package(cast.customer)
    client.force_login(cast.customer)
    assert client.get(f"/staff/requests/{req.pk}/package/progress/").status_code == 403
