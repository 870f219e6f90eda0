"""Probes for load balancers and the benchmark: `/healthz/` answers without touching
the database (the process is up), `/readyz/` checks that the database and the broker answer."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def _database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("readyz: the database does not answer", exc_info=True)
        return False


def _broker_ready() -> bool:
    from kombu import Connection

    try:
        # A fresh connection, not one from the pool: the broker must answer now.
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("readyz: the broker does not answer", exc_info=True)
        return False


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {"database": _database_ready(), "broker": _broker_ready()}
    body = "".join(f"{name} {'ok' if ok else 'down'}\n" for name, ok in checks.items())
    status = 200 if all(checks.values()) else 503
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
