import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Organization
from applications.models import JobApplication

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_the_demo_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert set(Organization.objects.values_list("slug", flat=True)) == {"acme", "globex"}
    assert User.objects.count() == 5
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.role == User.Role.ADMIN and admin.check_password("admin")
    rita = User.objects.get(username="rita")
    assert rita.role == User.Role.RECRUITER and rita.organization.slug == "acme"
    assert rita.check_password("recruiter")
    assert User.objects.get(username="gina").organization.slug == "globex"
    john = JobApplication.objects.get(candidate__username="john")
    mary = JobApplication.objects.get(candidate__username="mary")
    assert john.job.organization.slug == "acme"
    assert mary.job.organization.slug == "globex"
    assert {john.status, mary.status} == {JobApplication.Status.IN_PROGRESS}
    assert JobApplication.objects.count() == 2


def test_seed_demo_force_runs_with_debug_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert User.objects.filter(username="john").exists()
