import uuid

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Organization
from applications.models import (
    CandidateResponse,
    Decision,
    Invitation,
    Job,
    JobApplication,
    MonitoringConsent,
)
from applications.notice import CURRENT as NOTICE
from cameras.models import CameraEvent, CameraStream, LiveWatch, ProctorMessage, WarningTemplate
from common.models import OutboxMessage
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import secret_new
from monitoring.models import (
    AccessEvent,
    DeletedCapture,
    ErasureJob,
    FrameAnalysis,
    IdentityDecision,
    IdentityReference,
    IncidentVerdict,
    IntegrityEvent,
    IntegrityRules,
    IntegritySummary,
    InterviewRules,
    MonitoringEvent,
    MonitoringImage,
    ReviewNote,
)

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


class MonitoringConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringConsent

    application = factory.SubFactory(JobApplicationFactory)
    notice_version = NOTICE
    accepted_at = factory.LazyFunction(timezone.now)


class CameraStreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CameraStream

    user = factory.SubFactory(CandidateFactory)
    application = None
    is_active = True
    started_at = factory.LazyFunction(timezone.now)
    last_updated = factory.LazyFunction(timezone.now)


class CameraEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CameraEvent

    application = factory.SubFactory(JobApplicationFactory)
    user = factory.LazyAttribute(lambda o: o.application.candidate)
    kind = CameraEvent.Kind.ON
    occurred_at = factory.LazyFunction(timezone.now)


class MonitoringImageFactory(factory.django.DjangoModelFactory):
    """A row only: pass `file` with a stored key when a test needs the object too."""

    class Meta:
        model = MonitoringImage

    application = factory.SubFactory(JobApplicationFactory)
    image_type = "camera"
    file = factory.LazyAttribute(
        lambda o: f"monitoring/{o.application.pk}/{o.image_type}/0-{uuid.uuid4()}.jpg"
    )
    captured_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyAttribute(lambda o: o.captured_at)
    uploaded_by = factory.LazyAttribute(lambda o: o.application.candidate)
    client_id = factory.LazyFunction(uuid.uuid4)
    width = 640
    height = 480
    byte_size = 1
    sha256 = "0" * 64


class FrameAnalysisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameAnalysis

    image = factory.SubFactory(MonitoringImageFactory)
    face_count = 1


class MonitoringEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringEvent

    application = factory.SubFactory(JobApplicationFactory)
    type = "tab_hidden"
    occurred_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyAttribute(lambda o: o.occurred_at)
    counted_at = factory.LazyAttribute(lambda o: o.occurred_at)
    sender = factory.LazyAttribute(lambda o: o.application.candidate)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    application = factory.SubFactory(JobApplicationFactory)
    email = factory.LazyAttribute(lambda o: o.application.candidate.email)


class LiveWatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiveWatch

    application = factory.SubFactory(JobApplicationFactory)
    candidate = factory.LazyAttribute(lambda o: o.application.candidate)
    viewer = factory.SubFactory(RecruiterFactory)
    viewer_channel = factory.Sequence(lambda n: f"viewer.{n}")
    candidate_channel = factory.Sequence(lambda n: f"candidate.{n}")
    started_at = factory.LazyFunction(timezone.now)


class ProctorMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProctorMessage

    application = factory.SubFactory(JobApplicationFactory)
    candidate = factory.LazyAttribute(lambda o: o.application.candidate)
    sender = factory.SubFactory(RecruiterFactory)
    side = ProctorMessage.Side.REVIEWER
    text = "Please keep your face in view."
    sent_at = factory.LazyFunction(timezone.now)


class WarningTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarningTemplate

    organization = factory.SubFactory(OrganizationFactory)
    text = factory.Sequence(lambda n: f"Warning {n}")


class AccessEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessEvent

    action = AccessEvent.Action.LISTED


class IntegrityRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntegrityRules

    organization = factory.SubFactory(OrganizationFactory)


class InterviewRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewRules

    application = factory.SubFactory(JobApplicationFactory)
    sustain_frames = 2
    sustain_seconds = 20
    tab_hidden_seconds = 10
    window_blur_seconds = 10
    weights = factory.LazyFunction(lambda: {"no_face": 5, "tab_hidden": 4})


class IntegrityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntegrityEvent

    application = factory.SubFactory(JobApplicationFactory)
    type = "no_face"
    started_at = factory.LazyFunction(timezone.now)
    ended_at = factory.LazyAttribute(lambda o: o.started_at)
    reason = "No face visible"


class IntegritySummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntegritySummary

    application = factory.SubFactory(JobApplicationFactory)
    score = 100


class ErasureJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErasureJob

    kind = ErasureJob.Kind.APPLICATION


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    task = "applications.send_invitation_email"


class DeletedCaptureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeletedCapture

    application = factory.SubFactory(JobApplicationFactory)
    image_type = "camera"
    captured_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyAttribute(lambda o: o.captured_at)
    by_candidate = True
    image_id = factory.Sequence(lambda n: 1_000_000 + n)


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    organization = factory.SubFactory(OrganizationFactory)
    url = "https://ats.example.com/hooks/invigil"
    events = factory.LazyFunction(lambda: ["interview.started", "interview.finished"])
    secret = factory.LazyFunction(secret_new)


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event_type = "interview.finished"
    application_id = 1
    payload = (
        '{"type":"interview.finished","timestamp":"2026-12-01T10:00:00Z",'
        '"data":{"application_id":1}}'
    )


class WebhookAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    status_code = 200
    latency_ms = 12
    address = "203.0.113.10"


class IdentityReferenceFactory(factory.django.DjangoModelFactory):
    """A selfie with a made-up template (128 float32); tests of matching use real photos."""

    class Meta:
        model = IdentityReference

    application = factory.SubFactory(JobApplicationFactory)
    kind = IdentityReference.Kind.SELFIE
    file = factory.LazyAttribute(
        lambda o: f"monitoring/{o.application.id}/identity/{o.kind}/{uuid.uuid4()}.jpg"
    )
    uploaded_by = factory.LazyAttribute(lambda o: o.application.candidate)
    width = 640
    height = 480
    byte_size = 1000
    sha256 = "0" * 64
    face = factory.LazyFunction(lambda: {"x": 200, "y": 100, "w": 200, "h": 240})
    quality = factory.LazyFunction(dict)
    descriptor = factory.LazyFunction(lambda: bytes(512))


class IdentityDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdentityDecision

    application = factory.SubFactory(JobApplicationFactory)
    decision = IdentityDecision.Decision.CONFIRMED
    decided_by = factory.SubFactory(AdminFactory)


class IncidentVerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentVerdict

    incident = factory.SubFactory(IntegrityEventFactory)
    application = factory.LazyAttribute(lambda o: o.incident.application)
    incident_ref = factory.LazyAttribute(lambda o: o.incident.pk)
    incident_type = factory.LazyAttribute(lambda o: o.incident.type)
    incident_started_at = factory.LazyAttribute(lambda o: o.incident.started_at)
    incident_ended_at = factory.LazyAttribute(lambda o: o.incident.ended_at)
    verdict = IncidentVerdict.Verdict.CONFIRMED
    decided_by = factory.SubFactory(AdminFactory)


class ReviewNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewNote

    application = factory.SubFactory(JobApplicationFactory)
    at = factory.LazyFunction(timezone.now)
    text = "Looked away at the second screen"
    author = factory.SubFactory(AdminFactory)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    application = factory.SubFactory(JobApplicationFactory, status="completed")
    outcome = Decision.Outcome.CLEARED
    reason = "Nothing of concern"
    state = Decision.State.FINAL
    decided_by = factory.SubFactory(AdminFactory)


class CandidateResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateResponse

    decision = factory.SubFactory(DecisionFactory, outcome="violation")
    application = factory.LazyAttribute(lambda o: o.decision.application)
    text = "I was reading the task aloud"
