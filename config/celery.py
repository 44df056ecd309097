"""The Celery application. Eager (in-process) unless REDIS_URL names a broker."""

import os

from celery import Celery
from celery.signals import task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("invigil")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def lower_priority(**kwargs) -> None:
    """A worker's tasks (analysis above all) are batch work: where a worker shares the machine
    with web processes, the kernel gives the requests the CPU first (WORKER_NICE, default 10;
    0 leaves the priority alone). Set before the pool starts: its processes inherit it. Under
    the 300-candidate burst of bench/load.py the box is CPU-bound, and analysis took the cores
    the requests were waiting for (README, "Where an interview day waited")."""
    from django.conf import settings

    wanted = settings.WORKER_NICE
    if wanted > os.getpriority(os.PRIO_PROCESS, 0):
        os.setpriority(os.PRIO_PROCESS, 0, wanted)


@worker_init.connect
def one_connection_per_worker_process(**kwargs) -> None:
    """A worker process runs one task at a time: one plain connection that stays, not a pool
    that Celery's Django fixup would close (and reopen) around every task. Set before the pool
    starts (its processes inherit the settings, and each opens its own connection)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    database.get("OPTIONS", {}).pop("pool", None)
    database["CONN_MAX_AGE"] = settings.WORKER_CONN_MAX_AGE


@task_prerun.connect
def close_a_broken_or_old_connection(task=None, **kwargs) -> None:
    """Before each task, as Django does before each request: a connection that failed in the
    last task (the database restarted) or is older than WORKER_CONN_MAX_AGE is closed, and
    the task opens a new one. Not for a task run in-process (eager): the caller's
    transaction is open there."""
    from django.db import close_old_connections

    if task is not None and not getattr(task.request, "is_eager", False):
        close_old_connections()
