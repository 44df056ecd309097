import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .labels import INCIDENT_LABELS


class ImageType(models.TextChoices):
    CAMERA = "camera", "Camera snapshot"
    SCREEN = "screen", "Screen capture"


class MonitoringImage(models.Model):
    """One stored capture. `file.name` is the storage key (the API's `s3Key`)."""

    application = models.ForeignKey(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="monitoring_images"
    )
    image_type = models.CharField(max_length=8, choices=ImageType.choices)
    file = models.FileField(max_length=255, unique=True)
    captured_at = models.DateTimeField(help_text="When the page took the capture.")
    received_at = models.DateTimeField(
        default=timezone.now, help_text="When the server received it (the server's own clock)."
    )
    late = models.BooleanField(
        default=False,
        help_text="Received more than 2× the interval + MONITORING_LATE_SLACK after capture.",
    )
    clock_adjusted = models.BooleanField(
        default=False,
        help_text="The page dated it ahead of the server's clock (beyond "
        "MONITORING_CLOCK_TOLERANCE_SECONDS): captured_at is the receive time instead.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who sent it. Only the candidate's own captures count toward incidents.",
    )
    client_id = models.UUIDField(help_text="The page's id for the capture (idempotency key).")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["captured_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "client_id"], name="one_image_per_client_id"
            ),
        ]
        indexes = [
            # Ordered like every timeline read: (captured_at, id), so "the frames just before
            # and after this one" is an index range with a LIMIT, whatever the interview's size.
            models.Index(
                fields=["application", "image_type", "captured_at", "id"],
                name="image_capture_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.file.name

    @property
    def s3_key(self) -> str:
        return self.file.name


class DeletedCapture(models.Model):
    """Where a reviewer deleted a capture: the slot stays in the record, shown as "deleted by
    …". A deleted camera frame of the candidate's is counted by the rules as a frame that was
    there and showed nothing wrong: its silence is no snapshot gap, and the flagged runs on
    either side of it stay apart — a delete never counts against the candidate."""

    application = models.ForeignKey(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="deleted_captures"
    )
    image_type = models.CharField(max_length=8, choices=ImageType.choices)
    captured_at = models.DateTimeField()
    received_at = models.DateTimeField()
    late = models.BooleanField(default=False)
    by_candidate = models.BooleanField(
        help_text="The candidate's own capture (the rules count it)."
    )
    image_id = models.PositiveBigIntegerField(help_text="The deleted capture's id.")
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["captured_at", "id"]
        indexes = [
            models.Index(
                fields=["application", "image_type", "captured_at"], name="deleted_capture_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.image_type} capture of {self.captured_at:%H:%M:%S} deleted"


class AccessEvent(models.Model):
    """Append-only audit log: who signed, listed, exported or deleted what, who signed in (or
    failed to), consent given and withdrawn, status changes. Never edited, never deleted by
    the application (README: "What the audit records")."""

    class Action(models.TextChoices):
        URL_ISSUED = "url_issued", "Signed URL issued"
        LISTED = "listed", "Images listed"
        EXPORTED = "exported", "Timeline exported"
        DELETED = "deleted", "Image deleted"
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        CONSENT_GIVEN = "consent_given", "Consent given"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        CONSENT_DECLINED = "consent_declined", "Monitoring declined"
        STATUS_CHANGED = "status_changed", "Status changed"
        DATA_EXPORTED = "data_exported", "Data exported (zip)"
        ERASED = "erased", "Data erased"
        REPORT_PRINTED = "report_printed", "Report opened for printing"
        WATCHED_LIVE = "watched_live", "Watched the camera live"
        LEGAL_HOLD_SET = "legal_hold_set", "Legal hold placed"
        LEGAL_HOLD_RELEASED = "legal_hold_released", "Legal hold lifted"
        SETTINGS_CHANGED = "settings_changed", "Monitoring settings changed"
        IDENTITY_SUBMITTED = "identity_submitted", "Identity photo submitted"
        IDENTITY_CONFIRMED = "identity_confirmed", "Identity confirmed by a reviewer"
        IDENTITY_REJECTED = "identity_rejected", "Identity rejected by a reviewer"
        MESSAGE_SENT = "message_sent", "Proctoring message sent"
        WARNING_SENT = "warning_sent", "Warning sent to the candidate"
        HAND_RAISED = "hand_raised", "Candidate raised a hand"
        HAND_LOWERED = "hand_lowered", "Raised hand lowered or answered"
        VERDICT_RECORDED = "verdict_recorded", "Verdict on an incident"
        NOTE_ADDED = "note_added", "Note pinned to the record"
        NOTE_EDITED = "note_edited", "Note edited"
        DECISION_RECORDED = "decision_recorded", "Decision recorded"
        DECISION_CONFIRMED = "decision_confirmed", "Decision confirmed (second review)"
        DECISION_REOPENED = "decision_reopened", "Decision reopened"
        CANDIDATE_RESPONDED = "candidate_responded", "The candidate answered a decision"
        SECOND_FACTOR_SET_UP = "second_factor_set_up", "Second factor set up"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset by an admin"
        RULES_CHANGED = "rules_changed", "Integrity rules or weights changed"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    audience = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who received it when no one person asked: the board groups of a push.",
    )
    action = models.CharField(max_length=24, choices=Action.choices, db_index=True)
    detail = models.CharField(max_length=300, blank=True)
    application = models.ForeignKey(
        "applications.JobApplication", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    image = models.ForeignKey(
        MonitoringImage, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    s3_key = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self) -> str:
        who = self.actor or self.audience or "someone"
        return f"{who} {self.get_action_display()} {self.s3_key or self.detail}".strip()


class MonitoringEvent(models.Model):
    """What the interview page observed: tab hidden/visible, focus, screen share, full screen,
    a second display; and what the server concluded from what the page said (a virtual
    camera, from the label of the camera turned on: `SERVER_TYPES`, never sent by a page)."""

    class Type(models.TextChoices):
        TAB_HIDDEN = "tab_hidden", "Tab hidden"
        TAB_VISIBLE = "tab_visible", "Tab visible"
        WINDOW_BLUR = "window_blur", "Window lost focus"
        WINDOW_FOCUS = "window_focus", "Window focused"
        SCREEN_SHARE_STARTED = "screen_share_started", "Screen sharing started"
        SCREEN_SHARE_STOPPED = "screen_share_stopped", "Screen sharing stopped"
        FULLSCREEN_EXIT = "fullscreen_exit", "Left full screen"
        EXTENDED_DISPLAY = "extended_display", "Display extended to another screen"
        VIRTUAL_CAMERA = "virtual_camera", "Virtual camera turned on"

    SERVER_TYPES = frozenset({"virtual_camera"})

    application = models.ForeignKey(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="monitoring_events"
    )
    type = models.CharField(max_length=24, choices=Type.choices)
    occurred_at = models.DateTimeField(help_text="When the page says it happened.")
    received_at = models.DateTimeField(default=timezone.now, help_text="Server receive time.")
    late = models.BooleanField(default=False)
    clock_adjusted = models.BooleanField(
        default=False,
        help_text="Dated ahead of the server's clock: occurred_at is the receive time.",
    )
    counted_at = models.DateTimeField(
        default=timezone.now,
        help_text="The time the integrity rules use: occurred_at, or received_at for a late "
        "event that would otherwise end an episode early.",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "page event"
        verbose_name_plural = "page events"
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["application", "occurred_at"], name="event_timeline_idx"),
            models.Index(fields=["application", "type", "counted_at"], name="event_family_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} at {self.occurred_at:%H:%M:%S}"


class FrameAnalysis(models.Model):
    """What the server saw in one capture. One per image; recomputed when its neighbour in
    capture time changes (a late frame)."""

    image = models.OneToOneField(MonitoringImage, on_delete=models.CASCADE, related_name="analysis")
    previous = models.ForeignKey(
        MonitoringImage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The frame this one was compared with (the one before it in capture time).",
    )
    brightness = models.FloatField(null=True, blank=True)
    contrast = models.FloatField(null=True, blank=True)
    face_count = models.PositiveSmallIntegerField(null=True, blank=True)
    faces = models.JSONField(default=list, blank=True)
    dhash = models.CharField(max_length=16, blank=True)
    small = models.BinaryField(
        null=True, blank=True, help_text="64×48 greyscale of a camera frame, for its successor."
    )
    diff_mean = models.FloatField(null=True, blank=True)
    dhash_distance = models.PositiveSmallIntegerField(null=True, blank=True)
    change_fraction = models.FloatField(null=True, blank=True)
    camera_covered = models.BooleanField(default=False)
    frozen_frame = models.BooleanField(default=False)
    no_face = models.BooleanField(default=False)
    multiple_faces = models.BooleanField(default=False)
    detector = models.CharField(max_length=40, blank=True)
    detector_version = models.CharField(max_length=40, blank=True)
    identity_reference = models.ForeignKey(
        "IdentityReference",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The selfie this frame's faces were compared with (empty: not compared yet).",
    )
    identity_distance = models.FloatField(
        null=True, blank=True, help_text="The smallest distance of a face here to the selfie."
    )
    identity_mismatch = models.BooleanField(
        null=True,
        blank=True,
        help_text="Faces seen and none matches the selfie (empty: not compared; no face: no).",
    )
    analyzed_at = models.DateTimeField(auto_now=True)

    FLAG_FIELDS = ("camera_covered", "frozen_frame", "no_face", "multiple_faces")

    class Meta:
        verbose_name_plural = "frame analyses"

    def __str__(self) -> str:
        return f"Analysis of {self.image_id}: {', '.join(self.flags) or 'ok'}"

    @property
    def flags(self) -> list[str]:
        return [name for name in self.FLAG_FIELDS if getattr(self, name)]


class IncidentType(models.TextChoices):
    NO_FACE = "no_face", INCIDENT_LABELS["no_face"]
    MULTIPLE_FACES = "multiple_faces", INCIDENT_LABELS["multiple_faces"]
    CAMERA_COVERED = "camera_covered", INCIDENT_LABELS["camera_covered"]
    FROZEN_FRAME = "frozen_frame", INCIDENT_LABELS["frozen_frame"]
    CAMERA_OFF = "camera_off", INCIDENT_LABELS["camera_off"]
    SCREEN_SHARE_STOPPED = "screen_share_stopped", INCIDENT_LABELS["screen_share_stopped"]
    TAB_HIDDEN = "tab_hidden", INCIDENT_LABELS["tab_hidden"]
    WINDOW_BLUR = "window_blur", INCIDENT_LABELS["window_blur"]
    SNAPSHOT_GAP = "snapshot_gap", INCIDENT_LABELS["snapshot_gap"]
    LATE_UPLOAD = "late_upload", INCIDENT_LABELS["late_upload"]
    IDENTITY_MISMATCH = "identity_mismatch", INCIDENT_LABELS["identity_mismatch"]
    IDENTITY_CHANGED_SINCE = "identity_changed_since", INCIDENT_LABELS["identity_changed_since"]
    VIRTUAL_CAMERA = "virtual_camera", INCIDENT_LABELS["virtual_camera"]


class IntegrityRules(models.Model):
    """An organization's incident rules and score weights (defaults: settings.INTEGRITY_*)."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="integrity_rules"
    )
    sustain_frames = models.PositiveSmallIntegerField(
        default=2, help_text="Consecutive flagged camera frames that make an incident."
    )
    sustain_seconds = models.PositiveIntegerField(
        default=20, help_text="…or this many seconds of flagged frames."
    )
    tab_hidden_seconds = models.PositiveIntegerField(default=10)
    window_blur_seconds = models.PositiveIntegerField(default=10)
    weights = models.JSONField(
        default=dict,
        blank=True,
        help_text="Points per incident-minute by type; missing types use the defaults.",
    )

    class Meta:
        verbose_name_plural = "integrity rules"

    def __str__(self) -> str:
        return f"Integrity rules of {self.organization}"


class InterviewRules(models.Model):
    """An organization's integrity rules and weights as they stood when one interview started:
    a later change of the organization's rules applies to interviews that start afterwards,
    never to one under way or finished (its score would move under the reviewer's eyes)."""

    application = models.OneToOneField(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="interview_rules"
    )
    sustain_frames = models.PositiveSmallIntegerField()
    sustain_seconds = models.PositiveIntegerField()
    tab_hidden_seconds = models.PositiveIntegerField()
    window_blur_seconds = models.PositiveIntegerField()
    weights = models.JSONField(help_text="Every type's weight in force at the start.")
    frozen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "interview rules"

    def __str__(self) -> str:
        return f"Integrity rules of interview {self.application_id}"


class IntegrityEvent(models.Model):
    """One sustained episode, computed from analyses, page events and camera history."""

    application = models.ForeignKey(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="integrity_events"
    )
    type = models.CharField(max_length=24, choices=IncidentType.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    ongoing = models.BooleanField(default=False)
    frame_count = models.PositiveIntegerField(default=0)
    image_ids = models.JSONField(
        default=list, blank=True, help_text="The first frames of the episode (at most 20)."
    )
    reason = models.CharField(max_length=300)
    earlier_application = models.ForeignKey(
        "applications.JobApplication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="identity_changed_since: the earlier interview whose selfie differs.",
    )

    class Meta:
        verbose_name = "incident"
        verbose_name_plural = "incidents"
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["application", "started_at"], name="incident_timeline_idx"),
            models.Index(fields=["application", "type", "ended_at"], name="incident_type_idx"),
        ]

    def __str__(self) -> str:
        return self.reason

    @property
    def duration_seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


class IntegritySummary(models.Model):
    """The score as of the last change of the application's inputs, kept for sorting the
    console. `penalty` is the sum of the stored incidents' points, kept in step by each change
    (no re-read of the whole interview); pages show the score with ongoing incidents counted up
    to now (monitoring.integrity.selectors.integrity_report)."""

    application = models.OneToOneField(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="integrity"
    )
    penalty = models.PositiveIntegerField(default=0)
    score = models.PositiveSmallIntegerField()
    incident_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "integrity summary"
        verbose_name_plural = "integrity summaries"

    def __str__(self) -> str:
        return f"{self.application_id}: {self.score}"


class ErasureJob(models.Model):
    """One erasure — asked for (an interview, a candidate), due (retention) or following a
    delete in the admin — and, once done, its receipt.

    Stored objects go first, then rows; each step is short and records its progress here, so
    a task that dies is finished by the resume sweep (monitoring.privacy.services). The
    receipt holds numbers and ids only, never personal data, and is kept for
    ERASURE_RECEIPT_DAYS.
    """

    class Kind(models.TextChoices):
        APPLICATION = "application", "Interview erased on request"
        USER = "user", "Candidate erased on request"
        RETENTION = "retention", "Retention window passed"
        ADMIN_DELETE = "admin_delete", "Deleted in the admin"

    class State(models.TextChoices):
        OBJECTS = "objects", "Deleting stored objects"
        ROWS = "rows", "Deleting rows"
        DONE = "done", "Done"

    receipt_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OBJECTS)
    application = models.ForeignKey(
        "applications.JobApplication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="erasures",
        help_text="While the interview exists (retention keeps it; an erasure deletes it).",
    )
    application_ids = models.JSONField(default=list, help_text="Every interview it covers (ids).")
    user_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The erased candidate's account id (anonymised)."
    )
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    objects_deleted = models.PositiveIntegerField(default=0)
    rows_deleted = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    leased_until = models.DateTimeField(
        null=True, blank=True, help_text="A task is working on it until then."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "erasure"
        verbose_name_plural = "erasures and receipts"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "updated_at"], name="erasure_resume_idx"),
            models.Index(fields=["erased_at"], name="erasure_receipt_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.receipt_id}"


class IdentityReference(models.Model):
    """A photo the candidate showed to say who they are: a selfie, or an ID document's photo.

    Stored like a capture (re-encoded JPEG, SSE, signed URLs, under the interview's storage
    prefix) with the face template made from it: 128 numbers of dlib's ResNet model, the only
    biometric template kept (camera frames keep their distance to it, never their own). A newer
    reference of a kind replaces the older one, which stays in the history (`replaced_at`).
    """

    class Kind(models.TextChoices):
        SELFIE = "selfie", "Selfie"
        DOCUMENT = "document", "ID document"

    application = models.ForeignKey(
        "applications.JobApplication",
        on_delete=models.CASCADE,
        related_name="identity_references",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file = models.FileField(max_length=255, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(
        null=True, blank=True, help_text="A newer reference of the same kind took its place."
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    face = models.JSONField(default=dict, help_text="The face's box in the stored image.")
    quality = models.JSONField(default=dict)
    descriptor = models.BinaryField(help_text="128 float32: the face template.")
    photo_deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="An ID document's photo and template deleted, document_retention_days after "
        "the interview ended: the row only says it was shown.",
    )
    match_distance = models.FloatField(
        null=True,
        blank=True,
        help_text="A deleted document's face distance to the selfie, kept when it was deleted.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=models.Q(replaced_at__isnull=True),
                name="one_current_identity_reference_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of application {self.application_id}"

    @property
    def s3_key(self) -> str:
        return self.file.name


class IdentityDecision(models.Model):
    """A reviewer's decision on who took the interview: confirmed or rejected, with a note.

    It is about the selfie current when it was made: a newer selfie needs a new decision."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    application = models.ForeignKey(
        "applications.JobApplication",
        on_delete=models.CASCADE,
        related_name="identity_decisions",
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.CharField(max_length=1000, blank=True)
    selfie = models.ForeignKey(
        IdentityReference, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"Identity {self.decision} for application {self.application_id}"


class IncidentVerdict(models.Model):
    """A reviewer's verdict on one incident: the flag was right (`confirmed`) or a false alarm
    (`dismissed`, it no longer counts toward the reviewed score).

    It points at the incident by its stable id and survives every recompute while the incident
    exists. When the incident goes (a reviewer's delete removed its evidence) the verdict stays
    in the history with the incident's last shape (`incident_*`, `incident_gone_at`); an
    erasure removes it with the rest of the record. A newer verdict on the same incident
    replaces the older one, which stays (`replaced_at`)."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"

    application = models.ForeignKey(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="incident_verdicts"
    )
    incident = models.ForeignKey(
        IntegrityEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verdicts",
        help_text="Empty once the incident is gone (its last shape is kept below).",
    )
    incident_ref = models.PositiveBigIntegerField(help_text="The incident's id, kept.")
    incident_type = models.CharField(max_length=24, choices=IncidentType.choices)
    incident_started_at = models.DateTimeField()
    incident_ended_at = models.DateTimeField()
    incident_frame_count = models.PositiveIntegerField(default=0)
    incident_reason = models.CharField(max_length=300, blank=True)
    incident_gone_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    note = models.CharField(max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "incident_ref"],
                condition=models.Q(replaced_at__isnull=True),
                name="one_current_verdict_per_incident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} on incident {self.incident_ref}"


class ReviewNote(models.Model):
    """A reviewer's note pinned to a moment of the record (and, optionally, to a capture).
    Its author may edit it for NOTE_EDIT_MINUTES; after that it is append-only: a correction
    is a new note."""

    application = models.ForeignKey(
        "applications.JobApplication", on_delete=models.CASCADE, related_name="review_notes"
    )
    at = models.DateTimeField(help_text="The moment of the interview it is about.")
    text = models.CharField(max_length=2000)
    image = models.ForeignKey(
        MonitoringImage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
        help_text="The capture it is pinned to (empty: none, or deleted since).",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="note_timeline_idx")]

    def __str__(self) -> str:
        return f"Note at {self.at:%H:%M:%S} on application {self.application_id}"
