"""How incidents and frame flags are worded, once, for every page, export and socket.

A leaf module (imports nothing of the app) so that both the models' choices and the pure
integrity rules read the same words without importing each other.
"""

INCIDENT_LABELS = {
    "no_face": "No face visible",
    "multiple_faces": "Several faces visible",
    "camera_covered": "Camera covered",
    "frozen_frame": "Camera image frozen",
    "camera_off": "Camera off",
    "screen_share_stopped": "Screen sharing stopped",
    "tab_hidden": "Interview tab hidden",
    "window_blur": "Window not focused",
    "snapshot_gap": "No camera snapshot received",
    "late_upload": "Captures arrived late",
    "identity_mismatch": "Face does not match the selfie",
    "identity_changed_since": "Not the face of an earlier interview",
    "virtual_camera": "Virtual camera in use",
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
