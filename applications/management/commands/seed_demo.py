from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organization, User
from applications.models import Job, JobApplication

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
        orgs = {}
        for slug, name in DEMO_ORGANIZATIONS:
            orgs[slug], _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
        users = {}
        for username, password, role, org_slug, first, last in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "organization": orgs.get(org_slug),
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                    "is_staff": role == User.Role.ADMIN,
                    "is_superuser": role == User.Role.ADMIN,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            users[username] = user
        for org_slug, title, description, candidate in DEMO_JOBS:
            job, _ = Job.objects.get_or_create(
                organization=orgs[org_slug], title=title, defaults={"description": description}
            )
            JobApplication.objects.get_or_create(
                job=job,
                candidate=users[candidate],
                defaults={"status": JobApplication.Status.IN_PROGRESS},
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: admin/admin, rita/recruiter + john/user (Acme), "
                "gina/recruiter + mary/user (Globex)."
            )
        )
