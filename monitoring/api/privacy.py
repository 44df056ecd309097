"""Erasure on request, erasure receipts, and the candidate's own copy (README "Privacy")."""

import json
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from applications.permissions import IsRecruiterOrAdmin
from applications.selectors import application_get_for_user
from common import ratelimit
from common.errors import NotFound, ServiceError
from common.http import request_info
from monitoring.audit.services import access_log
from monitoring.integrity.selectors import integrity_report
from monitoring.models import AccessEvent, ErasureJob
from monitoring.privacy.exports import export_plan, zip_chunks
from monitoring.privacy.selectors import receipt_for_user
from monitoring.privacy.services import application_erase, user_erase

from .integrity import IntegrityOutputSerializer


class IsAdmin(BasePermission):
    message = "Only admins may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_admin_role)


class ErasureReceiptSerializer(serializers.Serializer):
    receipt_id = serializers.UUIDField()
    kind = serializers.CharField()
    state = serializers.ChoiceField(
        choices=ErasureJob.State.choices, help_text="done, or still deleting (answered 202)."
    )
    erased_at = serializers.DateTimeField(allow_null=True)
    objects_deleted = serializers.IntegerField(help_text="Stored images removed from storage.")
    rows_deleted = serializers.IntegerField(help_text="Database rows removed.")
    application_ids = serializers.ListField(child=serializers.IntegerField())
    requested_at = serializers.DateTimeField(source="created_at")


def _receipt(job: ErasureJob) -> Response:
    done = job.state == ErasureJob.State.DONE
    return Response(
        ErasureReceiptSerializer(job).data,
        status=status.HTTP_200_OK if done else status.HTTP_202_ACCEPTED,
    )


ERASE_RESPONSES = {
    200: ErasureReceiptSerializer,
    202: OpenApiResponse(ErasureReceiptSerializer, description="Started; it finishes as tasks."),
}


class ApplicationEraseApi(APIView):
    """Erase one interview's record — every stored image first, then every row (captures,
    analyses, events, incidents, camera history, consent records) and the application itself
    — and answer the receipt. A recruiter of the organization or an admin; 409 `legal_hold`,
    409 `interview_in_progress`."""

    permission_classes = [IsRecruiterOrAdmin]

    @extend_schema(request=None, responses=ERASE_RESPONSES)
    def post(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        job = application_erase(
            actor=request.user, application=application, info=request_info(request)
        )
        return _receipt(job)


class UserEraseApi(APIView):
    """Erase a candidate: every interview of theirs (as above), their camera presence history
    and consent records; the account is anonymised and deactivated. Admins only; 400
    `not_a_candidate`, 409 `legal_hold` / `interview_in_progress` if any interview is."""

    permission_classes = [IsAdmin]

    @extend_schema(request=None, responses=ERASE_RESPONSES)
    def post(self, request, user_id: int):
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound("No such user.", code="not_found")
        job = user_erase(actor=request.user, user=user, info=request_info(request))
        return _receipt(job)


class ErasureReceiptApi(APIView):
    """A receipt, kept 24 months: admins see every one, recruiters their organization's."""

    permission_classes = [IsRecruiterOrAdmin]

    @extend_schema(responses=ErasureReceiptSerializer)
    def get(self, request, receipt_id):
        job = receipt_for_user(user=request.user, receipt_id=receipt_id)
        if job is None:
            raise NotFound("No such receipt.", code="not_found")
        return Response(ErasureReceiptSerializer(job).data)


class ExportZipApi(APIView):
    """The candidate's copy of an interview, as a zip: every capture as a JPEG file,
    timeline.csv, events.csv, integrity.json, consent.json and a README. Streamed. The
    candidate and the reviewers who may see the interview; each download is audited.
    Bounded (export_slot): 429 `rate_limited` for a user's second export at once or beyond
    EXPORT_MAX_PER_HOUR, 503 `server_busy` while EXPORT_WORKERS exports run in this process."""

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        slot = export_slot(user_id=request.user.pk)  # after the scope: a 404 spends nothing
        try:
            report = integrity_report(application=application)
            integrity = json.loads(
                json.dumps(
                    IntegrityOutputSerializer({**report, "application_id": application.pk}).data
                )
            )
            files = export_plan(application=application, integrity=integrity)
            access_log(
                actor=request.user,
                action=AccessEvent.Action.DATA_EXPORTED,
                info=request_info(request),
                application_id=application.pk,
                detail=f"zip of {sum(1 for f in files if f.key)} capture(s)",
            )
            chunks = zip_chunks(files)
        except BaseException:
            slot.release()
            raise
        # Under ASGI the body must be an async iterator, or Django reads it all into memory
        # before sending; each chunk is made in the export's own thread (storage reads block).
        if isinstance(request._request, ASGIRequest):
            body = _async_chunks(chunks, slot)
        else:
            body = _sync_chunks(chunks, slot)
        # A stream that never starts (the client went away first) never reaches its `finally`:
        # the slot is also given back when the response is closed or the body is dropped.
        weakref.finalize(body, slot.release)
        response = ExportResponse(body, slot=slot, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="interview-{application.pk}-record.zip"'
        )
        response["Cache-Control"] = "no-store"
        return response


# --- Export slots -----------------------------------------------------------------------------
# A zip of a long interview reads every capture from storage: seconds to minutes of a thread.
# Each export runs in a thread of its own (one download's buffers stay in one malloc arena:
# measured +3 MB peak for 1,000 captures, against +20 MB spread over a shared pool), at most
# EXPORT_WORKERS at once per process; one more is answered 503 at once, never queued behind
# the others. Per user: one at a time, EXPORT_MAX_PER_HOUR an hour (across processes).

EXPORT_RETRY_AFTER = 10  # seconds: a busy process or a running export of yours
EXPORT_HOLD_SECONDS = 900  # a dead process's hold on a user's export lapses after this
_slots_lock = threading.Lock()
_slots_busy = 0


@dataclass
class ExportSlot:
    """One running export: its own thread, and what it holds until its stream ends."""

    executor: ThreadPoolExecutor
    _releases: list

    def release(self) -> None:
        """Give everything back (idempotent: the stream's end and the response's close may
        both call it)."""
        while self._releases:
            self._releases.pop()()


class ExportResponse(StreamingHttpResponse):
    """Closing the response (every server does at the end of a request) gives the slot back,
    even if the body was never read."""

    def __init__(self, *args, slot: ExportSlot, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot = slot

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.slot.release()


def _process_slot_release() -> None:
    global _slots_busy
    with _slots_lock:
        _slots_busy -= 1


def export_slot(*, user_id: int) -> ExportSlot:
    """Take the user's and the process's slot for one export, or refuse (ServiceError)."""
    global _slots_busy
    rate = f"{settings.EXPORT_MAX_PER_HOUR} per 3600 seconds"
    if ratelimit.exhausted("export", user_id, rate=rate):
        raise _too_many(user_id, rate)
    release_user = ratelimit.hold("export", user_id, seconds=EXPORT_HOLD_SECONDS)
    if release_user is None:
        raise ServiceError(
            "A copy of yours is still being made; wait for it to finish.",
            code="rate_limited",
            status=429,
            retry_after=EXPORT_RETRY_AFTER,
        )
    with _slots_lock:
        busy = _slots_busy >= settings.EXPORT_WORKERS
        if not busy:
            _slots_busy += 1
    if busy:
        release_user()
        raise ServiceError(
            "The server is busy making other copies; nothing was changed. Retry in a moment.",
            code="server_busy",
            status=503,
            retry_after=EXPORT_RETRY_AFTER,
        )
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")
    slot = ExportSlot(
        executor,
        [lambda: executor.shutdown(wait=False), _process_slot_release, release_user],
    )
    if not ratelimit.allow("export", user_id, rate=rate):  # taken meanwhile by a parallel call
        slot.release()
        raise _too_many(user_id, rate)
    return slot


def _too_many(user_id: int, rate: str) -> ServiceError:
    return ServiceError(
        f"You have downloaded {settings.EXPORT_MAX_PER_HOUR} copies this hour; try again later.",
        code="rate_limited",
        status=429,
        retry_after=ratelimit.retry_after("export", user_id, rate=rate),
    )


def _sync_chunks(chunks, slot: ExportSlot):
    """WSGI and the test client: closing the response closes this generator."""
    try:
        yield from chunks
    finally:
        slot.release()


async def _async_chunks(chunks, slot: ExportSlot):
    """ASGI: each chunk made in the export's own thread; the slot is given back when the
    stream ends, fails, or the client goes away (the generator is closed then)."""
    step = sync_to_async(next, thread_sensitive=False, executor=slot.executor)
    try:
        while True:
            chunk = await step(chunks, None)
            if chunk is None:
                return
            yield chunk
    finally:
        slot.release()
