"""Fixtures of the scheduled-job tests: a frozen clock, and a real worker plus a real beat
against Redis that share a private queue and write mail into files the test can read."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.conftest import celery_start, celery_stop, running_worker

# A Tuesday, 10:00 in Tokyo: after the default digest hour.
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


class SunkMail:
    """One mail the worker wrote: its headers decoded, and `text` (subject and body)."""

    def __init__(self, raw: bytes):
        self.message = BytesParser(policy=policy.default).parsebytes(raw.strip() + b"\n")
        body = self.message.get_body(preferencelist=("plain",))
        self.text = f"{str(self.message['Subject']).strip()}\n{body.get_content() if body else ''}"

    def __getitem__(self, header: str) -> str:
        return str(self.message[header]).strip()


@dataclass
class MailSink:
    folder: Path

    def messages(self) -> list[SunkMail]:
        """Every mail written so far (Django's file backend: one file per connection, mails
        separated by a line of dashes)."""
        mails: list[SunkMail] = []
        for path in sorted(self.folder.glob("*.log")):
            mails += [SunkMail(m) for m in path.read_bytes().split(b"-" * 79) if m.strip()]
        return mails


@pytest.fixture
def job_worker(transactional_db, tmp_path):
    """A real `celery worker` whose default queue is its own, so that the tasks it queues
    itself (a sweep's mails) come back to it, and whose mail goes to files in `sink`."""
    sink = tmp_path / "mail"
    sink.mkdir()
    with running_worker(
        tmp_path,
        own_default_queue=True,
        # django-environ drops the path's first slash: "filemail:///" + "/tmp/..."
        EMAIL_URL=f"filemail:///{sink}",
        SITE_URL="http://portal.test",
    ) as worker:
        worker.sink = MailSink(sink)
        worker.tmp_path = tmp_path
        yield worker


@pytest.fixture
def job_beat(job_worker):
    """A real `celery beat` with the database scheduler, sending to the worker's queue.
    Returns a function that starts it (the test first sets up the schedules it wants)."""
    started: list[subprocess.Popen] = []
    log = job_worker.tmp_path / "beat.log"

    def start() -> subprocess.Popen:
        process = celery_start(
            [
                "beat",
                "--loglevel=INFO",
                "-s",
                str(job_worker.tmp_path / "beat-schedule"),
                "--pidfile=",
            ],
            env=job_worker.env,
            log=log,
        )
        started.append(process)
        return process

    start.log = log
    yield start
    for process in started:
        celery_stop(process)
