from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.services import organization_ensure, user_ensure
from applications.models import Job, JobApplication
from applications.services import application_create, job_create

DEMO_USERS = [
    # username, password, role, organization slug, first name, last name
    ("admin", "admin", User.Role.ADMIN, None, "Ada", "Admin"),
    ("rita", "recruiter", User.Role.RECRUITER, "acme", "Rita", "Reyes"),
    ("john", "user", User.Role.CANDIDATE, None, "John", "Carter"),
    ("gina", "recruiter", User.Role.RECRUITER, "globex", "Gina", "Grant"),
    ("mary", "user", User.Role.CANDIDATE, None, "Mary", "Moss"),
]
DEMO_ORGANIZATIONS = [("acme", "Acme"), ("globex", "Globex")]
DEMO_JOBS = [
    # organization slug, title, description, candidate
    ("acme", "Backend Engineer", "Python and Django, remote interview with live coding.", "john"),
    ("globex", "Data Analyst", "SQL and dashboards, remote interview with a case study.", "mary"),
]


class Command(BaseCommand):
    help = "Create the demo organizations, users, jobs and applications (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (demo passwords!)."
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with well-known passwords; it refuses to run with "
                "DEBUG off. Use --force if you really mean it."
            )
        orgs = {
            slug: organization_ensure(slug=slug, name=name) for slug, name in DEMO_ORGANIZATIONS
        }
        users = {}
        for username, password, role, org_slug, first, last in DEMO_USERS:
            users[username] = user_ensure(
                username=username,
                password=password,
                role=role,
                organization=orgs.get(org_slug),
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
            )
        admin = users["admin"]
        for org_slug, title, description, candidate in DEMO_JOBS:
            job = Job.objects.filter(organization=orgs[org_slug], title=title).first()
            if job is None:
                job = job_create(
                    actor=admin, organization=orgs[org_slug], title=title, description=description
                )
            if not JobApplication.objects.filter(job=job, candidate=users[candidate]).exists():
                # Open at once (seed clients and scripts record into it), with nobody to tell.
                application_create(
                    actor=admin,
                    job=job,
                    candidate_email=users[candidate].email,
                    open_now=True,
                    notify=False,
                )
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: admin/admin, rita/recruiter + john/user (Acme), "
                "gina/recruiter + mary/user (Globex)."
            )
        )
