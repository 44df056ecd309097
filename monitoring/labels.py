"""How incidents and frame flags are worded, once, for every page, export and socket.

A leaf module (imports nothing of the app) so that both the models' choices and the pure
integrity rules read the same words without importing each other. The incident words are
marked for translation (gettext_noop: they stay plain English strings here, in exports and on
sockets); a candidate's page translates them where it shows them (`{% translate row.label %}`).
"""

from django.utils.translation import gettext_noop as _

INCIDENT_LABELS = {
    "no_face": _("No face visible"),
    "multiple_faces": _("Several faces visible"),
    "camera_covered": _("Camera covered"),
    "frozen_frame": _("Camera image frozen"),
    "camera_off": _("Camera off"),
    "screen_share_stopped": _("Screen sharing stopped"),
    "tab_hidden": _("Interview tab hidden"),
    "window_blur": _("Window not focused"),
    "snapshot_gap": _("No camera snapshot received"),
    "late_upload": _("Captures arrived late"),
    "identity_mismatch": _("Face does not match the selfie"),
    "identity_changed_since": _("Not the face of an earlier interview"),
    "virtual_camera": _("Virtual camera in use"),
}

# The identity check's states (monitoring.identity.selectors.State), as every page says them.
IDENTITY_STATE_LABELS = {
    "not_required": "Not checked",
    "unverified": "Unverified",
    "verified": "Face matches",
    "mismatch": "Face mismatch",
    "confirmed": "Identity confirmed",
    "rejected": "Identity rejected",
}
