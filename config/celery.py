"""The Celery application. Eager (in-process) unless REDIS_URL names a broker."""

import os

from celery import Celery
from celery.signals import worker_init

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
