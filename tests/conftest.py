"""Fixtures for the whole suite: the fixed cast, service requirements, a real Celery worker
and a real Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from portal.models import User
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Tests that commit (transactional tests, live_server, a real worker) end with a flush
    that would also wipe what data migrations created: the roles, the beat schedules. Give
    every such test a serialized rollback, so the next test finds the database as migrated."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        commits = (marker is not None and marker.kwargs.get("transaction")) or {
            "transactional_db",
            "live_server",
            "celery_worker_process",
        } & set(getattr(item, "fixturenames", ()))
        if commits and not (marker and marker.kwargs.get("serialized_rollback")):
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True}
            kwargs["serialized_rollback"] = True
            item.add_marker(
                pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False
            )


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's set-up, with the test database created and migrated as the owner role
    and the tests connected as the runtime role (tests/dbroles.py)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from tests import dbroles as test_dbroles

    if not django_db_use_migrations:
        from pytest_django.fixtures import _disable_migrations

        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock(), test_dbroles.test_databases_as_owner():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    test_dbroles.flush_through_owner()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock(), test_dbroles.test_databases_as_owner():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; the cast alone would make the suite crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _staff_sign_in_with_second_factor(monkeypatch):
    # Staff need a second factor on every sign-in; force_login gives them a
    # verified device, as a real code would (tests/otp.py).
    from tests.otp import force_login_verified

    monkeypatch.setattr(Client, "force_login", force_login_verified)


# --- the cast: a customer, another customer, an agent, an administrator ---------------------


@dataclass
class Cast:
    customer: User  # alice, Japanese
    other_customer: User  # bob, English
    agent: User  # charlie, privacy staff
    administrator: User  # dana, privacy administrator

    def by_role(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def cast(db) -> Cast:
    return Cast(
        customer=factories.customer(email="alice@example.jp", full_name="山田 アリス"),
        other_customer=factories.customer(
            email="bob@example.com", full_name="Bob Baker", preferred_language="en"
        ),
        agent=factories.agent(email="charlie@example.jp", full_name="佐藤 チャーリー"),
        administrator=factories.administrator(email="dana@example.jp", full_name="鈴木 ダナ"),
    )


@pytest.fixture
def customer(cast) -> User:
    return cast.customer


@pytest.fixture
def other_customer(cast) -> User:
    return cast.other_customer


@pytest.fixture
def agent(cast) -> User:
    return cast.agent


@pytest.fixture
def administrator(cast) -> User:
    return cast.administrator


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def admin_client_(client, administrator):
    client.force_login(administrator)
    return client


# --- services a test needs: fail in CI, skip elsewhere ------------------------------------


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


def redis_reachable(url: str | None = None) -> bool:
    url = url or settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "localhost", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("this test needs PostgreSQL (DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and not redis_reachable():
        _missing("this test needs Redis (CELERY_BROKER_URL=redis://...)")
    if item.get_closest_marker("browser") and not Path(CHROMIUM).exists():
        _missing(f"this test needs Chromium at {CHROMIUM} (apt-get install chromium)")


# --- a real Celery worker ------------------------------------------------------------------


@dataclass
class WorkerProcess:
    queue: str
    process: subprocess.Popen
    log: Path
    env: dict[str, str]

    def send(self, name: str, *args, **kwargs):
        """Queue a task by name on this worker's own queue (never run in-process)."""
        from portal.celery import app

        return app.send_task(name, args=args, kwargs=kwargs, queue=self.queue)

    def wait_for(self, predicate, timeout: float = 30.0, interval: float = 0.2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            if self.process.poll() is not None:
                raise AssertionError(f"worker died:\n{self.log.read_text()[-3000:]}")
            time.sleep(interval)
        raise AssertionError(f"timed out; worker log:\n{self.log.read_text()[-3000:]}")


def worker_environment(**extra: str) -> dict[str, str]:
    """The environment for a worker or beat process that shares the test database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("a separate worker process needs PostgreSQL")
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_OWNER_URL": "",  # the worker runs as the runtime role, like the portal
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra,
    }
    return env


def celery_start(args: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `celery -A portal <args>` as a process of its own, logging into `log`."""
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def celery_stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def running_worker(tmp_path: Path, *, own_default_queue: bool = False, **extra_env: str):
    """A real `celery worker` process against the real broker and the test database,
    consuming a queue of its own so that nothing else interferes. With `own_default_queue`,
    what the worker queues itself comes back to it too."""
    if connection.vendor != "postgresql":
        _missing("a real worker needs PostgreSQL")
    if not redis_reachable():
        _missing("a real worker needs Redis")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    if own_default_queue:
        extra_env["CELERY_TASK_DEFAULT_QUEUE"] = queue
    env = worker_environment(**extra_env)
    log = tmp_path / "worker.log"
    args = ["worker", "--pool=solo", "--concurrency=1", "-Q", queue, "--loglevel=INFO"]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h"]
    process = celery_start(args, env=env, log=log)
    try:
        yield WorkerProcess(queue=queue, process=process, log=log, env=env)
    finally:
        celery_stop(process)
        # Drop the queue so Redis is left as it was found.
        from portal.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    with running_worker(tmp_path) as worker:
        yield worker


# --- a real Chromium -----------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium not found at {CHROMIUM}")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API leaves the test thread in a new context, where Django's
    # context-local `connections` hands out fresh connection objects. Carry over what the
    # test-database setup stored on the old ones, so that serialized rollback keeps working.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        yield chromium
        chromium.close()


class Shots:
    """Saves a numbered screenshot of each page a journey visits (artifacts/, not in git)."""

    def __init__(self, page, folder: Path):
        self.page = page
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.shots = Shots(pg, ARTIFACTS / "screenshots" / request.node.name)
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _published_versions_forgotten():
    # Each test's database starts over; so does the process's copy of the published policy
    # versions (consents.selectors.published_cached).
    from consents.selectors import published_forget

    published_forget()
    yield
    published_forget()
