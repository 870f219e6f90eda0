"""Background work never strands: one periodic sweep hands stale work to a worker
again.

Work queued on commit can be lost in two ways: the broker refused the task (it was down when
the transaction committed), or the worker that took it died half-way. Either way the database
still says what is owed: an export or a package "queued" or "running" with no sign of life, a
mail to an erased address still to be scrubbed. Each app registers, from its AppConfig, a
function that finds its own stale work and queues it again (or does it, when it is cheap); the
portal knows nothing of what the work is (the base app registers, it does not know).

Everything re-queued is safe to run twice: every task claims its row with a conditional update
first, so a task the broker did deliver after all, or a worker that was only slow, makes the
second run a no-op. "Stale" is `BACKGROUND_STALE_AFTER_MINUTES` (portal/settings.py) without
progress; choose it well above the longest single step (one export chunk, one package part).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

# name -> function(stale_before) -> how many items it handed on
Requeuer = Callable[[datetime.datetime], int]
_REQUEUERS: dict[str, Requeuer] = {}


def stale_work_register(name: str, requeue: Requeuer) -> None:
    """Register an app's sweep of its own stale work (called from AppConfig.ready)."""
    _REQUEUERS[name] = requeue


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.BACKGROUND_STALE_AFTER_MINUTES)


def stale_work_requeue(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every registered sweep with the cutoff `now - BACKGROUND_STALE_AFTER_MINUTES` and
    return how many items each handed on. One sweep failing does not stop the others."""
    cutoff = (now or timezone.now()) - stale_after()
    counts: dict[str, int] = {}
    for name, requeue in sorted(_REQUEUERS.items()):
        try:
            counts[name] = requeue(cutoff)
        except Exception:  # logged; the next run tries again
            logger.exception("stale-work sweep %s failed", name)
            counts[name] = -1
    if any(counts.values()):
        logger.info("stale work handed on again: %s", counts)
    return counts


def task_send(task, *args, what: str) -> bool:
    """Queue `task` now; if the broker refuses, log it and return False: the work stays in the
    database and the next sweep queues it again."""
    try:
        task.delay(*args)
    except Exception:  # a dead broker must not break the caller
        logger.warning("broker unavailable; %s waits for the stale-work sweep", what)
        return False
    return True
