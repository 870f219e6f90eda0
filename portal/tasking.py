"""The one way the services hand work to a worker: by task name, once the transaction commits.

Services never import tasks (tasks call services, one direction): they name the task,
`enqueue_on_commit("<app>.tasks.<name>_task", obj.pk, what=...)`. The task is
looked up in Celery's registry by that name (its module is imported on first use, as the
worker does), and queued when the current transaction commits, so a worker never looks for
a row that is not yet visible. A dead broker must not break the caller: the refusal is logged
and the work stays in the database for the stale-work sweep (or a retry from the page).
"""

from __future__ import annotations

import importlib
import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def task_named(name: str):
    """The Celery task registered as `name` ("app.tasks.function")."""
    if name not in current_app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def task_send(name: str, *args, what: str, countdown: int | None = None) -> bool:
    """Queue the task now; if the broker refuses, log it and return False."""
    try:
        task_named(name).apply_async(args, countdown=countdown)
    except Exception:  # a dead broker must not break the caller
        logger.warning("broker unavailable; %s waits", what)
        return False
    return True


def task_send_many(name: str, ids, *, what: str) -> int:
    """Queue the task once per id; stop at the first refusal (the rest wait for the sweep
    instead of waiting on a dead broker once each). Returns how many were queued."""
    sent = 0
    for one in ids:
        if not task_send(name, one, what=what):
            break
        sent += 1
    return sent


def enqueue_on_commit(name: str, *args, what: str, countdown: int | None = None) -> None:
    """Queue the task when the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_send(name, *args, what=what, countdown=countdown))


def enqueue_many_on_commit(name: str, ids, *, what: str) -> None:
    """`task_send_many` when the current transaction commits."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: task_send_many(name, ids, what=what))
