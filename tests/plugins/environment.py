"""Test defaults, set before Django reads its settings (loaded with -p in pyproject.toml).

The suite runs like production (DEBUG off) but over plain HTTP, with Celery tasks run
in-process unless a test starts a real worker. DATABASE_URL and CELERY_BROKER_URL come from
the environment (bin/test points them at the local PostgreSQL and Redis).
"""

import os
import tempfile

_DEFAULTS = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "STATIC_MANIFEST": "false",
    "EMAIL_URL": "consolemail://",
    "SITE_URL": "http://testserver",
    # Playwright's sync API runs an event loop in the test thread; Django's ORM is still
    # used synchronously there (live_server tests).
    "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
}

for key, value in _DEFAULTS.items():
    os.environ.setdefault(key, value)
os.environ.setdefault("PRIVATE_STORAGE_ROOT", tempfile.mkdtemp(prefix="portal-private-"))
