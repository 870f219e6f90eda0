"""The load-balancer probes: `/healthz/` never touches the database, `/readyz/`
says whether the database and the broker answer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_healthz_answers_without_a_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert len(queries) == 0


def test_healthz_refuses_a_post(client):
    assert client.post("/healthz/").status_code == 405


@pytest.mark.django_db
def test_readyz_checks_database_and_broker(client):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.content.decode() == "database ok\nbroker ok\n"


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.content.decode() == "database ok\nbroker down\n"


@pytest.mark.django_db
def test_the_probes_answer_over_plain_http_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").status_code == 200
    assert client.get("/dashboard/").status_code == 301  # everything else moves to HTTPS
