"""The record of an interview: captures, their analysis, integrity incidents and the score
(every threshold documented in README.md)."""

from .base import env

MONITORING_TIMELINE_PAGE_SIZE = env.int("MONITORING_TIMELINE_PAGE_SIZE", default=60)
MONITORING_MAX_SIDE = 4096
MONITORING_MAX_PIXELS = 16_777_216
MONITORING_JPEG_QUALITY = 80
MONITORING_ORPHAN_MIN_AGE = env.int("MONITORING_ORPHAN_MIN_AGE", default=3600)

# --- Frame analysis (monitoring.analysis); every threshold documented in README.md -----------
ANALYSIS_DETECTOR = env.str("ANALYSIS_DETECTOR", default="")  # "" = best installed
ANALYSIS_DETECT_WIDTH = env.int("ANALYSIS_DETECT_WIDTH", default=256)  # 9/9 on the fixtures
ANALYSIS_FACE_CONFIDENCE = env.float("ANALYSIS_FACE_CONFIDENCE", default=0.7)
ANALYSIS_COVERED_MEAN = env.float("ANALYSIS_COVERED_MEAN", default=20.0)
ANALYSIS_COVERED_STD = env.float("ANALYSIS_COVERED_STD", default=5.0)
ANALYSIS_FROZEN_MEAN_DIFF = env.float("ANALYSIS_FROZEN_MEAN_DIFF", default=1.5)
ANALYSIS_FROZEN_DHASH = env.int("ANALYSIS_FROZEN_DHASH", default=2)
ANALYSIS_SCREEN_PIXEL_DIFF = env.int("ANALYSIS_SCREEN_PIXEL_DIFF", default=25)

# --- Identity (monitoring.identity): face templates offline, the organization's threshold ------
# A reference photo is refused when its face is narrower than this (pixels of the stored
# image) or the picture darker than this (grey mean, 0–255).
IDENTITY_MIN_FACE_PX = env.int("IDENTITY_MIN_FACE_PX", default=80)
IDENTITY_MIN_BRIGHTNESS = env.float("IDENTITY_MIN_BRIGHTNESS", default=40.0)
# A camera whose label (MediaDeviceInfo.label, sent with camera-on) contains one of these,
# case-insensitive, is a virtual camera: software that can show anything as "the camera".
IDENTITY_VIRTUAL_CAMERA_LABELS = env.list(
    "IDENTITY_VIRTUAL_CAMERA_LABELS",
    default=[
        "OBS Virtual Camera",
        "OBS-Camera",
        "ManyCam",
        "Snap Camera",
        "XSplit VCam",
        "mmhmm",
        "CamTwist",
        "e2eSoft VCam",
        "SplitCam",
        "YouCam",
        "NVIDIA Broadcast",
        "Virtual",
    ],
)

# --- Integrity incidents and score (monitoring.integrity); per organization in the admin ----
INTEGRITY_WEIGHTS = {  # points per started minute of each incident
    "multiple_faces": 10,
    "camera_covered": 8,
    "camera_off": 8,
    "screen_share_stopped": 8,
    "frozen_frame": 6,
    "no_face": 5,
    "tab_hidden": 4,
    "snapshot_gap": 3,
    "window_blur": 2,
    "late_upload": 1,
    "identity_mismatch": 10,
    "identity_changed_since": 20,
    "virtual_camera": 10,
}
# A capture received more than 2× its interval + this many seconds after it was taken is late
# (shown as such; it cannot close a snapshot gap); a page event, after this many seconds.
MONITORING_LATE_SLACK = env.int("MONITORING_LATE_SLACK", default=30)
# A capture or event dated ahead of the server by more than this is recorded at its receive
# time (clock_adjusted); more than 5 minutes ahead is refused.
MONITORING_CLOCK_TOLERANCE_SECONDS = env.int("MONITORING_CLOCK_TOLERANCE_SECONDS", default=5)
INTEGRITY_GAP_SWEEP_SECONDS = env.float("INTEGRITY_GAP_SWEEP_SECONDS", default=10.0)

# Days a candidate has to answer a final `concerns` or `violation` decision (once).
RESPONSE_WINDOW_DAYS = env.int("RESPONSE_WINDOW_DAYS", default=7)
