# ruff: noqa: E501 — each text is the exact original of a t("…") call, one a line.
"""The words the page modules under static/ show (static/js/i18n.js: `t("Camera off.")`),
listed here by their English originals so that makemessages finds them and every page
carries them translated (templates/base.html, `{% ui_strings %}`). A test holds every
`t("…")` of static/ to this list: a string added there is added here, then translated in
locale/<language>/LC_MESSAGES/django.po."""

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

UI_STRINGS = (
    _(
        "Camera permission was denied. Allow camera access in your browser's address bar, then try again."
    ),
    _("Your camera is busy: another application or tab is using it. Close it and try again."),
    _("No camera was found. Connect a camera and try again."),
    _("This browser cannot use a camera here. Use a recent Chrome, Edge or Firefox over HTTPS."),
    _("The camera could not be started."),
    _("Starting camera…"),
    _("Turn camera off"),
    _("Turn camera on"),
    _("Heartbeat sent {time}"),
    _("Camera on — you are live."),
    _("Your camera stopped."),
    _("Camera off."),
    _("Connection problem: {message} Retrying with the next heartbeat."),
    _("A reviewer"),
    _("{name} is watching your camera live."),
    _("{names} and {last} are watching your camera live."),
    _("You are sending messages too fast; wait a moment."),
    _("The message is too long."),
    _("The message could not be sent."),
    _("You have no interview under way to write about."),
    _("You"),
    _("Warning from {name}"),
    _("Reconnecting…"),
    _("answered your raised hand."),
    _("Could not reach the server. Check your connection."),
    _("The server answered {status}."),
    _("just now"),
    _("{count} s ago"),
    _("{count} min ago"),
    _("{count} h ago"),
    _("The video has no frame yet."),
    _("Invited"),
    _("In progress"),
    _("Completed"),
    _("Withdrawn"),
    _("Ended by a reviewer"),
    _("Thank you. Monitoring starts when you begin the interview."),
    _("Thank you. Turn your camera on again to go on with the interview."),
    _("Thank you. Turn your camera on to begin."),
    _(
        "Withdraw your consent to monitoring? Your camera and screen sharing stop at once, captures not yet sent are discarded, and nothing more is recorded."
    ),
    _("You withdrew your consent at {time}."),
    _("You withdrew your consent."),
    _(
        "Your camera and screen sharing are off, {count} capture(s) not yet sent were discarded, and nothing more is recorded."
    ),
    _("Your camera and screen sharing are off, and nothing more is recorded."),
    _("Consent withdrawn. Nothing more is recorded."),
    _("Recording stopped on this page, but the server could not be told: {message}"),
    _("Interview started. Turn your camera on and share your screen."),
    _("Finish the interview? Your camera and screen sharing will stop."),
    _("Uploading {count} remaining capture(s)…"),
    _("Interview finished. Thank you!"),
    _("The interview was ended by the recruiter."),
    _(
        "Your camera and screen sharing are off and nothing more is captured. Everything taken before the end was sent."
    ),
    _("Turn your camera on first."),
    _("Share your screen first."),
    _(
        "This interview needs your entire screen shared: share it again to go on — until you do, the recruiter sees that it stopped."
    ),
    _("Stop sharing"),
    _("Share entire screen"),
    _("Screen sharing on."),
    _("Screen sharing stopped."),
    _("Screen sharing ended when the page was reloaded."),
    _("Screen sharing is off."),
    _("none yet"),
    _("Upload failed: {message} Retrying — your captures are kept."),
    _("Next try in {seconds} s."),
    _("A capture was refused: {message}"),
    _("Uploading…"),
    _("All captures uploaded."),
    _("Some captures are still uploading. Leave anyway?"),
    _("This browser cannot share the screen. Use a recent Chrome, Edge or Firefox."),
    _("Screen sharing was cancelled or blocked. Share your entire screen to continue."),
    _(
        "You shared a browser tab. Please share your entire screen: choose “Entire screen” in the dialog."
    ),
    _(
        "You shared a window. Please share your entire screen: choose “Entire screen” in the dialog."
    ),
)


def ui_strings_translated() -> dict[str, str]:
    """Each English original with its translation into the active language."""
    return {text: gettext(text) for text in UI_STRINGS}
