"""Consent receipts: one per change, valid against the schema kept here (LY-1, LY-2)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from consents import services
from tests.consents import factories as f

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "receipt.schema.json").read_text())


def validate(receipt: dict) -> None:
    jsonschema.validate(
        receipt, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_the_schema_itself_is_valid_and_refuses_an_empty_receipt():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    # A schema that accepts anything would make every receipt test below pass.
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid({})


@pytest.mark.clause("LY-1", "LY-2")
def test_receipt_of_a_change_with_two_purposes(customer_client, customer):
    version = f.published_version(version="2.0")
    marketing = f.opt_in_purpose(code="marketing")
    overseas = f.provision_purpose(
        code="overseas",
        category="overseas_provision",
        countries="KR",
        recipients_en="Example Works Korea",
    )
    events = services.consent_change(
        customer=customer, choices={marketing.code: True, overseas.code: True}, source="web"
    )
    assert {e.change_id for e in events} == {events[0].change_id}
    response = customer_client.get(f"/consents/receipts/{events[0].change_id}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    receipt = response.json()
    validate(receipt)
    assert receipt["consentReceiptID"] == str(events[0].change_id)
    assert receipt["policyVersion"] == "2.0"
    assert receipt["policyUrl"].endswith(f"/privacy/versions/{version.version}/")
    assert receipt["jurisdiction"] == "JP"
    assert receipt["collectionMethod"].startswith("web form")
    purposes = {p["purposeCode"]: p for p in receipt["services"][0]["purposes"]}
    assert purposes["overseas"]["countries"] == ["KR"]
    assert purposes["overseas"]["thirdPartyName"] == "Example Works Korea"
    assert purposes["marketing"]["consentState"] == "granted"


@pytest.mark.clause("LY-6", "LW-7")
def test_receipts_of_withdrawal_service_and_gpc_validate(customer):
    from consents.receipts import receipt_build

    purpose = f.provision_purpose(code="provision-quality")
    app = f.connected_application(code="calendar-sync", purposes=[purpose])
    services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    for events in (
        services.consent_change(
            customer=customer, choices={purpose.code: True}, source="web", service=app
        ),
        services.service_revoke(customer=customer, service=app),
        services.consent_gpc_apply(customer=customer),
    ):
        assert events
        receipt = receipt_build(events=events)
        validate(receipt)
    assert receipt["collectionMethod"].startswith("browser signal")
    assert receipt["services"][0]["purposes"][0]["consentState"] == "withdrawn"


def test_a_broken_receipt_fails_the_schema(customer):
    from consents.receipts import receipt_build

    purpose = f.opt_in_purpose()
    events = services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    receipt = receipt_build(events=events)
    del receipt["services"][0]["purposes"][0]["piiCategory"]
    with pytest.raises(jsonschema.ValidationError):
        validate(receipt)
