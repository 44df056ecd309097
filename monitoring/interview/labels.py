"""What the candidate's page modules say, from the server (the pages receive these through
json_script): the system check's step texts and fix-it hints, and the interview page's
plain-words alerts when a check keeps failing. `{name}` placeholders are filled in the page."""

CHECK_LABELS = {
    "states": {"pending": "Not run yet", "running": "Checking…", "ok": "Passed", "fail": "Failed"},
    "running": "Checking your set-up…",
    "browser_ok": "This browser can use a camera, share the screen and keep a live connection.",
    "browser_missing": "This browser cannot {missing}. Use a recent Chrome, Edge or Firefox.",
    "feature_camera": "use a camera",
    "feature_screen": "share the screen",
    "feature_socket": "keep a live connection",
    "browser_no_screen": "This device cannot share its screen, and this interview needs it: "
    "please use a computer (a recent Chrome, Edge or Firefox).",
    "camera_ok": "Frames arrive from “{label}”, {width}×{height}.",
    "camera_denied": "Camera permission was denied. Allow camera access in your browser's "
    "address bar (the camera icon), then run the check again.",
    "camera_busy": "Your camera is busy: another program or tab is using it (a video call?). "
    "Close it and run the check again.",
    "camera_missing": "No camera was found. Connect a camera and run the check again.",
    "camera_no_frames": "The camera gives no picture. Close other programs that use it, or "
    "reconnect it, and run the check again.",
    "camera_virtual": "“{label}” looks like a virtual camera (software that feeds a picture). "
    "Choose your real camera in the browser's camera settings and run the check again.",
    "face_ok": "The server found your face in a test frame (not stored).",
    "face_none": "We can't see your face. Sit facing the camera, in good light, and run the "
    "check again.",
    "face_several": "We see more than one face. Make sure you are alone in the picture.",
    "face_covered": "The picture is dark: your camera looks covered. Uncover it or turn on a "
    "light.",
    "face_error": "The test frame could not be analysed: {message}",
    "face_skipped": "Skipped: the camera gave no picture.",
    "screen_ok": "You can share your entire screen.",
    "screen_denied": "Screen sharing was cancelled or blocked. Allow it and share your entire "
    "screen (“Entire screen” in the dialog).",
    "screen_not_entire": "You shared a {surface}. This interview needs your entire screen: "
    "choose “Entire screen” in the dialog.",
    "screen_failed": "Screen sharing failed: {message}",
    "surface_browser": "browser tab",
    "surface_window": "window",
    "upload_ok": "Upload {mbps} Mbit/s — enough for captures every few seconds (needs about "
    "{needed} Mbit/s).",
    "upload_slow": "Your connection is slow: upload {mbps} Mbit/s, and the captures of this "
    "interview need about {needed} Mbit/s with room to spare. Captures would arrive late. Move "
    "closer to your Wi-Fi, use a cable, or stop other uploads (cloud sync, video calls).",
    "upload_failed": "The test upload failed: {message}",
    "clock_ok": "Your computer's clock is right (within {seconds} s of ours).",
    "clock_off": "Your computer's clock is {minutes} min {direction}. Set it to update "
    "automatically (date and time settings) — captured times would be wrong otherwise.",
    "clock_ahead": "ahead",
    "clock_behind": "behind",
    "clock_unknown": "The server's time could not be read.",
    "summary_ok": "Your set-up passed every check. You are ready for the interview.",
    "summary_fail": "{failed} of {total} checks failed. Fix what is marked and run the check "
    "again — nothing was recorded.",
    "summary_unsaved": "The result could not be saved: {message}",
    "practice_taking": "Taking a practice capture…",
    "practice_done": "This is what a reviewer would see of you. {analysis} Nothing was stored.",
    "practice_no_camera": "Run the check first: the practice uses its camera.",
    "practice_faces": "The server sees {count} face(s) in it.",
}

# The interview page: a check failing for longer than ALERT_AFTER_SECONDS (the reviewer's card
# shows the same), said in plain words with what to do.
INTERVIEW_ALERTS = {
    "no_face": "We can't see your face — please move into view of the camera.",
    "multiple_faces": "We see more than one face — please make sure you are alone.",
    "camera_covered": "Your camera looks covered or dark — please uncover it or turn on a light.",
    "frozen_frame": "Your camera picture is not changing — check that your camera works.",
    "screen_share_stopped": "Your screen is not shared — please share your entire screen again.",
    "camera_off": "Your camera is off — please turn it on again.",
}

# The interview page (static/monitoring/panel.js).
PANEL_LABELS = {
    "welcome_back": "Welcome back — {count} capture(s) of this interview are stored. Turn your "
    "camera on again to go on with the interview.",
}
