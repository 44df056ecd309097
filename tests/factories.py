import factory
from django.contrib.auth import get_user_model

from accounts.models import Organization
from applications.models import Job, JobApplication

User = get_user_model()

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    role = User.Role.CANDIDATE

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class CandidateFactory(UserFactory):
    role = User.Role.CANDIDATE


class RecruiterFactory(UserFactory):
    role = User.Role.RECRUITER
    organization = factory.SubFactory(OrganizationFactory)


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Engineer {n}")
    description = "A job."


class JobApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobApplication

    job = factory.SubFactory(JobFactory)
    candidate = factory.SubFactory(CandidateFactory)
    status = JobApplication.Status.IN_PROGRESS
