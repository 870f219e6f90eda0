"""The disclosure package (LW-1, LW-6.1, LW-6.3): built from the data inventory, it holds
exactly what the portal holds about the customer and nothing about anyone else; withheld
items are left out and listed with their grounds; downloadable for a limited time."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.inventory import CATEGORIES, models_about_people
from portal.models import AuditEvent, OutboundMail
from requests import workflow
from requests.models import DisclosurePackage, Kind, PackageStatus, Status
from requests.services import decisions, packages
from tests.requests.factories import data_request, footprint

ALL = sorted(CATEGORIES)


def _closed_disclosure(cast, *, withheld=None, delivery="electronic", before_build=None):
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        details={"scope": "all", "categories": ALL},
        delivery_method=delivery,
    )
    items = {
        c: {
            "withheld": c in (withheld or {}),
            "grounds": (withheld or {}).get(c, []),
            "reason": f"withheld {c}",
        }
        for c in ALL
    }
    decisions.decision_draft(request_id=req.pk, actor=cast.agent, items=items, summary="Summary")
    if withheld:
        workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    else:
        workflow.request_close(
            request_id=req.pk, actor=cast.agent, outcome="fulfilled", reason="Here it is."
        )
    package = DisclosurePackage.objects.get(request=req)
    assert package.status == PackageStatus.QUEUED
    if before_build:
        before_build()
    return req, packages.package_build(package_id=package.pk)


def _document(package) -> dict:
    with packages.package_storage().open(package.json_name) as handle:
        return json.loads(handle.read())


def _text(document) -> str:
    return json.dumps(document["sections"], ensure_ascii=False)


@pytest.mark.clause("LW-1", "LW-6.1")
def test_the_package_holds_exactly_the_customers_data(cast):
    alice = footprint(cast.customer, tag="alice", staff=cast.agent)
    footprint(cast.other_customer, tag="bob", staff=cast.agent)
    held: dict[str, int] = {}

    def count_what_is_held():
        for model, entry in models_about_people():
            path = entry.subject or "pk"
            held[model._meta.label] = model.objects.filter(**{path: cast.customer.pk}).count()

    req, package = _closed_disclosure(cast, before_build=count_what_is_held)
    assert package.status == PackageStatus.READY and package.percent == 100
    document = _document(package)
    text = _text(document)
    # Every model of the inventory that is about a person is a section, with as many rows as
    # the database holds for this customer.
    expected = {m._meta.label for m, e in models_about_people() if e.category}
    assert {s["model"] for s in document["sections"]} == expected
    for label, count in held.items():
        section = next(s for s in document["sections"] if s["model"] == label)
        assert len(section["rows"]) == count, label
    assert held["consents.ConsentEvent"] and held["partners.ProvisionRecord"]
    for value in (
        "alice@example.jp",
        "山田 アリス",
        "090-alice-0001",
        "千代田区 alice 1-1",
        alice["ip"],
        "Browser/alice",
        "message from alice",
        "staff reply to alice",
        "passport-alice.pdf",
        "paid by alice",
        "R-alice",
        alice["record"].customer_reference,
        req.reference,
    ):
        assert value in text, value
    for value in ("bob", "Bob Baker", "198.51.100.9", "charlie@example.jp", "佐藤 チャーリー"):
        assert value not in text, value
    assert "pbkdf2" not in text and "md5$" not in text  # never the password hash
    assert document["withheld"] == []
    html = packages.package_storage().open(package.html_name).read().decode()
    assert "090-alice-0001" in html and "bob" not in html.lower()


@pytest.mark.clause("LW-6.3", "LW-1")
def test_withheld_items_are_left_out_and_listed_with_their_grounds(cast):
    footprint(cast.customer, tag="alice", staff=cast.agent)
    _req, package = _closed_disclosure(cast, withheld={"access_log": [1], "provisions": [2, 3]})
    document = _document(package)
    categories = {s["category"] for s in document["sections"]}
    assert "access_log" not in categories and "provisions" not in categories
    # Her address stays only where another category holds it (the consent ledger).
    others = [s for s in document["sections"] if s["category"] != "consents"]
    assert "203.0.113.7" not in _text({"sections": others})
    withheld = {w["category"]: w for w in document["withheld"]}
    assert set(withheld) == {"access_log", "provisions"}
    assert withheld["provisions"]["grounds"] == [2, 3]
    assert withheld["access_log"]["reason"] == "withheld access_log"
    html = packages.package_storage().open(package.html_name).read().decode()
    assert "withheld access_log" in html


@pytest.mark.clause("LW-6.1")
def test_building_twice_is_harmless_and_the_customer_is_told_once(cast):
    _req, package = _closed_disclosure(cast)
    mails = OutboundMail.objects.filter(subject__contains="DR-").count()
    again = packages.package_build(package_id=package.pk)
    assert (again.json_name, again.status) == (package.json_name, PackageStatus.READY)
    assert OutboundMail.objects.filter(subject__contains="DR-").count() == mails


@pytest.mark.clause("LW-6.1")
def test_the_customer_downloads_within_the_period_and_not_after(cast, client, settings):
    req, package = _closed_disclosure(cast)
    url_json = reverse(
        "requests:package_download", kwargs={"reference": req.reference, "fmt": "json"}
    )
    url_html = reverse(
        "requests:package_download", kwargs={"reference": req.reference, "fmt": "html"}
    )
    client.force_login(cast.other_customer)
    assert client.get(url_json).status_code == 404
    client.force_login(cast.customer)
    response = client.get(url_json)
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content))["reference"] == req.reference
    assert client.get(url_html).status_code == 200
    package.refresh_from_db()
    assert package.downloaded_at is not None
    # After the period: the purge removes the files and the page says the period ended.
    purged = packages.package_expired_purge(now=package.expires_at + timedelta(seconds=1))
    assert purged == 1
    package.refresh_from_db()
    assert package.status == PackageStatus.EXPIRED and not package.json_name
    response = client.get(url_json)
    assert response.status_code == 302
    page = client.get(reverse("requests:detail", kwargs={"reference": req.reference}))
    assert "package-json" not in page.content.decode()
    assert packages.package_expired_purge(now=timezone.now() + timedelta(days=365)) == 0


@pytest.mark.clause("LW-5", "LW-6.1")
def test_paper_delivery_staff_open_it_audited_and_mark_it_mailed(cast, client):
    req, package = _closed_disclosure(cast, delivery="paper")
    client.force_login(cast.customer)
    url = reverse("requests:package_download", kwargs={"reference": req.reference, "fmt": "html"})
    assert client.get(url).status_code == 302  # on paper: no download
    client.force_login(cast.agent)
    response = client.get(reverse("requests:staff_package", kwargs={"pk": req.pk}))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="requests.package.viewed", actor=cast.agent).exists()
    response = client.post(
        reverse("requests:staff_action", kwargs={"pk": req.pk, "name": "package_mailed"})
    )
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.mailed_at is not None
    assert AuditEvent.objects.filter(action="requests.package.mailed", actor=cast.agent).exists()


@pytest.mark.clause("LW-6.1")
def test_progress_is_shown_while_the_package_is_built(cast, client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DISCLOSURE)
    package = DisclosurePackage.objects.create(
        request=req, status=PackageStatus.BUILDING, total=4, done=1
    )
    assert package.percent == 25
    client.force_login(cast.customer)
    page = client.get(
        reverse("requests:detail", kwargs={"reference": req.reference})
    ).content.decode()
    # Updated in place while it builds (htmx), never by reloading the page.
    assert 'value="25"' in page and 'hx-trigger="every 3s"' in page
    assert 'http-equiv="refresh"' not in page
