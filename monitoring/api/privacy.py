"""Erasure on request, erasure receipts, and the candidate's own copy (README "Privacy")."""

import json
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
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
from common.errors import NotFound
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
    candidate and the reviewers who may see the interview; each download is audited."""

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, application_id: int):
        application = application_get_for_user(user=request.user, application_id=application_id)
        report = integrity_report(application=application)
        integrity = json.loads(
            json.dumps(IntegrityOutputSerializer({**report, "application_id": application.pk}).data)
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
        # Under ASGI the body must be an async iterator, or Django reads it all into memory
        # before sending; each chunk is made in a worker thread (storage reads block).
        body = _async_chunks(chunks) if isinstance(request._request, ASGIRequest) else chunks
        response = StreamingHttpResponse(body, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="interview-{application.pk}-record.zip"'
        )
        response["Cache-Control"] = "no-store"
        return response


# Archives are made in a small pool of their own: storage reads block, and spreading one
# download's chunks over every thread of the default pool spreads its buffers over as many
# malloc arenas (measured: +20 MB peak for 1,000 captures, against +3 MB in one thread).
_EXPORT_THREADS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")


async def _async_chunks(chunks):
    step = sync_to_async(next, thread_sensitive=False, executor=_EXPORT_THREADS)
    while True:
        chunk = await step(chunks, None)
        if chunk is None:
            return
        yield chunk
