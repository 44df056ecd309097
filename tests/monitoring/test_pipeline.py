"""Follow-up tasks are queued by registered name: every process must have them registered."""

import subprocess
import sys

from tests.processes import BASE_DIR, child_env

CHECK = """
import django
django.setup()
from celery import current_app
from monitoring import pipeline
missing = [name for name in pipeline.NAMES if name not in current_app.tasks]
print("missing:", missing)
"""


def test_a_fresh_process_knows_every_task_the_pipeline_names():
    """A web process imports no task module itself: the app registry must have them anyway."""
    out = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=BASE_DIR,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "missing: []" in out.stdout, out.stdout + out.stderr
