"""The audit hears what lower apps do through signals (they never import monitoring).

Sign-in and failed sign-in (Django's auth signals), a second factor set up or reset
(accounts), consent given and withdrawn, status
changes, legal holds and monitoring settings (applications), snapshot URLs signed for live
boards and live watches (cameras).
"""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.signals import second_factor_removed, second_factor_set_up
from applications.signals import (
    application_settings_changed,
    application_status_changed,
    candidate_responded,
    consent_recorded,
    decision_changed,
    legal_hold_changed,
)
from cameras.models import ProctorMessage
from cameras.signals import live_watch_ended, proctor_message_sent, snapshot_urls_signed
from common.http import RequestInfo, request_info
from common.time import iso_utc
from monitoring.live import timeline_changed
from monitoring.models import AccessEvent

from .services import access_log, access_log_keys


def _info(request) -> RequestInfo:
    return request_info(request) if request is not None else RequestInfo()


@receiver(user_logged_in, dispatch_uid="monitoring.audit.signed_in")
def on_signed_in(sender, request, user, **kwargs) -> None:
    access_log(actor=user, action=AccessEvent.Action.SIGNED_IN, info=_info(request))


@receiver(user_login_failed, dispatch_uid="monitoring.audit.sign_in_failed")
def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """Who was tried (the username, never the password) and from where."""
    username = str(credentials.get("username", ""))[:150]
    access_log(
        actor=None,
        action=AccessEvent.Action.SIGN_IN_FAILED,
        info=_info(request),
        detail=f"username {username!r}",
    )


@receiver(consent_recorded, dispatch_uid="monitoring.audit.consent")
def on_consent(sender, *, application, actor, action, consent, ip=None, **kwargs) -> None:
    kinds = {
        "given": AccessEvent.Action.CONSENT_GIVEN,
        "withdrawn": AccessEvent.Action.CONSENT_WITHDRAWN,
        "declined": AccessEvent.Action.CONSENT_DECLINED,
    }
    if action in kinds:
        version = getattr(consent, "notice_version", "")
        access_log(
            actor=actor,
            action=kinds[action],
            info=RequestInfo(ip=ip),
            application_id=application.pk,
            detail=f"notice {version}" if version else "",
        )


@receiver(application_status_changed, dispatch_uid="monitoring.audit.status")
def on_status_changed(sender, *, application, old, new, actor, **kwargs) -> None:
    detail = f"{old} → {new}"
    if new == application.Status.TERMINATED:
        detail = f"{detail}: {application.termination_reason}"[:300]
    access_log(
        actor=actor,
        action=AccessEvent.Action.STATUS_CHANGED,
        info=RequestInfo(),
        application_id=application.pk,
        detail=detail,
    )


PROCTOR_ACTIONS = {
    ProctorMessage.Kind.MESSAGE: AccessEvent.Action.MESSAGE_SENT,
    ProctorMessage.Kind.WARNING: AccessEvent.Action.WARNING_SENT,
    ProctorMessage.Kind.HAND_RAISED: AccessEvent.Action.HAND_RAISED,
    ProctorMessage.Kind.HAND_LOWERED: AccessEvent.Action.HAND_LOWERED,
}


@receiver(proctor_message_sent, dispatch_uid="monitoring.audit.proctoring")
def on_proctor_message(sender, *, message, **kwargs) -> None:
    """Who wrote (or raised, or answered) what kind of line in which interview — by id: the
    text is in the record, and goes with an erasure."""
    access_log(
        actor=message.sender,
        action=PROCTOR_ACTIONS[message.kind],
        info=RequestInfo(),
        application_id=message.application_id,
        detail=f"{message.side} → candidate #{message.candidate_id}, message #{message.pk}"
        if message.side == ProctorMessage.Side.REVIEWER
        else f"candidate #{message.candidate_id}, message #{message.pk}",
    )


@receiver(snapshot_urls_signed, dispatch_uid="monitoring.audit.board_snapshots")
def on_board_snapshots(sender, *, snapshots, actor, audience, **kwargs) -> None:
    access_log_keys(
        actor=actor,
        action=AccessEvent.Action.URL_ISSUED,
        keys=snapshots,
        audience=audience,
        detail="live board snapshot",
    )


@receiver(live_watch_ended, dispatch_uid="monitoring.audit.live_watch")
def on_live_watch_ended(sender, *, watch, **kwargs) -> None:
    """A watch session: who watched (the actor) whose interview (the application), from when to
    when — by id only: the names are shown from the rows, and go with an erasure."""
    seconds = round((watch.ended_at - watch.started_at).total_seconds())
    access_log(
        actor=watch.viewer,
        action=AccessEvent.Action.WATCHED_LIVE,
        info=RequestInfo(),
        application_id=watch.application_id,
        detail=(
            f"watched candidate #{watch.candidate_id} live from {iso_utc(watch.started_at)} "
            f"to {iso_utc(watch.ended_at)} ({seconds} s; {watch.get_end_reason_display()})"
        ),
    )


@receiver(legal_hold_changed, dispatch_uid="monitoring.audit.legal_hold")
def on_legal_hold(sender, *, application, actor, hold, **kwargs) -> None:
    access_log(
        actor=actor,
        action=AccessEvent.Action.LEGAL_HOLD_SET
        if hold
        else AccessEvent.Action.LEGAL_HOLD_RELEASED,
        info=RequestInfo(),
        application_id=application.pk,
    )


@receiver(application_settings_changed, dispatch_uid="monitoring.audit.settings")
def on_settings_changed(sender, *, application, actor, changes, **kwargs) -> None:
    """Which monitoring setting changed, from what to what (e.g. camera_interval 30 → 2)."""
    access_log(
        actor=actor,
        action=AccessEvent.Action.SETTINGS_CHANGED,
        info=RequestInfo(),
        application_id=application.pk,
        detail="; ".join(f"{field} {old} → {new}" for field, (old, new) in changes.items()),
    )


DECISION_ACTIONS = {
    "recorded": AccessEvent.Action.DECISION_RECORDED,
    "confirmed": AccessEvent.Action.DECISION_CONFIRMED,
    "reopened": AccessEvent.Action.DECISION_REOPENED,
}


@receiver(decision_changed, dispatch_uid="monitoring.audit.decision")
def on_decision_changed(sender, *, application, decision, actor, action, info, **kwargs) -> None:
    """Which decision, its outcome and state, and why (the reason, or what reopened it)."""
    why = decision.reopened_because if action == "reopened" else decision.reason
    access_log(
        actor=actor,
        action=DECISION_ACTIONS[action],
        info=info,
        application_id=application.pk,
        detail=f"decision #{decision.pk} {decision.outcome} ({decision.state}): {why}",
    )
    timeline_changed(application.pk, "decision")


@receiver(candidate_responded, dispatch_uid="monitoring.audit.candidate_responded")
def on_candidate_responded(sender, *, application, response, info, **kwargs) -> None:
    access_log(
        actor=application.candidate,
        action=AccessEvent.Action.CANDIDATE_RESPONDED,
        info=info,
        application_id=application.pk,
        detail=f"answer to decision #{response.decision_id}: {response.text}",
    )
    timeline_changed(application.pk, "decision")


@receiver(second_factor_set_up, dispatch_uid="monitoring.audit.second_factor_set_up")
def on_second_factor_set_up(sender, *, user, **kwargs) -> None:
    access_log(actor=user, action=AccessEvent.Action.SECOND_FACTOR_SET_UP, info=RequestInfo())


@receiver(second_factor_removed, dispatch_uid="monitoring.audit.second_factor_reset")
def on_second_factor_reset(sender, *, user, actor, removed, ip=None, **kwargs) -> None:
    """Who reset whose factor (by id: the names go with an erasure), and what it removed."""
    access_log(
        actor=actor,
        action=AccessEvent.Action.SECOND_FACTOR_RESET,
        info=RequestInfo(ip=ip),
        detail=f"second factor of user #{user.pk} reset ({removed} device(s) removed)",
    )
