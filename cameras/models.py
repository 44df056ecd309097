import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from applications.models import JobApplication


def freshness_cutoff(*, now: datetime | None = None) -> datetime:
    """Heartbeats older than this are stale: the stream is no longer live."""
    return (now or timezone.now()) - timedelta(seconds=settings.CAMERA_STREAM_TIMEOUT)


class CameraStreamQuerySet(models.QuerySet):
    """The live/stale rule, written once: on, and heard from within CAMERA_STREAM_TIMEOUT."""

    def live(self, *, now: datetime | None = None) -> "CameraStreamQuerySet":
        return self.filter(is_active=True, last_updated__gte=freshness_cutoff(now=now))

    def stale(self, *, now: datetime | None = None) -> "CameraStreamQuerySet":
        """On, but silent for longer than the timeout: the sweep ends these."""
        return self.filter(is_active=True, last_updated__lt=freshness_cutoff(now=now))

    def not_recordable(self) -> "CameraStreamQuerySet":
        """Streams attached to an interview that may not be recorded any more (over, or
        consent withdrawn): the receivers stop them at once, the sweep ends any left."""
        return self.filter(application__isnull=False).exclude(
            application__in=JobApplication.objects.recordable()
        )


class CameraStream(models.Model):
    """A user's camera presence: one row per user, refreshed by heartbeats.

    `last_updated` is the server's receive time of the last status call. A stream counts as
    live only while `is_active` and `last_updated` is younger than CAMERA_STREAM_TIMEOUT
    (`CameraStream.objects.live()`); the stale sweep merely makes that visible.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="camera_stream"
    )
    application = models.ForeignKey(
        "applications.JobApplication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="camera_streams",
        help_text="The interview this stream belongs to (none: visible to admins only).",
    )
    is_active = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    last_updated = models.DateTimeField()
    last_broadcast_at = models.DateTimeField(
        null=True, blank=True, help_text="When the board last heard of this stream (coalescing)."
    )
    snapshot_key = models.CharField(
        max_length=255, blank=True, help_text="Storage key of the latest camera snapshot."
    )
    snapshot_at = models.DateTimeField(null=True, blank=True)
    presence_channel = models.CharField(
        max_length=200,
        blank=True,
        help_text="The channel of the candidate's most recent presence socket (live video).",
    )
    incident = models.JSONField(
        null=True, blank=True, help_text="The current integrity incident shown on the board."
    )
    identity = models.JSONField(
        null=True,
        blank=True,
        help_text="The interview's identity check as the board card shows it: {state, label} "
        "(empty: not checked).",
    )

    objects = CameraStreamQuerySet.as_manager()

    class Meta:
        ordering = ["-last_updated"]
        constraints = [
            models.UniqueConstraint(fields=["user"], name="one_camera_stream_per_user"),
        ]
        indexes = [
            models.Index(fields=["is_active", "last_updated"], name="camera_active_fresh_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'on' if self.is_active else 'off'})"

    def is_live(self, *, now: datetime | None = None) -> bool:
        """The same rule as `CameraStream.objects.live()`, for a row already in hand."""
        return self.is_active and self.last_updated >= freshness_cutoff(now=now)


class CameraEvent(models.Model):
    """The history of a stream: when the camera went on, off, or silent (timed out)."""

    class Kind(models.TextChoices):
        ON = "on", "Camera on"
        OFF = "off", "Camera off"
        TIMEOUT = "timeout", "Heartbeat lost"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="camera_events"
    )
    application = models.ForeignKey(
        "applications.JobApplication",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="camera_events",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["application", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} at {self.occurred_at:%H:%M:%S}"


class LiveWatch(models.Model):
    """One reviewer watching one candidate's camera live (peer to peer, signalled through our
    sockets): who, whom, from when to when, and the two sockets it runs between. The record
    of every watch session; an active one counts against LIVE_VIEWERS_MAX."""

    class EndReason(models.TextChoices):
        VIEWER = "viewer", "The reviewer stopped watching"
        CANDIDATE = "candidate", "The candidate's page ended it"
        CAMERA_OFF = "camera_off", "The camera went off"
        INTERVIEW_ENDED = "interview_ended", "The interview ended or consent was withdrawn"
        SOCKET_CLOSED = "socket_closed", "A socket closed"
        REPLACED = "replaced", "The candidate's page reconnected"
        TIME_LIMIT = "time_limit", "It reached LIVE_WATCH_MAX_SECONDS (the board may ask again)"
        RIGHTS_CHANGED = "rights_changed", "The reviewer's rights or session changed"

    watch_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_watches"
    )
    application = models.ForeignKey(
        "applications.JobApplication",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="live_watches",
    )
    viewer_channel = models.CharField(max_length=200)
    candidate_channel = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        verbose_name = "live watch"
        verbose_name_plural = "live watches"
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["candidate", "ended_at"], name="live_watch_active_idx"),
            models.Index(fields=["viewer_channel"], name="live_watch_viewer_idx"),
            models.Index(fields=["candidate_channel"], name="live_watch_candidate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} watching {self.candidate} from {self.started_at:%H:%M:%S}"


class ProctorMessage(models.Model):
    """One line of live proctoring between reviewers and a candidate, in one interview: a
    message either way, a warning (a reviewer's message marked as such), a raised or lowered
    hand. Part of the record (timeline, report, export); erased with it.

    `delivered_at` is when a page of the other side first received it: a message to a
    candidate whose page is closed waits (null) and is delivered when a page connects."""

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        WARNING = "warning", "Warning"
        HAND_RAISED = "hand_raised", "Hand raised"
        HAND_LOWERED = "hand_lowered", "Hand lowered"

    class Side(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        REVIEWER = "reviewer", "Reviewer"

    application = models.ForeignKey(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="proctor_messages"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proctor_messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=16, choices=Side.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MESSAGE)
    text = models.TextField(blank=True)
    sent_at = models.DateTimeField(help_text="Server time.")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(fields=["application", "sent_at"], name="proctor_message_app_idx"),
            models.Index(fields=["candidate", "delivered_at"], name="proctor_message_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.side}) at {self.sent_at:%H:%M:%S}"


class WarningTemplate(models.Model):
    """A warning an organization's reviewers send with two clicks ("Please keep your face in
    view"). An organization with none uses DEFAULT_WARNINGS."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="warning_templates"
    )
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organization", "position", "id"]

    def __str__(self) -> str:
        return self.text


DEFAULT_WARNINGS = (
    "Please keep your face in view of the camera.",
    "Please stay on the interview tab.",
    "Please do not talk to anyone else during the interview.",
    "Please keep your whole screen shared.",
)
