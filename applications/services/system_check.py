"""The candidate's system check (the check page, /interview/{id}/check/): its result is kept
with the application and shown to the reviewer. The check itself stores nothing else."""

from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from common.errors import NotAllowed

# The steps the check page runs; `screen` only where the job asks for screen sharing.
STEPS = ("browser", "camera", "face", "screen", "upload", "clock")


def steps_required(*, application: JobApplication) -> tuple[str, ...]:
    return tuple(name for name in STEPS if name != "screen" or application.screen_monitoring)


def system_check_record(*, actor: User, application: JobApplication, steps: list[dict]) -> dict:
    """Keep the candidate's latest check: `passed` only when every step the interview needs
    was run and passed (a step it does not need is kept, and does not count). The time is the
    server's, not the page's. Any status: a candidate may check again after finishing."""
    if application.candidate_id != actor.pk:
        raise NotAllowed("Only the candidate runs the system check.", code="not_candidate")
    required = steps_required(application=application)
    by_name = {step["name"]: step for step in steps}
    passed = all(name in by_name and by_name[name]["passed"] for name in required)
    result = {
        "passed": passed,
        "at": timezone.now().isoformat(),
        "steps": [by_name[name] for name in STEPS if name in by_name],
    }
    JobApplication.objects.filter(pk=application.pk).update(system_check=result)
    application.system_check = result
    return result
