"""The monitoring notice a candidate agrees to: one version id per notice text.

The text itself is the consent card of templates/monitoring/interview_detail.html; its
translations (locale/<language>/LC_MESSAGES/django.po) keep the version id, and the consent
records the language the notice was shown in. A consent is to one version: when the notice
changes, recording and live watching stop until the candidate has read what changed and
agreed again. A leaf module: imports nothing of the project.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NoticeVersion:
    id: str
    changed: str | Promise  # what this version changed, in the candidate's words (translated)


VERSIONS = (  # newest first
    NoticeVersion(
        "2026-12-identity",
        _(
            "It now says how your identity is checked: the photo of your face (and, if asked, of "
            "your ID document) becomes a face template — biometric data — compared with your "
            "camera snapshots; how long each is kept; and that the name of your camera and "
            "whether your screen extends to a second display are recorded."
        ),
    ),
    NoticeVersion(
        "2026-12-proctoring",
        _(
            "Recruiters may now write to you and warn you on this page, and end the interview "
            "with a reason; you may answer and raise your hand. What you both write, and when you "
            "raise your hand, is kept with the record of the interview."
        ),
    ),
    NoticeVersion(
        "2026-12-told",
        _(
            "It now says what is analysed in your snapshots and screen captures, how the integrity "
            "score is computed, that a person decides — and that time while your consent is "
            "withdrawn never counts against you."
        ),
    ),
    NoticeVersion(
        "2026-11-live",
        _(
            "Recruiters may now watch your camera live while it is on. The video goes straight "
            "to their browser and is not recorded, and this page tells you by name who is watching."
        ),
    ),
    NoticeVersion("2026-11", _("The first notice.")),
)
CURRENT = VERSIONS[0].id


def notice_changes_since(version: str | None) -> list[str]:
    """What changed since `version`, newest first (for an unknown version, the newest change),
    in the active language."""
    ids = [notice.id for notice in VERSIONS]
    if version not in ids:
        return [str(VERSIONS[0].changed)]
    return [str(notice.changed) for notice in VERSIONS[: ids.index(version)]]
