"""What the candidate's page modules say, from the server (the pages receive these through
json_script): the system check's step texts and fix-it hints, and the interview page's
plain-words alerts when a check keeps failing. `{name}` placeholders are filled in the page.
Translated lazily: each page renders them in its own language."""

from django.utils.translation import gettext_lazy as _

CHECK_LABELS = {
    "states": {
        "pending": _("Not run yet"),
        "running": _("Checking…"),
        "ok": _("Passed"),
        "fail": _("Failed"),
    },
    "running": _("Checking your set-up…"),
    "browser_ok": _("This browser can use a camera, share the screen and keep a live connection."),
    "browser_missing": _("This browser cannot {missing}. Use a recent Chrome, Edge or Firefox."),
    "feature_camera": _("use a camera"),
    "feature_screen": _("share the screen"),
    "feature_socket": _("keep a live connection"),
    "browser_no_screen": _(
        "This device cannot share its screen, and this interview needs it: "
        "please use a computer (a recent Chrome, Edge or Firefox)."
    ),
    "camera_ok": _("Frames arrive from “{label}”, {width}×{height}."),
    "camera_denied": _(
        "Camera permission was denied. Allow camera access in your browser's "
        "address bar (the camera icon), then run the check again."
    ),
    "camera_busy": _(
        "Your camera is busy: another program or tab is using it (a video call?). "
        "Close it and run the check again."
    ),
    "camera_missing": _("No camera was found. Connect a camera and run the check again."),
    "camera_no_frames": _(
        "The camera gives no picture. Close other programs that use it, or "
        "reconnect it, and run the check again."
    ),
    "camera_virtual": _(
        "“{label}” looks like a virtual camera (software that feeds a picture). "
        "Choose your real camera in the browser's camera settings and run the check again."
    ),
    "face_ok": _("The server found your face in a test frame (not stored)."),
    "face_none": _(
        "We can't see your face. Sit facing the camera, in good light, and run the check again."
    ),
    "face_several": _("We see more than one face. Make sure you are alone in the picture."),
    "face_covered": _(
        "The picture is dark: your camera looks covered. Uncover it or turn on a light."
    ),
    "face_error": _("The test frame could not be analysed: {message}"),
    "face_skipped": _("Skipped: the camera gave no picture."),
    "screen_ok": _("You can share your entire screen."),
    "screen_denied": _(
        "Screen sharing was cancelled or blocked. Allow it and share your entire "
        "screen (“Entire screen” in the dialog)."
    ),
    "screen_not_entire": _(
        "You shared a {surface}. This interview needs your entire screen: "
        "choose “Entire screen” in the dialog."
    ),
    "screen_failed": _("Screen sharing failed: {message}"),
    "surface_browser": _("browser tab"),
    "surface_window": _("window"),
    "upload_ok": _(
        "Upload {mbps} Mbit/s — enough for captures every few seconds (needs about "
        "{needed} Mbit/s)."
    ),
    "upload_slow": _(
        "Your connection is slow: upload {mbps} Mbit/s, and the captures of this "
        "interview need about {needed} Mbit/s with room to spare. Captures would arrive late. Move "
        "closer to your Wi-Fi, use a cable, or stop other uploads (cloud sync, video calls)."
    ),
    "upload_failed": _("The test upload failed: {message}"),
    "clock_ok": _("Your computer's clock is right (within {seconds} s of ours)."),
    "clock_off": _(
        "Your computer's clock is {minutes} min {direction}. Set it to update "
        "automatically (date and time settings) — captured times would be wrong otherwise."
    ),
    "clock_ahead": _("ahead"),
    "clock_behind": _("behind"),
    "clock_unknown": _("The server's time could not be read."),
    "summary_ok": _("Your set-up passed every check. You are ready for the interview."),
    "summary_fail": _(
        "{failed} of {total} checks failed. Fix what is marked and run the check "
        "again — nothing was recorded."
    ),
    "summary_unsaved": _("The result could not be saved: {message}"),
    "practice_taking": _("Taking a practice capture…"),
    "practice_done": _("This is what a reviewer would see of you. {analysis} Nothing was stored."),
    "practice_no_camera": _("Run the check first: the practice uses its camera."),
    "practice_faces": _("The server sees {count} face(s) in it."),
}

# The interview page: a check failing for longer than ALERT_AFTER_SECONDS (the reviewer's card
# shows the same), said in plain words with what to do.
INTERVIEW_ALERTS = {
    "no_face": _("We can't see your face — please move into view of the camera."),
    "multiple_faces": _("We see more than one face — please make sure you are alone."),
    "camera_covered": _(
        "Your camera looks covered or dark — please uncover it or turn on a light."
    ),
    "frozen_frame": _("Your camera picture is not changing — check that your camera works."),
    "screen_share_stopped": _("Your screen is not shared — please share your entire screen again."),
    "camera_off": _("Your camera is off — please turn it on again."),
}

# The interview page (static/monitoring/panel.js).
PANEL_LABELS = {
    "welcome_back": _(
        "Welcome back — {count} capture(s) of this interview are stored. Turn your "
        "camera on again to go on with the interview."
    ),
}
