from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from . import notice

MIN_INTERVAL_SECONDS = 2
MAX_INTERVAL_SECONDS = 3600
DEFAULT_INTERVAL_SECONDS = 30

interval_validators = [
    MinValueValidator(MIN_INTERVAL_SECONDS),
    MaxValueValidator(MAX_INTERVAL_SECONDS),
]


class Job(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "title"]
        indexes = [models.Index(fields=["organization", "is_open"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.organization})"


class ApplicationQuerySet(models.QuerySet):
    def recordable(self) -> "ApplicationQuerySet":
        """In progress with an active consent: the only interviews anything is recorded for.

        The same rule, for one application at hand, is applications.services.recording_check.
        """
        active = MonitoringConsent.objects.active().filter(application=models.OuterRef("pk"))
        return self.filter(status=JobApplication.Status.IN_PROGRESS).filter(models.Exists(active))

    def locked(self) -> "ApplicationQuerySet":
        """Lock the rows for the rest of the transaction: one change of an application's
        record at a time (consent, status, incidents). FOR NO KEY UPDATE: rows that only point
        at the application (a camera event of a concurrent camera-off) take FOR KEY SHARE,
        which this does not block — a plain FOR UPDATE deadlocked against them."""
        return self.select_for_update(no_key=True)

    def lock(self, pk: int) -> "JobApplication | None":
        """Lock one application (see `locked`) and return it, or None if it is gone."""
        return self.locked().filter(pk=pk).first()


# The automatic checks a reviewer may turn off for one interview, before recording begins (an
# accommodation, e.g. `no_face` for a candidate who cannot keep their face in view): the
# incident types of monitoring.models.IncidentType (applications knows no monitoring;
# tests/monitoring/integrity/test_accommodations.py holds the two lists together).
CHECKS = (
    "no_face",
    "multiple_faces",
    "camera_covered",
    "frozen_frame",
    "camera_off",
    "screen_share_stopped",
    "tab_hidden",
    "window_blur",
    "snapshot_gap",
    "late_upload",
    "identity_mismatch",
    "identity_changed_since",
    "virtual_camera",
)


class JobApplication(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TERMINATED = "terminated", _("Ended by a reviewer")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED)
    camera_monitoring = models.BooleanField(default=True)
    screen_monitoring = models.BooleanField(default=True)
    camera_interval = models.PositiveIntegerField(
        default=DEFAULT_INTERVAL_SECONDS,
        validators=interval_validators,
        help_text="Seconds between automatic camera snapshots (2–3600).",
    )
    screen_interval = models.PositiveIntegerField(
        default=DEFAULT_INTERVAL_SECONDS,
        validators=interval_validators,
        help_text="Seconds between automatic screen captures (2–3600).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    termination_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why a reviewer ended the interview (shown to the candidate).",
    )
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_applications",
        help_text='The recruiter who watches this interview (their board\'s "my candidates").',
    )
    legal_hold = models.BooleanField(
        default=False,
        help_text="Keep everything recorded for this interview: retention and erasure skip it.",
    )
    recording_deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When retention deleted this interview's captures, events and incidents.",
    )
    system_check = models.JSONField(
        null=True,
        blank=True,
        help_text="The candidate's latest system check: {passed, at, steps} (the check page).",
    )
    checks_off = models.JSONField(
        default=list,
        blank=True,
        help_text="Automatic checks turned off for this interview (an accommodation): they "
        "make no incidents. Set before recording begins (CHECKS).",
    )
    checks_off_reason = models.CharField(
        max_length=500, blank=True, help_text="Why the checks are off."
    )
    checks_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who turned them off.",
    )
    checks_off_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "candidate"], name="one_application_per_job"),
            models.CheckConstraint(
                condition=Q(camera_interval__gte=MIN_INTERVAL_SECONDS)
                & Q(camera_interval__lte=MAX_INTERVAL_SECONDS)
                & Q(screen_interval__gte=MIN_INTERVAL_SECONDS)
                & Q(screen_interval__lte=MAX_INTERVAL_SECONDS),
                name="capture_intervals_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["candidate", "status"]),
            models.Index(fields=["job", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.job.title}"

    def get_absolute_url(self) -> str:
        return f"/interview/{self.pk}/"

    @property
    def organization_id(self) -> int:
        return self.job.organization_id

    @property
    def status_label(self) -> str:
        """The status as pages show it: an interview opened in progress whose recording has not
        begun says so, instead of "In progress" over an empty record."""
        if self.status == self.Status.IN_PROGRESS and self.started_at is None:
            return _("Not started yet")
        return self.get_status_display()

    @property
    def system_check_at(self):
        """When the candidate's latest system check reached the server (or None)."""
        return parse_datetime(self.system_check["at"]) if self.system_check else None

    @property
    def system_check_steps(self) -> dict:
        """The latest system check's steps by name (pages show "upload 1.2 Mbit/s")."""
        return {step["name"]: step for step in (self.system_check or {}).get("steps", [])}

    @property
    def recording_began(self) -> bool:
        """Something was recorded (or the candidate started it): the monitoring settings are
        locked from then on."""
        return self.started_at is not None

    @property
    def ended_at(self):
        """When the interview ended (finished, withdrawn or ended by a reviewer), if it did."""
        return self.completed_at or self.withdrawn_at or self.terminated_at


class Invitation(models.Model):
    """A signed, single-use link that lets a new candidate set a password.

    The link carries only the signed invitation id; it expires after INVITATION_MAX_AGE
    seconds (7 days by default) and stops working once accepted.
    """

    application = models.ForeignKey(
        JobApplication, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Ended unused: another invitation of the candidate was used, or the password "
        "was set another way.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"


class ConsentQuerySet(models.QuerySet):
    def active(self) -> "ConsentQuerySet":
        """Given, not withdrawn, not replaced by a consent to a newer notice."""
        return self.filter(
            accepted_at__isnull=False, withdrawn_at__isnull=True, replaced_at__isnull=True
        )

    def current(self) -> "ConsentQuerySet":
        """Active and to the notice in force: what recording and live watching need."""
        return self.active().filter(notice_version=notice.CURRENT)


class MonitoringConsent(models.Model):
    """The candidate's answer to the monitoring notice of one interview: consent given (and
    perhaps withdrawn later) or declined. Every answer is kept: the consent history.

    Recording needs a current consent: given, not withdrawn, to the notice in force
    (applications.notice). The version and the language of the text shown are recorded; a
    consent to an older notice is replaced when the candidate agrees to the new one.
    """

    application = models.ForeignKey(
        JobApplication, on_delete=models.CASCADE, related_name="consents"
    )
    notice_version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    language = models.CharField(
        max_length=16, blank=True, help_text="The language the notice was shown in."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(
        null=True, blank=True, help_text="When the candidate agreed to a newer notice instead."
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When the answer was given.")

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(
                    withdrawn_at__isnull=True, replaced_at__isnull=True, accepted_at__isnull=False
                ),
                name="one_active_consent_per_application",
            ),
            models.CheckConstraint(
                condition=(Q(accepted_at__isnull=False) & Q(declined_at__isnull=True))
                | (Q(accepted_at__isnull=True) & Q(declined_at__isnull=False)),
                name="consent_given_or_declined",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent for {self.application_id} ({self.state})"

    @property
    def state(self) -> str:
        if self.declined_at is not None:
            return "declined"
        if self.withdrawn_at:
            return "withdrawn"
        return "replaced" if self.replaced_at else "active"

    @property
    def outdated(self) -> bool:
        """Given to a notice that has changed since."""
        return self.state == "active" and self.notice_version != notice.CURRENT


class DecisionQuerySet(models.QuerySet):
    def current(self) -> "DecisionQuerySet":
        """The decision in force: the newest one, not replaced by a later decision."""
        return self.filter(replaced_at__isnull=True)


class Decision(models.Model):
    """A reviewer's decision on an interview, with its reason, once the interview has ended.

    Where the organization asks for a second review (`decision_second_review`), a `violation`
    waits for a second reviewer's confirmation before it is final (the four-eyes rule). A
    decision rests on the verdicts on the incidents: changing one reopens it. A new decision
    replaces the current one, which stays in the history (`replaced_at`).
    """

    class Outcome(models.TextChoices):
        CLEARED = "cleared", _("Cleared")
        CONCERNS = "concerns", _("Concerns")
        VIOLATION = "violation", _("Violation")

    class State(models.TextChoices):
        PENDING_SECOND_REVIEW = "pending_second_review", "Waiting for a second review"
        FINAL = "final", "Final"
        REOPENED = "reopened", "Reopened"

    application = models.ForeignKey(
        JobApplication, on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=2000)
    state = models.CharField(max_length=24, choices=State.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The second reviewer (four-eyes rule).",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_because = models.CharField(max_length=300, blank=True)
    replaced_at = models.DateTimeField(
        null=True, blank=True, help_text="A later decision took its place."
    )
    after_response = models.BooleanField(
        default=False, help_text="Recorded after the candidate's answer (kept or changed)."
    )
    previous_outcome = models.CharField(
        max_length=12,
        choices=Outcome.choices,
        blank=True,
        help_text="After an answer: the outcome the candidate answered.",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(replaced_at__isnull=True),
                name="one_current_decision_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.state}) for application {self.application_id}"


class CandidateResponse(models.Model):
    """The candidate's one answer to a final `concerns` or `violation` decision, within
    RESPONSE_WINDOW_DAYS of it becoming final. It reaches the reviewers, who then record the
    decision after the answer (kept or changed, with a reason)."""

    application = models.OneToOneField(
        JobApplication, on_delete=models.CASCADE, related_name="candidate_response"
    )
    decision = models.ForeignKey(
        Decision,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The decision answered.",
    )
    text = models.CharField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Answer of the candidate of application {self.application_id}"
